#include <gtest/gtest.h>

#include <cmath>

#include "actors/strategy.hpp"
#include "messages/msg_builder.hpp"

using namespace osprey;

namespace {

struct breakout_strategy : ::testing::Test {
  msg_builder b;
  breakout_params params;
  breakout_position pos;

  // A bar that closes at `close` with `volume`, against a 20-bar high of 100,
  // a 10-bar low of 95 and an average volume of 1000.
  msg signal_of(double close, int64_t volume, bool ready = true,
                double high = 100, double low = 95) {
    signal_values v;
    v.close = price::from_dollars(close);
    v.volume = quantity::of_shares(volume);
    v.avg_volume = 1000;
    v.high_n = price::from_dollars(high);
    v.low_m = price::from_dollars(low);
    v.ready = ready;
    return b.signal({}, symbol_id{0}, v);
  }

  std::optional<breakout_intent> decide_on(const msg& s) {
    return decide(pos, params, *s.as<fb::Signal>());
  }

  void fill_position(int64_t qty, double avg) {
    position_values v;
    v.qty = quantity::of_shares(qty);
    v.average_price = price::from_dollars(avg);
    on_outcome(pos, b.position_changed({}, symbol_id{0}, v));
    on_outcome(pos, b.order_filled({}, client_order_id{1}, symbol_id{0},
                                   fb::Side::Buy, quantity::of_shares(qty),
                                   price::from_dollars(avg), quantity::of_shares(qty),
                                   quantity{0}, money{}));
  }
};

} // namespace

TEST_F(breakout_strategy, enters_on_a_close_above_the_high_with_volume_confirmation) {
  auto intent = decide_on(signal_of(101, 2000));
  ASSERT_TRUE(intent);
  EXPECT_EQ(intent->side, fb::Side::Buy);
  EXPECT_EQ(intent->qty.shares(), 10'000 * micros_per_dollar / price::from_dollars(101).micros);
  EXPECT_EQ(intent->why.code, fb::IntentReason::BreakoutEntry);
  EXPECT_EQ(intent->why.trigger, price::from_dollars(101));
  EXPECT_EQ(intent->why.level, price::from_dollars(100));
  EXPECT_EQ(intent->why.volume.shares(), 2000);
  EXPECT_DOUBLE_EQ(intent->why.avg_volume, 1000);
  EXPECT_TRUE(pos.pending);
}

TEST_F(breakout_strategy, does_not_enter_without_volume_confirmation) {
  EXPECT_FALSE(decide_on(signal_of(101, 1500))); // exactly 1.5x is not above
}

TEST_F(breakout_strategy, does_not_enter_at_or_below_the_high) {
  EXPECT_FALSE(decide_on(signal_of(100, 5000)));
}

TEST_F(breakout_strategy, does_nothing_while_indicators_warm_up) {
  EXPECT_FALSE(decide_on(signal_of(150, 5000, false)));
}

TEST_F(breakout_strategy, waits_for_the_outcome_of_an_intent_in_flight) {
  ASSERT_TRUE(decide_on(signal_of(101, 2000)));
  EXPECT_FALSE(decide_on(signal_of(102, 3000)));
  on_outcome(pos, b.order_denied({}, symbol_id{0}, fb::Side::Buy, quantity{1},
                                 price{}, fb::DenyReason::KillSwitch, 1, 0));
  EXPECT_FALSE(pos.pending);
  EXPECT_TRUE(decide_on(signal_of(102, 3000)));
}

TEST_F(breakout_strategy, stays_pending_through_a_partial_fill) {
  ASSERT_TRUE(decide_on(signal_of(101, 2000)));
  on_outcome(pos, b.order_filled({}, client_order_id{1}, symbol_id{0}, fb::Side::Buy,
                                 quantity{10}, price{}, quantity{10},
                                 quantity{89}, money{}));
  EXPECT_TRUE(pos.pending);
}

TEST_F(breakout_strategy, exits_on_the_trailing_stop_from_the_highest_close) {
  fill_position(100, 100);
  EXPECT_FALSE(decide_on(signal_of(110, 1000, true, 120, 90))); // high water 110
  // 2% below 110 is 107.80: a close of 107.81 holds, 107.80 exits.
  EXPECT_FALSE(decide_on(signal_of(107.81, 1000, true, 120, 90)));
  auto intent = decide_on(signal_of(107.80, 1000, true, 120, 90));
  ASSERT_TRUE(intent);
  EXPECT_EQ(intent->side, fb::Side::Sell);
  EXPECT_EQ(intent->qty.shares(), 100);
  EXPECT_EQ(intent->why.code, fb::IntentReason::TrailingStopExit);
  EXPECT_EQ(intent->why.level, price::from_dollars(107.80));
}

TEST_F(breakout_strategy, exits_on_a_close_below_the_low) {
  fill_position(100, 100);
  auto intent = decide_on(signal_of(99, 1000, true, 120, 99.5));
  ASSERT_TRUE(intent);
  EXPECT_EQ(intent->why.code, fb::IntentReason::ChannelLowExit);
  EXPECT_EQ(intent->why.level, price::from_dollars(99.5));
}

TEST_F(breakout_strategy, starts_the_high_water_mark_at_the_entry_price) {
  fill_position(100, 100);
  EXPECT_EQ(pos.high_water, price::from_dollars(100));
  EXPECT_FALSE(pos.pending);
}

TEST_F(breakout_strategy, outcome_symbol_reads_the_symbol_of_every_outcome) {
  EXPECT_EQ(outcome_symbol(b.order_canceled({}, client_order_id{1}, symbol_id{3},
                                            fb::Side::Buy, quantity{1})),
            3u);
  EXPECT_FALSE(outcome_symbol(b.cancel_order({}, client_order_id{1})));
}

TEST_F(breakout_strategy, a_news_gate_blocks_entries_while_the_news_reads_worse) {
  params.min_news_sentiment = -0.2;
  news_sentiment_values bad;
  bad.sentiment = -0.5;
  on_news(pos, *b.news_sentiment({}, symbol_id{0}, bad).as<fb::NewsSentiment>());
  EXPECT_FALSE(decide_on(signal_of(101, 2000)));
  EXPECT_FALSE(pos.pending);
  EXPECT_EQ(pos.entries_vetoed_by_news, 1u);
  // Better news lifts the gate.
  news_sentiment_values better;
  better.sentiment = 0.1;
  on_news(pos, *b.news_sentiment({}, symbol_id{0}, better).as<fb::NewsSentiment>());
  EXPECT_TRUE(decide_on(signal_of(101, 2000)));
}

TEST_F(breakout_strategy, without_a_news_gate_bad_news_does_not_block) {
  news_sentiment_values bad;
  bad.sentiment = -1;
  on_news(pos, *b.news_sentiment({}, symbol_id{0}, bad).as<fb::NewsSentiment>());
  EXPECT_TRUE(decide_on(signal_of(101, 2000)));
}

TEST_F(breakout_strategy, recovery_replays_the_news_readings) {
  strategy_state st;
  st.params.min_news_sentiment = 0;
  news_sentiment_values bad;
  bad.sentiment = -0.4;
  recover(st, b.news_sentiment({}, symbol_id{2}, bad));
  EXPECT_DOUBLE_EQ(st.position(2).news_sentiment, -0.4);
}

TEST_F(breakout_strategy, bars_before_trade_from_only_warm_up) {
  strategy_state st;
  st.params.trade_from_ns = 2'000;
  signal_values v;
  v.close = price::from_dollars(101);
  v.volume = quantity{2000};
  v.avg_volume = 1000;
  v.high_n = price::from_dollars(100);
  v.low_m = price::from_dollars(95);
  v.ready = true;
  recover(st, b.signal({1, 1'999, 1'999}, symbol_id{0}, v));
  EXPECT_EQ(st.intents, 0u) << "a breakout before trade_from is not traded";
  EXPECT_FALSE(st.position(0).pending);
  recover(st, b.signal({2, 2'000, 2'000}, symbol_id{0}, v));
  EXPECT_EQ(st.intents, 1u);
}
