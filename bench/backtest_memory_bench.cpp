// Memory over many backtests in one process: `osprey optimize` runs
// thousands of run_backtest calls (each with its own engine and actor
// system) in one process, so whatever one run leaves behind adds up. This
// runs N backtests of a small file and prints the resident set size after
// 1, 10, 100, 1000... runs; it exits 1 when the growth from run 10 to the
// last exceeds the budget (run 1 to 10 is allocator and library warm-up).
//
//   backtest_memory_bench [--runs N] [--data FILE.csv] [--max-growth-mb MB]

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <unistd.h>

#include "runtime/backtest_command.hpp"

#ifndef OSPREY_SHARED_DATA
#  define OSPREY_SHARED_DATA "../shared/data"
#endif

namespace {

/// Resident set size in MiB, from /proc/self/statm (pages).
double rss_mb() {
  std::ifstream statm{"/proc/self/statm"};
  long size = 0, resident = 0;
  statm >> size >> resident;
  return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE)) /
         (1024.0 * 1024.0);
}

/// A generated daily file (a slow sine with noise) when the shared one is absent.
std::string generated_file() {
  std::string name = "osprey-memory-bench-";
  name += std::to_string(::getpid());
  name += ".csv";
  auto path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream out{path};
  out << "date,open,high,low,close,volume\n";
  uint64_t x = 88172645463325252ull;
  double p = 50;
  for (int d = 0; d < 750; ++d) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    double noise = static_cast<double>(x % 2001) / 1000.0 - 1.0;
    double o = p;
    p = std::max(5.0, p * (1 + 0.01 * noise) + 0.2 * ((d / 60) % 2 ? -1 : 1));
    int year = 2012 + d / 250, day = d % 250;
    char line[160];
    std::snprintf(line, sizeof line, "%04d-%02d-%02d,%.2f,%.2f,%.2f,%.2f,%d\n", year,
                  1 + day / 21, 1 + day % 21, o, std::max(o, p) + 0.3, std::min(o, p) - 0.3, p,
                  1'000'000 + static_cast<int>(x % 500'000));
    out << line;
  }
  return path;
}

} // namespace

int main(int argc, char** argv) {
  long runs = 1000;
  double max_growth_mb = 16;
  std::string data = std::string{OSPREY_SHARED_DATA} + "/market/KO_daily_2012-2014.csv";
  for (int i = 1; i < argc; ++i) {
    auto arg = [&](const char* name) { return std::strcmp(argv[i], name) == 0 && i + 1 < argc; };
    if (arg("--runs"))
      runs = std::atol(argv[++i]);
    else if (arg("--max-growth-mb"))
      max_growth_mb = std::atof(argv[++i]);
    else if (arg("--data"))
      data = argv[++i];
    else {
      std::cerr << "usage: backtest_memory_bench [--runs N] [--data FILE.csv] "
                   "[--max-growth-mb MB]\n";
      return 2;
    }
  }
  if (runs < 1) {
    std::cerr << "--runs must be at least 1\n";
    return 2;
  }
  std::string generated;
  if (!std::filesystem::exists(data)) {
    generated = generated_file();
    std::cerr << "note: " << data << " not found; using a generated file\n";
    data = generated;
  }

  osprey::backtest_options opts;
  opts.data = {data};
  opts.progress = false;
  std::ostringstream sink;
  double at_10 = 0, last = 0;
  uint64_t trades = 0;
  std::printf("backtests of %s\n%8s %10s\n", data.c_str(), "run", "rss_mb");
  for (long r = 1; r <= runs; ++r) {
    // Alternate a setting, as a search would, so runs are not all identical.
    opts.overrides = {r % 2 ? "strategy.volume_factor=1.0" : "strategy.volume_factor=1.5"};
    auto run = osprey::run_backtest(opts, sink);
    trades += run.trades.size();
    sink.str({});
    bool checkpoint = r == 1 || r == runs;
    for (long p = 10; p <= runs; p *= 10)
      checkpoint |= r == p;
    if (checkpoint) {
      last = rss_mb();
      if (r == 10)
        at_10 = last;
      std::printf("%8ld %10.1f\n", r, last);
      std::fflush(stdout);
    }
  }
  if (!generated.empty())
    std::filesystem::remove(generated);
  if (runs < 10) {
    std::printf("fewer than 10 runs: no growth measured (%llu trades)\n",
                static_cast<unsigned long long>(trades));
    return 0;
  }
  double growth = last - at_10;
  std::printf("growth from run 10 to run %ld: %.1f MiB (budget %.1f MiB), %llu trades in all\n",
              runs, growth, max_growth_mb, static_cast<unsigned long long>(trades));
  if (growth > max_growth_mb) {
    std::printf("FAIL: memory grows across backtests\n");
    return 1;
  }
  return 0;
}
