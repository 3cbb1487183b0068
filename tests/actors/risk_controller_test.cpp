#include <gtest/gtest.h>

#include "actors/risk_controller.hpp"
#include "messages/msg_builder.hpp"

using namespace osprey;

namespace {

constexpr int64_t second = 1'000'000'000;

struct risk_checks : ::testing::Test {
  risk_state st;
  msg_builder b;

  risk_checks() {
    risk_limits l;
    l.max_order_quantity = quantity{1'000};
    l.max_order_notional = money{50'000 * micros_per_dollar};
    l.max_position = quantity{1'500};
    l.max_gross_exposure = money{120'000 * micros_per_dollar};
    l.price_collar_bps = 100; // 1%
    l.max_orders_per_window = 3;
    l.rate_window_ns = second;
    st.configure(l);
    last_trade(0, 100.0);
    last_trade(1, 50.0);
  }

  void last_trade(uint32_t sym, double px) {
    on_market(st, b.trade({}, symbol_id{sym}, price::from_dollars(px), quantity{1}));
  }

  risk_order order(uint32_t sym, fb::Side side, int64_t qty, double px,
                   int64_t ts = 0) {
    return {symbol_id{sym}, side, quantity{qty}, price::from_dollars(px), ts};
  }

  // An approved order that then fills completely.
  void hold(uint32_t sym, fb::Side side, int64_t qty, double px) {
    on_approved(st, order(sym, side, qty, px));
    fill(sym, side, qty, px);
  }

  void fill(uint32_t sym, fb::Side side, int64_t qty, double px) {
    on_execution(st, b.order_filled({}, client_order_id{1}, symbol_id{sym}, side,
                                    quantity{qty}, price::from_dollars(px),
                                    quantity{qty}, quantity{0}, money{}));
  }
};

} // namespace

TEST_F(risk_checks, allows_an_order_within_every_limit) {
  EXPECT_TRUE(check(st, order(0, fb::Side::Buy, 100, 100)).passed());
}

TEST_F(risk_checks, denies_order_above_max_quantity) {
  auto v = check(st, order(0, fb::Side::Buy, 1'001, 100));
  EXPECT_EQ(v.reason, fb::DenyReason::MaxOrderQuantity);
  EXPECT_EQ(v.value, 1'001);
  EXPECT_EQ(v.limit, 1'000);
  EXPECT_TRUE(check(st, order(0, fb::Side::Buy, 1'000, 10, 0)).reason
              != fb::DenyReason::MaxOrderQuantity);
}

TEST_F(risk_checks, denies_a_zero_quantity) {
  EXPECT_EQ(check(st, order(0, fb::Side::Buy, 0, 100)).reason,
            fb::DenyReason::MaxOrderQuantity);
}

TEST_F(risk_checks, denies_order_above_max_notional) {
  last_trade(2, 60.0);
  auto v = check(st, order(2, fb::Side::Buy, 900, 60)); // 54,000
  EXPECT_EQ(v.reason, fb::DenyReason::MaxOrderNotional);
  EXPECT_EQ(v.value, 54'000 * micros_per_dollar);
  EXPECT_EQ(v.limit, 50'000 * micros_per_dollar);
  EXPECT_TRUE(check(st, order(2, fb::Side::Buy, 800, 60)).passed()); // 48,000
}

TEST_F(risk_checks, denies_an_order_without_a_reference_price) {
  auto v = check(st, order(9, fb::Side::Buy, 10, 100));
  EXPECT_EQ(v.reason, fb::DenyReason::NoReferencePrice);
}

TEST_F(risk_checks, denies_a_price_outside_the_collar) {
  auto v = check(st, order(0, fb::Side::Buy, 10, 101.01)); // 101 bps away
  EXPECT_EQ(v.reason, fb::DenyReason::PriceCollar);
  EXPECT_EQ(v.value, 101);
  EXPECT_EQ(v.limit, 100);
  EXPECT_TRUE(check(st, order(0, fb::Side::Buy, 10, 101.00)).passed());
  EXPECT_EQ(check(st, order(0, fb::Side::Sell, 10, 98.99)).reason,
            fb::DenyReason::PriceCollar);
}

TEST_F(risk_checks, denies_order_that_would_exceed_max_position) {
  hold(1, fb::Side::Buy, 400, 50);
  on_approved(st, order(1, fb::Side::Buy, 400, 50)); // working 400
  auto v = check(st, order(1, fb::Side::Buy, 800, 50));
  EXPECT_EQ(v.reason, fb::DenyReason::MaxPositionPerSymbol);
  EXPECT_EQ(v.value, 1'600);
  EXPECT_EQ(v.limit, 1'500);
  // Selling reduces the position and passes.
  EXPECT_TRUE(check(st, order(1, fb::Side::Sell, 800, 50)).passed());
}

TEST_F(risk_checks, counts_short_positions_against_max_position) {
  auto v = check(st, order(1, fb::Side::Sell, 1'000, 50));
  EXPECT_TRUE(v.passed());
  on_approved(st, order(1, fb::Side::Sell, 1'000, 50));
  v = check(st, order(1, fb::Side::Sell, 600, 50));
  EXPECT_EQ(v.reason, fb::DenyReason::MaxPositionPerSymbol);
  EXPECT_EQ(v.value, -1'600);
}

TEST_F(risk_checks, denies_order_that_would_exceed_max_gross_exposure) {
  hold(0, fb::Side::Buy, 1'000, 100); // 100,000 gross
  auto v = check(st, order(1, fb::Side::Buy, 500, 50)); // +25,000
  EXPECT_EQ(v.reason, fb::DenyReason::MaxGrossExposure);
  EXPECT_EQ(v.value, 125'000 * micros_per_dollar);
  EXPECT_EQ(v.limit, 120'000 * micros_per_dollar);
  EXPECT_TRUE(check(st, order(1, fb::Side::Buy, 400, 50)).passed());
}

TEST_F(risk_checks, tracks_gross_exposure_as_prices_move) {
  hold(0, fb::Side::Buy, 1'000, 100);
  EXPECT_EQ(st.gross, money{100'000 * micros_per_dollar});
  last_trade(0, 110.0);
  EXPECT_EQ(st.gross, money{110'000 * micros_per_dollar});
  on_market(st, b.quote({}, symbol_id{0}, price::from_dollars(89.99), quantity{1},
                        price::from_dollars(90.01), quantity{1}));
  EXPECT_EQ(st.gross, money{90'000 * micros_per_dollar});
}

TEST_F(risk_checks, releases_working_quantity_when_an_order_ends) {
  on_approved(st, order(0, fb::Side::Buy, 1'000, 100));
  EXPECT_EQ(st.symbols[0].working.shares, 1'000);
  on_execution(st, b.order_canceled({}, client_order_id{1}, symbol_id{0},
                                    fb::Side::Buy, quantity{600}));
  EXPECT_EQ(st.symbols[0].working.shares, 400);
  on_execution(st, b.order_rejected({}, client_order_id{2}, symbol_id{0},
                                    fb::Side::Buy, quantity{300}, "no"));
  on_execution(st, b.order_expired({}, client_order_id{3}, symbol_id{0},
                                   fb::Side::Buy, quantity{100}));
  EXPECT_EQ(st.symbols[0].working.shares, 0);
  EXPECT_EQ(st.gross, money{});
}

TEST_F(risk_checks, moves_filled_quantity_from_working_to_position) {
  on_approved(st, order(0, fb::Side::Buy, 300, 100));
  fill(0, fb::Side::Buy, 100, 100);
  EXPECT_EQ(st.symbols[0].working.shares, 200);
  EXPECT_EQ(st.symbols[0].position.shares, 100);
}

TEST_F(risk_checks, throttles_orders_above_the_rate_in_event_time) {
  for (int i = 0; i < 3; ++i) {
    auto o = order(0, fb::Side::Buy, 1, 100, i * 100);
    ASSERT_TRUE(check(st, o).passed());
    on_approved(st, o);
  }
  auto v = check(st, order(0, fb::Side::Buy, 1, 100, 500));
  EXPECT_EQ(v.reason, fb::DenyReason::OrderRateThrottle);
  EXPECT_EQ(v.value, 4);
  EXPECT_EQ(v.limit, 3);
  // One window after the first approval, there is room again.
  EXPECT_TRUE(check(st, order(0, fb::Side::Buy, 1, 100, second)).passed());
}

TEST_F(risk_checks, kill_switch_denies_everything) {
  st.kill_switch = true;
  auto v = check(st, order(0, fb::Side::Sell, 1, 100));
  EXPECT_EQ(v.reason, fb::DenyReason::KillSwitch);
  st.kill_switch = false;
  EXPECT_TRUE(check(st, order(0, fb::Side::Sell, 1, 100)).passed());
}

TEST_F(risk_checks, a_market_intent_is_checked_at_its_trigger_price) {
  intent_reason why{fb::IntentReason::BreakoutEntry, price::from_dollars(150),
                    price{}, quantity{}, 0};
  auto m = b.order_intent({}, symbol_id{0}, fb::Side::Buy, quantity{10},
                          fb::OrderType::Market, price{}, why);
  auto o = order_of(*m.as<fb::OrderIntent>(), 0);
  EXPECT_EQ(o.px, price::from_dollars(150));
  EXPECT_EQ(check(st, o).reason, fb::DenyReason::PriceCollar);
}
