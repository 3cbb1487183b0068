// Cost of the order manager's fill path: applying one execution report to
// the order, the position and the cash.

#include <benchmark/benchmark.h>

#include "actors/order_manager.hpp"
#include "messages/msg_builder.hpp"

using namespace osprey;

namespace {

void BM_order_manager_fill(benchmark::State& state) {
  order_manager_state st;
  st.configure({});
  msg_builder b;
  // Orders of 1'000'000 shares filled 100 at a time: every fill is a partial
  // until the last, and the order never runs out within the benchmark.
  auto intent = b.order_intent({}, symbol_id{0}, fb::Side::Buy,
                               quantity{int64_t{1} << 40}, fb::OrderType::Market,
                               price{}, {});
  auto& o = st.create(*intent.as<fb::OrderIntent>());
  auto fill = b.order_filled({}, o.id, symbol_id{0}, fb::Side::Buy, quantity{100},
                             price::from_dollars(10), quantity{100}, quantity{0},
                             money{});
  int64_t fills = 0;
  for (auto _ : state) {
    auto r = apply_execution(st, fill);
    benchmark::DoNotOptimize(r);
    fills += r.filled;
  }
  auto expected = static_cast<int64_t>(state.iterations());
  if (fills != expected || st.positions[0].qty.shares != 100 * expected)
    state.SkipWithError("position does not equal the sum of fills");
}
BENCHMARK(BM_order_manager_fill);

} // namespace

BENCHMARK_MAIN();
