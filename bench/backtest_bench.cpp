// bench/backtest_bench: bar events per second through `osprey backtest`:
// the collector, signal, strategy, risk controller, order manager and the
// simulated broker (filling on bars) on one thread, on event time, as the
// command runs them, plus the ledger of trades and the account. The data is
// generated (seeded random walks, daily bars for many symbols) and written
// to a CSV file first; reading it is part of the figure.

#include <chrono>
#include <cmath>
#include <ctime>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <string>

#include <CLI/CLI.hpp>

#include "adapters/csv_fields.hpp"
#include "runtime/backtest_command.hpp"
#include "runtime/market_feed.hpp"

using namespace osprey;

namespace {

std::string write_data(uint32_t symbols, uint32_t days, uint64_t seed) {
  auto path = (std::filesystem::temp_directory_path()
               / ("osprey-backtest-bench-" + std::to_string(::getpid()) + ".csv"))
                .string();
  std::ofstream out{path};
  out << "ts_event,symbol,kind,interval_s,open,high,low,close,volume\n";
  std::mt19937_64 rng{seed};
  std::normal_distribution<double> step{0.0, 0.02};
  std::vector<double> px(symbols, 100.0);
  int64_t day0 = 1'577'998'800'000'000'000; // 2020-01-02 21:00 UTC
  char line[160];
  for (uint32_t d = 0; d < days; ++d) {
    auto ts = csv::format_time(day0 + int64_t{d} * 86'400'000'000'000);
    for (uint32_t s = 0; s < symbols; ++s) {
      double open = px[s];
      double close = open * std::exp(step(rng));
      double high = std::max(open, close) * 1.01, low = std::min(open, close) * 0.99;
      px[s] = close;
      std::snprintf(line, sizeof line, "%s,S%04u,bar,86400,%.2f,%.2f,%.2f,%.2f,%d\n", ts.c_str(), s,
                    open, high, low, close, 100'000 + static_cast<int>(rng() % 200'000));
      out << line;
    }
  }
  return path;
}

} // namespace

int main(int argc, char** argv) {
  CLI::App app{"Bar events per second through osprey backtest"};
  uint32_t symbols = 100, days = 2'520, batch = 1024;
  std::string strategy = "trend";
  double gate = 0;
  app.add_option("--symbols", symbols)->check(CLI::Range(1u, 100'000u));
  app.add_option("--days", days)->check(CLI::Range(2u, 100'000u));
  app.add_option("--batch", batch, "Bars of one time step per message")->check(CLI::Range(1u, 1'000'000u));
  app.add_option("--strategy", strategy, "breakout or a built-in rule strategy");
  app.add_option("--gate", gate, "Exit 1 below this many bar events per second");
  CLI11_PARSE(app, argc, argv);

  auto path = write_data(symbols, days, 42);
  backtest_options o;
  o.data = {path};
  o.batch = batch;
  o.progress = false;
  o.overrides = {"rules.strategy=\"" + strategy + "\""};
  if (strategy != "breakout")
    o.overrides.push_back("rules.size=\"1% equity\"");
  using clock = std::chrono::steady_clock;
  auto since = [](clock::time_point t) {
    return std::chrono::duration<double>(clock::now() - t).count();
  };
  // CPU time of this thread, where the deterministic run executes every
  // actor: steadier than wall time on a shared machine.
  auto cpu_now = [] {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
  };
  // The whole command: CSV text in, trades out.
  auto start = clock::now();
  auto run = run_backtest(o, std::cerr);
  double seconds = since(start);
  double rate = static_cast<double>(run.bars) / seconds;
  std::printf("backtest, %s, %u symbols x %u days, batch %u: %llu bars in %.3f s = %.2f M bar "
              "events/s from CSV (%llu orders, %llu fills, %zu trades)\n",
              strategy.c_str(), symbols, days, batch, static_cast<unsigned long long>(run.bars),
              seconds, rate / 1e6, static_cast<unsigned long long>(run.orders),
              static_cast<unsigned long long>(run.fills), run.trades.size());

  // The same bars read into memory first, then replayed: the actors alone,
  // as engines that load their data before the run are measured.
  auto cfg = backtest_config(o);
  symbol_table names;
  start = clock::now();
  csv_feed csv{o.data, cfg.replay, names, batch};
  auto preloaded = memory_feed::read_all(csv);
  double load_seconds = since(start);
  cfg.market.symbols = names.names();
  start = clock::now();
  double cpu_start = cpu_now();
  auto replayed = replay_backtest(o, cfg, preloaded, 0, std::cerr);
  double replay_seconds = since(start);
  double replay_cpu = cpu_now() - cpu_start;
  std::filesystem::remove(path);
  double replay_rate = static_cast<double>(replayed.bars) / replay_seconds;
  std::printf("  reading the CSV into memory: %.3f s = %.2f M rows/s; replaying it: %.3f s = "
              "%.2f M bar events/s (%.2f M/s of CPU time)\n",
              load_seconds, static_cast<double>(replayed.bars) / load_seconds / 1e6,
              replay_seconds, replay_rate / 1e6,
              static_cast<double>(replayed.bars) / replay_cpu / 1e6);
  if (run.bars != uint64_t{symbols} * days || replayed.bars != run.bars) {
    std::printf("expected %llu bars in both runs\n",
                static_cast<unsigned long long>(uint64_t{symbols} * days));
    return 1;
  }
  if (replayed.trades.size() != run.trades.size() || replayed.fills != run.fills) {
    std::printf("the preloaded replay traded differently from the run over the file\n");
    return 1;
  }
  if (gate > 0 && rate < gate) {
    std::printf("gate: below %.2f M/s\n", gate / 1e6);
    return 1;
  }
  return 0;
}
