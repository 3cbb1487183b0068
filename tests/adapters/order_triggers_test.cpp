#include <gtest/gtest.h>

#include "adapters/order_triggers.hpp"

using namespace osprey;

namespace {

price usd(double d) {
  return price::from_dollars(d);
}

constexpr auto buy = fb::Side::Buy;
constexpr auto sell = fb::Side::Sell;

} // namespace

// ---- plain stops ------------------------------------------------------------

TEST(order_triggers, triggers_a_buy_stop_at_or_above_its_stop) {
  EXPECT_FALSE(stop_reached(buy, usd(10.50), usd(10.49)));
  EXPECT_TRUE(stop_reached(buy, usd(10.50), usd(10.50)));
  EXPECT_TRUE(stop_reached(buy, usd(10.50), usd(11.00)));
}

TEST(order_triggers, triggers_a_sell_stop_at_or_below_its_stop) {
  EXPECT_FALSE(stop_reached(sell, usd(9.50), usd(9.51)));
  EXPECT_TRUE(stop_reached(sell, usd(9.50), usd(9.50)));
  EXPECT_TRUE(stop_reached(sell, usd(9.50), usd(9.00)));
}

TEST(order_triggers, never_triggers_on_a_missing_price) {
  // A one-sided quote leaves the other side at zero: that is no price, not a
  // crash to zero that would trigger every sell stop.
  EXPECT_FALSE(stop_reached(sell, usd(9.50), price{0}));
  EXPECT_FALSE(stop_reached(sell, usd(9.50), price{-1}));
  EXPECT_FALSE(stop_reached(buy, price{0}, price{0}));
}

TEST(order_triggers, turns_stops_into_market_and_stop_limits_into_limit_orders) {
  EXPECT_EQ(triggered_type(fb::OrderType::Stop), fb::OrderType::Market);
  EXPECT_EQ(triggered_type(fb::OrderType::TrailingStop), fb::OrderType::Market);
  EXPECT_EQ(triggered_type(fb::OrderType::StopLimit), fb::OrderType::Limit);
  EXPECT_EQ(triggered_type(fb::OrderType::Limit), fb::OrderType::Limit);
  EXPECT_EQ(triggered_type(fb::OrderType::Market), fb::OrderType::Market);
  EXPECT_TRUE(has_trigger(fb::OrderType::Stop));
  EXPECT_TRUE(has_trigger(fb::OrderType::StopLimit));
  EXPECT_TRUE(has_trigger(fb::OrderType::TrailingStop));
  EXPECT_FALSE(has_trigger(fb::OrderType::Limit));
  EXPECT_FALSE(has_trigger(fb::OrderType::Market));
}

// ---- trailing stop levels ---------------------------------------------------

TEST(order_triggers, places_a_price_trail_below_a_sells_mark_and_above_a_buys) {
  trail_distance d{usd(0.50)};
  EXPECT_EQ(trailing_stop_level(sell, d, usd(10.00)), usd(9.50));
  EXPECT_EQ(trailing_stop_level(buy, d, usd(10.00)), usd(10.50));
}

TEST(order_triggers, places_a_percent_trail_exactly_when_it_divides) {
  trail_distance d{{}, 250}; // 2.5%
  EXPECT_EQ(trailing_stop_level(sell, d, usd(100.00)), usd(97.50));
  EXPECT_EQ(trailing_stop_level(buy, d, usd(100.00)), usd(102.50));
}

TEST(order_triggers, rounds_a_percent_trail_away_from_the_market) {
  trail_distance d{{}, 3}; // 0.03%
  // 10.000001 * 0.9997 = 9.9970009997 -> down to 9.997000 for a sell;
  // 10.000001 * 1.0003 = 10.0030010003 -> up to 10.003002 for a buy.
  EXPECT_EQ(trailing_stop_level(sell, d, price{10'000'001}), price{9'997'000});
  EXPECT_EQ(trailing_stop_level(buy, d, price{10'000'001}), price{10'003'002});
}

TEST(order_triggers, computes_percent_trails_on_large_prices_without_overflow) {
  trail_distance d{{}, 1};
  price huge{4'000'000'000'000'000'000}; // 4e18 micros * 9999 overflows int64
  EXPECT_EQ(trailing_stop_level(sell, d, huge), price{3'999'600'000'000'000'000});
}

// ---- trailing stop state ----------------------------------------------------

TEST(order_triggers, starts_the_water_mark_at_the_first_price) {
  trailing_state t;
  EXPECT_FALSE(trail_and_check(t, sell, {usd(0.50)}, price{0})); // no price yet
  EXPECT_EQ(t.water_mark, price{0});
  EXPECT_FALSE(trail_and_check(t, sell, {usd(0.50)}, usd(10.00)));
  EXPECT_EQ(t.water_mark, usd(10.00));
  EXPECT_EQ(t.stop, usd(9.50));
}

TEST(order_triggers, ratchets_a_sell_trail_up_then_triggers_on_the_way_down) {
  trailing_state t;
  trail_distance d{usd(0.50)};
  EXPECT_FALSE(trail_and_check(t, sell, d, usd(10.00)));
  EXPECT_FALSE(trail_and_check(t, sell, d, usd(10.40)));
  EXPECT_EQ(t.water_mark, usd(10.40));
  EXPECT_EQ(t.stop, usd(9.90));
  // A fall does not lower the mark or the stop.
  EXPECT_FALSE(trail_and_check(t, sell, d, usd(9.95)));
  EXPECT_EQ(t.water_mark, usd(10.40));
  EXPECT_EQ(t.stop, usd(9.90));
  EXPECT_TRUE(trail_and_check(t, sell, d, usd(9.90)));
}

TEST(order_triggers, ratchets_a_buy_percent_trail_down_then_triggers_on_the_way_up) {
  trailing_state t;
  trail_distance d{{}, 100}; // 1%
  EXPECT_FALSE(trail_and_check(t, buy, d, usd(10.00)));
  EXPECT_EQ(t.stop, usd(10.10));
  EXPECT_FALSE(trail_and_check(t, buy, d, usd(9.00)));
  EXPECT_EQ(t.water_mark, usd(9.00));
  EXPECT_EQ(t.stop, usd(9.09));
  // A rise below the stop moves neither the mark nor the stop.
  EXPECT_FALSE(trail_and_check(t, buy, d, usd(9.05)));
  EXPECT_EQ(t.water_mark, usd(9.00));
  EXPECT_EQ(t.stop, usd(9.09));
  EXPECT_FALSE(trail_and_check(t, buy, d, usd(8.50)));
  EXPECT_EQ(t.stop, price{8'585'000});
  EXPECT_FALSE(trail_and_check(t, buy, d, price{8'584'999}));
  EXPECT_EQ(t.water_mark, usd(8.50));
  EXPECT_TRUE(trail_and_check(t, buy, d, price{8'585'000}));
}

TEST(order_triggers, never_moves_the_stop_against_the_trader) {
  trailing_state t{usd(10.00), usd(9.80)}; // a tighter stop than the trail gives
  EXPECT_FALSE(trail_and_check(t, sell, {usd(0.50)}, usd(10.10)));
  EXPECT_EQ(t.water_mark, usd(10.10));
  EXPECT_EQ(t.stop, usd(9.80)); // 10.10 - 0.50 = 9.60 would loosen it
}
