// The rule strategy's decisions, as plain functions over its state.

#include <gtest/gtest.h>

#include <cmath>

#include "actors/rule_strategy.hpp"
#include "messages/msg_builder.hpp"

using namespace osprey;

namespace {

struct rule_strategy_fixture : ::testing::Test {
  rule_strategy_state st;
  msg_builder b;
  int64_t ts = 0;

  void use(const std::string& text, opposite_signal opposite = opposite_signal::close_only,
           bool long_short = false) {
    auto compiled = rules::compile_rules(text);
    ASSERT_TRUE(compiled) << compiled.error().text();
    st.params.rules = std::make_shared<rules::compiled_rules>(std::move(compiled.value()));
    st.params.opposite = opposite;
    st.params.long_short = long_short;
    st.cash = money{100'000 * micros_per_dollar};
  }
  /// One bar of symbol 0 with only OHLC (the rules here read no indicator).
  std::optional<rule_order> bar(double o, double h, double l, double c) {
    rules::bar_view v{o, h, l, c, 1000, ++ts, {}, nullptr};
    return decide(st, 0, v);
  }
  void filled(int64_t position) {
    position_values v;
    v.qty = quantity::of_shares(position);
    on_report(st, b.position_changed({}, symbol_id{0}, v));
    on_report(st, b.order_filled({}, client_order_id{1}, symbol_id{0}, fb::Side::Buy,
                                 quantity{1}, price::from_dollars(1), quantity{1}, quantity{0},
                                 money{}));
  }
};

} // namespace

TEST_F(rule_strategy_fixture, enters_on_the_entry_rule_sized_from_equity_and_waits_for_the_fill) {
  use("entry: close > open\nexit: close < open\nsize: 10% equity\n");
  EXPECT_FALSE(bar(10, 10, 10, 10));
  auto o = bar(10, 11, 10, 11);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->side, fb::Side::Buy);
  EXPECT_EQ(o->qty.shares(), 909); // $10,000 / $11
  EXPECT_EQ(o->reason, fb::IntentReason::RuleEntry);
  EXPECT_FALSE(bar(10, 12, 10, 12)); // its order is in flight
  filled(909);
  auto x = bar(12, 12, 9, 9);
  ASSERT_TRUE(x);
  EXPECT_EQ(x->side, fb::Side::Sell);
  EXPECT_EQ(x->qty.shares(), 909);
  EXPECT_EQ(x->reason, fb::IntentReason::RuleExit);
}

TEST_F(rule_strategy_fixture, a_stop_level_from_the_entry_close_exits_on_the_bars_low) {
  use("entry: close > open\nsize: 100 shares\nstop: 5%\ntarget: 10%\n");
  ASSERT_TRUE(bar(10, 20, 10, 20)); // entry decided at 20: stop 19, target 22
  filled(100);
  EXPECT_FALSE(bar(20, 21.9, 19.01, 21)); // neither level reached
  auto o = bar(21, 21, 18.9, 19.5);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->reason, fb::IntentReason::StopLevel);
  EXPECT_EQ(o->qty.shares(), 100);
}

TEST_F(rule_strategy_fixture, a_target_level_exits_on_the_bars_high) {
  use("entry: close > open\nsize: 100 shares\ntarget: 10%\n");
  ASSERT_TRUE(bar(10, 20, 10, 20));
  filled(100);
  auto o = bar(20, 22, 20, 21);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->reason, fb::IntentReason::TargetLevel);
}

TEST_F(rule_strategy_fixture, risk_sizing_divides_the_risked_equity_by_the_stop) {
  use("entry: close > open\nsize: risk 1%\nstop: 2\n");
  auto o = bar(10, 20, 10, 20);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->qty.shares(), 500); // $1,000 at risk / $2 a share
}

TEST_F(rule_strategy_fixture, an_opposite_signal_closes_reverses_or_is_ignored) {
  const char* text = "entry: close > open\nshort_entry: close < open\nsize: 100 shares\n";
  use(text, opposite_signal::close_only, true);
  ASSERT_TRUE(bar(10, 11, 10, 11));
  filled(100);
  auto o = bar(11, 11, 9, 9);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->side, fb::Side::Sell);
  EXPECT_EQ(o->qty.shares(), 100); // closed, not reversed

  st = {};
  use(text, opposite_signal::reverse, true);
  ASSERT_TRUE(bar(10, 11, 10, 11));
  filled(100);
  o = bar(11, 11, 9, 9);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->qty.shares(), 200); // closes 100 and sells 100 short
  EXPECT_EQ(o->reason, fb::IntentReason::RuleEntry);

  st = {};
  use(text, opposite_signal::ignore, true);
  ASSERT_TRUE(bar(10, 11, 10, 11));
  filled(100);
  EXPECT_FALSE(bar(11, 11, 9, 9));
}

TEST_F(rule_strategy_fixture, long_only_never_sells_short) {
  use("entry: close > open\nshort_entry: close < open\nsize: 100 shares\n");
  EXPECT_FALSE(bar(11, 11, 9, 9));
}

TEST_F(rule_strategy_fixture, a_denial_frees_the_symbol_for_the_next_bar) {
  use("entry: close > open\nsize: 100 shares\n");
  ASSERT_TRUE(bar(10, 11, 10, 11));
  EXPECT_FALSE(bar(10, 11, 10, 11));
  on_report(st, b.order_denied({}, symbol_id{0}, fb::Side::Buy, quantity{100}, price{},
                               fb::DenyReason::MaxOrderNotional, 0, 0));
  EXPECT_TRUE(bar(10, 11, 10, 11));
}

TEST(rule_strategy_brackets, prices_sit_on_the_venue_grid) {
  EXPECT_EQ(venue_price(21.004), 21'000'000);
  EXPECT_EQ(venue_price(21.006), 21'010'000);
  EXPECT_EQ(venue_price(0.123456), 123'500);
  EXPECT_EQ(venue_price(1.0), 1'000'000);
}

TEST(rule_strategy_brackets, refuses_what_would_fight_the_venues_legs) {
  auto compiled = [](const char* text) {
    auto c = rules::compile_rules(text);
    EXPECT_TRUE(c) << c.error().text();
    return std::move(c.value());
  };
  EXPECT_EQ(bracket_conflict(compiled("entry: close > open\nstop: 5%\n"), opposite_signal::ignore), "");
  EXPECT_NE(bracket_conflict(compiled("entry: close > open\n"), opposite_signal::ignore)
              .find("need a stop: or a target:"),
            std::string::npos);
  EXPECT_NE(bracket_conflict(compiled("entry: close > open\nexit: close < open\ntarget: 5%\n"),
                             opposite_signal::ignore)
              .find("exit rule"),
            std::string::npos);
  EXPECT_NE(bracket_conflict(compiled("entry: close > open\ntarget: 5%\n"),
                             opposite_signal::close_only)
              .find("opposite"),
            std::string::npos);
}

TEST_F(rule_strategy_fixture, bracket_exits_send_the_levels_with_the_entry_and_leave_the_exit_to_the_venue) {
  use("entry: close > open\nsize: 100 shares\nstop: 5%\ntarget: 10%\n", opposite_signal::ignore);
  st.params.bracket_exits = true;
  auto o = bar(10, 20.003, 10, 20.003); // stop 19.00285, target 22.0033
  ASSERT_TRUE(o);
  EXPECT_EQ(o->reason, fb::IntentReason::RuleEntry);
  EXPECT_EQ(o->stop_loss, 19'000'000);
  EXPECT_EQ(o->take_profit, 22'000'000);
  filled(100);
  // Past both levels: the venue's legs act, the strategy sends nothing.
  EXPECT_FALSE(bar(20, 30, 10, 25));
  // Flat again (a leg filled): the next entry goes out.
  filled(0);
  EXPECT_TRUE(bar(10, 11, 10, 11));
}

TEST_F(rule_strategy_fixture, a_bracket_with_one_level_has_one_leg) {
  use("entry: close > open\nsize: 100 shares\ntarget: 10%\n", opposite_signal::ignore);
  st.params.bracket_exits = true;
  auto o = bar(10, 20, 10, 20);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->take_profit, 22'000'000);
  EXPECT_EQ(o->stop_loss, 0);
}

TEST_F(rule_strategy_fixture, all_cash_spends_the_cash_held_not_the_equity) {
  use("entry: close > open\nsize: all cash\n");
  st.cash = money{5'000 * micros_per_dollar};
  auto o = bar(10, 11, 10, 11);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->qty.shares(), 454); // $5,000 / $11, whole shares
  on_report(st, b.order_denied({}, symbol_id{0}, fb::Side::Buy, quantity{454}, price{},
                               fb::DenyReason::MaxOrderNotional, 0, 0));
  st.cash = money{5 * micros_per_dollar};
  EXPECT_FALSE(bar(10, 11, 10, 11)) << "less cash than one share: no order";
  EXPECT_EQ(st.vetoed_size, 1u);
}

TEST_F(rule_strategy_fixture, fractional_sizing_buys_to_the_nano_share_never_more_than_asked) {
  use("entry: close > open\nsize: all cash\n");
  st.params.fractional = true;
  st.cash = money{5'000 * micros_per_dollar};
  auto o = bar(10, 11, 10, 11);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->qty, *parse_quantity("454.545454545")); // $5,000 / $11, truncated
  EXPECT_LE((price::from_dollars(11) * o->qty).micros, 5'000 * micros_per_dollar);
  // Less cash than one share still buys its fraction.
  on_report(st, b.order_denied({}, symbol_id{0}, fb::Side::Buy, o->qty, price{},
                               fb::DenyReason::MaxOrderNotional, 0, 0));
  st.cash = money{5 * micros_per_dollar};
  auto small = bar(10, 11, 10, 11);
  ASSERT_TRUE(small);
  EXPECT_EQ(small->qty, *parse_quantity("0.454545454"));
}

TEST(entry_quantity, whole_shares_round_down_fractions_keep_nine_decimals) {
  rules::sizing pct{rules::sizing_kind::percent_of_equity, 0.10, {}};
  EXPECT_EQ(entry_quantity(pct, 30, 1'000, 1'000, NAN, false), quantity{3});
  EXPECT_EQ(entry_quantity(pct, 30, 1'000, 1'000, NAN, true), *parse_quantity("3.333333333"));
  rules::sizing fixed{rules::sizing_kind::shares, 0.5, {}};
  EXPECT_EQ(entry_quantity(fixed, 30, 1'000, 1'000, NAN, false), quantity{});
  EXPECT_EQ(entry_quantity(fixed, 30, 1'000, 1'000, NAN, true), *parse_quantity("0.5"));
  EXPECT_EQ(entry_quantity(pct, 0, 1'000, 1'000, NAN, true), quantity{});
  EXPECT_EQ(entry_quantity(pct, 30, -1'000, 1'000, NAN, true), quantity{});
}

TEST_F(rule_strategy_fixture, bars_before_trade_from_fill_the_history_but_trade_nothing) {
  use("entry: close > close[1]\nsize: 100 shares\n");
  st.params.trade_from_ns = 3;
  EXPECT_FALSE(bar(10, 10, 10, 10)); // ts 1
  EXPECT_FALSE(bar(10, 11, 10, 11)); // ts 2: the rule is true, but before trade_from
  auto o = bar(11, 12, 11, 12);      // ts 3: close[1] is 11 from the warm-up bar
  ASSERT_TRUE(o);
  EXPECT_EQ(o->qty.shares(), 100);
}

TEST_F(rule_strategy_fixture, equity_counts_positions_of_symbols_it_gets_no_signals_for) {
  use("entry: close > open\nsize: 10% equity\n");
  st.cash = money{50'000 * micros_per_dollar};
  // Another strategy holds 500 shares of symbol 3, marked at $100.
  position_values v;
  v.qty = quantity{500};
  v.mark = price::from_dollars(100);
  on_report(st, b.position_changed({}, symbol_id{3}, v));
  EXPECT_EQ(st.equity().micros, 100'000 * micros_per_dollar);
  auto o = bar(10, 11, 10, 10.5);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->qty.shares(), 952); // 10% of $100,000 / $10.50
}
