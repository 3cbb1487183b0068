#pragma once

// Incremental technical indicators for the signal actor. Each indicator is a
// small value type: O(1) per update, no allocation after construction, double
// arithmetic (prices are fixed-point everywhere else; indicators and
// statistics are the one place doubles belong).
//
// Common contract:
// - `update(x)` feeds one value; non-finite inputs (NaN, ±inf) are ignored so
//   one bad tick cannot poison the state for the rest of the session.
// - `ready()` is true once the documented warm-up is complete; `value()` is a
//   quiet NaN until then, never a half-seeded number.
// - A period below 1 is a configuration error; such an indicator is never
//   ready and its value stays NaN.
// - `reset()` returns to the just-constructed state without allocating.
// - Indicators with several outputs (MACD, Bollinger, ADX, stochastic) give
//   each output its own accessor, NaN until that output's warm-up; `ready()`
//   is true once every output is, and `value()` is the main output.
//
// This header holds the basic averages and extremes; the other families are
// in indicators_trend.hpp (WMA, MACD), indicators_volatility.hpp (rolling
// standard deviation, z-score, Bollinger, ATR, realized volatility),
// indicators_momentum.hpp (stochastic, ADX, rate of change, relative
// strength), indicators_volume.hpp (OBV, VWAP, volume ratio) and
// indicators_levels.hpp (N-bar breakouts, gaps).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace osprey::ind {

/// The value every indicator reports while it is warming up.
inline constexpr double not_ready = std::numeric_limits<double>::quiet_NaN();

/// Simple moving average over the last N values:
/// value = (x[t] + x[t-1] + ... + x[t-N+1]) / N.
/// Seeding: none; the first value is reported once the window is full.
/// Warm-up: ready after N values.
/// The running sum uses Neumaier compensation (both the value entering and the
/// value leaving are added exactly), so it does not drift however long it
/// runs, even after a huge outlier has passed through the window.
class sma {
public:
  /// Creates an average over `period` values, allocating the window once.
  explicit sma(int period)
    : period_{period}, window_(static_cast<std::size_t>(std::max(period, 0))) {
  }

  /// Feeds the next value, evicting the oldest once the window is full.
  void update(double x) noexcept {
    if (period_ < 1 || !std::isfinite(x))
      return;
    if (count_ == period_) {
      add(-window_[pos_]);
    } else {
      ++count_;
    }
    window_[pos_] = x;
    add(x);
    pos_ = pos_ + 1 == window_.size() ? 0 : pos_ + 1;
  }

  /// Returns true once N values have been fed.
  bool ready() const noexcept {
    return period_ >= 1 && count_ == period_;
  }

  /// Returns the average of the last N values, or NaN while warming up.
  double value() const noexcept {
    return ready() ? (sum_ + compensation_) / period_ : not_ready;
  }

  /// Returns N.
  int period() const noexcept {
    return period_;
  }

  /// Forgets every value fed so far.
  void reset() noexcept {
    count_ = 0;
    pos_ = 0;
    sum_ = 0.0;
    compensation_ = 0.0;
  }

private:
  // Neumaier's variant of Kahan summation: the rounding error of every
  // addition is recovered exactly and carried in compensation_.
  void add(double x) noexcept {
    const double t = sum_ + x;
    compensation_ += std::abs(sum_) >= std::abs(x) ? (sum_ - t) + x
                                                   : (x - t) + sum_;
    sum_ = t;
  }

  int period_;
  int count_ = 0;
  std::size_t pos_ = 0;
  double sum_ = 0.0;
  double compensation_ = 0.0;
  std::vector<double> window_;
};

/// Rolling mean over the last N values (average volume and the like); the same
/// maths, seeding and warm-up (N values) as `sma`.
using rolling_mean = sma;

/// Exponential moving average with alpha = 2 / (N + 1):
/// value[t] = value[t-1] + alpha * (x[t] - value[t-1]).
/// Seeding: the first value is the simple mean of the first N inputs.
/// Warm-up: ready after N values.
class ema {
public:
  /// Creates an average with smoothing period `period`.
  explicit ema(int period)
    : period_{period}, alpha_{2.0 / (static_cast<double>(period) + 1.0)} {
  }

  /// Feeds the next value.
  void update(double x) noexcept {
    if (period_ < 1 || !std::isfinite(x))
      return;
    if (count_ < period_) {
      seed_sum_ += x;
      if (++count_ == period_)
        value_ = seed_sum_ / period_;
    } else {
      value_ += alpha_ * (x - value_);
    }
  }

  /// Returns true once N values have been fed.
  bool ready() const noexcept {
    return period_ >= 1 && count_ == period_;
  }

  /// Returns the current average, or NaN while warming up.
  double value() const noexcept {
    return ready() ? value_ : not_ready;
  }

  /// Returns N.
  int period() const noexcept {
    return period_;
  }

  /// Forgets every value fed so far.
  void reset() noexcept {
    count_ = 0;
    seed_sum_ = 0.0;
    value_ = 0.0;
  }

private:
  int period_;
  int count_ = 0;
  double alpha_;
  double seed_sum_ = 0.0;
  double value_ = 0.0;
};

/// Wilder's smoothing of a series, the average RSI, ATR and ADX share.
/// Seeding: the simple mean of the first N values; afterwards
/// avg = (avg_prev * (N - 1) + x) / N, computed as avg_prev * keep + x * weight
/// with the constants folded (no division per update; the result differs
/// from the textbook form only in the last bits).
/// Warm-up: ready after N values.
class wilder_average {
public:
  /// Creates an average over `period` values.
  explicit wilder_average(int period)
    : period_{period},
      keep_{(static_cast<double>(period) - 1.0) / period},
      weight_{1.0 / period} {
  }

  /// Feeds the next value (the caller filters non-finite ones). With a
  /// period below 1 the seed is never complete: never ready, value NaN.
  void update(double x) noexcept {
    if (count_ < period_) {
      value_ += x; // sums until seeded, then averages
      if (++count_ == period_)
        value_ /= period_;
    } else {
      value_ = value_ * keep_ + x * weight_;
    }
  }

  /// Returns true once N values have been fed.
  bool ready() const noexcept {
    return period_ >= 1 && count_ == period_;
  }

  /// Returns the average, or NaN while warming up.
  double value() const noexcept {
    return ready() ? value_ : not_ready;
  }

  /// Forgets every value fed so far.
  void reset() noexcept {
    count_ = 0;
    value_ = 0.0;
  }

private:
  int period_;
  double keep_;   // (N - 1) / N
  double weight_; // 1 / N
  int count_ = 0;
  double value_ = 0.0;
};

/// Wilder's relative strength index over N price changes.
/// gain = max(p[t] - p[t-1], 0), loss = max(p[t-1] - p[t], 0).
/// Seeding: the first average gain (loss) is the simple mean of the first N
/// gains (losses); afterwards avg = (avg_prev * (N - 1) + gain) / N.
/// value = 100 - 100 / (1 + avg_gain / avg_loss); 100 when avg_loss is 0,
/// and 50 when both averages are 0 (a flat market).
/// Warm-up: ready after N + 1 prices (N changes).
class rsi {
public:
  /// Creates an RSI over `period` price changes.
  explicit rsi(int period) : period_{period}, gain_{period}, loss_{period} {
  }

  /// Feeds the next price.
  void update(double price) noexcept {
    if (period_ < 1 || !std::isfinite(price))
      return;
    if (!has_prev_) {
      prev_ = price;
      has_prev_ = true;
      return;
    }
    const double change = price - prev_;
    prev_ = price;
    gain_.update(change > 0 ? change : 0.0);
    loss_.update(change < 0 ? -change : 0.0);
  }

  /// Returns true once N + 1 prices have been fed.
  bool ready() const noexcept {
    return gain_.ready();
  }

  /// Returns the RSI in [0, 100], or NaN while warming up.
  double value() const noexcept {
    if (!ready())
      return not_ready;
    const double gain = gain_.value(), loss = loss_.value();
    if (loss == 0.0)
      return gain == 0.0 ? 50.0 : 100.0;
    return 100.0 - 100.0 / (1.0 + gain / loss);
  }

  /// Returns N.
  int period() const noexcept {
    return period_;
  }

  /// Forgets every price fed so far.
  void reset() noexcept {
    has_prev_ = false;
    prev_ = 0.0;
    gain_.reset();
    loss_.reset();
  }

private:
  int period_;
  bool has_prev_ = false;
  double prev_ = 0.0;
  wilder_average gain_;
  wilder_average loss_;
};

/// Maximum (IsMax) or minimum of the last N values:
/// value = max(x[t], x[t-1], ..., x[t-N+1]) (or min).
/// Seeding: none; the first value is reported once the window is full.
/// Warm-up: ready after N values.
/// Keeps a monotonic deque of (index, value) in a fixed ring of N slots:
/// amortised O(1) per update, never more than N entries, no allocation.
template <bool IsMax>
class rolling_extreme {
public:
  /// Creates a window over `period` values, allocating the ring once.
  explicit rolling_extreme(int period)
    : period_{period}, ring_(static_cast<std::size_t>(std::max(period, 0))) {
  }

  /// Feeds the next value, evicting the one that falls out of the window.
  void update(double x) noexcept {
    if (period_ < 1 || !std::isfinite(x))
      return;
    const std::int64_t index = count_++;
    // Indices in the deque are distinct and increasing, so at most the front
    // one (index - N) can leave the window on this step.
    if (size_ > 0 && ring_[head_].index <= index - period_) {
      head_ = next(head_);
      --size_;
    }
    // Entries the new value dominates can never be the extreme again.
    while (size_ > 0 && !beats(ring_[back()].value, x))
      --size_;
    ring_[wrap(head_ + size_)] = entry{index, x};
    ++size_;
  }

  /// Returns true once N values have been fed.
  bool ready() const noexcept {
    return period_ >= 1 && count_ >= period_;
  }

  /// Returns the extreme of the last N values, or NaN while warming up.
  double value() const noexcept {
    return ready() ? ring_[head_].value : not_ready;
  }

  /// Returns N.
  int period() const noexcept {
    return period_;
  }

  /// Forgets every value fed so far.
  void reset() noexcept {
    count_ = 0;
    head_ = 0;
    size_ = 0;
  }

private:
  struct entry {
    std::int64_t index;
    double value;
  };

  // True when `kept` strictly beats `incoming`, i.e. `kept` stays queued.
  static bool beats(double kept, double incoming) noexcept {
    return IsMax ? kept > incoming : kept < incoming;
  }
  std::size_t wrap(std::size_t i) const noexcept {
    return i >= ring_.size() ? i - ring_.size() : i;
  }
  std::size_t next(std::size_t i) const noexcept {
    return wrap(i + 1);
  }
  std::size_t back() const noexcept {
    return wrap(head_ + size_ - 1);
  }

  int period_;
  std::int64_t count_ = 0;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
  std::vector<entry> ring_;
};

/// Maximum of the last N values (e.g. the N-bar high); warm-up N values.
using rolling_max = rolling_extreme<true>;

/// Minimum of the last N values (e.g. the N-bar low); warm-up N values.
using rolling_min = rolling_extreme<false>;

/// Returns the indicator's value over the bars BEFORE this one, then feeds the
/// current bar: `double prior_high = value_before_update(high_20, bar.high);`
/// gives the 20-bar high excluding the current bar (NaN until N earlier bars).
template <class Indicator, class... Args>
double value_before_update(Indicator& indicator, Args... args) noexcept {
  const double before = indicator.value();
  indicator.update(args...);
  return before;
}

/// One bar for the bar-based indicators (ATR, ADX, stochastic, OBV, VWAP,
/// breakouts, gaps): plain doubles, converted from fixed-point at the call
/// site. A bar with any non-finite field is ignored by every indicator.
struct bar_input {
  double open = 0.0;
  double high = 0.0;
  double low = 0.0;
  double close = 0.0;
  double volume = 0.0;
};

/// Returns true when every field of `b` is finite (the bar may be used).
inline bool is_finite(const bar_input& b) noexcept {
  return std::isfinite(b.open) && std::isfinite(b.high) && std::isfinite(b.low)
         && std::isfinite(b.close) && std::isfinite(b.volume);
}

/// Wilder's true range of bar `b` after a bar that closed at `prev_close`:
/// max(high - low, |high - prev_close|, |low - prev_close|).
inline double true_range(const bar_input& b, double prev_close) noexcept {
  return std::max({b.high - b.low, std::abs(b.high - prev_close),
                   std::abs(b.low - prev_close)});
}

namespace detail {

/// A running sum with Neumaier compensation: the rounding error of every
/// addition is recovered exactly and carried separately, so adding and later
/// subtracting the same values (a rolling window, a huge outlier passing
/// through) leaves no residue beyond the last bits.
class compensated_sum {
public:
  /// Adds `x` to the sum.
  void add(double x) noexcept {
    const double t = sum_ + x;
    compensation_ += std::abs(sum_) >= std::abs(x) ? (sum_ - t) + x
                                                   : (x - t) + sum_;
    sum_ = t;
  }

  /// Adds another compensated sum, both of its parts, without rounding it
  /// to one double first.
  void add(const compensated_sum& other) noexcept {
    add(other.sum_);
    add(other.compensation_);
  }

  /// Subtracts another compensated sum, both of its parts.
  void subtract(const compensated_sum& other) noexcept {
    add(-other.sum_);
    add(-other.compensation_);
  }

  /// Adds a * b exactly: the product and its rounding error (from an fma).
  void add_product(double a, double b) noexcept {
    const double p = a * b;
    add(p);
    add(std::fma(a, b, -p));
  }

  /// Returns the sum rounded to one double.
  double value() const noexcept {
    return sum_ + compensation_;
  }

  /// Returns the sum to zero.
  void reset() noexcept {
    sum_ = 0.0;
    compensation_ = 0.0;
  }

private:
  double sum_ = 0.0;
  double compensation_ = 0.0;
};

} // namespace detail

} // namespace osprey::ind
