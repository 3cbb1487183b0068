// Invariants of the risk controller over random sequences of intents, market
// prices, fills and cancels, applied in order.

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>

#include "actors/risk_controller.hpp"
#include "messages/msg_builder.hpp"

using namespace osprey;

namespace {

constexpr uint32_t symbols = 4;

risk_limits property_limits() {
  risk_limits l;
  l.max_order_quantity = quantity{1'500};
  l.max_order_notional = money{200'000 * micros_per_dollar};
  l.max_position = quantity{1'000};
  l.max_gross_exposure = money{150'000 * micros_per_dollar};
  l.max_net_exposure = money{100'000 * micros_per_dollar};
  l.price_collar_bps = 300;
  l.max_orders_per_window = 1'000'000;
  l.allow_short_selling = true;
  l.margin_multiplier = 2;
  return l;
}

price random_price() {
  return price{*rc::gen::inRange<int64_t>(10, 200) * micros_per_dollar
               + *rc::gen::inRange<int64_t>(0, 100) * 10'000};
}

// The sums the state keeps incrementally, recomputed from the symbols.
void expect_sums_match(const risk_state& st) {
  money gross, net, value;
  for (auto& s : st.symbols) {
    auto held = s.position + s.working;
    gross += s.last * quantity::of_shares(std::llabs(held.shares()));
    net += s.last * held;
    value += s.last * s.position;
  }
  RC_ASSERT(st.gross == gross);
  RC_ASSERT(st.net == net);
  RC_ASSERT(st.account.market_value == value);
}

// Runs a random sequence; `moving_prices` adds market moves between orders.
// After every approval, checks position and gross exposure as the
// controller counts them: within the limits, or no larger than before it.
void run_sequence(bool moving_prices) {
  risk_state st;
  st.configure(property_limits(), symbols);
  msg_builder b;
  int64_t ts = 0;
  for (uint32_t s = 0; s < symbols; ++s)
    on_market(st, b.trade({0, ts, 0}, symbol_id{s}, random_price(), quantity{1}));
  std::array<int64_t, symbols> filled{};
  auto steps = *rc::gen::inRange(1, 300);
  for (int i = 0; i < steps; ++i) {
    ts += 1'000'000;
    symbol_id sym{*rc::gen::inRange<uint32_t>(0, symbols)};
    auto& s = st.symbols[sym.value];
    auto kind = *rc::gen::inRange(0, moving_prices ? 4 : 3);
    if (kind == 0) {
      risk_order o;
      o.symbol = sym;
      o.side = *rc::gen::inRange(0, 2) ? fb::Side::Sell : fb::Side::Buy;
      o.qty = quantity::of_shares(*rc::gen::inRange<int64_t>(1, 1'600));
      o.ts_event = ts;
      auto held_before = std::llabs((s.position + s.working).shares());
      auto gross_before = st.gross;
      if (!check(st, o).passed())
        continue;
      on_approved(st, o);
      auto held = std::llabs((s.position + s.working).shares());
      // Even with fixed prices a figure can sit over its limit without an
      // approval: canceling a working order that reduced a position brings
      // the position's exposure back. So the invariant is about approvals:
      // one never takes a figure past its limit, nor further past it.
      RC_ASSERT(held <= st.limits.max_position.shares() || held <= held_before);
      RC_ASSERT(st.gross <= st.limits.max_gross_exposure || st.gross <= gross_before);
    } else if (kind == 1 || kind == 2) {
      auto w = s.working.shares();
      if (w == 0)
        continue;
      auto side = w > 0 ? fb::Side::Buy : fb::Side::Sell;
      auto q = quantity::of_shares(*rc::gen::inRange<int64_t>(1, std::llabs(w) + 1));
      if (kind == 1) {
        on_execution(st, b.order_filled({0, ts, 0}, client_order_id{1}, sym, side, q,
                                        s.last, q, quantity{}, money{}));
        filled[sym.value] += w > 0 ? q.shares() : -q.shares();
      } else {
        on_execution(st, b.order_canceled({0, ts, 0}, client_order_id{1}, sym, side, q));
      }
    } else {
      on_market(st, b.trade({0, ts, 0}, sym, random_price(), quantity{1}));
    }
  }
  for (uint32_t s = 0; s < symbols; ++s)
    RC_ASSERT(st.symbols[s].position.shares() == filled[s]);
  expect_sums_match(st);
}

} // namespace

RC_GTEST_PROP(risk_property, approvals_never_take_position_or_gross_past_the_limits,
              ()) {
  run_sequence(false);
}

RC_GTEST_PROP(risk_property,
              with_moving_prices_approvals_never_grow_a_figure_past_its_limit, ()) {
  run_sequence(true);
}
