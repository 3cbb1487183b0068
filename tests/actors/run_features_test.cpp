// Chart features of the run score and comparable set-ups, on series whose
// answers can be worked out by hand.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "actors/run_features.hpp"

using namespace osprey;

namespace {

std::vector<daily_bar> flat_then_breakout() {
  std::vector<daily_bar> b;
  for (int d = 0; d < 60; ++d)
    b.push_back({d, 100, 100, 100, 100, 1000});
  b.push_back({60, 100, 111, 100, 110, 3000});
  return b;
}

} // namespace

TEST(run_features, a_breakout_on_triple_volume_from_a_long_base) {
  auto b = flat_then_breakout();
  auto i = institutional_at(b, 60);
  auto o = other_at(b, 60);
  EXPECT_DOUBLE_EQ(i.volume_ratio, 3.0);
  EXPECT_DOUBLE_EQ(i.up_down_volume, 10.0); // no down days: capped
  EXPECT_NEAR(o.breakout_pct, 10.0, 1e-9);
  EXPECT_DOUBLE_EQ(o.base_length_days, 60.0);
  EXPECT_NEAR(o.trend_pct, (110.0 / ((49 * 100.0 + 110) / 50) - 1) * 100, 1e-9);
  EXPECT_NEAR(o.from_high_pct, (1 - 110.0 / 111) * 100, 1e-9);
  EXPECT_NEAR(o.atr_pct, 11.0 / 14 / 110 * 100, 1e-9);
  EXPECT_DOUBLE_EQ(o.gap_pct, 0.0);
  // The score reads it as strong.
  auto r = score_run(i, {}, o);
  EXPECT_GE(r.score, 75.0);
}

TEST(run_features, short_histories_leave_features_missing) {
  auto b = flat_then_breakout();
  b.resize(10);
  auto i = institutional_at(b, 9);
  auto o = other_at(b, 9);
  EXPECT_TRUE(std::isnan(i.volume_ratio));
  EXPECT_TRUE(std::isnan(o.trend_pct));
  EXPECT_TRUE(std::isnan(o.breakout_pct));
  EXPECT_FALSE(std::isnan(o.gap_pct));
  EXPECT_TRUE(std::isnan(institutional_at(b, 99).volume_ratio)); // out of range
}

TEST(run_features, comparables_are_the_nearest_past_days_with_their_outcome) {
  // A price that oscillates with period 40 and volume spikes every 40 days:
  // days one period apart look alike.
  std::vector<daily_bar> b;
  for (int d = 0; d < 400; ++d) {
    double c = 100 + 10 * std::sin(d * 2 * M_PI / 40) + d * 0.05;
    double v = d % 40 == 10 ? 5000 : 1000 + (d % 7) * 10;
    b.push_back({d, c, c + 1, c - 1, c, v});
  }
  size_t today = 370;
  auto near = comparable_setups(b, today, 5, 10);
  ASSERT_EQ(near.size(), 5u);
  for (size_t k = 0; k < near.size(); ++k) {
    EXPECT_LT(near[k].index + 10, today);
    if (k) {
      EXPECT_LE(near[k - 1].distance, near[k].distance);
    }
    EXPECT_NEAR(near[k].forward_return, b[near[k].index + 10].close / b[near[k].index].close - 1,
                1e-12);
    EXPECT_EQ(near[k].index % 40, today % 40) << near[k].index; // the same phase
  }
}

TEST(run_features, the_upside_band_is_the_quartiles_of_the_outcomes) {
  std::vector<comparable> s;
  for (double r : {0.10, -0.05, 0.02, 0.30, 0.06}) {
    comparable c;
    c.forward_return = r;
    s.push_back(c);
  }
  auto band = band_of(s);
  EXPECT_NEAR(band.low, 0.02, 1e-12);
  EXPECT_NEAR(band.median, 0.06, 1e-12);
  EXPECT_NEAR(band.high, 0.10, 1e-12);
  EXPECT_TRUE(std::isnan(band_of({}).median));
}

namespace {

constexpr int64_t day_ns = 86'400'000'000'000;

trade_print print_at(int64_t ts, double dollars, int64_t size) {
  return {ts, static_cast<int64_t>(dollars * 1'000'000 + 0.5), size};
}

} // namespace

TEST(run_features, block_trades_are_big_in_shares_or_in_notional_on_the_day_only) {
  int64_t d = 20'000 * day_ns; // a UTC midnight
  std::vector<trade_print> t = {
    print_at(d - 1, 50, 50'000),            // the day before: not counted
    print_at(d + 1, 50, 10'000),            // 10,000 shares: a block
    print_at(d + 2, 50, 9'999),             // $499,950: a block by notional
    print_at(d + 3, 10, 9'999),             // $99,990 and 9,999 shares: not
    print_at(d + 4, 20, 10'000 - 1),        // $199,980: not
    print_at(d + 5, 40, 5'000),             // exactly $200,000: a block
    print_at(d + day_ns, 50, 50'000),       // the next day: not counted
  };
  EXPECT_EQ(count_block_trades(t, d, {}), 3u);
  EXPECT_EQ(count_block_trades(t, d, {1'000'000, 1'000'000'000'000'000}), 0u);
  EXPECT_EQ(count_block_trades(t, d - day_ns, {}), 1u);
  // Price x size past 64 bits still counts, not wraps.
  std::vector<trade_print> huge = {{d, 4'000'000'000'000, 4'000'000'000}};
  EXPECT_EQ(count_block_trades(huge, d, {std::numeric_limits<int64_t>::max(), 1}), 1u);
}

TEST(run_features, utc_day_of_floors_to_midnight_before_and_after_the_epoch) {
  EXPECT_EQ(utc_day_of(0), 0);
  EXPECT_EQ(utc_day_of(day_ns + 5), day_ns);
  EXPECT_EQ(utc_day_of(-1), -day_ns);
}

TEST(run_features, daily_bars_from_trades_are_one_ohlcv_bar_per_utc_day) {
  std::vector<trade_print> t = {print_at(10, 10, 100), print_at(20, 12, 50),
                                print_at(30, 9, 25), print_at(day_ns + 7, 11, 10)};
  auto b = daily_bars_from_trades(t);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].ts, 30);
  EXPECT_DOUBLE_EQ(b[0].open, 10);
  EXPECT_DOUBLE_EQ(b[0].high, 12);
  EXPECT_DOUBLE_EQ(b[0].low, 9);
  EXPECT_DOUBLE_EQ(b[0].close, 9);
  EXPECT_DOUBLE_EQ(b[0].volume, 175);
  EXPECT_EQ(b[1].ts, day_ns + 7);
  EXPECT_DOUBLE_EQ(b[1].volume, 10);
}

TEST(run_features, nearest_setups_mix_sources_and_unknown_outcomes_stay_out_of_the_band) {
  std::vector<setup_candidate> pool(4);
  pool[0].features = {1, 0, 0, 0, 0};
  pool[0].about.forward_return = 0.10;
  pool[0].about.ticker = "AAA";
  pool[1].features = {2, 0, 0, 0, 0};
  pool[1].about.forward_return = missing; // not yet known
  pool[1].about.ticker = "BBB";
  pool[1].about.source = setup_source::past_evaluation;
  pool[2].features = {4, 0, 0, 0, 0};
  pool[2].about.forward_return = -0.20;
  pool[3].features = {missing, 0, 0, 0, 0}; // incomplete: ignored
  // Feature 0 has mean 7/3 and spread sqrt(14/9) over the three complete
  // candidates; the others have none and are scaled by 1.
  auto near = nearest_setups({2.2, 0, 0, 0, 0}, pool, 3);
  ASSERT_EQ(near.size(), 3u);
  auto sd = std::sqrt(14.0 / 9.0);
  EXPECT_EQ(near[0].ticker, "BBB");
  EXPECT_EQ(near[0].source, setup_source::past_evaluation);
  EXPECT_NEAR(near[0].distance, 0.2 / sd, 1e-12);
  EXPECT_EQ(near[1].ticker, "AAA");
  EXPECT_NEAR(near[1].distance, 1.2 / sd, 1e-12);
  EXPECT_NEAR(near[2].distance, 1.8 / sd, 1e-12);
  auto band = band_of(near);
  EXPECT_NEAR(band.median, -0.05, 1e-12); // of 0.10 and -0.20 only
  EXPECT_TRUE(std::isnan(band_of({near[0]}).median));
  EXPECT_STREQ(to_string(setup_source::history_file), "history file");
  EXPECT_STREQ(to_string(setup_source::past_evaluation), "past evaluation");
}

TEST(run_features, comparables_from_history_candidates_match_comparable_setups) {
  std::vector<daily_bar> b;
  for (int d = 0; d < 200; ++d) {
    double c = 100 + 10 * std::sin(d * 0.3) + d * 0.1;
    b.push_back({d, c, c + 1, c - 1, c, 1000.0 + (d % 9) * 100});
  }
  auto a = comparable_setups(b, 190, 4, 10);
  auto pool = history_candidates(b, 190, 10, "SINE");
  auto n = nearest_setups(setup_features_at(b, 190), pool, 4);
  ASSERT_EQ(a.size(), 4u);
  ASSERT_EQ(n.size(), 4u);
  for (size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(a[k].index, n[k].index);
    EXPECT_EQ(n[k].ts, b[n[k].index].ts);
    EXPECT_EQ(n[k].ticker, "SINE");
  }
}
