// The pre-trade checks, the ledger and the modes as plain functions; no
// threads, no actor system.

#include <gtest/gtest.h>

#include "actors/risk_controller.hpp"
#include "messages/msg_builder.hpp"

using namespace osprey;

namespace {

constexpr int64_t second = 1'000'000'000;
constexpr int64_t hour = 3600 * second;
// 2026-01-05 00:00:00 UTC, a Monday: the synthetic market's first day.
constexpr int64_t monday = 1'767'571'200 * second;

money usd(int64_t dollars) { return money{dollars * micros_per_dollar}; }

struct risk_checks : ::testing::Test {
  risk_state st;
  msg_builder b;

  risk_checks() {
    configure([](risk_limits&) {});
    last_trade(0, 100.0);
    last_trade(1, 50.0);
  }

  // Tight limits; the account levels, buying power and duplicates are off
  // unless a test switches them on.
  template <class F>
  void configure(F adjust, uint32_t symbols = 0) {
    risk_limits l;
    l.max_order_quantity = quantity{1'000};
    l.max_order_notional = usd(50'000);
    l.max_position = quantity{1'500};
    l.max_gross_exposure = usd(120'000);
    l.max_net_exposure = usd(1'000'000);
    l.price_collar_bps = 100; // 1%
    l.max_orders_per_window = 3;
    l.rate_window_ns = second;
    l.max_cancels_per_window = 2;
    l.cancel_window_ns = second;
    l.duplicate_window_ns = 0;
    l.allow_short_selling = true;
    l.margin_multiplier = 0;
    l.daily_loss_soft = l.daily_loss_hard = money{};
    l.drawdown_soft = l.drawdown_hard = money{};
    adjust(l);
    st.configure(l, symbols);
  }

  void last_trade(uint32_t sym, double px, int64_t ts = 0) {
    on_market(st, b.trade({0, ts, 0}, symbol_id{sym}, price::from_dollars(px),
                          quantity{1}));
  }

  void quote(uint32_t sym, double bid, double ask, int64_t ts = 0) {
    on_market(st, b.quote({0, ts, 0}, symbol_id{sym}, price::from_dollars(bid),
                          quantity{1}, price::from_dollars(ask), quantity{1}));
  }

  risk_order order(uint32_t sym, fb::Side side, int64_t qty, double px,
                   int64_t ts = 0) {
    return {symbol_id{sym}, side, quantity::of_shares(qty), price::from_dollars(px), ts};
  }

  risk_order limit(uint32_t sym, fb::Side side, int64_t qty, double px) {
    auto o = order(sym, side, qty, px);
    o.type = fb::OrderType::Limit;
    return o;
  }

  // An approved order that then fills completely.
  void hold(uint32_t sym, fb::Side side, int64_t qty, double px, int64_t ts = 0) {
    on_approved(st, order(sym, side, qty, px, ts));
    fill(sym, side, qty, px, 0, ts);
  }

  void fill(uint32_t sym, fb::Side side, int64_t qty, double px,
            double commission = 0, int64_t ts = 0) {
    on_execution(st, b.order_filled({0, ts, 0}, client_order_id{1}, symbol_id{sym},
                                    side, quantity::of_shares(qty), price::from_dollars(px),
                                    quantity::of_shares(qty), quantity{0},
                                    money{static_cast<int64_t>(commission * 1e6)}));
  }

  void expect_denied(const risk_order& o, fb::DenyReason reason, int64_t value,
                     int64_t limit) {
    auto v = check(st, o);
    EXPECT_EQ(v.reason, reason);
    // The quantity checks name nano-shares; the tests say shares.
    using R = fb::DenyReason;
    if (reason == R::MaxOrderQuantity || reason == R::MaxPositionPerSymbol
        || reason == R::ShortSaleNotAllowed || reason == R::ReduceOnly) {
      value *= nanos_per_share;
      limit *= nanos_per_share;
    }
    EXPECT_EQ(v.value, value);
    EXPECT_EQ(v.limit, limit);
  }
};

} // namespace

// ---- the order itself ------------------------------------------------------

TEST_F(risk_checks, allows_an_order_within_every_limit) {
  EXPECT_TRUE(check(st, order(0, fb::Side::Buy, 100, 100)).passed());
}

TEST_F(risk_checks, denies_a_zero_or_negative_quantity_as_invalid) {
  expect_denied(order(0, fb::Side::Buy, 0, 100), fb::DenyReason::InvalidOrder, 0, 1);
  expect_denied(order(0, fb::Side::Buy, -5, 100), fb::DenyReason::InvalidOrder,
                -5 * nanos_per_share, 1);
}

TEST_F(risk_checks, denies_a_limit_order_without_a_limit_price) {
  auto o = limit(0, fb::Side::Buy, 10, 0);
  expect_denied(o, fb::DenyReason::InvalidOrder, 0, 1);
  o.type = fb::OrderType::StopLimit;
  o.stop = price::from_dollars(99);
  expect_denied(o, fb::DenyReason::InvalidOrder, 0, 1);
  o.px = price::from_dollars(100);
  EXPECT_TRUE(check(st, o).passed());
}

TEST_F(risk_checks, denies_a_stop_order_without_a_stop_price) {
  auto o = order(0, fb::Side::Sell, 10, 100);
  o.type = fb::OrderType::Stop;
  expect_denied(o, fb::DenyReason::InvalidOrder, 0, 1);
  o.stop = price::from_dollars(95);
  EXPECT_TRUE(check(st, o).passed());
}

TEST_F(risk_checks, denies_a_stop_price_on_a_market_order) {
  auto o = order(0, fb::Side::Buy, 10, 100);
  o.stop = price::from_dollars(101);
  expect_denied(o, fb::DenyReason::InvalidOrder, 101 * micros_per_dollar, 0);
}

TEST_F(risk_checks, denies_a_trailing_stop_without_exactly_one_trail) {
  auto o = order(0, fb::Side::Sell, 10, 100);
  o.type = fb::OrderType::TrailingStop;
  expect_denied(o, fb::DenyReason::InvalidOrder, 0, 1);
  o.trail = price::from_dollars(2);
  o.trail_percent_bps = 150;
  expect_denied(o, fb::DenyReason::InvalidOrder, 2, 1);
  o.trail_percent_bps = 0;
  EXPECT_TRUE(check(st, o).passed());
  o.trail = price{};
  o.trail_percent_bps = 150;
  EXPECT_TRUE(check(st, o).passed());
}

TEST_F(risk_checks, denies_a_bracket_whose_exits_are_missing_or_reversed) {
  auto o = limit(0, fb::Side::Buy, 10, 100);
  o.order_class = fb::OrderClass::Bracket;
  o.stop_loss_stop = price::from_dollars(95);
  expect_denied(o, fb::DenyReason::InvalidOrder, 0, 1); // no take-profit
  o.take_profit_limit = price::from_dollars(94);
  expect_denied(o, fb::DenyReason::InvalidOrder, 94 * micros_per_dollar,
                95 * micros_per_dollar);
  o.take_profit_limit = price::from_dollars(110);
  EXPECT_TRUE(check(st, o).passed());
  // A sell's take-profit buys back below its stop-loss.
  o.side = fb::Side::Sell;
  expect_denied(o, fb::DenyReason::InvalidOrder, 110 * micros_per_dollar,
                95 * micros_per_dollar);
  o.take_profit_limit = price::from_dollars(90);
  o.stop_loss_stop = price::from_dollars(105);
  EXPECT_TRUE(check(st, o).passed());
}

TEST_F(risk_checks, denies_a_symbol_beyond_the_configured_count) {
  configure([](risk_limits&) {}, 2);
  last_trade(0, 100.0);
  expect_denied(order(2, fb::Side::Buy, 10, 100), fb::DenyReason::UnknownSymbol, 2, 2);
  EXPECT_TRUE(check(st, order(0, fb::Side::Buy, 10, 100)).passed());
}

TEST_F(risk_checks, denies_order_above_max_quantity) {
  expect_denied(order(0, fb::Side::Buy, 1'001, 100), fb::DenyReason::MaxOrderQuantity,
                1'001, 1'000);
  EXPECT_TRUE(check(st, order(0, fb::Side::Buy, 1'000, 100)).reason
              != fb::DenyReason::MaxOrderQuantity);
}

TEST_F(risk_checks, denies_order_above_max_notional) {
  last_trade(2, 60.0);
  expect_denied(order(2, fb::Side::Buy, 900, 60), fb::DenyReason::MaxOrderNotional,
                54'000 * micros_per_dollar, 50'000 * micros_per_dollar);
  EXPECT_TRUE(check(st, order(2, fb::Side::Buy, 800, 60)).passed()); // 48,000
}

// ---- prices ---------------------------------------------------------------

TEST_F(risk_checks, denies_an_order_without_a_reference_price) {
  expect_denied(order(9, fb::Side::Buy, 10, 100), fb::DenyReason::NoReferencePrice,
                100 * micros_per_dollar, 0);
}

TEST_F(risk_checks, denies_a_price_outside_the_collar) {
  expect_denied(order(0, fb::Side::Buy, 10, 101.01), fb::DenyReason::PriceCollar,
                101, 100);
  EXPECT_TRUE(check(st, order(0, fb::Side::Buy, 10, 101.00)).passed());
  EXPECT_EQ(check(st, order(0, fb::Side::Sell, 10, 98.99)).reason,
            fb::DenyReason::PriceCollar);
}

TEST_F(risk_checks, collars_buys_against_the_ask_and_sells_against_the_bid) {
  quote(0, 99.00, 101.00);
  // 102.00 is 99 bps above the ask but 298 above the last trade.
  EXPECT_TRUE(check(st, limit(0, fb::Side::Buy, 10, 102.00)).passed());
  expect_denied(limit(0, fb::Side::Buy, 10, 97.98), fb::DenyReason::PriceCollar, 299,
                100);
  EXPECT_TRUE(check(st, limit(0, fb::Side::Sell, 10, 98.02)).passed());
  expect_denied(limit(0, fb::Side::Sell, 10, 100.00), fb::DenyReason::PriceCollar, 101,
                100);
}

TEST_F(risk_checks, a_market_intent_is_checked_at_its_trigger_price) {
  intent_reason why{fb::IntentReason::BreakoutEntry, price::from_dollars(150),
                    price{}, quantity{}, 0};
  auto m = b.order_intent({}, symbol_id{0}, fb::Side::Buy, quantity{10},
                          fb::OrderType::Market, price{}, why);
  auto o = order_of(*m.as<fb::OrderIntent>(), 0);
  EXPECT_EQ(o.px, price::from_dollars(150));
  expect_denied(o, fb::DenyReason::PriceCollar, 5'000, 100);
}

TEST_F(risk_checks, a_market_order_without_a_trigger_is_checked_at_the_reference) {
  quote(0, 99.99, 100.01);
  auto o = order(0, fb::Side::Buy, 400, 0);
  EXPECT_TRUE(check(st, o).passed());
  on_approved(st, o);
  // Remembered at the ask: the same order again is a duplicate.
  st.limits.duplicate_window_ns = second;
  EXPECT_EQ(check(st, o).reason, fb::DenyReason::DuplicateOrder);
}

TEST_F(risk_checks, reads_every_field_of_an_intent) {
  order_spec spec;
  spec.symbol = symbol_id{1};
  spec.side = fb::Side::Sell;
  spec.qty = quantity{20};
  spec.type = fb::OrderType::StopLimit;
  spec.tif = fb::TimeInForce::Gtc;
  spec.limit = price::from_dollars(49);
  spec.stop = price::from_dollars(49.5);
  spec.order_class = fb::OrderClass::Bracket;
  spec.take_profit_limit = price::from_dollars(45);
  spec.stop_loss_stop = price::from_dollars(52);
  spec.reduce_only = true;
  auto m = b.order_intent({0, 77, 0}, spec, {}, 42);
  auto o = order_of(*m.as<fb::OrderIntent>(), m.ts_event());
  EXPECT_EQ(o.symbol, symbol_id{1});
  EXPECT_EQ(o.side, fb::Side::Sell);
  EXPECT_EQ(o.qty, quantity{20});
  EXPECT_EQ(o.px, price::from_dollars(49));
  EXPECT_EQ(o.stop, price::from_dollars(49.5));
  EXPECT_EQ(o.type, fb::OrderType::StopLimit);
  EXPECT_EQ(o.tif, fb::TimeInForce::Gtc);
  EXPECT_EQ(o.order_class, fb::OrderClass::Bracket);
  EXPECT_EQ(o.take_profit_limit, price::from_dollars(45));
  EXPECT_EQ(o.stop_loss_stop, price::from_dollars(52));
  EXPECT_TRUE(o.reduce_only);
  EXPECT_EQ(o.parent_id, 42u);
  EXPECT_EQ(o.ts_event, 77);
}

// ---- positions and exposure ---------------------------------------------------

TEST_F(risk_checks, denies_order_that_would_exceed_max_position) {
  hold(1, fb::Side::Buy, 400, 50);
  on_approved(st, order(1, fb::Side::Buy, 400, 50)); // working 400
  expect_denied(order(1, fb::Side::Buy, 800, 50), fb::DenyReason::MaxPositionPerSymbol,
                1'600, 1'500);
  // Selling reduces the position and passes.
  EXPECT_TRUE(check(st, order(1, fb::Side::Sell, 800, 50)).passed());
}

TEST_F(risk_checks, counts_short_positions_against_max_position) {
  EXPECT_TRUE(check(st, order(1, fb::Side::Sell, 1'000, 50)).passed());
  on_approved(st, order(1, fb::Side::Sell, 1'000, 50));
  expect_denied(order(1, fb::Side::Sell, 600, 50),
                fb::DenyReason::MaxPositionPerSymbol, -1'600, 1'500);
}

TEST_F(risk_checks, lets_an_order_shrink_a_position_that_is_over_its_limits) {
  configure([](risk_limits& l) { l.max_position = quantity{1'500}; });
  last_trade(0, 100.0);
  hold(0, fb::Side::Buy, 1'000, 100);
  // The limit drops below the position (a reconfiguration, say) and prices
  // rise past the gross limit: reducing must still be possible.
  st.limits.max_position = quantity{500};
  last_trade(0, 130.0);
  ASSERT_GT(st.gross, st.limits.max_gross_exposure);
  EXPECT_TRUE(check(st, order(0, fb::Side::Sell, 100, 130)).passed());
  EXPECT_EQ(check(st, order(0, fb::Side::Buy, 1, 130)).reason,
            fb::DenyReason::MaxPositionPerSymbol);
}

TEST_F(risk_checks, denies_order_that_would_exceed_max_gross_exposure) {
  hold(0, fb::Side::Buy, 1'000, 100); // 100,000 gross
  expect_denied(order(1, fb::Side::Buy, 500, 50), fb::DenyReason::MaxGrossExposure,
                125'000 * micros_per_dollar, 120'000 * micros_per_dollar);
  EXPECT_TRUE(check(st, order(1, fb::Side::Buy, 400, 50)).passed());
}

TEST_F(risk_checks, denies_order_that_would_exceed_max_net_exposure) {
  st.limits.max_net_exposure = usd(60'000);
  hold(0, fb::Side::Buy, 500, 100); // net +50,000
  expect_denied(order(1, fb::Side::Buy, 300, 50), fb::DenyReason::MaxNetExposure,
                65'000 * micros_per_dollar, 60'000 * micros_per_dollar);
  // A short elsewhere lowers the net figure although it adds gross.
  EXPECT_TRUE(check(st, order(1, fb::Side::Sell, 300, 50)).passed());
}

TEST_F(risk_checks, counts_working_orders_in_exposure) {
  on_approved(st, order(0, fb::Side::Buy, 1'000, 100));
  EXPECT_EQ(st.gross, usd(100'000));
  EXPECT_EQ(st.net, usd(100'000));
  expect_denied(order(1, fb::Side::Buy, 500, 50), fb::DenyReason::MaxGrossExposure,
                125'000 * micros_per_dollar, 120'000 * micros_per_dollar);
}

TEST_F(risk_checks, tracks_gross_exposure_as_prices_move) {
  hold(0, fb::Side::Buy, 1'000, 100);
  EXPECT_EQ(st.gross, usd(100'000));
  last_trade(0, 110.0);
  EXPECT_EQ(st.gross, usd(110'000));
  quote(0, 89.99, 90.01);
  EXPECT_EQ(st.gross, usd(90'000));
}

TEST_F(risk_checks, denies_an_order_beyond_the_buying_power_of_a_cash_account) {
  st.limits.margin_multiplier = 1;
  st.limits.max_gross_exposure = usd(10'000'000);
  st.limits.max_position = quantity{100'000};
  st.limits.max_order_notional = usd(10'000'000);
  st.limits.max_order_quantity = quantity{100'000};
  hold(0, fb::Side::Buy, 600, 100); // equity 100,000; gross 60,000
  EXPECT_EQ(buying_power(st), usd(40'000));
  expect_denied(order(1, fb::Side::Buy, 801, 50), fb::DenyReason::BuyingPower,
                40'050 * micros_per_dollar, 40'000 * micros_per_dollar);
  EXPECT_TRUE(check(st, order(1, fb::Side::Buy, 800, 50)).passed());
  // A sell that shrinks exposure needs no buying power.
  on_approved(st, order(1, fb::Side::Buy, 800, 50));
  EXPECT_EQ(buying_power(st), money{});
  EXPECT_TRUE(check(st, order(0, fb::Side::Sell, 600, 100)).passed());
  // A margin account of 2x doubles it.
  st.limits.margin_multiplier = 2;
  EXPECT_EQ(buying_power(st), usd(100'000));
  EXPECT_TRUE(check(st, order(1, fb::Side::Buy, 2'000, 50)).passed());
}

// ---- rate, duplicates, shorting, hours ------------------------------------------

TEST_F(risk_checks, throttles_orders_above_the_rate_in_event_time) {
  for (int i = 0; i < 3; ++i) {
    auto o = order(0, fb::Side::Buy, 1, 100, i * 100);
    ASSERT_TRUE(check(st, o).passed());
    on_approved(st, o);
  }
  expect_denied(order(0, fb::Side::Buy, 1, 100, 500), fb::DenyReason::OrderRateThrottle,
                4, 3);
  // One window after the first approval, there is room again.
  EXPECT_TRUE(check(st, order(0, fb::Side::Buy, 1, 100, second)).passed());
}

TEST_F(risk_checks, denies_a_duplicate_within_the_window_and_allows_it_after) {
  st.limits.duplicate_window_ns = second;
  auto o = order(0, fb::Side::Buy, 10, 100, 5 * second);
  on_approved(st, o);
  auto again = o;
  again.ts_event += 300'000'000;
  expect_denied(again, fb::DenyReason::DuplicateOrder, 300'000'000, second);
  // Another quantity, side or price is a different order.
  auto other = again;
  other.qty = quantity{11};
  EXPECT_TRUE(check(st, other).passed());
  other = again;
  other.side = fb::Side::Sell;
  EXPECT_TRUE(check(st, other).passed());
  other = again;
  other.px = price::from_dollars(100.01);
  EXPECT_TRUE(check(st, other).passed());
  again.ts_event = o.ts_event + second;
  EXPECT_TRUE(check(st, again).passed());
}

TEST_F(risk_checks, an_algorithm_slice_is_never_a_duplicate) {
  st.limits.duplicate_window_ns = second;
  auto o = order(0, fb::Side::Buy, 10, 100, 0);
  o.parent_id = 9;
  on_approved(st, o);
  EXPECT_TRUE(check(st, o).passed());
}

TEST_F(risk_checks, denies_a_short_sale_when_shorting_is_not_allowed) {
  st.limits.allow_short_selling = false;
  hold(1, fb::Side::Buy, 100, 50);
  on_approved(st, order(1, fb::Side::Sell, 60, 50)); // working -60
  EXPECT_TRUE(check(st, order(1, fb::Side::Sell, 40, 50)).passed());
  expect_denied(order(1, fb::Side::Sell, 41, 50), fb::DenyReason::ShortSaleNotAllowed,
                -1, 0);
  // A per-symbol override wins over the global flag, both ways.
  set_short_sale(st, symbol_id{1}, short_sale::allowed);
  EXPECT_TRUE(check(st, order(1, fb::Side::Sell, 41, 50)).passed());
  st.limits.allow_short_selling = true;
  set_short_sale(st, symbol_id{1}, short_sale::forbidden);
  EXPECT_EQ(check(st, order(1, fb::Side::Sell, 41, 50)).reason,
            fb::DenyReason::ShortSaleNotAllowed);
  set_short_sale(st, symbol_id{1}, short_sale::inherit);
  EXPECT_TRUE(check(st, order(1, fb::Side::Sell, 41, 50)).passed());
}

TEST_F(risk_checks, denies_orders_outside_trading_hours_when_they_are_on) {
  auto at = [&](int64_t since_midnight, fb::TimeInForce tif) {
    auto o = order(0, fb::Side::Buy, 1, 100, monday + since_midnight);
    o.tif = tif;
    return o;
  };
  auto open = 14 * hour + 30 * 60 * second, close = 21 * hour;
  // Off by default: any time passes.
  EXPECT_TRUE(check(st, at(3 * hour, fb::TimeInForce::Day)).passed());
  st.limits.trading_hours = true;
  expect_denied(at(open - 1, fb::TimeInForce::Day), fb::DenyReason::OutsideTradingHours,
                open - 1, open);
  EXPECT_TRUE(check(st, at(open, fb::TimeInForce::Day)).passed());
  EXPECT_TRUE(check(st, at(close - 1, fb::TimeInForce::Gtc)).passed());
  expect_denied(at(close, fb::TimeInForce::Day), fb::DenyReason::OutsideTradingHours,
                close, close);
  // Opening-auction orders only in the window before the open.
  EXPECT_TRUE(check(st, at(open - 5 * 60 * second, fb::TimeInForce::Opg)).passed());
  expect_denied(at(open + 1, fb::TimeInForce::Opg), fb::DenyReason::OutsideTradingHours,
                open + 1, open);
  expect_denied(at(open - 11 * 60 * second, fb::TimeInForce::Opg),
                fb::DenyReason::OutsideTradingHours, open - 11 * 60 * second, open);
  // Closing-auction orders only in the window before the close.
  EXPECT_TRUE(check(st, at(close - 60 * second, fb::TimeInForce::Cls)).passed());
  expect_denied(at(open + hour, fb::TimeInForce::Cls),
                fb::DenyReason::OutsideTradingHours, open + hour, close);
}

// ---- reduce-only, halt, kill switch ---------------------------------------------

TEST_F(risk_checks, a_reduce_only_intent_passes_only_when_it_shrinks_the_position) {
  auto ro = [&](fb::Side side, int64_t qty) {
    auto o = order(1, side, qty, 50);
    o.reduce_only = true;
    return o;
  };
  expect_denied(ro(fb::Side::Sell, 10), fb::DenyReason::ReduceOnly, -10, 0);
  hold(1, fb::Side::Buy, 100, 50);
  EXPECT_TRUE(check(st, ro(fb::Side::Sell, 100)).passed());
  expect_denied(ro(fb::Side::Sell, 101), fb::DenyReason::ReduceOnly, -1, 100);
  expect_denied(ro(fb::Side::Buy, 1), fb::DenyReason::ReduceOnly, 101, 100);
  // Working sells count: only 30 more may be sold.
  on_approved(st, order(1, fb::Side::Sell, 70, 50));
  EXPECT_TRUE(check(st, ro(fb::Side::Sell, 30)).passed());
  expect_denied(ro(fb::Side::Sell, 31), fb::DenyReason::ReduceOnly, -1, 30);
}

TEST_F(risk_checks, reduce_only_mode_lets_only_shrinking_orders_pass) {
  hold(1, fb::Side::Buy, 100, 50);
  change_mode(st, fb::RiskMode::ReduceOnly, fb::RiskTrigger::DrawdownSoft, 1, 1, 0);
  expect_denied(order(0, fb::Side::Buy, 10, 100), fb::DenyReason::ReduceOnly, 10, 0);
  EXPECT_TRUE(check(st, order(1, fb::Side::Sell, 50, 50)).passed());
  resume(st, 0);
  EXPECT_TRUE(check(st, order(0, fb::Side::Buy, 10, 100)).passed());
}

TEST_F(risk_checks, the_kill_switch_denies_everything_until_released) {
  set_kill_switch(st, true, 7);
  EXPECT_TRUE(st.kill_switch());
  expect_denied(order(0, fb::Side::Sell, 1, 100), fb::DenyReason::KillSwitch, 1, 0);
  ASSERT_EQ(st.transitions.size(), 1u);
  EXPECT_EQ(st.transitions[0].mode, fb::RiskMode::Halted);
  EXPECT_EQ(st.transitions[0].previous, fb::RiskMode::Normal);
  EXPECT_EQ(st.transitions[0].trigger, fb::RiskTrigger::KillSwitch);
  EXPECT_EQ(st.transitions[0].ts_event, 7);
  set_kill_switch(st, false, 8);
  EXPECT_FALSE(st.kill_switch());
  ASSERT_EQ(st.transitions.size(), 2u);
  EXPECT_EQ(st.transitions[1].mode, fb::RiskMode::Normal);
  EXPECT_EQ(st.transitions[1].trigger, fb::RiskTrigger::Resume);
  EXPECT_TRUE(check(st, order(0, fb::Side::Sell, 1, 100)).passed());
}

TEST_F(risk_checks, a_halt_denies_even_a_reducing_order_with_its_numbers) {
  hold(1, fb::Side::Buy, 100, 50);
  change_mode(st, fb::RiskMode::Halted, fb::RiskTrigger::DrawdownHard, 25, 20, 0);
  auto o = order(1, fb::Side::Sell, 100, 50);
  o.reduce_only = true;
  expect_denied(o, fb::DenyReason::Halted, 25, 20);
}

// ---- the ledger and the loss levels ------------------------------------------

TEST_F(risk_checks, keeps_cash_and_equity_from_fills_and_marks) {
  EXPECT_EQ(st.account.equity(), usd(100'000));
  on_approved(st, order(0, fb::Side::Buy, 100, 100));
  fill(0, fb::Side::Buy, 100, 100, 1.0); // $1 commission
  EXPECT_EQ(st.account.cash, usd(100'000 - 10'000 - 1));
  EXPECT_EQ(st.account.equity(), usd(100'000 - 1));
  last_trade(0, 103.0);
  EXPECT_EQ(st.account.equity(), usd(100'300 - 1));
  EXPECT_EQ(st.account.high_water_mark, usd(100'299));
  fill(0, fb::Side::Sell, 100, 103, 1.0);
  EXPECT_EQ(st.account.cash, usd(100'298));
  EXPECT_EQ(st.symbols[0].position, quantity{});
  last_trade(0, 90.0);
  EXPECT_EQ(st.account.equity(), usd(100'298));
}

// Holds 1,000 shares of symbol 0 bought at $100 on Monday.
struct risk_ledger : risk_checks {
  risk_ledger() {
    configure([](risk_limits& l) {
      l.daily_loss_soft = usd(2'000);
      l.daily_loss_hard = usd(5'000);
      l.drawdown_soft = usd(8'000);
      l.drawdown_hard = usd(12'000);
      l.flatten_on_halt = true;
    });
    last_trade(0, 100.0, monday + 15 * hour);
    hold(0, fb::Side::Buy, 1'000, 100, monday + 15 * hour);
  }
};

TEST_F(risk_ledger, a_soft_daily_loss_turns_to_reduce_only_with_its_numbers) {
  last_trade(0, 98.01, monday + 16 * hour); // -1,990
  EXPECT_EQ(st.mode, fb::RiskMode::Normal);
  last_trade(0, 98.00, monday + 16 * hour); // -2,000
  EXPECT_EQ(st.mode, fb::RiskMode::ReduceOnly);
  ASSERT_EQ(st.transitions.size(), 1u);
  auto& t = st.transitions[0];
  EXPECT_EQ(t.trigger, fb::RiskTrigger::DailyLossSoft);
  EXPECT_EQ(t.value, 2'000 * micros_per_dollar);
  EXPECT_EQ(t.limit, 2'000 * micros_per_dollar);
  EXPECT_FALSE(t.flatten);
  EXPECT_EQ(t.ts_event, monday + 16 * hour);
  EXPECT_EQ(st.account.day_pnl(), usd(-2'000));
  EXPECT_NE(describe(t).find("2000.000000"), std::string::npos) << describe(t);
  EXPECT_EQ(check(st, order(0, fb::Side::Buy, 1, 98)).reason,
            fb::DenyReason::ReduceOnly);
  EXPECT_TRUE(check(st, order(0, fb::Side::Sell, 1, 98)).passed());
}

TEST_F(risk_ledger, a_hard_daily_loss_halts_and_asks_to_flatten) {
  last_trade(0, 94.99, monday + 16 * hour); // -5,010 in one move
  EXPECT_EQ(st.mode, fb::RiskMode::Halted);
  ASSERT_EQ(st.transitions.size(), 1u);
  EXPECT_EQ(st.transitions[0].trigger, fb::RiskTrigger::DailyLossHard);
  EXPECT_EQ(st.transitions[0].value, 5'010 * micros_per_dollar);
  EXPECT_EQ(st.transitions[0].limit, 5'000 * micros_per_dollar);
  EXPECT_TRUE(st.transitions[0].flatten);
  expect_denied(order(0, fb::Side::Sell, 1, 95), fb::DenyReason::Halted,
                5'010 * micros_per_dollar, 5'000 * micros_per_dollar);
}

TEST_F(risk_ledger, soft_then_hard_levels_escalate_step_by_step) {
  last_trade(0, 97.0, monday + 16 * hour);
  last_trade(0, 94.0, monday + 17 * hour);
  ASSERT_EQ(st.transitions.size(), 2u);
  EXPECT_EQ(st.transitions[1].previous, fb::RiskMode::ReduceOnly);
  EXPECT_EQ(st.transitions[1].mode, fb::RiskMode::Halted);
}

TEST_F(risk_ledger, a_drawdown_from_the_high_water_mark_acts_across_days) {
  // Up 6,000 on Monday, then down 3,000 a day: no day loses 4,000, but the
  // drawdown from 106,000 reaches 8,000 and then 12,000.
  st.limits.daily_loss_soft = usd(4'000);
  last_trade(0, 106.0, monday + 20 * hour);
  EXPECT_EQ(st.account.high_water_mark, usd(106'000));
  last_trade(0, 103.0, monday + 24 * hour + 15 * hour);
  last_trade(0, 100.0, monday + 48 * hour + 15 * hour);
  EXPECT_EQ(st.mode, fb::RiskMode::Normal);
  last_trade(0, 98.0, monday + 72 * hour + 15 * hour); // drawdown 8,000
  EXPECT_EQ(st.mode, fb::RiskMode::ReduceOnly);
  EXPECT_EQ(st.mode_trigger, fb::RiskTrigger::DrawdownSoft);
  EXPECT_EQ(st.account.drawdown(), usd(8'000));
  last_trade(0, 96.0, monday + 96 * hour + 15 * hour);
  last_trade(0, 94.0, monday + 96 * hour + 16 * hour); // drawdown 12,000
  EXPECT_EQ(st.mode, fb::RiskMode::Halted);
  EXPECT_EQ(st.mode_trigger, fb::RiskTrigger::DrawdownHard);
}

TEST_F(risk_ledger, a_new_trading_day_ends_the_soft_daily_loss_only) {
  last_trade(0, 97.0, monday + 16 * hour);
  ASSERT_EQ(st.mode, fb::RiskMode::ReduceOnly);
  last_trade(0, 97.0, monday + 24 * hour + 14 * hour);
  EXPECT_EQ(st.mode, fb::RiskMode::Normal);
  ASSERT_EQ(st.transitions.size(), 2u);
  EXPECT_EQ(st.transitions[1].trigger, fb::RiskTrigger::NewTradingDay);
  EXPECT_EQ(st.account.day_start_equity, usd(97'000));
  EXPECT_EQ(st.account.day_pnl(), money{});
  // A hard halt stays through the night.
  last_trade(0, 91.0, monday + 24 * hour + 15 * hour);
  ASSERT_EQ(st.mode, fb::RiskMode::Halted);
  last_trade(0, 91.0, monday + 48 * hour + 15 * hour);
  EXPECT_EQ(st.mode, fb::RiskMode::Halted);
}

TEST_F(risk_ledger, the_day_starts_from_the_previous_close_so_a_gap_counts_today) {
  last_trade(0, 99.0, monday + 20 * hour);
  last_trade(0, 96.0, monday + 24 * hour + 14 * hour); // gap down 3,000
  EXPECT_EQ(st.account.day_start_equity, usd(99'000));
  EXPECT_EQ(st.account.day_pnl(), usd(-3'000));
  EXPECT_EQ(st.mode, fb::RiskMode::ReduceOnly);
}

TEST_F(risk_ledger, a_resumed_halt_is_not_undone_by_the_next_tick) {
  last_trade(0, 94.0, monday + 16 * hour);
  ASSERT_EQ(st.mode, fb::RiskMode::Halted);
  resume(st, monday + 17 * hour);
  EXPECT_EQ(st.mode, fb::RiskMode::Normal);
  EXPECT_EQ(st.transitions.back().trigger, fb::RiskTrigger::Resume);
  last_trade(0, 93.9, monday + 17 * hour);
  EXPECT_EQ(st.mode, fb::RiskMode::Normal);
  EXPECT_TRUE(check(st, order(0, fb::Side::Sell, 10, 93.9)).passed());
  // Recovering and losing again crosses the level again.
  last_trade(0, 96.0, monday + 18 * hour);
  last_trade(0, 94.5, monday + 19 * hour);
  EXPECT_EQ(st.mode, fb::RiskMode::Halted);
}

TEST_F(risk_ledger, the_kill_switch_holds_over_a_loss_level) {
  set_kill_switch(st, true, monday + 16 * hour);
  last_trade(0, 90.0, monday + 16 * hour);
  EXPECT_EQ(st.mode_trigger, fb::RiskTrigger::KillSwitch);
  EXPECT_EQ(st.transitions.size(), 1u);
  EXPECT_TRUE(st.transitions[0].flatten);
}

TEST_F(risk_ledger, describes_a_transition_in_plain_words) {
  last_trade(0, 94.0, monday + 16 * hour);
  auto text = describe(st.transitions[0]);
  EXPECT_EQ(text, "normal -> halted: the day's loss 6000.000000 USD reached the "
                  "hard limit of 5000.000000 USD; every order is denied until a "
                  "person resumes, and every position is to be closed");
}

// ---- executions ---------------------------------------------------------------

TEST_F(risk_checks, releases_working_quantity_when_an_order_ends) {
  on_approved(st, order(0, fb::Side::Buy, 1'000, 100));
  EXPECT_EQ(st.symbols[0].working.shares(), 1'000);
  on_execution(st, b.order_canceled({}, client_order_id{1}, symbol_id{0},
                                    fb::Side::Buy, quantity{600}));
  EXPECT_EQ(st.symbols[0].working.shares(), 400);
  on_execution(st, b.order_rejected({}, client_order_id{2}, symbol_id{0},
                                    fb::Side::Buy, quantity{300}, "no"));
  on_execution(st, b.order_expired({}, client_order_id{3}, symbol_id{0},
                                   fb::Side::Buy, quantity{100}));
  EXPECT_EQ(st.symbols[0].working.shares(), 0);
  EXPECT_EQ(st.gross, money{});
}

TEST_F(risk_checks, moves_filled_quantity_from_working_to_position) {
  on_approved(st, order(0, fb::Side::Buy, 300, 100));
  fill(0, fb::Side::Buy, 100, 100);
  EXPECT_EQ(st.symbols[0].working.shares(), 200);
  EXPECT_EQ(st.symbols[0].position.shares(), 100);
}

TEST_F(risk_checks, a_fill_of_an_order_it_never_counted_leaves_working_alone) {
  // A bracket's exit leg fills: the position shrinks, nothing was working.
  hold(0, fb::Side::Buy, 100, 100);
  fill(0, fb::Side::Sell, 100, 101);
  EXPECT_EQ(st.symbols[0].working.shares(), 0);
  EXPECT_EQ(st.symbols[0].position.shares(), 0);
  on_execution(st, b.order_canceled({}, client_order_id{5}, symbol_id{0},
                                    fb::Side::Sell, quantity{100}));
  EXPECT_EQ(st.symbols[0].working.shares(), 0);
}

// ---- cancels and replaces -------------------------------------------------------

TEST_F(risk_checks, throttles_cancels_and_replaces_together) {
  auto cancel = command_of(b.cancel_order({0, 10, 0}, client_order_id{3}));
  auto replace = command_of(b.replace_order({0, 20, 0}, client_order_id{4},
                                            client_order_id{5}, quantity{},
                                            price::from_dollars(100)));
  ASSERT_TRUE(check_command(st, cancel).passed());
  on_command_approved(st, cancel);
  ASSERT_TRUE(check_command(st, replace).passed());
  on_command_approved(st, replace);
  cancel.ts_event = 30;
  auto v = check_command(st, cancel);
  EXPECT_EQ(v.reason, fb::DenyReason::CancelRateThrottle);
  EXPECT_EQ(v.value, 3);
  EXPECT_EQ(v.limit, 2);
  cancel.ts_event = 10 + second;
  EXPECT_TRUE(check_command(st, cancel).passed());
}

TEST_F(risk_checks, collars_the_new_price_of_a_replace) {
  quote(0, 99.0, 101.0);
  on_execution(st, b.order_accepted({}, client_order_id{4}, symbol_id{0}));
  auto replace = [&](double px) {
    return command_of(b.replace_order({}, client_order_id{4}, client_order_id{5},
                                      quantity{}, price::from_dollars(px)));
  };
  // Side unknown: against the mid of 100.
  EXPECT_TRUE(check_command(st, replace(101.0)).passed());
  auto v = check_command(st, replace(101.5));
  EXPECT_EQ(v.reason, fb::DenyReason::PriceCollar);
  EXPECT_EQ(v.value, 150);
  EXPECT_EQ(v.limit, 100);
  // Once a fill tells the side, against the ask for a buy.
  on_execution(st, b.order_filled({}, client_order_id{4}, symbol_id{0}, fb::Side::Buy,
                                  quantity{1}, price::from_dollars(100), quantity{1},
                                  quantity{9}, money{}));
  EXPECT_TRUE(check_command(st, replace(101.5)).passed());
  // An unknown order is the order manager's to refuse.
  EXPECT_TRUE(check_command(st, command_of(b.replace_order(
                                  {}, client_order_id{77}, client_order_id{78},
                                  quantity{}, price::from_dollars(500))))
                .passed());
}

TEST_F(risk_checks, a_halt_refuses_replaces_but_lets_cancels_through) {
  set_kill_switch(st, true, 0);
  auto cancel = command_of(b.cancel_order({}, client_order_id{3}));
  auto replace = command_of(b.replace_order({}, client_order_id{4}, client_order_id{5},
                                            quantity{10}, price{}));
  EXPECT_TRUE(check_command(st, cancel).passed());
  EXPECT_EQ(check_command(st, replace).reason, fb::DenyReason::KillSwitch);
}

TEST_F(risk_checks, forgets_orders_that_are_done) {
  on_execution(st, b.order_accepted({}, client_order_id{4}, symbol_id{0}));
  on_execution(st, b.order_accepted({}, client_order_id{6}, symbol_id{1}));
  EXPECT_NE(known_order(st, client_order_id{4}), nullptr);
  on_execution(st, b.order_replaced({}, client_order_id{4}, client_order_id{5},
                                    symbol_id{0}, fb::Side::Sell, quantity{5},
                                    price::from_dollars(100), price{}));
  EXPECT_EQ(known_order(st, client_order_id{4}), nullptr);
  ASSERT_NE(known_order(st, client_order_id{5}), nullptr);
  EXPECT_EQ(known_order(st, client_order_id{5})->side, fb::Side::Sell);
  on_execution(st, b.order_canceled({}, client_order_id{5}, symbol_id{0},
                                    fb::Side::Sell, quantity{5}));
  on_execution(st, b.order_filled({}, client_order_id{6}, symbol_id{1}, fb::Side::Buy,
                                  quantity{1}, price::from_dollars(50), quantity{1},
                                  quantity{0}, money{}));
  EXPECT_TRUE(st.known.empty());
}

TEST_F(risk_checks, a_replace_moves_working_quantity_from_the_old_order_to_the_new) {
  risk_order o;
  o.symbol = symbol_id{0};
  o.side = fb::Side::Buy;
  o.qty = quantity{300};
  o.px = price::from_dollars(100);
  o.ts_event = monday + 15 * hour;
  ASSERT_TRUE(check(st, o).passed());
  on_approved(st, o);
  EXPECT_EQ(st.symbols[0].working.shares(), 300);
  // 100 filled, then the rest (200) replaced by an order for 50.
  on_execution(st, b.order_filled({0, o.ts_event, 0}, client_order_id{1}, symbol_id{0},
                                  fb::Side::Buy, quantity{100}, price::from_dollars(100),
                                  quantity{100}, quantity{200}, money{}));
  on_execution(st, b.order_replaced({0, o.ts_event, 0}, client_order_id{1},
                                    client_order_id{2}, symbol_id{0}, fb::Side::Buy,
                                    quantity{50}, price::from_dollars(100), price{},
                                    quantity{200}));
  EXPECT_EQ(st.symbols[0].working.shares(), 50);
  EXPECT_EQ(st.symbols[0].position.shares(), 100);
}
