// Chart features of the run score and comparable set-ups, on series whose
// answers can be worked out by hand.

#include <gtest/gtest.h>

#include <cmath>

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
  for (double r : {0.10, -0.05, 0.02, 0.30, 0.06})
    s.push_back({0, 0, r});
  auto band = band_of(s);
  EXPECT_NEAR(band.low, 0.02, 1e-12);
  EXPECT_NEAR(band.median, 0.06, 1e-12);
  EXPECT_NEAR(band.high, 0.10, 1e-12);
  EXPECT_TRUE(std::isnan(band_of({}).median));
}
