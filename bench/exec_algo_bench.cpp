// Cost of one execution-algorithm event: a market event on a randomised
// TWAP, a trade on a live-volume VWAP, and a fill that refreshes an iceberg.
// Each benchmark counts heap allocations in its timed loop (see
// bench/alloc_counter.hpp; after start there must be none) and checks a
// checksum, so a wrong answer cannot pass as a fast one.

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "actors/exec_algo.hpp"
#include "bench/alloc_counter.hpp"

using osprey::bench::allocations;

using namespace osprey;

namespace {

constexpr int64_t second = 1'000'000'000;
constexpr int64_t start_ns = 1'767'623'400 * second;
constexpr int64_t step_ns = second / 1'000; // one market event per ms

algo_spec sliced(fb::AlgoKind kind) {
  algo_spec s;
  s.kind = kind;
  s.start_ns = start_ns;
  s.horizon_ns = 3'600 * second;
  s.slices = 720; // one every 5 s
  s.randomize_bps = 2'000;
  s.seed = 7;
  return s;
}

/// Feeds one market event per ms to a sliced algorithm, filling every child
/// at once; restarts (untimed) when the parent completes. Checksum: the
/// shares sent equal the shares filled.
void run_sliced(benchmark::State& state, fb::AlgoKind kind) {
  const algo_spec spec = sliced(kind);
  const algo_parent parent{fb::Side::Buy, quantity{1'000'000}, {}};
  algo_state st;
  int64_t ts = start_ns;
  start_algo(st, spec, parent, ts);
  int64_t sent = 0, filled_before = 0, children = 0;
  uint64_t allocs = 0;
  for (auto _ : state) {
    const uint64_t before = allocations.load(std::memory_order_relaxed);
    ts += step_ns;
    auto a = on_algo_market(st, ts, quantity{100});
    if (a.sends()) {
      sent += a.child.qty.nanos;
      ++children;
      a = on_algo_fill(st, ts, a.child.qty);
    }
    benchmark::DoNotOptimize(a);
    allocs += allocations.load(std::memory_order_relaxed) - before;
    if (st.done()) {
      state.PauseTiming();
      filled_before += st.filled.nanos;
      ts = start_ns;
      start_algo(st, spec, parent, ts);
      state.ResumeTiming();
    }
  }
  if (sent != filled_before + st.filled.nanos)
    state.SkipWithError("checksum: shares sent != shares filled");
  if (allocs != 0)
    state.SkipWithError("an event allocated");
  state.counters["children"] = static_cast<double>(children);
  state.counters["allocs/op"] = benchmark::Counter(
    static_cast<double>(allocs), benchmark::Counter::kAvgIterations);
}

void BM_exec_algo_twap_market_event(benchmark::State& state) {
  run_sliced(state, fb::AlgoKind::Twap);
}
BENCHMARK(BM_exec_algo_twap_market_event);

void BM_exec_algo_vwap_live_market_event(benchmark::State& state) {
  run_sliced(state, fb::AlgoKind::Vwap);
}
BENCHMARK(BM_exec_algo_vwap_live_market_event);

/// Each iteration fully fills the shown child, which shows the next one.
/// Checksum: 100 shares per child, and the filled total matches.
void BM_exec_algo_iceberg_refresh_on_fill(benchmark::State& state) {
  algo_spec spec;
  spec.kind = fb::AlgoKind::Iceberg;
  spec.display_quantity = quantity{100};
  const algo_parent parent{fb::Side::Sell, quantity{9'000'000'000},
                           price::from_dollars(100)};
  algo_state st;
  int64_t ts = start_ns;
  auto a = start_algo(st, spec, parent, ts).action;
  int64_t sent = a.child.qty.nanos, children = 1;
  uint64_t allocs = 0;
  for (auto _ : state) {
    const uint64_t before = allocations.load(std::memory_order_relaxed);
    ts += step_ns;
    a = on_algo_fill(st, ts, a.child.qty);
    sent += a.child.qty.nanos;
    children += a.sends();
    benchmark::DoNotOptimize(a);
    allocs += allocations.load(std::memory_order_relaxed) - before;
  }
  if (sent != children * quantity{100}.nanos || st.filled.nanos + st.working.nanos != sent)
    state.SkipWithError("checksum: iceberg children do not add up");
  if (allocs != 0)
    state.SkipWithError("an event allocated");
  state.counters["allocs/op"] = benchmark::Counter(
    static_cast<double>(allocs), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_exec_algo_iceberg_refresh_on_fill);

} // namespace

BENCHMARK_MAIN();
