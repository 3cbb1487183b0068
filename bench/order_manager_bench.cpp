// Cost of the order manager's fill path: applying one execution report to
// the order, its group, the position and the cash (apply_execution), and the
// whole handling of a fill as the actor does it (on_report: the same, plus
// the PositionChanged and PortfolioSnapshot it publishes). Each reports
// allocations per fill; the state update's target is zero.

#include <benchmark/benchmark.h>

#include "actors/order_manager.hpp"
#include "bench/alloc_counter.hpp"
#include "messages/msg_builder.hpp"

using namespace osprey;

namespace {

constexpr int symbols = 8;

/// An order manager with one huge working order per symbol, so every fill
/// in the benchmark is a partial fill of a live order.
struct fill_fixture {
  order_manager_state st;
  msg_builder b;
  std::vector<msg> fills; ///< One per symbol, built outside the timing.

  fill_fixture() {
    st.configure({});
    for (uint32_t s = 0; s < symbols; ++s) {
      order_spec spec;
      spec.symbol = symbol_id{s};
      spec.qty = quantity::of_shares(int64_t{1} << 32);
      on_intent(st, b.order_intent({}, spec, {}));
    }
    for (auto& [id, o] : st.orders)
      on_report(st, b.order_accepted({}, o.id, o.symbol));
    for (auto& [id, o] : st.orders)
      fills.push_back(b.order_filled({}, o.id, o.symbol, fb::Side::Buy, quantity{100},
                                     price::from_dollars(10 + o.symbol.value),
                                     quantity{100}, quantity{0}, money{}));
    st.outbox.clear();
    // The order's history is the only growing container: give it room, as
    // a long-lived order would have.
    for (auto& [id, o] : st.orders)
      o.history.reserve(1 << 22);
  }

  void check(benchmark::State& state, int64_t fills_done) {
    int64_t position = 0;
    for (auto& p : st.positions)
      position += p.qty.nanos;
    if (position != quantity{100}.nanos * fills_done)
      state.SkipWithError("position does not equal the sum of fills");
  }
};

void BM_order_manager_apply_fill(benchmark::State& state) {
  fill_fixture f;
  int64_t fills = 0;
  size_t i = 0;
  auto before = osprey::bench::allocations.load();
  for (auto _ : state) {
    auto r = apply_execution(f.st, f.fills[i++ % symbols]);
    benchmark::DoNotOptimize(r);
    fills += r.filled;
  }
  auto allocs = osprey::bench::allocations.load() - before;
  state.counters["allocs_per_fill"] =
    static_cast<double>(allocs) / static_cast<double>(state.iterations());
  f.check(state, fills);
}
BENCHMARK(BM_order_manager_apply_fill);

void BM_order_manager_handle_fill(benchmark::State& state) {
  fill_fixture f;
  int64_t fills = 0;
  size_t i = 0;
  auto before = osprey::bench::allocations.load();
  for (auto _ : state) {
    on_report(f.st, f.fills[i++ % symbols]);
    fills += f.st.outbox.size() == 3;
    f.st.outbox.clear();
  }
  auto allocs = osprey::bench::allocations.load() - before;
  state.counters["allocs_per_fill"] =
    static_cast<double>(allocs) / static_cast<double>(state.iterations());
  f.check(state, fills);
}
BENCHMARK(BM_order_manager_handle_fill);

/// An approved intent becoming an order and its SubmitOrder: the order
/// manager's part of the tick-to-order path. The book is emptied (outside
/// the timing) every 4096 orders, as terminal orders would leave it.
void BM_order_manager_intent(benchmark::State& state) {
  order_manager_state st;
  st.configure({});
  msg_builder b;
  std::vector<msg> intents;
  for (uint32_t s = 0; s < symbols; ++s) {
    order_spec spec;
    spec.symbol = symbol_id{s};
    spec.side = s % 2 ? fb::Side::Sell : fb::Side::Buy;
    spec.qty = quantity{100};
    intents.push_back(b.order_intent({}, spec, {}));
  }
  size_t i = 0;
  int64_t submitted = 0;
  auto before = osprey::bench::allocations.load();
  for (auto _ : state) {
    on_intent(st, intents[i++ % symbols]);
    submitted += st.outbox.size() == 1 && st.outbox[0].m.type() == fb::Payload::SubmitOrder;
    st.outbox.clear();
    if (i % 4096 == 0) {
      state.PauseTiming();
      st.orders.clear();
      state.ResumeTiming();
    }
  }
  auto allocs = osprey::bench::allocations.load() - before;
  state.counters["allocs_per_order"] =
    static_cast<double>(allocs) / static_cast<double>(state.iterations());
  if (submitted != static_cast<int64_t>(state.iterations()))
    state.SkipWithError("an intent did not become exactly one SubmitOrder");
}
BENCHMARK(BM_order_manager_intent);

} // namespace

BENCHMARK_MAIN();
