// The common contract of every indicator family, checked uniformly: NaN and
// not ready until exactly the documented warm-up, non-finite inputs ignored,
// reset() equivalent to a fresh object, a period below 1 never ready, no heap
// growth while updating, and no drift of the rolling sums over a long run
// with huge outliers passing through the window.

#include "actors/indicators_levels.hpp"
#include "actors/indicators_momentum.hpp"
#include "actors/indicators_trend.hpp"
#include "actors/indicators_volatility.hpp"
#include "actors/indicators_volume.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <iomanip>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace ind = osprey::ind;

namespace {

constexpr double bad_nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

// One indicator behind a uniform face, fed whole bars.
struct probe {
  std::string name;
  int warm_up; // bars until ready()
  std::function<void(const ind::bar_input&)> feed;
  std::function<bool()> ready;
  std::function<double()> value;
  std::function<void()> reset;
};

// Wraps `indicator`, feeding it through `feed(indicator, bar)`.
template <class Indicator, class Feed>
probe make_probe(std::string name, int warm_up, Indicator indicator,
                 Feed feed) {
  auto p = std::make_shared<Indicator>(std::move(indicator));
  return probe{std::move(name), warm_up,
               [p, feed](const ind::bar_input& b) { feed(*p, b); },
               [p] { return p->ready(); }, [p] { return p->value(); },
               [p] { p->reset(); }};
}

const auto by_close = [](auto& i, const ind::bar_input& b) {
  i.update(b.close);
};
const auto by_bar = [](auto& i, const ind::bar_input& b) { i.update(b); };

// Every family member with period n (n >= 1), and its documented warm-up.
std::vector<probe> probes(int n) {
  return {
    make_probe("wma", n, ind::wma{n}, by_close),
    make_probe("macd", std::max(n, 2 * n) + n - 1, ind::macd{n, 2 * n, n},
               by_close),
    make_probe("rolling_stdev", n, ind::rolling_stdev{n}, by_close),
    make_probe("zscore", n, ind::zscore{n}, by_close),
    make_probe("bollinger", n, ind::bollinger{n, 2.0}, by_close),
    make_probe("atr", n, ind::atr{n}, by_bar),
    make_probe("adx", 2 * n, ind::adx{n}, by_bar),
    make_probe("stochastic", n + 2 + 3 - 2, ind::stochastic{n, 2, 3}, by_bar),
    make_probe("realized_volatility", n + 1,
               ind::realized_volatility{n, 252.0}, by_close),
    make_probe("rate_of_change", n + 1, ind::rate_of_change{n}, by_close),
    make_probe("relative_strength", n + 1, ind::relative_strength{n},
               [](auto& i, const ind::bar_input& b) {
                 i.update(b.close, b.high); // the high as a benchmark
               }),
    make_probe("obv", 1, ind::obv{}, by_bar),
    make_probe("session_vwap", 1, ind::session_vwap{},
               [](auto& i, const ind::bar_input& b) {
                 // A new session every 7 bars, keyed by a made-up day.
                 i.update(b, static_cast<std::int64_t>(b.open) / 7);
               }),
    make_probe("rolling_vwap", n, ind::rolling_vwap{n}, by_bar),
    make_probe("volume_ratio", n + 1, ind::volume_ratio{n}, by_bar),
    make_probe("breakout", n + 1, ind::breakout{n}, by_bar),
    make_probe("gap_percent", 2, ind::gap_percent{}, by_bar),
  };
}

// Well-formed bars (positive prices and volumes, ranges that vary); `open`
// carries the bar index so session_vwap can derive a session from it.
std::vector<ind::bar_input> synthetic_bars(std::size_t count,
                                           unsigned seed = 42) {
  std::mt19937_64 rng{seed};
  std::normal_distribution<double> step{0.0, 0.01};
  std::uniform_real_distribution<double> u{0.0, 1.0};
  std::vector<ind::bar_input> bars;
  double close = 100;
  for (std::size_t i = 0; i < count; ++i) {
    const double next = close * std::exp(step(rng));
    const double hi = std::max(close, next) * (1 + 0.005 * u(rng));
    const double lo = std::min(close, next) * (1 - 0.005 * u(rng));
    bars.push_back({static_cast<double>(i), hi, lo, next,
                    1000 + 9000 * u(rng)});
    close = next;
  }
  return bars;
}

// Values after each bar; NaNs compare equal to NaNs.
std::vector<double> run(probe& p, const std::vector<ind::bar_input>& bars) {
  std::vector<double> out;
  for (const auto& b : bars) {
    p.feed(b);
    out.push_back(p.value());
  }
  return out;
}

bool same(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || a == b;
}

} // namespace

TEST(indicator_families, are_nan_and_not_ready_until_the_documented_warm_up) {
  const auto bars = synthetic_bars(200);
  for (int n : {1, 2, 3, 5, 14, 26}) {
    for (auto& p : probes(n)) {
      EXPECT_TRUE(std::isnan(p.value())) << p.name << " before any input";
      for (std::size_t i = 0; i < bars.size(); ++i) {
        p.feed(bars[i]);
        const bool expect_ready = static_cast<int>(i) + 1 >= p.warm_up;
        ASSERT_EQ(p.ready(), expect_ready)
          << p.name << " n=" << n << " after " << i + 1 << " bars";
        ASSERT_EQ(std::isfinite(p.value()), expect_ready)
          << p.name << " n=" << n << " after " << i + 1 << " bars: "
          << p.value();
      }
    }
  }
}

TEST(indicator_families, ignore_bars_with_any_non_finite_field) {
  const auto bars = synthetic_bars(300);
  auto clean = probes(5);
  auto dirty = probes(5);
  for (std::size_t k = 0; k < clean.size(); ++k) {
    const auto expected = run(clean[k], bars);
    for (std::size_t i = 0; i < bars.size(); ++i) {
      // A bad bar before every good one, its bad field rotating.
      ind::bar_input bad = bars[i];
      const double junk[] = {bad_nan, inf, -inf};
      double* fields[] = {&bad.open, &bad.high, &bad.low, &bad.close,
                          &bad.volume};
      if (i % 6 == 5) {
        for (double* f : fields)
          *f = junk[i % 3];
      } else {
        *fields[i % 5] = junk[i % 3];
      }
      // Scalar indicators fed the close only see a bad value when the close
      // is bad; give them all-bad bars so that both kinds are exercised.
      if (dirty[k].name == "wma" || dirty[k].name == "macd"
          || dirty[k].name == "rolling_stdev" || dirty[k].name == "zscore"
          || dirty[k].name == "bollinger"
          || dirty[k].name == "realized_volatility"
          || dirty[k].name == "rate_of_change")
        bad.close = junk[i % 3];
      if (dirty[k].name == "relative_strength")
        bad.high = junk[i % 3];
      dirty[k].feed(bad);
      dirty[k].feed(bars[i]);
      ASSERT_TRUE(same(dirty[k].value(), expected[i]))
        << dirty[k].name << " at bar " << i << ": " << dirty[k].value()
        << " vs " << expected[i];
    }
  }
}

TEST(indicator_families, behave_like_new_after_reset) {
  const auto first = synthetic_bars(150, 1);
  const auto second = synthetic_bars(150, 2);
  auto used = probes(7);
  auto fresh = probes(7);
  for (std::size_t k = 0; k < used.size(); ++k) {
    run(used[k], first);
    used[k].reset();
    EXPECT_FALSE(used[k].ready()) << used[k].name;
    EXPECT_TRUE(std::isnan(used[k].value())) << used[k].name;
    const auto a = run(used[k], second);
    const auto b = run(fresh[k], second);
    for (std::size_t i = 0; i < a.size(); ++i)
      ASSERT_TRUE(same(a[i], b[i])) << used[k].name << " at bar " << i;
  }
}

TEST(indicator_families, never_become_ready_with_a_period_below_one) {
  const auto bars = synthetic_bars(50);
  for (int n : {0, -3}) {
    std::vector<probe> ps{
      make_probe("wma", 0, ind::wma{n}, by_close),
      make_probe("macd", 0, ind::macd{n, n, n}, by_close),
      make_probe("rolling_stdev", 0, ind::rolling_stdev{n}, by_close),
      make_probe("zscore", 0, ind::zscore{n}, by_close),
      make_probe("bollinger", 0, ind::bollinger{n}, by_close),
      make_probe("atr", 0, ind::atr{n}, by_bar),
      make_probe("adx", 0, ind::adx{n}, by_bar),
      make_probe("stochastic", 0, ind::stochastic{n, n, n}, by_bar),
      make_probe("realized_volatility", 0, ind::realized_volatility{n},
                 by_close),
      make_probe("rate_of_change", 0, ind::rate_of_change{n}, by_close),
      make_probe("rolling_vwap", 0, ind::rolling_vwap{n}, by_bar),
      make_probe("volume_ratio", 0, ind::volume_ratio{n}, by_bar),
      make_probe("breakout", 0, ind::breakout{n}, by_bar),
    };
    for (auto& p : ps) {
      run(p, bars);
      EXPECT_FALSE(p.ready()) << p.name << " n=" << n;
      EXPECT_TRUE(std::isnan(p.value())) << p.name << " n=" << n;
    }
  }
}

TEST(indicator_families, do_not_grow_the_heap_while_updating) {
#if defined(__GLIBC__)
  const auto bars = synthetic_bars(50'000);
  auto ps = probes(20);
  // No gtest assertion inside the measured span: they may allocate.
  const auto before = mallinfo2().uordblks;
  double sink = 0;
  for (const auto& b : bars) {
    for (auto& p : ps) {
      p.feed(b);
      const double v = p.value();
      sink += std::isnan(v) ? 0.0 : v;
    }
  }
  const auto after = mallinfo2().uordblks;
  EXPECT_EQ(after, before) << "bytes in use changed during updates";
  EXPECT_TRUE(std::isfinite(sink));
#else
  GTEST_SKIP() << "heap statistics need glibc's mallinfo2";
#endif
}

// ---- numerics: long runs with huge outliers ---------------------------------

namespace {

// Values in [0, 1) with a ~1e9 outlier every 1000th value, at an offset that
// is not a multiple of the window so the outlier lands at every ring slot.
double outlier_series(std::mt19937_64& rng, int i) {
  std::uniform_real_distribution<double> u{0.0, 1.0};
  return i % 1000 == 17 ? 1e9 * (1 + u(rng)) : u(rng);
}

testing::AssertionResult rel_close(double actual, double expected,
                                   double rel) {
  if (std::abs(actual - expected) <= rel * std::abs(expected))
    return testing::AssertionSuccess();
  return testing::AssertionFailure()
         << std::setprecision(17) << actual << " vs " << expected;
}

} // namespace

TEST(rolling_stdev, does_not_drift_over_a_million_updates_with_outliers) {
  for (int n : {7, 50}) {
    std::mt19937_64 rng{99};
    std::vector<double> window(n);
    ind::rolling_stdev s{n};
    int checked = 0;
    for (int i = 0; i < 1'000'000; ++i) {
      const double x = outlier_series(rng, i);
      window[i % n] = x;
      s.update(x);
      // Check just after an outlier has left the window, and mid-way.
      if (i % 1000 == 17 + n || i % 1000 == 500) {
        double mean = 0;
        for (double w : window)
          mean += w;
        mean /= n;
        double ss = 0;
        for (double w : window)
          ss += (w - mean) * (w - mean);
        // The window holds values in [0, 1): sd ~0.29, so an error of even
        // 1e-9 would be a residue of the outlier.
        ASSERT_TRUE(rel_close(s.value(), std::sqrt(ss / n), 1e-12))
          << "n=" << n << " after " << i + 1;
        ASSERT_TRUE(rel_close(s.mean(), mean, 1e-12));
        ++checked;
      }
    }
    EXPECT_EQ(checked, 2000);
  }
}

TEST(rolling_stdev, is_exactly_zero_for_a_constant_window) {
  ind::rolling_stdev s{5};
  for (int i = 0; i < 100; ++i)
    s.update(i < 50 ? 1e9 * i : 3.3); // big values, then a constant run
  EXPECT_EQ(s.variance(), 0.0);
  EXPECT_EQ(s.mean(), 3.3);
}

TEST(rolling_stdev, keeps_small_variance_of_large_prices) {
  // Prices near 3600 moving by ~0.25: a naive sum-of-squares formula loses
  // about 8 of 16 digits here.
  std::mt19937_64 rng{5};
  std::uniform_int_distribution<int> tick{-2, 2};
  std::vector<double> x;
  double p = 3600;
  for (int i = 0; i < 100'000; ++i)
    x.push_back(p += 0.25 * tick(rng));
  constexpr int n = 20;
  ind::rolling_stdev s{n};
  for (std::size_t i = 0; i < x.size(); ++i) {
    s.update(x[i]);
    if (i + 1 < n || i % 97 != 0)
      continue;
    double mean = 0;
    for (std::size_t j = i + 1 - n; j <= i; ++j)
      mean += x[j];
    mean /= n;
    double ss = 0;
    for (std::size_t j = i + 1 - n; j <= i; ++j)
      ss += (x[j] - mean) * (x[j] - mean);
    ASSERT_NEAR(s.variance(), ss / n, 1e-11 * (ss / n) + 1e-20) << i;
  }
}

TEST(wma, does_not_drift_over_a_million_updates_with_outliers) {
  constexpr int n = 50;
  std::mt19937_64 rng{7};
  std::vector<double> x;
  ind::wma w{n};
  for (int i = 0; i < 1'000'000; ++i) {
    x.push_back(outlier_series(rng, i));
    w.update(x.back());
    if (i % 1000 == 17 + n || i % 1000 == 500) {
      double num = 0;
      for (int k = 1; k <= n; ++k)
        num += k * x[x.size() - n - 1 + k];
      ASSERT_TRUE(rel_close(w.value(), num / (n * (n + 1) / 2.0), 1e-12))
        << "after " << i + 1;
    }
  }
}

TEST(rolling_vwap, does_not_drift_over_a_million_bars_with_outlier_volume) {
  constexpr int n = 30;
  std::mt19937_64 rng{11};
  std::uniform_real_distribution<double> u{0.0, 1.0};
  std::vector<ind::bar_input> window(n);
  ind::rolling_vwap v{n};
  for (int i = 0; i < 1'000'000; ++i) {
    const double price = 100 + u(rng);
    const ind::bar_input b{price, price, price, price,
                           outlier_series(rng, i) * 1000};
    window[i % n] = b;
    v.update(b);
    if (i % 1000 == 17 + n || i % 1000 == 500) {
      double pv = 0, vol = 0;
      for (const auto& w : window) {
        pv += w.close * w.volume;
        vol += w.volume;
      }
      ASSERT_TRUE(rel_close(v.value(), pv / vol, 1e-12)) << "after " << i + 1;
    }
  }
}

TEST(realized_volatility, survives_a_crash_and_recovery_in_the_window) {
  // A 1000x crash and recovery: the two huge returns leave the window and the
  // volatility falls back to that of the quiet returns around them.
  constexpr int n = 10;
  ind::realized_volatility v{n};
  std::vector<double> r;
  double p = 100;
  std::mt19937_64 rng{3};
  std::normal_distribution<double> step{0.0, 0.001};
  for (int i = 0; i < 10'000; ++i) {
    const double prev = p;
    p *= i == 5000 ? 1e-3 : (i == 5001 ? 1e3 : std::exp(step(rng)));
    v.update(p);
    r.push_back(std::log(p / prev));
  }
  double mean = 0;
  for (std::size_t j = r.size() - n; j < r.size(); ++j)
    mean += r[j];
  mean /= n;
  double ss = 0;
  for (std::size_t j = r.size() - n; j < r.size(); ++j)
    ss += (r[j] - mean) * (r[j] - mean);
  EXPECT_TRUE(rel_close(v.value(), std::sqrt(ss / n), 1e-6));
  EXPECT_LT(v.value(), 0.01);
}
