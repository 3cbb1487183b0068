// osprey: the command line.

#include <atomic>
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>
#include <mimalloc.h>

#include "runtime/alert_cli.hpp"
#include "runtime/backtest_cli.hpp"
#include "runtime/optimize_cli.hpp"
#include "runtime/screen_cli.hpp"
#include "runtime/config.hpp"
#include "runtime/journal_command.hpp"
#include "runtime/evaluate_batch.hpp"
#include "runtime/evaluate_command.hpp"
#include "runtime/run.hpp"
#include "runtime/sentiment_command.hpp"
#include "actors/news_events.hpp"
#include "actors/sentiment.hpp"
#include "runtime/signals_command.hpp"

#ifndef OSPREY_SOURCE_DIR
#  define OSPREY_SOURCE_DIR "."
#endif

#ifndef OSPREY_VERSION
#  define OSPREY_VERSION "0.0.0"
#endif

namespace {

std::atomic<bool> stop_requested{false};

extern "C" void on_stop_signal(int) {
  stop_requested.store(true);
}

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"osprey: a low-latency trading engine for US equities"};
  app.set_version_flag("--version", std::string{"osprey "} + OSPREY_VERSION);
  app.require_subcommand(1);

  auto* run = app.add_subcommand(
    "run", "Run the engine (with no options: the demo on a synthetic market)");
  std::string config_path, duration, journal_path, profile;
  uint64_t seed = 0, events = 0;
  run->add_option("--config", config_path, "TOML configuration file")
    ->check(CLI::ExistingFile);
  std::vector<std::string> news_files;
  run->add_option("--news", news_files,
                  "News items (JSON Lines, Alpaca's fields) merged into the market by time")
    ->check(CLI::ExistingFile);
  run->add_option("--duration", duration, "Stop after this long (e.g. 30s, 2m)");
  run->add_option("--seed", seed, "Seed of the synthetic market");
  run->add_option("--journal", journal_path,
                  "Journal file: resumed from when it exists, else created");
  bool fresh = false;
  run->add_flag("--fresh", fresh, "Start a new journal instead of resuming an existing one");
  std::vector<std::string> replay;
  run->add_option("--replay", replay,
                  "Replay CSV files (bars, trades, quotes) or one journal instead of the "
                  "synthetic market")
    ->check(CLI::ExistingFile);
  run->add_option("--events", events, "Stop after this many market events");
  run->add_option("--profile", profile, "Latency profile: efficient, spin or deterministic")
    ->check(CLI::IsMember({"efficient", "spin", "deterministic"}));

  auto* journal = app.add_subcommand(
    "journal", "Print a journal's records as JSON lines and its final positions");
  std::string journal_file;
  journal->add_option("PATH", journal_file, "Journal file")->required();

  auto* signals = app.add_subcommand(
    "signals", "Print every indicator's value per bar of CSV files, as CSV");
  std::vector<std::string> signal_files;
  std::string indicator_list = osprey::default_indicator_list;
  signals->add_option("FILE", signal_files, "CSV bar files")->required()->check(CLI::ExistingFile);
  signals->add_option("--indicators", indicator_list,
                      "Comma-separated name:param:param (default: the classic six)");

  auto* history = app.add_subcommand("history", "List the stored evaluations of a ticker");
  std::string history_ticker, history_path = "osprey-history.sqlite";
  history->add_option("TICKER", history_ticker, "Ticker")->required();
  history->add_option("--history", history_path, "Evaluation history database");

  auto* sentiment = app.add_subcommand(
    "sentiment", "Score news texts: sentiment, tickers and event tags (stdin when no TEXT)");
  std::vector<std::string> sentiment_texts;
  bool sentiment_json = false, sentiment_plain = false;
  std::string lexicon_option;
  sentiment->add_option("TEXT", sentiment_texts, "Texts to score (default: one per line on stdin)");
  sentiment->add_flag("--json", sentiment_json, "One JSON object per text");
  std::string sentiment_model = "finance";
  sentiment->add_option("--model", sentiment_model, "finance (default) or vader (plain VADER)")
    ->check(CLI::IsMember({"finance", "vader"}));
  sentiment->add_flag("--plain-vader", sentiment_plain, "Same as --model vader");

  auto* evaluate = app.add_subcommand(
    "evaluate", "Evaluate breakout runs: three pillars, run score, verdict, comparable set-ups");
  osprey::evaluate_options eval;
  evaluate->add_option("TICKER", eval.tickers, "Tickers (or list them with --batch)");
  evaluate->add_option("--data", eval.data, "CSV daily bar and trade files")->required()
    ->check(CLI::ExistingFile);
  evaluate->add_option("--news", eval.news, "News files (JSON Lines)")->check(CLI::ExistingFile);
  evaluate->add_option("--options", eval.options,
                       "Options open interest CSV: date,symbol,expiry,strike,type,open_interest")
    ->check(CLI::ExistingFile);
  evaluate->add_option("--fundamentals", eval.fundamentals,
                       "Fundamentals CSV: symbol,date,eps_actual,eps_estimate,revenue,"
                       "revenue_year_ago")
    ->check(CLI::ExistingFile);
  std::string batch_file;
  evaluate->add_option("--batch", batch_file,
                       "File of tickers, one a line, evaluated in parallel")
    ->check(CLI::ExistingFile);
  evaluate->add_option("--block-shares", eval.block_shares,
                       "A trade of at least this many shares is a block (default 10000)")
    ->check(CLI::PositiveNumber);
  double block_notional_dollars = 200'000;
  evaluate->add_option("--block-notional", block_notional_dollars,
                       "Or of at least this notional in dollars (default 200000)")
    ->check(CLI::PositiveNumber);
  evaluate->add_flag("--json", eval.json, "Print JSON");
  evaluate->add_option("--history", eval.history_path, "Evaluation history database");
  std::vector<double> weights;
  evaluate->add_option("--weights", weights,
                       "Pillar weights: institutional narrative other (default 0.35 0.35 0.30)")
    ->expected(3)
    ->check(CLI::NonNegativeNumber);
  for (auto* sub : {sentiment, evaluate})
    sub->add_option("--lexicon", lexicon_option,
                    "VADER lexicon (default: node_modules/vader-sentiment, installed by "
                    "scripts/setup, then ../shared/data/lexicons)");

  osprey::backtest_cli backtest;
  osprey::add_backtest_command(app, backtest);
  osprey::screen_cli screen;
  osprey::add_screen_command(app, screen);
  osprey::alert_cli alert;
  osprey::add_alert_command(app, alert);
  osprey::optimize_cli optimize;
  osprey::add_optimize_command(app, optimize);

  CLI11_PARSE(app, argc, argv);

  if (*backtest.command)
    return osprey::run_backtest_command(backtest, OSPREY_SOURCE_DIR);
  if (*screen.command)
    return osprey::run_screen_command(screen, OSPREY_SOURCE_DIR);
  if (*alert.command)
    return osprey::run_alert_command(alert, OSPREY_SOURCE_DIR);
  if (*optimize.command)
    return osprey::run_optimize_command(optimize, OSPREY_SOURCE_DIR);

  // The lexicon: as given, else beside the working directory, else beside
  // the sources the binary was built from.
  auto lexicon_path = osprey::find_sentiment_lexicon(lexicon_option, ".");
  if (lexicon_path.empty())
    lexicon_path = osprey::find_sentiment_lexicon("", OSPREY_SOURCE_DIR);
  if (*sentiment)
    return osprey::sentiment_command(sentiment_texts, sentiment_json,
                                     sentiment_plain || sentiment_model == "vader",
                                     lexicon_path, std::cin, std::cout, std::cerr);
  if (*evaluate) {
    if (!weights.empty()) {
      if (weights[0] + weights[1] + weights[2] <= 0) {
        std::cerr << "osprey evaluate: --weights: at least one weight must be positive\n";
        return 2;
      }
      eval.weights = {weights[0], weights[1], weights[2]};
    }
    std::string error;
    auto lexicon = osprey::sentiment::lexicon::load(lexicon_path, error);
    if (!lexicon) {
      std::cerr << "osprey evaluate: " << (lexicon_path.empty() ? "no VADER lexicon found "
                                                                    "(run scripts/setup)"
                                                                  : error)
                << "\n";
      return 2;
    }
    auto model = osprey::sentiment::analyzer::finance_model(std::move(*lexicon));
    auto read = [&model](const std::string& text) {
      osprey::headline_reading r;
      r.sentiment = model.score(text).compound;
      for (auto& hit : osprey::sentiment::detect_events(text)) {
        auto d = osprey::sentiment::direction(hit.tag);
        r.bullish_events += d > 0;
        r.bearish_events += d < 0;
      }
      return r;
    };
    eval.block_notional = osprey::money{static_cast<int64_t>(
      block_notional_dollars * osprey::micros_per_dollar + 0.5)};
    if (!batch_file.empty())
      return osprey::evaluate_batch_command(eval, batch_file, read, std::cout, std::cerr);
    return osprey::evaluate_command(eval, read, std::cout, std::cerr);
  }

  if (*journal)
    return osprey::print_journal(journal_file, std::cout, std::cerr);
  if (*signals)
    return osprey::signals_command(signal_files, indicator_list, std::cout, std::cerr);
  if (*history)
    return osprey::history_command(history_ticker, history_path, std::cout, std::cerr);

  osprey::engine_config cfg;
  try {
    cfg = config_path.empty() ? osprey::default_config()
                              : osprey::load_config(config_path);
  } catch (const osprey::config_error& e) {
    std::cerr << "osprey: configuration error: " << e.what() << '\n';
    return 2;
  }
  if (!duration.empty()) {
    auto d = osprey::parse_duration(duration);
    if (!d) {
      std::cerr << "osprey: --duration: not a duration: \"" << duration
                << "\" (use a number with ns, us, ms, s, m or h)\n";
      return 2;
    }
    cfg.duration_ns = *d;
  }
  if (run->count("--seed"))
    cfg.market.seed = seed;
  if (run->count("--journal"))
    cfg.journal_path = journal_path;
  if (events)
    cfg.max_events = events;
  if (profile == "spin")
    cfg.scheduler.profile = osprey::latency_profile::spin;
  else if (profile == "efficient")
    cfg.scheduler.profile = osprey::latency_profile::efficient;
  else if (profile == "deterministic") {
    cfg.scheduler.profile = osprey::latency_profile::deterministic;
    cfg.clock = osprey::clock_kind::event;
  }

  install_stop_handlers();
  try {
    osprey::run_options opts;
    opts.fresh = fresh;
    opts.replay = replay;
    opts.news = news_files;
    opts.project_dir = OSPREY_SOURCE_DIR;
    return osprey::run_engine(cfg, stop_requested, std::cout, opts);
  } catch (const std::exception& e) {
    std::cerr << "osprey: " << e.what() << '\n';
    return 1;
  }
}
