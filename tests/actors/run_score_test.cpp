// The three-pillar run score as plain functions.

#include <gtest/gtest.h>

#include "actors/run_score.hpp"

using namespace osprey;

TEST(run_score, a_strong_setup_in_every_pillar_is_high_potential) {
  institutional_features i;
  i.volume_ratio = 3.5;
  i.up_down_volume = 2.5;
  i.price_vs_vwap = 0.04;
  narrative_features n;
  n.mentions = 80;
  n.velocity = 6;
  n.sentiment = 0.6;
  n.sentiment_trend = 0.4;
  other_features o;
  o.breakout_pct = 6;
  o.base_length_days = 70;
  o.trend_pct = 20;
  o.from_high_pct = 0;
  auto r = score_run(i, n, o);
  EXPECT_DOUBLE_EQ(r.score, 100.0);
  EXPECT_EQ(r.call, verdict::high_potential);
  EXPECT_EQ(r.pillars[0].parts.size(), 3u);
  EXPECT_EQ(r.pillars[0].parts[0].evidence, "volume 3.50x its 50-day average");
}

TEST(run_score, the_weights_combine_the_pillars) {
  institutional_features i;
  i.volume_ratio = 2.0; // 50
  narrative_features n;
  n.velocity = 5.0; // 100
  other_features o;
  o.trend_pct = -5; // 0
  auto r = score_run(i, n, o);
  EXPECT_DOUBLE_EQ(r.pillars[0].score, 50.0);
  EXPECT_DOUBLE_EQ(r.pillars[1].score, 100.0);
  EXPECT_DOUBLE_EQ(r.pillars[2].score, 0.0);
  EXPECT_DOUBLE_EQ(r.score, 0.35 * 50 + 0.35 * 100 + 0.30 * 0);
  EXPECT_EQ(r.call, verdict::pass);
  run_weights w{0.5, 0.5, 0.0};
  EXPECT_DOUBLE_EQ(score_run(i, n, o, w).score, 75.0);
  EXPECT_EQ(score_run(i, n, o, w).call, verdict::high_potential);
}

TEST(run_score, a_missing_feature_is_left_out_not_counted_as_zero) {
  institutional_features with_options;
  with_options.volume_ratio = 3.0;           // 100
  with_options.options_call_put_oi = 0.5;    // 0
  institutional_features without_options;
  without_options.volume_ratio = 3.0;
  EXPECT_DOUBLE_EQ(score_institutional(with_options).score, 50.0);
  EXPECT_DOUBLE_EQ(score_institutional(without_options).score, 100.0);
}

TEST(run_score, an_absent_pillar_is_reweighted_over_the_rest) {
  institutional_features i;
  i.volume_ratio = 3.0; // 100
  narrative_features none;
  other_features o;
  o.trend_pct = 5; // 50
  auto r = score_run(i, none, o);
  EXPECT_FALSE(r.pillars[1].present);
  EXPECT_NEAR(r.score, (0.35 * 100 + 0.30 * 50) / 0.65, 1e-12);
  EXPECT_EQ(r.call, verdict::high_potential);
}

TEST(run_score, risk_features_score_lower_when_riskier) {
  other_features calm, wild;
  calm.atr_pct = 2;
  wild.atr_pct = 10;
  EXPECT_DOUBLE_EQ(score_other(calm).score, 100.0);
  EXPECT_DOUBLE_EQ(score_other(wild).score, 0.0);
}

TEST(run_score, verdict_bands) {
  narrative_features n;
  n.sentiment = 0.1; // ramp(-0.5, 0.5): 60
  auto r = score_run({}, n, {});
  EXPECT_NEAR(r.score, 60.0, 1e-9);
  EXPECT_EQ(r.call, verdict::watch);
  EXPECT_STREQ(to_string(r.call), "watch");
  EXPECT_EQ(score_run({}, {}, {}).call, verdict::pass); // nothing known: pass
}

TEST(run_score, block_trades_options_and_fundamentals_are_sub_scores_with_evidence) {
  institutional_features i;
  i.block_trades = 5;
  i.options_call_put_oi = 1.4;
  other_features o;
  o.earnings_surprise_pct = 5;
  o.revenue_growth_pct = 20;
  auto inst = score_institutional(i);
  ASSERT_EQ(inst.parts.size(), 2u);
  EXPECT_EQ(inst.parts[0].name, "block trades");
  EXPECT_DOUBLE_EQ(inst.parts[0].score, 50.0);
  EXPECT_EQ(inst.parts[0].evidence, "5 block trades");
  EXPECT_EQ(inst.parts[1].name, "options skew");
  EXPECT_DOUBLE_EQ(inst.parts[1].score, 50.0);
  EXPECT_EQ(inst.parts[1].evidence, "call/put open interest 1.40");
  auto other = score_other(o);
  ASSERT_EQ(other.parts.size(), 2u);
  EXPECT_EQ(other.parts[0].evidence, "earnings surprise +5.0%");
  EXPECT_DOUBLE_EQ(other.parts[0].score, 50.0);
  EXPECT_EQ(other.parts[1].evidence, "revenue growth +20.0%");
  EXPECT_DOUBLE_EQ(other.parts[1].score, 50.0);
}
