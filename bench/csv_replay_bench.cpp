// Rows parsed and messages built per second by the CSV replay, on a large
// generated file of 1-minute bars (Date,Time,O,H,L,C,Volume, like the STOXX
// file). The sum of closes is checked so a wrong parse cannot pass as fast.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "adapters/csv_replay.hpp"

namespace {

namespace fs = std::filesystem;
using namespace osprey;

constexpr int64_t bench_rows = 2'000'000;

// The generated file and the checksum its closes must add up to.
struct generated_file {
  std::string path;
  int64_t close_sum = 0;

  generated_file() {
    std::string name = "osprey_csv_bench_";
    name += std::to_string(::getpid());
    name += "_SPX_1min.csv";
    path = (fs::temp_directory_path() / name).string();
    std::ofstream out{path, std::ios::binary};
    out << "Date,Time,Open,High,Low,Close,Volume\n";
    // A random walk in hundredths of a cent (4 decimals in the file), one
    // bar for every minute of the day from 2001-01-01 00:00.
    int64_t px = 36'000'000; // 3600.0000
    uint64_t state = 12345;
    char line[128];
    for (int64_t i = 0; i < bench_rows; ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      int64_t step = static_cast<int64_t>((state >> 33) % 201) - 100;
      int64_t open = px, close = px + step;
      if (close < 10'000)
        close = 10'000 + (state >> 40) % 1000;
      int64_t high = std::max(open, close) + static_cast<int64_t>((state >> 20) % 50);
      int64_t low = std::min(open, close) - static_cast<int64_t>((state >> 12) % 50);
      int64_t day = i / 1440, minute = i % 1440;
      // Twelve 28-day months a year: every date is valid and the file sorted.
      int64_t y = 2001 + day / 336, m = 1 + day / 28 % 12, d = 1 + day % 28;
      auto fmt = [](int64_t v) {
        std::string s = std::to_string(v / 10'000);
        s += '.';
        s += std::to_string(10'000 + v % 10'000).substr(1);
        return s;
      };
      int n = std::snprintf(line, sizeof line,
                            "%04lld-%02lld-%02lld,%02lld:%02lld:00,%s,%s,%s,%s,%lld\n",
                            static_cast<long long>(y), static_cast<long long>(m),
                            static_cast<long long>(d), static_cast<long long>(minute / 60),
                            static_cast<long long>(minute % 60), fmt(open).c_str(),
                            fmt(high).c_str(), fmt(low).c_str(), fmt(close).c_str(),
                            static_cast<long long>(100 + (state >> 50) % 5000));
      out.write(line, n);
      close_sum += close * 100; // 1e-4 units to micros
      px = close;
    }
    out.close();
    if (!out) {
      std::fprintf(stderr, "csv_replay_bench: cannot write %s\n", path.c_str());
      std::abort();
    }
  }
  ~generated_file() { fs::remove(path); }
};

const generated_file& file() {
  static generated_file f;
  return f;
}

void BM_csv_replay_bars(benchmark::State& state) {
  const auto& f = file();
  int64_t rows = 0;
  for (auto _ : state) {
    symbol_table table;
    csv_replay replay{{f.path}, {}, table};
    msg m;
    int64_t sum = 0;
    while (replay.next(m)) {
      sum += m.as<fb::Bar>()->close();
      benchmark::DoNotOptimize(m);
    }
    if (sum != f.close_sum || replay.report().skipped() != 0) {
      for (auto& p : replay.report().problems)
        std::fprintf(stderr, "%s\n", p.c_str());
      std::fprintf(stderr, "sum %lld, expected %lld\n", static_cast<long long>(sum),
                   static_cast<long long>(f.close_sum));
      state.SkipWithError("checksum of closes does not match the generated file");
      break;
    }
    rows += static_cast<int64_t>(replay.report().messages);
  }
  state.SetItemsProcessed(rows);
  state.counters["rows_per_s"] =
    benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_csv_replay_bars)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
