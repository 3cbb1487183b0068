#include "runtime/evaluate_batch.hpp"

#include <algorithm>
#include <cctype>
#include <exception>
#include <fstream>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <thread>

#include <caf/all.hpp>

// Results only ever travel between actors of this process; they are never
// serialized, so CAF need not know how to.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(osprey::ticker_evaluation)

namespace osprey {

namespace {

/// Asks a worker to evaluate the ticker at an index of the batch.
using batch_evaluate_atom = caf::atom_constant<caf::atom("bevaluate")>;
/// A worker's answer: the index and its evaluation.
using batch_done_atom = caf::atom_constant<caf::atom("bdone")>;

/// What every worker reads and nobody writes.
struct batch_job {
  const evaluation_inputs* inputs = nullptr;
  std::vector<std::string> tickers;
  evaluate_options options;
};

/// A worker: evaluates the tickers it is sent and answers the sender.
caf::behavior evaluate_worker(caf::event_based_actor* self,
                              std::shared_ptr<const batch_job> job) {
  return {
    [self, job](batch_evaluate_atom, size_t index) {
      ticker_evaluation r;
      try {
        r = evaluate_ticker(*job->inputs, job->tickers[index], job->options);
      } catch (const std::exception& ex) {
        // Never let a throw kill the worker: the caller waits for an answer.
        r.ticker = job->tickers[index];
        r.code = 1;
        r.error = ex.what();
      }
      self->send(caf::actor_cast<caf::actor>(self->current_sender()), batch_done_atom::value,
                 index, std::move(r));
    },
  };
}

bool is_ticker(const std::string& s) {
  if (s.empty() || s.size() > 16 || !std::isalnum(static_cast<unsigned char>(s.front())))
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '/';
  });
}

std::string trimmed(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos)
    return {};
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

} // namespace

ticker_list read_ticker_list(const std::string& path) {
  std::ifstream in{path};
  if (!in) {
    std::string e = "cannot read the batch file ";
    e += path;
    throw std::runtime_error(e);
  }
  ticker_list out;
  std::string line;
  for (size_t n = 1; std::getline(in, line); ++n) {
    auto text = trimmed(line.substr(0, line.find('#')));
    if (text.empty())
      continue;
    if (!is_ticker(text)) {
      std::string p = path;
      p += ':';
      p += std::to_string(n);
      p += ": \"";
      p += text;
      p += "\" is not a ticker (letters, digits, '.', '-', '/'; at most 16)";
      out.problems.push_back(std::move(p));
      continue;
    }
    out.tickers.push_back(std::move(text));
  }
  return out;
}

std::vector<ticker_evaluation> evaluate_in_parallel(const evaluation_inputs& in,
                                                    const std::vector<std::string>& tickers,
                                                    const evaluate_options& opts,
                                                    size_t workers) {
  std::vector<ticker_evaluation> results(tickers.size());
  if (tickers.empty())
    return results;
  if (workers == 0)
    workers = std::max(1u, std::thread::hardware_concurrency());
  workers = std::min(workers, tickers.size());

  auto job = std::make_shared<batch_job>();
  job->inputs = &in;
  job->tickers = tickers;
  job->options = opts;

  caf::actor_system_config cfg;
  cfg.set("scheduler.policy", caf::atom("stealing"));
  cfg.set("scheduler.max-threads", workers);
  caf::actor_system system{cfg};
  {
    caf::scoped_actor self{system};
    std::vector<caf::actor> pool;
    for (size_t w = 0; w < workers; ++w)
      pool.push_back(system.spawn(evaluate_worker, std::shared_ptr<const batch_job>{job}));
    // Deal the tickers round-robin; each answer names its index, so the
    // order they arrive in does not matter.
    for (size_t i = 0; i < tickers.size(); ++i)
      self->send(pool[i % workers], batch_evaluate_atom::value, i);
    size_t received = 0;
    self->receive_for(received, tickers.size())(
      [&results](batch_done_atom, size_t index, const ticker_evaluation& r) {
        results[index] = r;
      });
    for (auto& w : pool)
      self->send_exit(w, caf::exit_reason::user_shutdown);
  }
  return results;
}

int evaluate_batch_command(const evaluate_options& opts, const std::string& batch_path,
                           const headline_reader& read_headline, std::ostream& out,
                           std::ostream& err, size_t workers) {
  if (opts.data.empty()) {
    err << "osprey evaluate: give the tickers' daily bars with --data FILE...\n";
    return 2;
  }
  try {
    auto list = read_ticker_list(batch_path);
    for (auto& p : list.problems)
      err << "osprey evaluate: skipped " << p << "\n";
    auto tickers = opts.tickers;
    tickers.insert(tickers.end(), list.tickers.begin(), list.tickers.end());
    if (tickers.empty()) {
      err << "osprey evaluate: no tickers in " << batch_path << "\n";
      return 2;
    }
    std::unique_ptr<history_store> history;
    if (!opts.history_path.empty())
      history = std::make_unique<history_store>(opts.history_path);
    auto in = load_inputs(opts, read_headline, history.get(), err);
    auto results = evaluate_in_parallel(in, tickers, opts, workers);
    return emit_evaluations(results, opts.json, history.get(), out, err);
  } catch (const std::exception& ex) {
    err << "osprey evaluate: " << ex.what() << "\n";
    return 1;
  }
}

} // namespace osprey
