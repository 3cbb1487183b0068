// Rule language benchmarks: evaluating a compiled five-clause rule per bar
// (inputs prepared: indicator columns computed beforehand, as the signal
// actor delivers them), with and without a trace, and compiling rule text.
// Every full pass over the prepared bars checks the number of bars the rule
// passed against an independent recomputation in plain C++, so a wrong
// answer cannot pass as a fast one. Heap allocations per evaluation are
// counted (target: zero).

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "actors/indicator_catalog.hpp"
#include "actors/rule_compiler.hpp"
#include "actors/rule_vm.hpp"
#include "bench/alloc_counter.hpp"

namespace {

using namespace osprey::rules;
namespace ind = osprey::ind;
using osprey::bench::allocations;

// The five clauses' thresholds. The selective rule is true on few bars, so
// `and` usually stops early (as for real entry rules); the permissive one is
// true on almost every bar, so every clause runs (the worst case).
struct thresholds {
  double sma_factor, rsi_max, volume_factor, high_factor, gap_max;
};
constexpr thresholds selective{1.0, 70, 1.5, 1.0, 5};
constexpr thresholds permissive{0.5, 101, 0.1, 0.5, 100};

std::string rule_text(const thresholds& t) {
  char text[256];
  std::snprintf(text, sizeof text,
                "close > %g * sma(close, 50) and rsi(14) < %g and volume > %g * avg(volume, 20) "
                "and close > %g * highest(high, 20)[1] and gap_pct < %g",
                t.sma_factor, t.rsi_max, t.volume_factor, t.high_factor, t.gap_max);
  return text;
}

constexpr int bar_count = 4096;

struct prepared {
  compiled_rules rules;
  std::vector<double> columns; // bar_count rows of rules.width
  std::vector<ind::bar_input> bars;
  std::vector<bar_view> views;
  uint64_t expected = 0;
};

size_t column_named(const compiled_rules& c, const std::string& name) {
  auto names = ind::columns_of(c.indicators());
  return static_cast<size_t>(std::find(names.begin(), names.end(), name) - names.begin());
}

prepared prepare(const thresholds& t) {
  prepared p{compile_rules(rule_text(t)).value(), {}, {}, {}, 0};
  auto& c = p.rules;
  // A trending random walk with occasional volume bursts, so that every
  // clause is sometimes true and sometimes false.
  std::mt19937_64 rng{42};
  std::normal_distribution<double> step(0.05, 1.0);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  double close = 100;
  for (int i = 0; i < bar_count; ++i) {
    double open = close * (1 + 0.01 * (u(rng) - 0.5));
    close = std::max(1.0, open + step(rng));
    double high = std::max(open, close) + u(rng);
    double low = std::min(open, close) - u(rng);
    double volume = 1e6 * (u(rng) < 0.15 ? 2.5 : 1.0) * (0.8 + 0.4 * u(rng));
    p.bars.push_back({open, high, low, close, volume});
  }
  ind::indicator_set set{c.indicators()};
  p.columns.resize(static_cast<size_t>(bar_count) * c.width);
  for (int i = 0; i < bar_count; ++i)
    set.update(p.bars[i], i, p.columns.data() + static_cast<size_t>(i) * c.width);
  for (int i = 0; i < bar_count; ++i) {
    auto& b = p.bars[i];
    p.views.push_back(bar_view{b.open, b.high, b.low, b.close, b.volume, i,
                               {p.columns.data() + static_cast<size_t>(i) * c.width, c.width},
                               nullptr});
  }
  // The same rule written out by hand over the same columns.
  auto sma = column_named(c, "sma_50"), rsi = column_named(c, "rsi_14"),
       avg = column_named(c, "avg_volume_20"), hh = column_named(c, "highest_high_20"),
       gap = column_named(c, "gap_pct");
  for (int i = 1; i < bar_count; ++i) {
    auto* row = p.columns.data() + static_cast<size_t>(i) * c.width;
    auto* prev = row - c.width;
    auto& b = p.bars[i];
    p.expected += b.close > t.sma_factor * row[sma] && row[rsi] < t.rsi_max &&
                  b.volume > t.volume_factor * row[avg] && b.close > t.high_factor * prev[hh] &&
                  row[gap] < t.gap_max;
  }
  return p;
}

const prepared& data(bool permissive_rule) {
  static const prepared few = prepare(selective);
  static const prepared most = prepare(permissive);
  return permissive_rule ? most : few;
}

template <bool Traced, bool Permissive = false>
void run_evaluations(benchmark::State& state) {
  auto& p = data(Permissive);
  if (p.expected == 0) {
    state.SkipWithError("the prepared bars never pass the rule: the checksum would prove nothing");
    return;
  }
  rule_state history{p.rules};
  rule_trace trace;
  uint64_t passed = 0, passes = 0;
  int i = 0;
  auto before = allocations.load(std::memory_order_relaxed);
  for (auto _ : state) {
    history.push(p.views[i]);
    bool ok = evaluate(p.rules.entry, p.views[i], history, Traced ? &trace : nullptr);
    benchmark::DoNotOptimize(ok);
    passed += ok;
    if (++i == bar_count) {
      if (passed != p.expected) {
        state.SkipWithError("the rule's answers differ from the independent recomputation");
        return;
      }
      passed = 0;
      ++passes;
      i = 0;
      history.reset();
    }
  }
  auto allocs = allocations.load(std::memory_order_relaxed) - before;
  state.counters["allocs_per_eval"] =
    benchmark::Counter(static_cast<double>(allocs) / static_cast<double>(state.iterations()));
  state.counters["checked_passes"] = static_cast<double>(passes);
  state.counters["expected_true"] = static_cast<double>(p.expected);
}

void BM_rule_evaluate_five_clauses(benchmark::State& state) {
  run_evaluations<false>(state);
}
BENCHMARK(BM_rule_evaluate_five_clauses);

void BM_rule_evaluate_five_clauses_traced(benchmark::State& state) {
  run_evaluations<true>(state);
}
BENCHMARK(BM_rule_evaluate_five_clauses_traced);

void BM_rule_evaluate_five_clauses_all_run(benchmark::State& state) {
  run_evaluations<false, true>(state);
}
BENCHMARK(BM_rule_evaluate_five_clauses_all_run);

void BM_rule_compile_five_clauses(benchmark::State& state) {
  for (auto _ : state) {
    auto r = compile_rules(rule_text(selective));
    if (!r.ok()) {
      state.SkipWithError("the benchmark rule does not compile");
      return;
    }
    benchmark::DoNotOptimize(r.value().entry.ops.data());
  }
}
BENCHMARK(BM_rule_compile_five_clauses);

void BM_rule_compile_rule_file(benchmark::State& state) {
  constexpr const char* text =
    "entry: close > highest(high, 20)[1] and volume > 2 * avg(volume, 20)\n"
    "exit: close < lowest(low, 10)[1] or crosses_below(close, sma(close, 50))\n"
    "size: risk 1%\n"
    "stop: 2 * atr(14)\n"
    "target: 3 * atr(14)\n";
  for (auto _ : state) {
    auto r = compile_rules(text);
    if (!r.ok()) {
      state.SkipWithError("the benchmark rule file does not compile");
      return;
    }
    benchmark::DoNotOptimize(r.value().exit.ops.data());
  }
}
BENCHMARK(BM_rule_compile_rule_file);

} // namespace

BENCHMARK_MAIN();
