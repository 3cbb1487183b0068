// The simulated broker filling on bars (backtests of bar data): the rules
// at the top of adapters/sim_broker_bars.cpp, one test each.

#include <gtest/gtest.h>

#include "adapters/sim_broker.hpp"
#include "../support/sim_broker_harness.hpp"

using namespace osprey;
using namespace osprey::test;

namespace {

using lines = std::vector<std::string>;

constexpr int64_t day = 24 * hour;
// Daily bars are stamped at the close, 21:00 UTC.
constexpr int64_t close_d0 = session_close;
constexpr int64_t close_d1 = session_close + day;
constexpr int64_t close_d2 = session_close + 2 * day;

sim_broker_config bars(bar_fill how) {
  sim_broker_config c;
  c.bar_fills = how;
  return c;
}

struct bar_harness : harness {
  using harness::harness;
  void bar(int64_t ts, double o, double h, double l, double c, symbol_id s = sym) {
    broker.on_market(b.bar({0, ts, ingress + 1}, s, 86'400, usd(o), usd(h), usd(l), usd(c),
                           quantity{1'000'000}));
  }
  void buy(uint64_t id, int64_t qty, int64_t ts = close_d0) {
    submit(id, fb::Side::Buy, qty, fb::OrderType::Market, fb::TimeInForce::Day, {}, ts);
  }
};

} // namespace

TEST(sim_broker_bars, a_market_order_fills_at_the_next_bars_open_never_its_own_bar) {
  bar_harness h{bars(bar_fill::next_open)};
  h.bar(close_d0, 10, 11, 9, 10.5);
  h.buy(1, 100);
  EXPECT_EQ(h.events(), (lines{"accepted 1"}));
  h.bar(close_d1, 10.8, 11.5, 10.2, 11);
  EXPECT_EQ(h.events(), (lines{"filled 1 buy 100 @ 10.80 cum 100 leaves 0"}));
}

TEST(sim_broker_bars, next_close_fills_at_the_next_bars_close_with_slippage) {
  auto cfg = bars(bar_fill::next_close);
  cfg.slippage_bps = 10;
  bar_harness h{cfg};
  h.bar(close_d0, 10, 11, 9, 10.5);
  h.buy(1, 100);
  h.submit(2, fb::Side::Sell, 50, fb::OrderType::Market, fb::TimeInForce::Day, {}, close_d0);
  h.events();
  h.bar(close_d1, 10.8, 11.5, 10.2, 11);
  // 11 x 1.001 = 11.011, rounded up to the cent for a buy; 10.989 down for a sell.
  EXPECT_EQ(h.events(), (lines{"filled 1 buy 100 @ 11.02 cum 100 leaves 0",
                               "filled 2 sell 50 @ 10.98 cum 50 leaves 0"}));
}

TEST(sim_broker_bars, same_close_fills_at_the_close_that_caused_the_order) {
  bar_harness h{bars(bar_fill::same_close)};
  h.bar(close_d0, 10, 11, 9, 10.5);
  h.buy(1, 100);
  EXPECT_EQ(h.events(), (lines{"accepted 1", "filled 1 buy 100 @ 10.50 cum 100 leaves 0"}));
  // An order no bar caused (another time) waits for the next bar.
  h.buy(2, 10, close_d0 + minute);
  h.events();
  h.bar(close_d1, 10.8, 11.5, 10.2, 11);
  EXPECT_EQ(h.events(), (lines{"filled 2 buy 10 @ 11.00 cum 10 leaves 0"}));
}

TEST(sim_broker_bars, a_stop_fills_at_the_stop_or_at_the_open_through_a_gap) {
  bar_harness h{bars(bar_fill::next_open)};
  h.bar(close_d0, 10, 11, 9, 10.5);
  h.submit(1, fb::Side::Sell, 100, fb::OrderType::Stop, fb::TimeInForce::Gtc, {}, close_d0,
           usd(9.5));
  h.submit(2, fb::Side::Buy, 100, fb::OrderType::Stop, fb::TimeInForce::Gtc, {}, close_d0,
           usd(12));
  h.events();
  // Falls through 9.50 intraday: filled at the stop. The buy stop at 12 is
  // not reached (high 11.2).
  h.bar(close_d1, 10, 11.2, 9.1, 9.4);
  EXPECT_EQ(h.events(), (lines{"triggered 1 stop 9.50 at 9.10 mark 0.00",
                               "filled 1 sell 100 @ 9.50 cum 100 leaves 0"}));
  // Opens above 12: the gap goes through the stop, filled at the open.
  h.bar(close_d2, 12.5, 13, 12.1, 12.8);
  EXPECT_EQ(h.events(), (lines{"triggered 2 stop 12.00 at 13.00 mark 0.00",
                               "filled 2 buy 100 @ 12.50 cum 100 leaves 0"}));
}

TEST(sim_broker_bars, a_limit_fills_at_the_limit_or_at_a_better_open) {
  bar_harness h{bars(bar_fill::next_open)};
  h.bar(close_d0, 10, 11, 9, 10.5);
  h.buy_limit(1, 100, 10.0, fb::TimeInForce::Gtc, close_d0);
  h.submit(2, fb::Side::Sell, 100, fb::OrderType::Limit, fb::TimeInForce::Gtc, usd(10.6),
           close_d0);
  h.events();
  h.bar(close_d1, 10.7, 10.9, 9.8, 10.2);
  // The sell limit at 10.60: the bar opened above it, so at the open. The
  // buy limit at 10.00 is reached at the low: at the limit. Limits are
  // handled in priority order after any stop.
  EXPECT_EQ(h.events(), (lines{"filled 1 buy 100 @ 10.00 cum 100 leaves 0",
                               "filled 2 sell 100 @ 10.70 cum 100 leaves 0"}));
}

TEST(sim_broker_bars, a_bar_that_does_not_reach_the_limit_does_not_fill_it) {
  bar_harness h{bars(bar_fill::next_open)};
  h.bar(close_d0, 10, 11, 9, 10.5);
  h.buy_limit(1, 100, 9.0, fb::TimeInForce::Gtc, close_d0);
  h.events();
  h.bar(close_d1, 10, 10.5, 9.01, 10.2);
  EXPECT_EQ(h.events(), lines{});
}

TEST(sim_broker_bars, a_trailing_stop_trails_after_checking_the_stop_it_had) {
  bar_harness h{bars(bar_fill::next_open)};
  h.bar(close_d0, 10, 10, 10, 10);
  order_spec o;
  o.symbol = sym;
  o.side = fb::Side::Sell;
  o.qty = quantity{100};
  o.type = fb::OrderType::TrailingStop;
  o.tif = fb::TimeInForce::Gtc;
  o.trail = usd(1);
  h.send(1, o, {}, close_d0);
  h.events();
  // The first bar sets the water mark at its high, 12: stop 11. The low of
  // 10.5 came before or after the high, nobody knows: it is checked against
  // the stop the order had before this bar (none yet), not against 11.
  h.bar(close_d1, 10, 12, 10.5, 11.5);
  EXPECT_EQ(h.events(), lines{});
  // The next bar's low reaches 11: triggered at the stop.
  h.bar(close_d2, 11.6, 11.8, 10.9, 11.2);
  EXPECT_EQ(h.events(), (lines{"triggered 1 stop 11.00 at 10.90 mark 12.00",
                               "filled 1 sell 100 @ 11.00 cum 100 leaves 0"}));
}

TEST(sim_broker_bars, when_a_bar_reaches_both_exits_the_stop_loss_is_taken) {
  bar_harness h{bars(bar_fill::next_open)};
  h.bar(close_d0, 10, 11, 9, 10);
  order_spec o;
  o.symbol = sym;
  o.side = fb::Side::Buy;
  o.qty = quantity{100};
  o.order_class = fb::OrderClass::Bracket;
  o.tif = fb::TimeInForce::Gtc;
  o.take_profit_limit = usd(12);
  o.stop_loss_stop = usd(9);
  submit_links links;
  links.take_profit = client_order_id{2};
  links.stop_loss = client_order_id{3};
  h.send(1, o, links, close_d0);
  h.events();
  h.bar(close_d1, 10, 10.5, 9.5, 10.2); // the entry fills at the open
  EXPECT_EQ(h.events(), (lines{"filled 1 buy 100 @ 10.00 cum 100 leaves 0", "accepted 2",
                               "accepted 3"}));
  h.bar(close_d2, 10, 12.5, 8.5, 11); // both 12 and 9 reached
  EXPECT_EQ(h.events(), (lines{"triggered 3 stop 9.00 at 8.50 mark 0.00",
                               "filled 3 sell 100 @ 9.00 cum 100 leaves 0",
                               "canceled 2 leaves 100"}));
}

TEST(sim_broker_bars, a_day_order_placed_at_the_close_lives_through_the_next_session) {
  bar_harness h{bars(bar_fill::next_open)};
  h.bar(close_d0, 10, 11, 9, 10.5);
  h.buy_limit(1, 100, 8.0, fb::TimeInForce::Day, close_d0);
  EXPECT_EQ(h.events(), (lines{"accepted 1"}));
  h.bar(close_d1, 10, 10.5, 9, 10.2); // the session it is for: not reached
  EXPECT_EQ(h.events(), lines{});
  h.bar(close_d2, 7.5, 8, 7, 7.8); // would fill, but the session is over
  EXPECT_EQ(h.events(), (lines{"expired 1 leaves 100"}));
}

TEST(sim_broker_bars, after_a_weekend_the_next_session_is_the_next_bars_day) {
  bar_harness h{bars(bar_fill::next_open)};
  h.bar(close_d0, 10, 11, 9, 10.5); // say, a Friday
  h.buy(1, 100);
  h.buy_limit(2, 100, 9.0, fb::TimeInForce::Day, close_d0);
  h.events();
  h.bar(close_d0 + 3 * day, 10.6, 11, 10, 10.8); // Monday: both still for this session
  EXPECT_EQ(h.events(), (lines{"filled 1 buy 100 @ 10.60 cum 100 leaves 0"}));
  h.bar(close_d0 + 4 * day, 8.5, 9, 8, 8.8); // the limit's session is over
  EXPECT_EQ(h.events(), (lines{"expired 2 leaves 100"}));
}

TEST(sim_broker_bars, an_opg_order_at_the_close_is_for_the_next_open) {
  bar_harness h{bars(bar_fill::next_open)};
  h.bar(close_d0, 10, 11, 9, 10.5);
  h.submit(1, fb::Side::Buy, 100, fb::OrderType::Market, fb::TimeInForce::Opg, {}, close_d0);
  EXPECT_EQ(h.events(), (lines{"accepted 1"}));
  h.bar(close_d1, 10.3, 10.5, 9, 10.2);
  EXPECT_EQ(h.events(), (lines{"filled 1 buy 100 @ 10.30 cum 100 leaves 0"}));
}

TEST(sim_broker_bars, commissions_per_order_and_in_basis_points) {
  auto cfg = bars(bar_fill::next_open);
  cfg.commission_per_order = money{1'000'000}; // $1 an order
  cfg.commission_bps = 5;                      // 0.05% of the notional
  bar_harness h{cfg};
  h.bar(close_d0, 10, 11, 9, 10.5);
  h.buy(1, 1000);
  h.take();
  h.bar(close_d1, 20, 21, 19, 20);
  auto f = h.one().as<fb::OrderFilled>();
  ASSERT_NE(f, nullptr);
  // $20,000 x 5 bps = $10, plus $1.
  EXPECT_EQ(f->commission(), 11'000'000);
}

TEST(sim_broker_bars, bars_of_other_symbols_and_batches_fill_by_row) {
  bar_harness h{bars(bar_fill::next_open)};
  h.bar(close_d0, 10, 11, 9, 10.5);
  h.buy(1, 100);
  h.events();
  h.bar(close_d1, 50, 51, 49, 50, symbol_id{2}); // another symbol: nothing
  EXPECT_EQ(h.events(), lines{});
  std::vector<fb::BarRow> rows{
    {0, close_d1, 2, 86'400, 50'000'000, 51'000'000, 49'000'000, 50'000'000, 1000},
    {0, close_d1, sym.value, 86'400, 10'900'000, 11'000'000, 10'000'000, 10'500'000, 1000}};
  h.broker.on_market(h.b.bar_batch({0, close_d1, 9}, rows));
  EXPECT_EQ(h.events(), (lines{"filled 1 buy 100 @ 10.90 cum 100 leaves 0"}));
}

TEST(sim_broker_bars, without_bar_fills_bars_only_move_time_on) {
  bar_harness h{};
  h.buy(1, 100, t0);
  h.events();
  h.bar(t0 + hour, 10, 11, 9, 10.5);
  EXPECT_EQ(h.events(), lines{});
  h.bar(close_d1, 10, 11, 9, 10.5);
  EXPECT_EQ(h.events(), (lines{"expired 1 leaves 100"}));
}

TEST(sim_broker_bars, refuses_negative_commissions) {
  auto cfg = bars(bar_fill::next_open);
  cfg.commission_bps = -1;
  EXPECT_EQ(validate(cfg), "sim broker: commissions must not be negative");
  cfg.commission_bps = 10'000;
  EXPECT_EQ(validate(cfg), "sim broker: commission_bps must be below 10000");
}
