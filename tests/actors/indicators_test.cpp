#include "actors/indicators.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#ifndef OSPREY_SHARED_DATA
#error "OSPREY_SHARED_DATA must name the shared data folder (set by CMake)"
#endif

namespace ind = osprey::ind;

namespace {

// The warm-up value (a quiet NaN), short so expected series read well.
constexpr double na = std::numeric_limits<double>::quiet_NaN();
constexpr double rel_tol = 1e-9;

// ---- real market data -------------------------------------------------------

struct bar_series {
  std::vector<double> high, low, close, volume;
};

struct load_result {
  bar_series bars;
  std::string error; // empty on success
};

// Reads date,open,high,low,close,volume,dividend,split rows.
load_result load_bars(const std::string& path) {
  load_result r;
  std::ifstream in{path};
  if (!in) {
    r.error = "cannot open market data file " + path;
    return r;
  }
  std::string line;
  std::getline(in, line);
  if (line.rfind("date,open,high,low,close,volume", 0) != 0) {
    r.error = path + ": unexpected header '" + line + "'";
    return r;
  }
  for (int line_no = 2; std::getline(in, line); ++line_no) {
    if (line.empty())
      continue;
    std::vector<double> fields;
    std::stringstream ss{line};
    std::string cell;
    for (bool first = true; std::getline(ss, cell, ','); first = false) {
      if (first)
        continue; // the date
      char* end = nullptr;
      fields.push_back(std::strtod(cell.c_str(), &end));
      if (cell.empty() || *end != '\0') {
        r.error = path + ":" + std::to_string(line_no) + ": bad number '"
                  + cell + "'";
        return r;
      }
    }
    if (fields.size() != 7) {
      r.error = path + ":" + std::to_string(line_no) + ": expected 8 columns";
      return r;
    }
    r.bars.high.push_back(fields[1]);
    r.bars.low.push_back(fields[2]);
    r.bars.close.push_back(fields[3]);
    r.bars.volume.push_back(fields[4]);
  }
  return r;
}

// ---- naive references, written independently of the header -----------------

std::vector<double> naive_sma(const std::vector<double>& x, int n) {
  std::vector<double> out(x.size(), na);
  for (std::size_t i = n - 1; i < x.size(); ++i) {
    double sum = 0;
    for (std::size_t j = i + 1 - n; j <= i; ++j)
      sum += x[j];
    out[i] = sum / n;
  }
  return out;
}

std::vector<double> naive_ema(const std::vector<double>& x, int n) {
  std::vector<double> out(x.size(), na);
  if (x.size() < static_cast<std::size_t>(n))
    return out;
  const double alpha = 2.0 / (n + 1);
  double e = naive_sma(x, n)[n - 1];
  out[n - 1] = e;
  for (std::size_t i = n; i < x.size(); ++i) {
    e = alpha * x[i] + (1 - alpha) * e;
    out[i] = e;
  }
  return out;
}

// Wilder smoothing as an exponential with alpha 1/N, and RSI in the
// equivalent form 100 * gain / (gain + loss).
std::vector<double> naive_rsi(const std::vector<double>& p, int n) {
  std::vector<double> out(p.size(), na);
  double g = 0, l = 0;
  for (std::size_t i = 1; i < p.size(); ++i) {
    const double up = std::max(p[i] - p[i - 1], 0.0);
    const double down = std::max(p[i - 1] - p[i], 0.0);
    const std::size_t k = i; // number of changes seen so far
    if (k < static_cast<std::size_t>(n)) {
      g += up;
      l += down;
      continue;
    }
    if (k == static_cast<std::size_t>(n)) {
      g = (g + up) / n;
      l = (l + down) / n;
    } else {
      g += (up - g) / n;
      l += (down - l) / n;
    }
    out[i] = g + l == 0 ? 50.0 : 100.0 * g / (g + l);
  }
  return out;
}

// Extreme of x[i-n+1 .. i] (lag 0) or of x[i-n .. i-1] (lag 1).
std::vector<double> naive_extreme(const std::vector<double>& x, int n,
                                  bool is_max, int lag = 0) {
  std::vector<double> out(x.size(), na);
  for (std::size_t i = n - 1 + lag; i < x.size(); ++i) {
    double best = x[i - lag];
    for (std::size_t j = i + 1 - n - lag; j <= i - lag; ++j)
      best = is_max ? std::max(best, x[j]) : std::min(best, x[j]);
    out[i] = best;
  }
  return out;
}

// ---- comparison -------------------------------------------------------------

testing::AssertionResult near_rel(double actual, double expected) {
  if (std::isnan(expected)) {
    if (std::isnan(actual))
      return testing::AssertionSuccess();
    return testing::AssertionFailure() << "expected NaN, got " << actual;
  }
  // A 1e-12 absolute floor keeps exact zeros (RSI of an all-down run) sane.
  if (std::abs(actual - expected) <= rel_tol * std::abs(expected) + 1e-12)
    return testing::AssertionSuccess();
  return testing::AssertionFailure()
         << std::setprecision(17) << "got " << actual << ", expected "
         << expected << " (relative error "
         << std::abs(actual - expected) / std::abs(expected) << ")";
}

// Feeds `input` and checks ready() and value() against `expected` at every
// bar; ready() must flip exactly at bar index warm_up - 1.
template <class Indicator>
void expect_series(Indicator indicator, const std::vector<double>& input,
                   const std::vector<double>& expected, int warm_up) {
  ASSERT_EQ(input.size(), expected.size());
  for (std::size_t i = 0; i < input.size(); ++i) {
    indicator.update(input[i]);
    const bool should_be_ready = static_cast<int>(i) + 1 >= warm_up;
    ASSERT_EQ(indicator.ready(), should_be_ready)
      << "bar " << i << ", period " << indicator.period();
    ASSERT_TRUE(near_rel(indicator.value(), expected[i]))
      << "bar " << i << ", period " << indicator.period();
  }
}

const int real_data_periods[] = {1, 2, 3, 5, 14, 20, 50, 200};

class indicators_on_real_data : public testing::TestWithParam<std::string> {
protected:
  void SetUp() override {
    const std::string path = std::string{OSPREY_SHARED_DATA} + "/market/"
                             + GetParam();
    auto loaded = load_bars(path);
    if (!loaded.error.empty())
      FAIL() << loaded.error;
    bars_ = std::move(loaded.bars);
    ASSERT_GT(bars_.close.size(), 500u) << path << " is too short to test on";
  }

  bar_series bars_;
};

} // namespace

// ---- real data: every indicator at every bar against a naive recomputation --

TEST_P(indicators_on_real_data, sma_matches_fresh_window_sum_at_every_bar) {
  for (int n : real_data_periods)
    expect_series(ind::sma{n}, bars_.close, naive_sma(bars_.close, n), n);
}

TEST_P(indicators_on_real_data, rolling_mean_of_volume_matches_window_sum) {
  for (int n : real_data_periods)
    expect_series(ind::rolling_mean{n}, bars_.volume,
                  naive_sma(bars_.volume, n), n);
}

TEST_P(indicators_on_real_data, ema_matches_explicit_recursion_from_sma_seed) {
  for (int n : real_data_periods)
    expect_series(ind::ema{n}, bars_.close, naive_ema(bars_.close, n), n);
}

TEST_P(indicators_on_real_data, rsi_matches_wilder_recursion_at_every_bar) {
  for (int n : real_data_periods)
    expect_series(ind::rsi{n}, bars_.close, naive_rsi(bars_.close, n), n + 1);
}

TEST_P(indicators_on_real_data, rolling_max_and_min_match_window_scan) {
  for (int n : real_data_periods) {
    expect_series(ind::rolling_max{n}, bars_.high,
                  naive_extreme(bars_.high, n, true), n);
    expect_series(ind::rolling_min{n}, bars_.low,
                  naive_extreme(bars_.low, n, false), n);
  }
}

TEST_P(indicators_on_real_data, value_before_update_gives_high_of_prior_bars) {
  for (int n : real_data_periods) {
    ind::rolling_max high{n};
    const auto expected = naive_extreme(bars_.high, n, true, 1);
    for (std::size_t i = 0; i < bars_.high.size(); ++i)
      ASSERT_TRUE(
        near_rel(ind::value_before_update(high, bars_.high[i]), expected[i]))
        << "bar " << i << ", period " << n;
  }
}

INSTANTIATE_TEST_SUITE_P(daily_2012_2014, indicators_on_real_data,
                         testing::Values("AAPL_daily_2012-2014.csv",
                                         "MSFT_daily_2012-2014.csv"),
                         [](const auto& info) {
                           return info.param.substr(0, info.param.find('_'));
                         });

// ---- hand-computed examples -------------------------------------------------

TEST(sma, averages_the_last_n_values_in_a_hand_example) {
  // N=3 over 1,2,3,4,5,10: -, -, 2, 3, 4, (4+5+10)/3 = 19/3.
  expect_series(ind::sma{3}, {1, 2, 3, 4, 5, 10}, {na, na, 2, 3, 4, 19.0 / 3},
                3);
}

TEST(ema, seeds_with_the_sma_then_smooths_in_a_hand_example) {
  // N=3, alpha = 2/4 = 0.5. Seed = (1+2+3)/3 = 2; then 2 + 0.5*(4-2) = 3;
  // 3 + 0.5*(5-3) = 4; 4 + 0.5*(1-4) = 2.5.
  expect_series(ind::ema{3}, {1, 2, 3, 4, 5, 1}, {na, na, 2, 3, 4, 2.5}, 3);
}

TEST(rsi, matches_a_hand_computed_wilder_example) {
  // N=3, prices 10, 11, 10.5, 11.5, 11, 12: changes +1, -0.5, +1, -0.5, +1.
  // Seed: avg gain = (1+0+1)/3 = 2/3, avg loss = 0.5/3 = 1/6,
  //   RS = 4, RSI = 100 - 100/5 = 80.
  // -0.5: gain = (2/3*2 + 0)/3 = 4/9, loss = (1/6*2 + 0.5)/3 = 5/18,
  //   RS = 8/5, RSI = 100 - 100/2.6 = 61.538461...
  // +1:   gain = (4/9*2 + 1)/3 = 17/27, loss = (5/18*2)/3 = 5/27,
  //   RS = 17/5, RSI = 100 - 100/4.4 = 77.272727...
  expect_series(ind::rsi{3}, {10, 11, 10.5, 11.5, 11, 12},
                {na, na, na, 80.0, 100.0 - 100.0 / 2.6,
                 100.0 - 100.0 / 4.4},
                4);
}

TEST(rolling_max, tracks_the_window_high_in_a_hand_example) {
  const std::vector<double> x{3, 1, 2, 5, 4, 0, -1};
  expect_series(ind::rolling_max{3}, x, {na, na, 3, 5, 5, 5, 4}, 3);
  expect_series(ind::rolling_min{3}, x, {na, na, 1, 1, 2, 0, -1}, 3);
}

TEST(rolling_max, value_before_update_excludes_the_current_bar) {
  ind::rolling_max high{2};
  EXPECT_TRUE(std::isnan(ind::value_before_update(high, 5.0)));
  EXPECT_TRUE(std::isnan(ind::value_before_update(high, 3.0)));
  EXPECT_EQ(ind::value_before_update(high, 9.0), 5.0); // max(5, 3)
  EXPECT_EQ(ind::value_before_update(high, 1.0), 9.0); // max(3, 9)
  EXPECT_EQ(high.value(), 9.0);                        // max(9, 1)
}

// ---- warm-up and edge cases -------------------------------------------------

TEST(indicators, report_nan_until_ready_flips_at_the_documented_warm_up) {
  for (int n : {1, 2, 5, 14}) {
    ind::sma s{n};
    ind::ema e{n};
    ind::rsi r{n};
    ind::rolling_max hi{n};
    ind::rolling_min lo{n};
    for (int fed = 1; fed <= n + 3; ++fed) {
      const double x = 100.0 + (fed % 3) - 0.5 * (fed % 2);
      s.update(x);
      e.update(x);
      r.update(x);
      hi.update(x);
      lo.update(x);
      EXPECT_EQ(s.ready(), fed >= n) << "sma n=" << n << " fed=" << fed;
      EXPECT_EQ(e.ready(), fed >= n) << "ema n=" << n << " fed=" << fed;
      EXPECT_EQ(r.ready(), fed >= n + 1) << "rsi n=" << n << " fed=" << fed;
      EXPECT_EQ(hi.ready(), fed >= n) << "max n=" << n << " fed=" << fed;
      EXPECT_EQ(lo.ready(), fed >= n) << "min n=" << n << " fed=" << fed;
      EXPECT_EQ(std::isnan(s.value()), !s.ready());
      EXPECT_EQ(std::isnan(e.value()), !e.ready());
      EXPECT_EQ(std::isnan(r.value()), !r.ready());
      EXPECT_EQ(std::isnan(hi.value()), !hi.ready());
      EXPECT_EQ(std::isnan(lo.value()), !lo.ready());
    }
  }
}

TEST(indicators, return_nan_before_any_input) {
  EXPECT_TRUE(std::isnan(ind::sma{3}.value()));
  EXPECT_TRUE(std::isnan(ind::ema{3}.value()));
  EXPECT_TRUE(std::isnan(ind::rsi{3}.value()));
  EXPECT_TRUE(std::isnan(ind::rolling_max{3}.value()));
  EXPECT_TRUE(std::isnan(ind::rolling_min{3}.value()));
}

TEST(indicators, equal_the_input_when_the_period_is_one) {
  ind::sma s{1};
  ind::ema e{1};
  ind::rolling_max hi{1};
  ind::rolling_min lo{1};
  for (double x : {5.0, -2.0, 7.25, 7.25, 0.0}) {
    s.update(x);
    e.update(x);
    hi.update(x);
    lo.update(x);
    EXPECT_EQ(s.value(), x);
    EXPECT_EQ(e.value(), x);
    EXPECT_EQ(hi.value(), x);
    EXPECT_EQ(lo.value(), x);
  }
}

TEST(rsi, with_period_one_reads_the_direction_of_the_last_change) {
  ind::rsi r{1};
  r.update(10);
  EXPECT_FALSE(r.ready());
  r.update(11);
  EXPECT_EQ(r.value(), 100.0);
  r.update(10.5);
  EXPECT_EQ(r.value(), 0.0);
  r.update(10.5);
  EXPECT_EQ(r.value(), 50.0);
}

TEST(rsi, is_fifty_on_a_constant_series) {
  ind::rsi r{14};
  for (int i = 0; i < 100; ++i)
    r.update(42.0);
  EXPECT_EQ(r.value(), 50.0);
}

TEST(rsi, is_one_hundred_on_an_all_up_series) {
  ind::rsi r{14};
  for (int i = 0; i < 100; ++i) {
    r.update(10.0 + i * 0.25);
    if (r.ready()) {
      EXPECT_EQ(r.value(), 100.0) << "after " << i + 1 << " prices";
    }
  }
  EXPECT_TRUE(r.ready());
}

TEST(rsi, is_zero_on_an_all_down_series) {
  ind::rsi r{14};
  for (int i = 0; i < 100; ++i)
    r.update(100.0 - i * 0.25);
  EXPECT_EQ(r.value(), 0.0);
}

TEST(rsi, falls_from_one_hundred_after_the_first_loss) {
  ind::rsi r{3};
  for (double p : {1.0, 2.0, 3.0, 4.0})
    r.update(p);
  EXPECT_EQ(r.value(), 100.0);
  r.update(3.0); // gain 2/3, loss 1/3 -> 100 - 100/3
  EXPECT_NEAR(r.value(), 100.0 - 100.0 / 3.0, 1e-12);
}

TEST(indicators, never_become_ready_with_a_period_below_one) {
  for (int n : {0, -5}) {
    ind::sma s{n};
    ind::ema e{n};
    ind::rsi r{n};
    ind::rolling_max hi{n};
    for (int i = 0; i < 10; ++i) {
      s.update(i);
      e.update(i);
      r.update(i);
      hi.update(i);
    }
    EXPECT_FALSE(s.ready() || e.ready() || r.ready() || hi.ready());
    EXPECT_TRUE(std::isnan(s.value()) && std::isnan(e.value())
                && std::isnan(r.value()) && std::isnan(hi.value()));
    EXPECT_EQ(s.period(), n);
  }
}

TEST(indicators, ignore_non_finite_inputs) {
  const double inf = std::numeric_limits<double>::infinity();
  ind::sma s{3};
  ind::ema e{3};
  ind::rsi r{3};
  ind::rolling_max hi{3};
  ind::rolling_min lo{3};
  for (double x : {1.0, na, 2.0, inf, 3.0, -inf, 4.0, na}) {
    s.update(x);
    e.update(x);
    r.update(x);
    hi.update(x);
    lo.update(x);
  }
  // Exactly as if fed 1, 2, 3, 4.
  EXPECT_EQ(s.value(), 3.0);
  EXPECT_EQ(e.value(), 3.0); // seed 2, then 2 + 0.5 * (4 - 2)
  EXPECT_EQ(r.value(), 100.0);
  EXPECT_EQ(hi.value(), 4.0);
  EXPECT_EQ(lo.value(), 2.0);
}

TEST(indicators, behave_like_new_after_reset) {
  const std::vector<double> first{9, 8, 7, 6, 5, 4};
  const std::vector<double> second{1, 3, 2, 5, 4, 6, 5};
  ind::sma s{3};
  ind::ema e{3};
  ind::rsi r{3};
  ind::rolling_max hi{3};
  for (double x : first) {
    s.update(x);
    e.update(x);
    r.update(x);
    hi.update(x);
  }
  s.reset();
  e.reset();
  r.reset();
  hi.reset();
  EXPECT_FALSE(s.ready() || e.ready() || r.ready() || hi.ready());
  expect_series(s, second, naive_sma(second, 3), 3);
  expect_series(e, second, naive_ema(second, 3), 3);
  expect_series(r, second, naive_rsi(second, 3), 4);
  expect_series(hi, second, naive_extreme(second, 3, true), 3);
}

// ---- robustness -------------------------------------------------------------

TEST(sma, does_not_drift_over_a_million_updates_with_huge_outliers) {
  // Every 1000th value is ~1e9 among values in [0, 1): an uncompensated
  // running sum loses ~1e-7 each time an outlier passes through the window,
  // which adds up to far more than 1e-9 relative on an average near 0.5.
  constexpr int n = 50;
  std::mt19937_64 rng{20240601};
  std::uniform_real_distribution<double> u{0.0, 1.0};
  std::vector<double> window(n);
  ind::sma s{n};
  for (int i = 0; i < 1'000'000; ++i) {
    const double x = i % 1000 == 0 ? 1e9 * (1 + u(rng)) : u(rng);
    window[i % n] = x;
    s.update(x);
    if (i % 1000 == 999) {
      double sum = 0;
      for (double w : window)
        sum += w;
      ASSERT_TRUE(near_rel(s.value(), sum / n)) << "after " << i + 1;
    }
  }
}

TEST(rolling_max, matches_a_window_scan_on_a_series_full_of_ties) {
  std::mt19937_64 rng{7};
  std::uniform_int_distribution<int> d{0, 4};
  std::vector<double> x(5000);
  for (auto& v : x)
    v = d(rng);
  for (int n : {1, 2, 7, 64}) {
    expect_series(ind::rolling_max{n}, x, naive_extreme(x, n, true), n);
    expect_series(ind::rolling_min{n}, x, naive_extreme(x, n, false), n);
  }
}

TEST(rolling_max, handles_monotonic_runs_that_fill_the_whole_ring) {
  std::vector<double> x;
  for (int i = 0; i < 300; ++i)
    x.push_back(i < 100 ? -i : (i < 200 ? i : 500 - i));
  for (int n : {1, 10, 100}) {
    expect_series(ind::rolling_max{n}, x, naive_extreme(x, n, true), n);
    expect_series(ind::rolling_min{n}, x, naive_extreme(x, n, false), n);
  }
}

TEST(indicators, do_not_grow_the_heap_while_updating) {
#if defined(__GLIBC__)
  ind::sma s{200};
  ind::ema e{200};
  ind::rsi r{14};
  ind::rolling_max hi{200};
  ind::rolling_min lo{200};
  std::vector<double> x(100'000);
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = 100 + std::sin(i * 0.01) * 10 + (i % 7);
  // No gtest assertion inside the measured span: they may allocate.
  const auto before = mallinfo2().uordblks;
  double sink = 0;
  for (double v : x) {
    s.update(v);
    e.update(v);
    r.update(v);
    hi.update(v);
    lo.update(v);
    for (double y : {s.value(), e.value(), r.value(), hi.value(), lo.value()})
      sink += std::isnan(y) ? 0.0 : y;
  }
  const auto after = mallinfo2().uordblks;
  EXPECT_EQ(after, before) << "bytes in use changed during updates";
  EXPECT_TRUE(std::isfinite(sink));
#else
  GTEST_SKIP() << "heap statistics need glibc's mallinfo2";
#endif
}
