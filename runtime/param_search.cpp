#include "runtime/param_search.hpp"
#include "runtime/text_fields.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>
#include <limits>
#include <memory>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <caf/all.hpp>

#include "runtime/json_text.hpp"

// Parameter sets and results only travel between actors of this process;
// they are never serialized.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(osprey::param_set)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(osprey::trial_result)

namespace osprey {

namespace {

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();

// ---------------------------------------------------------------- text --

std::optional<double> parse_number(std::string_view s) {
  double v = 0;
  if (s.empty())
    return std::nullopt;
  auto first = s.data();
  if (*first == '+')
    ++first;
  auto [p, ec] = std::from_chars(first, s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

bool looks_real(std::string_view s) {
  return s.find_first_of(".eE") != std::string_view::npos;
}

std::string format_number(double v) {
  if (std::isnan(v))
    return "nan";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, p) : std::string{"?"};
}

std::string json_number(double v) {
  return std::isfinite(v) ? format_number(v) : std::string{"null"};
}

bool is_name(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_'))
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

[[noreturn]] void entry_error(std::string_view what, std::string_view entry,
                              std::string_view why) {
  std::string e{what};
  e += " \"";
  e += entry;
  e += "\": ";
  e += why;
  throw std::invalid_argument(e);
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) {
    if (!s.empty())
      s += ", ";
    s += x;
  }
  return s;
}

void require_known(std::string_view what, std::string_view entry, const std::string& metric,
                   const std::vector<std::string>& known) {
  if (std::find(known.begin(), known.end(), metric) != known.end())
    return;
  std::string why = "unknown metric \"";
  why += metric;
  why += "\" (known: ";
  why += join(known);
  why += ")";
  entry_error(what, entry, why);
}

// ----------------------------------------------------------------- rng --

/// xoshiro256** seeded by splitmix64: the same stream on every platform
/// (std:: distributions are implementation-defined, so none are used).
class rng {
public:
  explicit rng(uint64_t seed) {
    for (auto& s : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      s = z ^ (z >> 31);
    }
  }
  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  /// Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  /// Uniform in [0, n).
  size_t index(size_t n) {
    return static_cast<size_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
  }
  /// Standard normal (Box-Muller).
  double normal() {
    double u1 = 1.0 - uniform(); // (0, 1]
    double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }

private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// ---------------------------------------------------------- genes --
//
// Every method works on "genes": one double per parameter. A parameter with
// a finite number of values (integer, real with a step, choice) has the
// value's index as its gene; a continuous real has u in [0, 1] (linear or
// log between low and high).

using genes = std::vector<double>;

bool is_continuous(const param_spec& p) { return p.value_count() == 0; }

param_value decode_one(const param_spec& p, double g) {
  param_value v;
  v.name = p.name;
  switch (p.kind) {
  case param_kind::integer: {
    auto k = static_cast<long long>(std::llround(g));
    auto x = static_cast<long long>(p.low) + k * static_cast<long long>(p.step);
    v.number = static_cast<double>(x);
    v.text = std::to_string(x);
    break;
  }
  case param_kind::real: {
    if (p.step > 0) {
      v.number = p.low + std::round(g) * p.step;
      // Keep grid values clean: 0.1 + 2 * 0.1 prints as 0.3, not 0.30000000000000004.
      v.number = std::round(v.number * 1e12) / 1e12;
    } else if (p.log_scale) {
      v.number = std::exp(std::log(p.low) + g * (std::log(p.high) - std::log(p.low)));
    } else {
      v.number = p.low + g * (p.high - p.low);
    }
    v.text = format_number(v.number);
    break;
  }
  case param_kind::choice: {
    const auto& label = p.choices[static_cast<size_t>(std::llround(g))];
    v.text = label;
    auto n = parse_number(label);
    v.number = n ? *n : std::round(g);
    break;
  }
  }
  return v;
}

param_set decode(const param_space& space, const genes& g) {
  param_set s;
  s.values.reserve(space.params.size());
  for (size_t i = 0; i < space.params.size(); ++i)
    s.values.push_back(decode_one(space.params[i], g[i]));
  return s;
}

genes random_genes(const param_space& space, rng& r) {
  genes g(space.params.size());
  for (size_t i = 0; i < g.size(); ++i) {
    const auto& p = space.params[i];
    g[i] = is_continuous(p) ? r.uniform() : static_cast<double>(r.index(p.value_count()));
  }
  return g;
}

// ------------------------------------------------------------ ranking --

double objective_of(const std::map<std::string, double>& metrics, const objective_spec& o) {
  auto it = metrics.find(o.metric);
  if (it == metrics.end() || std::isnan(it->second))
    return nan_v;
  return o.minimise ? -it->second : it->second;
}

/// Whether trial a ranks before trial b: feasible first, then the higher
/// objective (NaN last), then the earlier trial.
bool ranks_before(const trial& a, const trial& b) {
  if (a.feasible != b.feasible)
    return a.feasible;
  bool an = std::isnan(a.objective), bn = std::isnan(b.objective);
  if (an != bn)
    return bn;
  if (!an && a.objective != b.objective)
    return a.objective > b.objective;
  return a.index < b.index;
}

// ------------------------------------------------------- worker pool --

using trial_atom = caf::atom_constant<caf::atom("ptrial")>;
using trial_done_atom = caf::atom_constant<caf::atom("ptrialdone")>;

caf::behavior trial_worker(caf::event_based_actor* self,
                           std::shared_ptr<const objective_fn> objective) {
  return {
    [self, objective](trial_atom, size_t index, const param_set& params) {
      trial_result r;
      try {
        r = (*objective)(params);
      } catch (const std::exception& ex) {
        // Never let a throw kill the worker: the caller waits for an answer.
        r.metrics.clear();
        r.error = ex.what();
      } catch (...) {
        r.metrics.clear();
        r.error = "the objective threw a non-standard exception";
      }
      self->send(caf::actor_cast<caf::actor>(self->current_sender()), trial_done_atom::value,
                 index, std::move(r));
    },
  };
}

/// An actor system and its worker actors, alive for one search so that
/// each batch does not pay for starting threads.
class trial_pool {
public:
  trial_pool(const objective_fn& objective, size_t workers) {
    if (workers == 0)
      workers = std::max(1u, std::thread::hardware_concurrency());
    cfg_ = std::make_unique<caf::actor_system_config>();
    cfg_->set("scheduler.policy", caf::atom("stealing"));
    cfg_->set("scheduler.max-threads", workers);
    system_ = std::make_unique<caf::actor_system>(*cfg_);
    self_ = std::make_unique<caf::scoped_actor>(*system_);
    auto shared = std::make_shared<const objective_fn>(objective);
    for (size_t w = 0; w < workers; ++w)
      pool_.push_back(system_->spawn(trial_worker, shared));
  }
  trial_pool(const trial_pool&) = delete;
  trial_pool& operator=(const trial_pool&) = delete;
  ~trial_pool() {
    for (auto& w : pool_)
      (*self_)->send_exit(w, caf::exit_reason::user_shutdown);
    pool_.clear();
    self_.reset();
    system_.reset();
  }

  /// Evaluates the sets; each answer names its index, so the order they
  /// arrive in does not matter.
  std::vector<trial_result> run(const std::vector<param_set>& sets) {
    std::vector<trial_result> out(sets.size());
    auto& self = *self_;
    for (size_t i = 0; i < sets.size(); ++i)
      self->send(pool_[i % pool_.size()], trial_atom::value, i, sets[i]);
    size_t received = 0;
    self->receive_for(received, sets.size())(
      [&out](trial_done_atom, size_t index, const trial_result& r) { out[index] = r; });
    return out;
  }

private:
  std::unique_ptr<caf::actor_system_config> cfg_;
  std::unique_ptr<caf::actor_system> system_;
  std::unique_ptr<caf::scoped_actor> self_;
  std::vector<caf::actor> pool_;
};

/// The search in progress: the trials so far and their genes.
struct search_state {
  const param_space& space;
  const search_settings& settings;
  trial_pool& pool;
  std::vector<trial> trials;
  std::vector<genes> trial_genes;

  /// Evaluates a batch and appends its trials; returns their indices.
  std::vector<size_t> evaluate(const std::vector<genes>& batch) {
    std::vector<param_set> sets;
    sets.reserve(batch.size());
    for (const auto& g : batch)
      sets.push_back(decode(space, g));
    auto results = pool.run(sets);
    std::vector<size_t> added;
    for (size_t i = 0; i < batch.size(); ++i) {
      trial t;
      t.index = trials.size();
      t.params = std::move(sets[i]);
      t.metrics = std::move(results[i].metrics);
      t.error = std::move(results[i].error);
      t.objective = t.error.empty() ? objective_of(t.metrics, settings.objective) : nan_v;
      t.feasible = t.error.empty() && !std::isnan(t.objective) &&
                   std::all_of(settings.constraints.begin(), settings.constraints.end(),
                               [&t](const metric_constraint& c) { return c.satisfied_by(t.metrics); });
      added.push_back(t.index);
      trials.push_back(std::move(t));
      trial_genes.push_back(batch[i]);
    }
    return added;
  }
};

// ---------------------------------------------------------------- tpe --

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

/// A Parzen estimator on [0, 1]: truncated Gaussian kernels at the points
/// plus a wide prior kernel (mean 0.5, sigma 1), equally weighted.
struct parzen {
  std::vector<double> mu;
  std::vector<double> sigma;
  std::vector<double> norm; // 1 / (probability mass inside [0, 1])

  parzen(const std::vector<double>& points, double min_bandwidth) {
    double bw = 1.0;
    if (!points.empty()) {
      double m = std::accumulate(points.begin(), points.end(), 0.0) / points.size();
      double var = 0;
      for (double p : points)
        var += (p - m) * (p - m);
      double sd = points.size() > 1 ? std::sqrt(var / (points.size() - 1)) : 0.0;
      // Scott's rule, never narrower than the floor nor wider than the range.
      bw = std::clamp(1.06 * sd * std::pow(static_cast<double>(points.size()), -0.2),
                      min_bandwidth, 1.0);
    }
    for (double p : points)
      add(p, bw);
    add(0.5, 1.0);
  }
  void add(double m, double s) {
    mu.push_back(m);
    sigma.push_back(s);
    norm.push_back(1.0 / std::max(1e-300, normal_cdf((1 - m) / s) - normal_cdf(-m / s)));
  }
  double density(double x) const {
    double d = 0;
    for (size_t i = 0; i < mu.size(); ++i) {
      double z = (x - mu[i]) / sigma[i];
      d += norm[i] * std::exp(-0.5 * z * z) / (sigma[i] * std::sqrt(2 * M_PI));
    }
    return d / mu.size();
  }
  double sample(rng& r) const {
    size_t k = r.index(mu.size());
    for (int tries = 0; tries < 64; ++tries) {
      double x = mu[k] + sigma[k] * r.normal();
      if (x >= 0 && x <= 1)
        return x;
    }
    return std::clamp(mu[k], 0.0, 1.0);
  }
};

/// The unit coordinate of a numeric gene (index or u) and back.
double to_unit(const param_spec& p, double g) {
  size_t n = p.value_count();
  if (n == 0)
    return g;
  return n == 1 ? 0.5 : g / static_cast<double>(n - 1);
}
double from_unit(const param_spec& p, double x) {
  size_t n = p.value_count();
  if (n == 0)
    return std::clamp(x, 0.0, 1.0);
  return n == 1 ? 0.0 : std::clamp(std::round(x * (n - 1)), 0.0, static_cast<double>(n - 1));
}

/// Proposes `count` gene vectors from the trials so far (docs/OPTIMISATION.md).
std::vector<genes> tpe_propose(const search_state& st, size_t count, rng& r) {
  const auto& space = st.space;
  const auto& s = st.settings;
  std::vector<size_t> order(st.trials.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&st](size_t a, size_t b) { return ranks_before(st.trials[a], st.trials[b]); });
  size_t n_good = std::max<size_t>(
    1, static_cast<size_t>(std::ceil(s.tpe_gamma * static_cast<double>(order.size()))));
  n_good = std::min(n_good, order.size());

  // Per parameter: a density of the good and of the bad trials.
  struct model {
    std::optional<parzen> good, bad;     // numeric
    std::vector<double> good_p, bad_p;   // choice: smoothed frequencies
  };
  std::vector<model> models(space.params.size());
  for (size_t j = 0; j < space.params.size(); ++j) {
    const auto& p = space.params[j];
    auto& m = models[j];
    if (p.kind == param_kind::choice) {
      size_t k = p.choices.size();
      m.good_p.assign(k, 1.0);
      m.bad_p.assign(k, 1.0);
      for (size_t i = 0; i < order.size(); ++i) {
        auto c = static_cast<size_t>(st.trial_genes[order[i]][j]);
        (i < n_good ? m.good_p : m.bad_p)[c] += 1.0;
      }
      double gs = std::accumulate(m.good_p.begin(), m.good_p.end(), 0.0);
      double bs = std::accumulate(m.bad_p.begin(), m.bad_p.end(), 0.0);
      for (auto& v : m.good_p)
        v /= gs;
      for (auto& v : m.bad_p)
        v /= bs;
    } else {
      std::vector<double> good, bad;
      for (size_t i = 0; i < order.size(); ++i)
        (i < n_good ? good : bad).push_back(to_unit(p, st.trial_genes[order[i]][j]));
      // The floor keeps a group that has collapsed onto a few close points
      // exploring: 1 / min(100, 1 + points) of the range, and never less
      // than half a step of a discrete parameter.
      size_t n = p.value_count();
      auto floor = [n](size_t points) {
        double f = 1.0 / static_cast<double>(std::min<size_t>(100, 1 + points));
        return n > 1 ? std::max(f, 0.5 / static_cast<double>(n - 1)) : f;
      };
      m.good.emplace(good, floor(good.size()));
      m.bad.emplace(bad, floor(bad.size()));
    }
  }

  std::vector<genes> out;
  out.reserve(count);
  for (size_t c = 0; c < count; ++c) {
    genes best;
    double best_score = -std::numeric_limits<double>::infinity();
    for (size_t k = 0; k < std::max<size_t>(1, s.tpe_candidates); ++k) {
      genes g(space.params.size());
      double score = 0;
      for (size_t j = 0; j < space.params.size(); ++j) {
        const auto& p = space.params[j];
        const auto& m = models[j];
        if (p.kind == param_kind::choice) {
          // Draw from the good frequencies.
          double u = r.uniform(), acc = 0;
          size_t pick = m.good_p.size() - 1;
          for (size_t i = 0; i < m.good_p.size(); ++i) {
            acc += m.good_p[i];
            if (u < acc) {
              pick = i;
              break;
            }
          }
          g[j] = static_cast<double>(pick);
          score += std::log(m.good_p[pick]) - std::log(m.bad_p[pick]);
        } else {
          g[j] = from_unit(p, m.good->sample(r));
          double x = to_unit(p, g[j]);
          score += std::log(std::max(1e-300, m.good->density(x))) -
                   std::log(std::max(1e-300, m.bad->density(x)));
        }
      }
      // The first candidate is kept even if every score were NaN.
      if (best.empty() || score > best_score) {
        best_score = score;
        best = std::move(g);
      }
    }
    out.push_back(std::move(best));
  }
  return out;
}

// ------------------------------------------------------------ genetic --

void mutate_gene(const param_space& space, genes& g, size_t j, rng& r);

/// Mutates each gene with probability `rate`; a child that no gene changed
/// has one gene mutated, so that no trial is spent on a copy of a parent.
genes mutate(const param_space& space, genes g, double rate, rng& r) {
  bool changed = false;
  for (size_t j = 0; j < g.size(); ++j) {
    if (r.uniform() >= rate)
      continue;
    mutate_gene(space, g, j, r);
    changed = true;
  }
  if (!changed)
    mutate_gene(space, g, r.index(g.size()), r);
  return g;
}

/// Moves one gene: a continuous one by N(0, 0.1^2), a discrete number by a
/// rounded normal step of about a tenth of its range (never 0), a choice to
/// any other label.
void mutate_gene(const param_space& space, genes& g, size_t j, rng& r) {
  const auto& p = space.params[j];
  size_t n = p.value_count();
  if (n == 0) {
    g[j] = std::clamp(g[j] + 0.1 * r.normal(), 0.0, 1.0);
  } else if (n > 1 && p.kind == param_kind::choice) {
    size_t k = r.index(n - 1);
    if (k >= static_cast<size_t>(g[j]))
      ++k;
    g[j] = static_cast<double>(k);
  } else if (n > 1) {
    double width = std::max(1.0, 0.1 * static_cast<double>(n - 1));
    double step = std::round(width * r.normal());
    if (step == 0)
      step = r.uniform() < 0.5 ? -1 : 1;
    g[j] = std::clamp(g[j] + step, 0.0, static_cast<double>(n - 1));
  }
}

void check_settings(const param_space& space, const search_settings& s) {
  if (space.params.empty())
    throw std::invalid_argument("the parameter space is empty");
  if (s.method == search_method::random || s.method == search_method::tpe) {
    if (s.budget == 0)
      throw std::invalid_argument("the search budget must be at least 1 trial");
  }
  if (s.method == search_method::tpe) {
    if (!(s.tpe_gamma > 0 && s.tpe_gamma < 1))
      throw std::invalid_argument("tpe gamma must be between 0 and 1 (exclusive)");
    if (s.tpe_batch == 0 || s.tpe_candidates == 0)
      throw std::invalid_argument("tpe batch and candidates must be at least 1");
  }
  if (s.method == search_method::genetic) {
    if (s.population < 2)
      throw std::invalid_argument("the genetic population must be at least 2");
    if (s.generations == 0)
      throw std::invalid_argument("the genetic search needs at least 1 generation");
    if (s.elite >= s.population)
      throw std::invalid_argument("the elite must be smaller than the population");
    if (s.tournament_size == 0)
      throw std::invalid_argument("the tournament size must be at least 1");
    if (!(s.crossover_rate >= 0 && s.crossover_rate <= 1) ||
        !(s.mutation_rate >= 0 && s.mutation_rate <= 1))
      throw std::invalid_argument("crossover and mutation rates must be between 0 and 1");
  }
}

std::vector<genes> grid_genes(const param_space& space, const search_settings& s) {
  std::vector<size_t> counts;
  double total = 1;
  for (const auto& p : space.params) {
    size_t n = p.value_count();
    if (n == 0)
      n = std::max<size_t>(1, s.real_grid_points);
    counts.push_back(n);
    total *= static_cast<double>(n);
  }
  if (total > static_cast<double>(s.max_grid_trials) && !s.allow_large_grid) {
    std::string e = "the grid has ";
    e += format_number(total);
    e += " points, more than the limit of ";
    e += std::to_string(s.max_grid_trials);
    e += " (use random, tpe or genetic, narrow the ranges, or allow a large grid)";
    throw std::invalid_argument(e);
  }
  std::vector<genes> out;
  out.reserve(static_cast<size_t>(total));
  std::vector<size_t> k(counts.size(), 0);
  while (true) {
    genes g(counts.size());
    for (size_t j = 0; j < counts.size(); ++j) {
      if (is_continuous(space.params[j]))
        g[j] = counts[j] == 1 ? 0.5 : static_cast<double>(k[j]) / static_cast<double>(counts[j] - 1);
      else
        g[j] = static_cast<double>(k[j]);
    }
    out.push_back(std::move(g));
    // Odometer: the last parameter turns fastest.
    size_t j = counts.size();
    while (j > 0) {
      --j;
      if (++k[j] < counts[j])
        break;
      k[j] = 0;
      if (j == 0)
        return out;
    }
  }
}

} // namespace

// ------------------------------------------------------------ public --

size_t param_spec::value_count() const {
  switch (kind) {
  case param_kind::integer:
    return static_cast<size_t>(std::floor((high - low) / step)) + 1;
  case param_kind::real:
    return step > 0 ? static_cast<size_t>(std::floor((high - low) / step + 1e-9)) + 1 : 0;
  case param_kind::choice:
    return choices.size();
  }
  return 0;
}

param_space parse_param_space(std::string_view text) {
  param_space space;
  if (trim(text).empty())
    throw std::invalid_argument("the parameter space is empty");
  for (const auto& entry : split_trimmed(text, ',')) {
    const char* what = "parameter";
    auto eq = entry.find('=');
    if (eq == std::string::npos)
      entry_error(what, entry, "expected name=range or name=a|b|c");
    param_spec p;
    p.name = trim(std::string_view{entry}.substr(0, eq));
    std::string spec = trim(std::string_view{entry}.substr(eq + 1));
    if (!is_name(p.name))
      entry_error(what, entry, "the name must be letters, digits and '_', not starting with a digit");
    for (const auto& q : space.params)
      if (q.name == p.name)
        entry_error(what, entry, "the name is declared twice");
    if (spec.empty())
      entry_error(what, entry, "no values");
    auto dots = spec.find("..");
    if (dots == std::string::npos) {
      // A choice; a single label is a fixed value.
      p.kind = param_kind::choice;
      p.choices = split_trimmed(spec, '|');
      for (size_t i = 0; i < p.choices.size(); ++i) {
        if (p.choices[i].empty())
          entry_error(what, entry, "an empty choice");
        for (size_t k = 0; k < i; ++k)
          if (p.choices[k] == p.choices[i])
            entry_error(what, entry, "a choice is listed twice");
      }
      space.params.push_back(std::move(p));
      continue;
    }
    std::string lo_s = trim(std::string_view{spec}.substr(0, dots));
    std::string rest = spec.substr(dots + 2);
    std::string hi_s, suffix;
    auto colon = rest.find(':');
    hi_s = trim(std::string_view{rest}.substr(0, colon));
    bool has_suffix = colon != std::string::npos;
    if (has_suffix)
      suffix = trim(std::string_view{rest}.substr(colon + 1));
    auto lo = parse_number(lo_s);
    auto hi = parse_number(hi_s);
    if (!lo || !hi)
      entry_error(what, entry, "the bounds must be numbers: lo..hi");
    if (*lo > *hi)
      entry_error(what, entry, "the low bound is above the high bound");
    p.low = *lo;
    p.high = *hi;
    bool real = looks_real(lo_s) || looks_real(hi_s);
    if (has_suffix && suffix == "log") {
      if (!(*lo > 0))
        entry_error(what, entry, "a log scale needs a low bound above 0");
      p.kind = param_kind::real;
      p.log_scale = true;
    } else if (has_suffix) {
      auto step = parse_number(suffix);
      if (!step || !(*step > 0))
        entry_error(what, entry, "the step must be a number above 0 (or \"log\")");
      real = real || looks_real(suffix);
      p.kind = real ? param_kind::real : param_kind::integer;
      p.step = *step;
    } else {
      p.kind = real ? param_kind::real : param_kind::integer;
      p.step = real ? 0 : 1;
    }
    if (p.kind == param_kind::real && p.step == 0 && *lo == *hi)
      entry_error(what, entry, "a continuous range needs low < high");
    if (p.kind == param_kind::integer && p.value_count() > 100000000)
      entry_error(what, entry, "too many values");
    space.params.push_back(std::move(p));
  }
  return space;
}

double param_set::number(std::string_view name) const {
  for (const auto& v : values)
    if (v.name == name)
      return v.number;
  std::string e = "no parameter named ";
  e += name;
  throw std::out_of_range(e);
}

const std::string& param_set::text(std::string_view name) const {
  for (const auto& v : values)
    if (v.name == name)
      return v.text;
  std::string e = "no parameter named ";
  e += name;
  throw std::out_of_range(e);
}

std::string param_set::to_string() const {
  std::string s;
  for (const auto& v : values) {
    if (!s.empty())
      s += ',';
    s += v.name;
    s += '=';
    s += v.text;
  }
  return s;
}

std::vector<std::string> default_metric_names() {
  return {"sharpe",   "sortino",  "cagr",          "calmar",   "max_drawdown",
          "total_return", "volatility", "trades", "win_rate", "profit_factor",
          "exposure"};
}

objective_spec parse_objective(std::string_view text, const std::vector<std::string>& known) {
  objective_spec o;
  std::string t = trim(text);
  if (!t.empty() && t[0] == '-') {
    o.minimise = true;
    t = trim(std::string_view{t}.substr(1));
  }
  o.metric = t;
  require_known("objective", text, o.metric, known);
  return o;
}

bool metric_constraint::satisfied_by(const std::map<std::string, double>& metrics) const {
  auto it = metrics.find(metric);
  if (it == metrics.end() || std::isnan(it->second))
    return false;
  double v = it->second;
  switch (rel) {
  case relation::less_equal:
    return v <= bound;
  case relation::greater_equal:
    return v >= bound;
  case relation::less:
    return v < bound;
  case relation::greater:
    return v > bound;
  }
  return false;
}

std::string metric_constraint::to_string() const {
  static const char* ops[] = {"<=", ">=", "<", ">"};
  std::string s = metric;
  s += ' ';
  s += ops[static_cast<int>(rel)];
  s += ' ';
  s += format_number(bound);
  return s;
}

std::vector<metric_constraint> parse_constraints(std::string_view text,
                                                 const std::vector<std::string>& known) {
  std::vector<metric_constraint> out;
  if (trim(text).empty())
    return out;
  for (const auto& entry : split_trimmed(text, ',')) {
    const char* what = "constraint";
    auto pos = entry.find_first_of("<>");
    if (pos == std::string::npos)
      entry_error(what, entry, "expected metric <= number, >=, < or >");
    metric_constraint c;
    size_t len = 1;
    bool eq = pos + 1 < entry.size() && entry[pos + 1] == '=';
    if (eq)
      len = 2;
    if (entry[pos] == '<')
      c.rel = eq ? metric_constraint::relation::less_equal : metric_constraint::relation::less;
    else
      c.rel = eq ? metric_constraint::relation::greater_equal : metric_constraint::relation::greater;
    c.metric = trim(std::string_view{entry}.substr(0, pos));
    if (c.metric.empty())
      entry_error(what, entry, "no metric before the comparison");
    require_known(what, entry, c.metric, known);
    auto b = parse_number(trim(std::string_view{entry}.substr(pos + len)));
    if (!b)
      entry_error(what, entry, "the bound must be a number");
    c.bound = *b;
    out.push_back(std::move(c));
  }
  return out;
}

search_method parse_search_method(std::string_view text) {
  std::string t = trim(text);
  if (t == "grid")
    return search_method::grid;
  if (t == "random")
    return search_method::random;
  if (t == "tpe" || t == "bayes" || t == "bayesian")
    return search_method::tpe;
  if (t == "genetic")
    return search_method::genetic;
  std::string e = "unknown search method \"";
  e += t;
  e += "\" (known: grid, random, tpe, genetic)";
  throw std::invalid_argument(e);
}

const char* to_string(search_method m) {
  switch (m) {
  case search_method::grid:
    return "grid";
  case search_method::random:
    return "random";
  case search_method::tpe:
    return "tpe";
  case search_method::genetic:
    return "genetic";
  }
  return "?";
}

const trial& search_result::best_trial() const {
  if (!best)
    throw std::logic_error("no trial was feasible");
  return trials[*best];
}

std::vector<param_set> grid_points(const param_space& space, const search_settings& settings) {
  std::vector<param_set> out;
  for (const auto& g : grid_genes(space, settings))
    out.push_back(decode(space, g));
  return out;
}

std::vector<trial_result> evaluate_parallel(const objective_fn& objective,
                                            const std::vector<param_set>& sets, size_t workers) {
  if (sets.empty())
    return {};
  if (workers == 0)
    workers = std::max(1u, std::thread::hardware_concurrency());
  trial_pool pool{objective, std::min(workers, sets.size())};
  return pool.run(sets);
}

search_result run_search(const param_space& space, const objective_fn& objective,
                         const search_settings& s) {
  check_settings(space, s);
  std::vector<genes> grid;
  if (s.method == search_method::grid)
    grid = grid_genes(space, s); // refuse a large grid before starting threads
  trial_pool pool{objective, s.workers};
  search_state st{space, s, pool, {}, {}};
  rng r{s.seed};

  switch (s.method) {
  case search_method::grid:
    st.evaluate(grid);
    break;
  case search_method::random: {
    std::vector<genes> batch;
    for (size_t i = 0; i < s.budget; ++i)
      batch.push_back(random_genes(space, r));
    st.evaluate(batch);
    break;
  }
  case search_method::tpe: {
    size_t startup = std::min(s.budget, std::max<size_t>(1, s.tpe_startup_trials));
    std::vector<genes> batch;
    for (size_t i = 0; i < startup; ++i)
      batch.push_back(random_genes(space, r));
    st.evaluate(batch);
    while (st.trials.size() < s.budget) {
      size_t n = std::min(s.tpe_batch, s.budget - st.trials.size());
      st.evaluate(tpe_propose(st, n, r));
    }
    break;
  }
  case search_method::genetic: {
    std::vector<genes> batch;
    for (size_t i = 0; i < s.population; ++i)
      batch.push_back(random_genes(space, r));
    std::vector<size_t> population = st.evaluate(batch);
    for (size_t gen = 1; gen < s.generations; ++gen) {
      std::sort(population.begin(), population.end(), [&st](size_t a, size_t b) {
        return ranks_before(st.trials[a], st.trials[b]);
      });
      auto pick = [&]() {
        size_t best = population[r.index(population.size())];
        for (size_t k = 1; k < s.tournament_size; ++k) {
          size_t c = population[r.index(population.size())];
          if (ranks_before(st.trials[c], st.trials[best]))
            best = c;
        }
        return best;
      };
      std::vector<genes> children;
      for (size_t c = s.elite; c < s.population; ++c) {
        const genes& a = st.trial_genes[pick()];
        const genes& b = st.trial_genes[pick()];
        genes child = a;
        if (r.uniform() < s.crossover_rate)
          for (size_t j = 0; j < child.size(); ++j)
            if (r.uniform() < 0.5)
              child[j] = b[j];
        children.push_back(mutate(space, std::move(child), s.mutation_rate, r));
      }
      auto added = st.evaluate(children);
      population.resize(s.elite);
      population.insert(population.end(), added.begin(), added.end());
    }
    break;
  }
  }

  search_result out;
  out.method = s.method;
  out.objective = s.objective;
  out.trials = std::move(st.trials);
  out.ranking.resize(out.trials.size());
  std::iota(out.ranking.begin(), out.ranking.end(), 0);
  std::sort(out.ranking.begin(), out.ranking.end(), [&out](size_t a, size_t b) {
    return ranks_before(out.trials[a], out.trials[b]);
  });
  for (const auto& t : out.trials)
    out.feasible_count += t.feasible ? 1 : 0;
  if (!out.ranking.empty() && out.trials[out.ranking.front()].feasible)
    out.best = out.ranking.front();
  return out;
}

std::string format_search_text(const search_result& r, size_t top) {
  std::ostringstream o;
  o << "method " << to_string(r.method) << ", objective " << (r.objective.minimise ? "-" : "")
    << r.objective.metric << ", " << r.trials.size() << " trials, " << r.feasible_count
    << " feasible\n";
  if (r.best) {
    const auto& b = r.trials[*r.best];
    o << "best #" << b.index << ": " << b.params.to_string() << " -> " << r.objective.metric
      << " " << format_number(b.metrics.count(r.objective.metric) ? b.metrics.at(r.objective.metric)
                                                                   : nan_v)
      << "\n";
  } else {
    o << "no feasible trial\n";
  }
  for (size_t i = 0; i < std::min(top, r.ranking.size()); ++i) {
    const auto& t = r.trials[r.ranking[i]];
    o << "  " << (i + 1) << ". #" << t.index << " " << t.params.to_string()
      << (t.feasible ? "" : " (infeasible)");
    for (const auto& [k, v] : t.metrics)
      o << " " << k << "=" << format_number(v);
    if (!t.error.empty())
      o << " error: " << t.error;
    o << "\n";
  }
  return o.str();
}

std::string format_search_json(const search_result& r) {
  std::string o = "{\"method\":";
  o += json_string(to_string(r.method));
  o += ",\"objective\":";
  o += json_string(r.objective.metric);
  o += ",\"minimise\":";
  o += r.objective.minimise ? "true" : "false";
  o += ",\"feasible_count\":";
  o += std::to_string(r.feasible_count);
  o += ",\"best\":";
  o += r.best ? std::to_string(*r.best) : std::string{"null"};
  o += ",\"trials\":[";
  for (size_t i = 0; i < r.trials.size(); ++i) {
    const auto& t = r.trials[i];
    if (i)
      o += ',';
    o += "{\"index\":";
    o += std::to_string(t.index);
    o += ",\"params\":{";
    for (size_t k = 0; k < t.params.values.size(); ++k) {
      const auto& v = t.params.values[k];
      if (k)
        o += ',';
      o += json_string(v.name);
      o += ':';
      // Numbers stay numbers; labels that are not numbers stay strings.
      o += parse_number(v.text) ? json_number(v.number) : json_string(v.text);
    }
    o += "},\"metrics\":{";
    bool first = true;
    for (const auto& [k, v] : t.metrics) {
      if (!first)
        o += ',';
      first = false;
      o += json_string(k);
      o += ':';
      o += json_number(v);
    }
    o += "},\"feasible\":";
    o += t.feasible ? "true" : "false";
    o += ",\"objective\":";
    o += json_number(t.objective);
    if (!t.error.empty()) {
      o += ",\"error\":";
      o += json_string(t.error);
    }
    o += '}';
  }
  o += "]}";
  return o;
}

} // namespace osprey
