#include "actors/indicator_catalog.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

using namespace osprey::ind;

namespace {

std::string refusal(const std::string& list) {
  try {
    parse_indicator_list(list);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(accepted)";
}

bar_input bar_at(int i) {
  double c = 100 + 10 * std::sin(i * 0.3) + i * 0.1;
  return {c - 0.5, c + 1.5, c - 1.5, c, 1000.0 + 37 * (i % 11)};
}

} // namespace

TEST(indicator_catalog, names_columns_the_way_signals_prints_them) {
  auto specs = parse_indicator_list("sma:20,macd:12:26:9,bb:20:2,stoch:14:3:3,gap,rvol:20:252");
  EXPECT_EQ(columns_of(specs),
            (std::vector<std::string>{"sma_20", "macd_12_26_9", "macd_12_26_9_signal",
                                      "macd_12_26_9_hist", "bb_20_2_upper", "bb_20_2_middle",
                                      "bb_20_2_lower", "stoch_14_3_3_k", "stoch_14_3_3_d",
                                      "gap_pct", "rvol_20_252"}));
  EXPECT_EQ(specs[1].p1, 12);
  EXPECT_EQ(specs[1].p3, 9);
  EXPECT_DOUBLE_EQ(specs[2].real, 2.0);
  EXPECT_DOUBLE_EQ(specs[5].real, 252.0);
  EXPECT_EQ(specs[0].text, "sma:20");
}

TEST(indicator_catalog, refuses_bad_entries_naming_them) {
  EXPECT_EQ(refusal("sma:20,foo:3").rfind("foo:3: unknown indicator \"foo\"", 0), 0u);
  EXPECT_EQ(refusal("macd:12:26"), "macd:12:26: expected macd:FAST:SLOW:SIGNAL");
  EXPECT_EQ(refusal("sma:0"), "sma:0: \"0\" is not a period (a whole number >= 1)");
  EXPECT_EQ(refusal("sma:2x"), "sma:2x: \"2x\" is not a period (a whole number >= 1)");
  EXPECT_EQ(refusal("bb:20:-1"), "bb:20:-1: \"-1\" is not a positive number");
  EXPECT_EQ(refusal("obv:3"), "obv:3: expected obv (no parameters)");
  EXPECT_EQ(refusal("sma:20,,ema:5"), "an empty entry in \"sma:20,,ema:5\"");
  EXPECT_EQ(refusal(""), "the indicator list is empty");
}

TEST(indicator_catalog, a_set_gives_what_the_indicators_give_on_their_own) {
  auto specs = parse_indicator_list("sma:5,roc:3,macd:3:6:2,atr:4,vwap,breakout:5");
  indicator_set set{specs};
  ASSERT_EQ(set.width(), 1u + 1 + 3 + 1 + 1 + 3);
  sma s{5};
  rate_of_change r{3};
  macd m{3, 6, 2};
  atr a{4};
  session_vwap v;
  breakout b{5};
  std::vector<double> got(set.width());
  for (int i = 0; i < 60; ++i) {
    auto in = bar_at(i);
    int64_t session = i / 10;
    set.update(in, session);
    s.update(in.close);
    r.update(in.close);
    m.update(in.close);
    a.update(in);
    v.update(in, session);
    b.update(in);
    set.values(got.data());
    double want[] = {s.value(), r.percent(), m.line(), m.signal(), m.histogram(), a.value(),
                     v.value(), b.value(), b.prior_high(), b.prior_low()};
    for (size_t k = 0; k < got.size(); ++k) {
      if (std::isnan(want[k]))
        EXPECT_TRUE(std::isnan(got[k])) << "bar " << i << " column " << k;
      else
        EXPECT_DOUBLE_EQ(got[k], want[k]) << "bar " << i << " column " << k;
    }
  }
}

TEST(indicator_catalog, values_are_nan_while_warming_up) {
  indicator_set set{parse_indicator_list("sma:3,rsi:14")};
  double out[2];
  set.update(bar_at(0), 0);
  set.values(out);
  EXPECT_TRUE(std::isnan(out[0]));
  EXPECT_TRUE(std::isnan(out[1]));
  set.update(bar_at(1), 0);
  set.update(bar_at(2), 0);
  set.values(out);
  EXPECT_TRUE(std::isfinite(out[0]));
  EXPECT_TRUE(std::isnan(out[1]));
}

TEST(indicator_catalog, averages_and_extremes_read_the_chosen_field) {
  auto specs = parse_indicator_list("avg:volume:3,highest:high:3,lowest:low:2");
  EXPECT_EQ(columns_of(specs),
            (std::vector<std::string>{"avg_volume_3", "highest_high_3", "lowest_low_2"}));
  EXPECT_EQ(specs[0].field, bar_field::volume);
  EXPECT_EQ(specs[0].p1, 3);
  indicator_set set{specs};
  double out[3];
  bar_input bars[] = {{1, 5, 0.5, 2, 100}, {2, 7, 1.5, 3, 200}, {3, 6, 1.0, 4, 600},
                      {4, 4, 2.0, 3, 100}};
  set.update(bars[0], 0, out);
  EXPECT_TRUE(std::isnan(out[0]));
  EXPECT_TRUE(std::isnan(out[2]));
  set.update(bars[1], 0, out);
  EXPECT_DOUBLE_EQ(out[2], 0.5);
  set.update(bars[2], 0, out);
  EXPECT_DOUBLE_EQ(out[0], 300.0);
  EXPECT_DOUBLE_EQ(out[1], 7.0);
  EXPECT_DOUBLE_EQ(out[2], 1.0);
  set.update(bars[3], 0, out);
  EXPECT_DOUBLE_EQ(out[0], 300.0);
  EXPECT_DOUBLE_EQ(out[1], 7.0);
  EXPECT_DOUBLE_EQ(out[2], 1.0);
}

TEST(indicator_catalog, refuses_an_unknown_field) {
  EXPECT_EQ(refusal("avg:price:20"),
            "avg:price:20: \"price\" is not a bar field (open high low close volume)");
  EXPECT_EQ(refusal("highest:high"),
            "highest:high: expected highest:FIELD:PERIOD (FIELD: open high low close volume)");
}
