#include "runtime/walk_forward.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "../support/thrown_by.hpp"

using namespace osprey;

namespace {

wf_settings bars(int64_t is, int64_t oos, int64_t step = 0, bool anchored = false) {
  wf_settings s;
  s.in_sample = is;
  s.out_of_sample = oos;
  s.step = step;
  s.anchored = anchored;
  return s;
}

using test::thrown_by;

param_set one_param(const std::string& name, double v) {
  param_set p;
  std::string text = std::to_string(static_cast<long long>(v));
  p.values.push_back({name, v, text});
  return p;
}

constexpr int64_t day = 86'400'000'000'000LL;

} // namespace

TEST(walk_forward, rolling_windows_by_bars_tile_the_data) {
  auto w = plan_walk_forward(100, bars(40, 20));
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].is_begin, 0u);
  EXPECT_EQ(w[0].is_end, 40u);
  EXPECT_EQ(w[0].oos_begin, 40u);
  EXPECT_EQ(w[0].oos_end, 60u);
  EXPECT_EQ(w[1].is_begin, 20u);
  EXPECT_EQ(w[1].oos_begin, 60u);
  EXPECT_EQ(w[2].is_begin, 40u);
  EXPECT_EQ(w[2].oos_end, 100u);
}

TEST(walk_forward, anchored_windows_keep_the_first_bar) {
  auto w = plan_walk_forward(95, bars(40, 20, 0, true));
  ASSERT_EQ(w.size(), 2u); // a third would need bars up to 100
  EXPECT_EQ(w[1].is_begin, 0u);
  EXPECT_EQ(w[1].is_end, 60u);
  EXPECT_EQ(w[1].oos_end, 80u);
}

TEST(walk_forward, a_longer_step_leaves_gaps_between_out_of_sample_windows) {
  auto w = plan_walk_forward(100, bars(30, 10, 25));
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[1].oos_begin, 55u);
  EXPECT_EQ(w[2].oos_end, 90u);
}

TEST(walk_forward, refuses_settings_that_do_not_fit_the_data) {
  EXPECT_NE(thrown_by([] { plan_walk_forward(50, bars(40, 20)); }).find("50 bars, fewer than"),
            std::string::npos);
  EXPECT_NE(thrown_by([] { plan_walk_forward(100, bars(0, 20)); }).find("in-sample length"),
            std::string::npos);
  EXPECT_NE(thrown_by([] { plan_walk_forward(100, bars(40, 0)); }).find("out-of-sample length"),
            std::string::npos);
  EXPECT_NE(thrown_by([] { plan_walk_forward(100, bars(40, 20, 10)); }).find("overlap"),
            std::string::npos);
  auto by_time = bars(10 * day, 5 * day);
  by_time.unit = wf_unit::nanoseconds;
  EXPECT_NE(thrown_by([&] { plan_walk_forward(100, by_time); }).find("timestamps"),
            std::string::npos);
  std::vector<int64_t> few{0, day, 2 * day};
  EXPECT_NE(thrown_by([&] { plan_walk_forward(few, by_time); }).find("not enough"),
            std::string::npos);
  std::vector<int64_t> unsorted{0, 2 * day, day};
  EXPECT_NE(thrown_by([&] { plan_walk_forward(unsorted, by_time); }).find("ascending at bar 2"),
            std::string::npos);
}

TEST(walk_forward, windows_by_time_span_follow_the_timestamps) {
  // Weekday bars only: 5 bars a week for 6 weeks.
  std::vector<int64_t> t;
  for (int week = 0; week < 6; ++week)
    for (int d = 0; d < 5; ++d)
      t.push_back((week * 7 + d) * day);
  auto s = bars(14 * day, 7 * day);
  s.unit = wf_unit::nanoseconds;
  auto w = plan_walk_forward(t, s);
  ASSERT_EQ(w.size(), 4u); // out-of-sample weeks 3, 4, 5, 6
  EXPECT_EQ(w[0].is_begin, 0u);
  EXPECT_EQ(w[0].is_end, 10u);
  EXPECT_EQ(w[0].oos_end, 15u);
  EXPECT_EQ(w[3].is_begin, 15u);
  EXPECT_EQ(w[3].oos_begin, 25u);
  EXPECT_EQ(w[3].oos_end, 30u);
}

TEST(walk_forward, a_gap_without_bars_is_an_error_naming_the_window) {
  std::vector<int64_t> t;
  for (int d = 0; d < 10; ++d)
    t.push_back(d * day);
  for (int d = 30; d < 40; ++d)
    t.push_back(d * day);
  auto s = bars(10 * day, 5 * day);
  s.unit = wf_unit::nanoseconds;
  EXPECT_NE(thrown_by([&] { plan_walk_forward(t, s); }).find("window 0: the out-of-sample"),
            std::string::npos);
}

TEST(walk_forward, reports_choices_efficiency_stitched_equity_and_stability) {
  auto windows = plan_walk_forward(100, bars(40, 20));
  ASSERT_EQ(windows.size(), 3u);
  // The optimiser picks length 10, 10, 30 and claims in-sample returns 0.2,
  // 0.1, 0.3; out of sample the returns are half of those and each curve
  // goes linearly from 100 to 100 * (1 + return).
  const double chosen[] = {10, 10, 30};
  const double is_ret[] = {0.2, 0.1, 0.3};
  auto optimise = [&](const wf_window& w) {
    wf_in_sample_result r;
    r.params = one_param("length", chosen[w.index]);
    r.metrics["total_return"] = is_ret[w.index];
    return r;
  };
  auto evaluate = [&](const wf_window& w, const param_set& p) {
    EXPECT_EQ(p.number("length"), chosen[w.index]);
    wf_out_of_sample_result r;
    double ret = is_ret[w.index] / 2;
    r.metrics["total_return"] = ret;
    for (size_t i = 0; i <= w.oos_end - w.oos_begin; ++i)
      r.equity.push_back(100 * (1 + ret * i / static_cast<double>(w.oos_end - w.oos_begin)));
    return r;
  };
  wf_settings s = bars(40, 20);
  auto r = run_walk_forward(windows, optimise, evaluate, s);
  ASSERT_EQ(r.windows.size(), 3u);
  EXPECT_EQ(r.windows[2].params.text("length"), "30");
  EXPECT_DOUBLE_EQ(r.windows[1].efficiency, 0.5);
  EXPECT_DOUBLE_EQ(r.efficiency, 0.5);
  EXPECT_NEAR(r.mean_in_sample, 0.2, 1e-12);
  // 3 curves of 21 points sharing 2 joints.
  ASSERT_EQ(r.stitched_equity.size(), 61u);
  EXPECT_EQ(r.window_starts, (std::vector<size_t>{0, 20, 40}));
  EXPECT_DOUBLE_EQ(r.stitched_equity.front(), 100);
  EXPECT_NEAR(r.stitched_equity[20], 110, 1e-9);
  EXPECT_NEAR(r.stitched_equity[40], 110 * 1.05, 1e-9);
  EXPECT_NEAR(r.stitched_equity.back(), 100 * 1.1 * 1.05 * 1.15, 1e-9);
  ASSERT_EQ(r.stability.size(), 1u);
  EXPECT_EQ(r.stability[0].name, "length");
  EXPECT_NEAR(r.stability[0].mean, 50.0 / 3, 1e-12);
  // Sample sd of {10, 10, 30}: sqrt(((20/3)^2 * 2 + (40/3)^2) / 2) = 11.547.
  EXPECT_NEAR(r.stability[0].stddev, std::sqrt(2400.0 / 9 / 2), 1e-9);
  EXPECT_NEAR(r.stability[0].cv, r.stability[0].stddev / (50.0 / 3), 1e-12);
  EXPECT_EQ(r.stability[0].changes, 1u);
  auto text = format_walk_forward_text(r, s);
  EXPECT_NE(text.find("efficiency 0.5"), std::string::npos) << text;
}

TEST(walk_forward, per_bar_efficiency_divides_by_window_length) {
  auto windows = plan_walk_forward(60, bars(40, 20));
  ASSERT_EQ(windows.size(), 1u);
  auto optimise = [](const wf_window&) {
    wf_in_sample_result r;
    r.params = one_param("n", 1);
    r.metrics["total_return"] = 0.4; // 0.01 per bar
    return r;
  };
  auto evaluate = [](const wf_window&, const param_set&) {
    wf_out_of_sample_result r;
    r.metrics["total_return"] = 0.1; // 0.005 per bar
    r.equity = {1.0, 1.1};
    return r;
  };
  auto s = bars(40, 20);
  s.per_bar = true;
  auto r = run_walk_forward(windows, optimise, evaluate, s);
  EXPECT_NEAR(r.efficiency, 0.5, 1e-12);
  EXPECT_EQ(r.stability[0].stddev, 0.0);
  EXPECT_EQ(r.stability[0].changes, 0u);
}

TEST(walk_forward, a_missing_metric_or_bad_curve_is_an_error) {
  auto windows = plan_walk_forward(60, bars(40, 20));
  auto optimise = [](const wf_window&) {
    wf_in_sample_result r;
    r.params = one_param("n", 1);
    r.metrics["sharpe"] = 1;
    return r;
  };
  auto evaluate = [](const wf_window&, const param_set&) {
    wf_out_of_sample_result r;
    r.metrics["total_return"] = 0.1;
    r.equity = {1.0};
    return r;
  };
  EXPECT_NE(thrown_by([&] { run_walk_forward(windows, optimise, evaluate, bars(40, 20)); })
              .find("in-sample metrics have no \"total_return\""),
            std::string::npos);
  EXPECT_NE(thrown_by([] { stitch_equity({{1.0, 2.0}, {0.0, 1.0}}); }).find("window 1"),
            std::string::npos);
}

TEST(walk_forward, stitching_starts_at_the_requested_level) {
  auto e = stitch_equity({{50, 60}, {10, 5, 20}}, 1000);
  EXPECT_EQ(e, (std::vector<double>{1000, 1200, 600, 2400}));
}

TEST(walk_forward, stability_of_a_mean_zero_parameter_has_no_cv) {
  auto st = parameter_stability({one_param("x", -1), one_param("x", 1)});
  EXPECT_TRUE(std::isnan(st[0].cv));
  EXPECT_EQ(st[0].changes, 1u);
  EXPECT_NEAR(st[0].stddev, std::sqrt(2.0), 1e-12);
}
