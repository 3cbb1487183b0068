// Cost of the full pre-trade check (every check passes, so all of them run),
// and of the check plus booking the approval and its fill.

#include <benchmark/benchmark.h>

#include "actors/risk_controller.hpp"
#include "messages/msg_builder.hpp"

using namespace osprey;

namespace {

risk_state ready_state(uint32_t symbols) {
  risk_state st;
  risk_limits l;
  l.max_orders_per_window = 1'000'000;
  l.max_gross_exposure = money{int64_t{1} << 60};
  l.max_position = quantity{int64_t{1} << 40};
  st.configure(l);
  msg_builder b;
  for (uint32_t s = 0; s < symbols; ++s)
    on_market(st, b.trade({}, symbol_id{s}, price::from_dollars(100 + s), quantity{1}));
  return st;
}

void BM_risk_controller_check(benchmark::State& state) {
  auto st = ready_state(64);
  int64_t passed = 0;
  uint32_t i = 0;
  for (auto _ : state) {
    uint32_t sym = i++ & 63;
    risk_order o{symbol_id{sym}, (i & 1) ? fb::Side::Buy : fb::Side::Sell,
                 quantity{100}, price::from_dollars(100 + sym),
                 int64_t{i} * 1'000'000};
    auto v = check(st, o);
    benchmark::DoNotOptimize(v);
    passed += v.passed();
  }
  if (passed != static_cast<int64_t>(state.iterations()))
    state.SkipWithError("a check failed that should pass");
}
BENCHMARK(BM_risk_controller_check);

void BM_risk_controller_check_approve_fill(benchmark::State& state) {
  auto st = ready_state(64);
  msg_builder b;
  // Pre-built fills: the bench measures booking them, not building them.
  std::vector<msg> fills;
  for (uint32_t s = 0; s < 64; ++s)
    for (auto side : {fb::Side::Buy, fb::Side::Sell})
      fills.push_back(b.order_filled({}, client_order_id{1}, symbol_id{s}, side,
                                     quantity{100}, price::from_dollars(100 + s),
                                     quantity{100}, quantity{0}, money{}));
  int64_t passed = 0;
  uint32_t i = 0;
  for (auto _ : state) {
    uint32_t sym = (i >> 1) & 63;
    auto side = (i & 1) ? fb::Side::Sell : fb::Side::Buy;
    // A millisecond apart in event time, so the throttle never engages.
    risk_order o{symbol_id{sym}, side, quantity{100}, price::from_dollars(100 + sym),
                 int64_t{i} * 1'000'000};
    auto v = check(st, o);
    if (v.passed()) {
      on_approved(st, o);
      on_execution(st, fills[sym * 2 + (i & 1)]);
      ++passed;
    }
    ++i;
  }
  // Every buy is followed by its sell: after an even count all is flat.
  bool flat = (i & 1) == 1 || st.gross.micros == 0;
  if (passed != static_cast<int64_t>(state.iterations()) || !flat)
    state.SkipWithError("risk state drifted");
}
BENCHMARK(BM_risk_controller_check_approve_fill);

} // namespace

BENCHMARK_MAIN();
