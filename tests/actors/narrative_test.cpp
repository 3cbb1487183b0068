// Narrative metrics per symbol over event time.

#include <gtest/gtest.h>

#include <cmath>

#include "actors/narrative.hpp"

using namespace osprey;

namespace {

constexpr int64_t minute = 60'000'000'000;
constexpr int64_t hour = 60 * minute;
constexpr int64_t t0 = 1'767'625'200'000'000'000;

} // namespace

TEST(narrative, a_burst_over_a_quiet_baseline_is_trending) {
  narrative_tracker n;
  // Baseline: one mention every two hours over the day before.
  for (int i = 0; i < 12; ++i)
    n.mention(7, t0 - 25 * hour + i * 2 * hour, 0.1);
  // Now: twelve mentions in the last hour, mostly positive.
  for (int i = 0; i < 12; ++i)
    n.mention(7, t0 - 55 * minute + i * 4 * minute, 0.5);
  auto m = n.metrics(7, t0);
  EXPECT_EQ(m.mentions_window, 12u);
  EXPECT_EQ(m.mentions_baseline, 11u); // the first fell out of the 24 h baseline
  // 12 per hour now against 11 per 24 hours.
  EXPECT_NEAR(m.velocity, 12.0 / (11.0 / 24.0), 1e-9);
  EXPECT_TRUE(m.trending);
  EXPECT_NEAR(m.sentiment, 0.5, 1e-12);
}

TEST(narrative, a_steady_flow_is_not_trending) {
  narrative_tracker n;
  for (int i = 0; i < 25 * 6; ++i) // every 10 minutes, the last 10 minutes ago
    n.mention(1, t0 - 25 * hour + i * 10 * minute, 0.0);
  auto m = n.metrics(1, t0);
  EXPECT_EQ(m.mentions_window, 5u);    // -50 ... -10 minutes (the window is open at -60)
  EXPECT_EQ(m.mentions_baseline, 144u); // (-25 h, -1 h]
  EXPECT_NEAR(m.velocity, 5.0 / 6.0, 1e-9);
  EXPECT_FALSE(m.trending);
}

TEST(narrative, sentiment_trend_compares_the_window_with_the_one_before) {
  narrative_tracker n;
  n.mention(2, t0 - 90 * minute, -0.6);
  n.mention(2, t0 - 80 * minute, -0.4);
  n.mention(2, t0 - 30 * minute, 0.3);
  n.mention(2, t0 - 10 * minute, 0.5);
  auto m = n.metrics(2, t0);
  EXPECT_NEAR(m.sentiment, 0.4, 1e-12);
  EXPECT_NEAR(m.sentiment_trend, 0.4 - (-0.5), 1e-12);
}

TEST(narrative, unknown_symbols_and_bad_input_give_empty_metrics) {
  narrative_tracker n;
  auto m = n.metrics(99, t0);
  EXPECT_EQ(m.mentions_window, 0u);
  EXPECT_FALSE(m.trending);
  n.mention(3, t0, std::nan(""));
  n.mention(3, t0 - hour, 1.0); // older than the last: ignored
  m = n.metrics(3, t0);
  EXPECT_EQ(m.mentions_window, 1u);
  EXPECT_EQ(m.sentiment, 0.0);
}

TEST(narrative, keeps_only_its_capacity_of_mentions) {
  narrative_params p;
  p.capacity = 4;
  narrative_tracker n{p};
  for (int i = 0; i < 10; ++i)
    n.mention(0, t0 - 10 * minute + i * minute, 1.0);
  EXPECT_EQ(n.metrics(0, t0).mentions_window, 4u);
}
