#include <gtest/gtest.h>

#include <cmath>

#include "actors/signal.hpp"
#include "messages/msg_builder.hpp"

using namespace osprey;

namespace {

msg bar(msg_builder& b, double high, double low, double close, int64_t volume) {
  return b.bar({}, symbol_id{0}, 60, price::from_dollars(close),
               price::from_dollars(high), price::from_dollars(low),
               price::from_dollars(close), quantity::of_shares(volume));
}

} // namespace

TEST(signal, levels_describe_the_bars_before_the_current_one) {
  signal_params p;
  p.high_period = 3;
  p.low_period = 2;
  p.volume_period = 3;
  p.sma_period = 3;
  symbol_indicators ind{p};
  msg_builder b;
  update_indicators(ind, *bar(b, 10, 8, 9, 100).as<fb::Bar>());
  update_indicators(ind, *bar(b, 12, 9, 11, 200).as<fb::Bar>());
  auto v = update_indicators(ind, *bar(b, 11, 7, 10, 300).as<fb::Bar>());
  EXPECT_FALSE(v.ready); // three bars seen, but the levels need three before
  v = update_indicators(ind, *bar(b, 20, 15, 19, 1'200).as<fb::Bar>());
  ASSERT_TRUE(v.ready);
  EXPECT_EQ(v.high_n, price::from_dollars(12)); // of bars 1..3, not bar 4
  EXPECT_EQ(v.low_m, price::from_dollars(7));   // of bars 2..3
  EXPECT_DOUBLE_EQ(v.avg_volume, 200);          // (100 + 200 + 300) / 3
  EXPECT_EQ(v.close, price::from_dollars(19));
  EXPECT_EQ(v.volume.shares(), 1'200);
  EXPECT_NEAR(v.sma, (11 + 10 + 19) / 3.0, 1e-12); // includes the current bar
}

TEST(signal, indicator_values_are_nan_while_warming_up) {
  signal_params p;
  symbol_indicators ind{p};
  msg_builder b;
  auto v = update_indicators(ind, *bar(b, 10, 9, 9.5, 100).as<fb::Bar>());
  EXPECT_FALSE(v.ready);
  EXPECT_TRUE(std::isnan(v.sma));
  EXPECT_TRUE(std::isnan(v.rsi));
  EXPECT_TRUE(std::isnan(v.avg_volume));
}

TEST(signal, keeps_separate_indicators_per_symbol) {
  signal_state st;
  st.params.sma_period = 1;
  auto& a = st.indicators(3);
  EXPECT_EQ(st.symbols.size(), 4u);
  msg_builder b;
  update_indicators(a, *bar(b, 10, 9, 9.5, 100).as<fb::Bar>());
  EXPECT_TRUE(st.symbols[3].sma.ready());
  EXPECT_FALSE(st.symbols[0].sma.ready());
}

TEST(signal, without_breakout_fields_only_the_configured_indicators_are_computed) {
  signal_params p;
  p.breakout_fields = false;
  p.high_period = 2;
  p.low_period = 2;
  p.volume_period = 2;
  p.extra = {ind::parse_indicator("sma:2")};
  symbol_indicators ind{p};
  msg_builder b;
  signal_values v;
  for (double c : {10.0, 12.0, 14.0})
    v = update_indicators(ind, *bar(b, c + 1, c - 1, c, 100).as<fb::Bar>());
  EXPECT_FALSE(v.ready);
  EXPECT_EQ(v.high_n.micros, 0);
  EXPECT_EQ(v.sma, 0.0);
  ASSERT_EQ(v.extra.size(), 1u);
  EXPECT_DOUBLE_EQ(v.extra[0], 13.0); // sma(close, 2) of 12 and 14
  EXPECT_EQ(v.close, price::from_dollars(14));
}
