#pragma once

// Trend indicators: weighted moving average and MACD. Same contract as
// indicators.hpp: O(1) update, no allocation after construction, non-finite
// inputs ignored, NaN until the documented warm-up, reset().

#include "actors/indicators.hpp"

namespace osprey::ind {

/// Linearly weighted moving average over the last N values:
/// value = (N*x[t] + (N-1)*x[t-1] + ... + 1*x[t-N+1]) / (N*(N+1)/2).
/// Seeding: none; the first value is reported once the window is full.
/// Warm-up: ready after N values.
/// Kept incrementally as numerator[t] = numerator[t-1] - sum[t-1] + N*x[t]
/// (sum = the plain window sum before the update); both sums are compensated
/// and the product N*x is added with its exact rounding error, so neither
/// drifts after a huge outlier has passed through.
class wma {
public:
  /// Creates an average over `period` values, allocating the window once.
  explicit wma(int period)
    : period_{period},
      divisor_{static_cast<double>(period) * (period + 1.0) / 2.0},
      window_(static_cast<std::size_t>(std::max(period, 0))) {
  }

  /// Feeds the next value, evicting the oldest once the window is full.
  void update(double x) noexcept {
    if (period_ < 1 || !std::isfinite(x))
      return;
    if (count_ == period_) {
      // Every value in the window loses one unit of weight, the oldest
      // (weight 1) drops out, and x enters with weight N.
      weighted_.subtract(sum_);
      sum_.add(-window_[pos_]);
      weighted_.add_product(static_cast<double>(period_), x);
    } else {
      // Filling up: the k-th value enters with weight k.
      ++count_;
      weighted_.add_product(static_cast<double>(count_), x);
    }
    sum_.add(x);
    window_[pos_] = x;
    pos_ = pos_ + 1 == window_.size() ? 0 : pos_ + 1;
  }

  /// Returns true once N values have been fed.
  bool ready() const noexcept {
    return period_ >= 1 && count_ == period_;
  }

  /// Returns the weighted average of the last N values, or NaN while warming
  /// up.
  double value() const noexcept {
    return ready() ? weighted_.value() / divisor_ : not_ready;
  }

  /// Returns N.
  int period() const noexcept {
    return period_;
  }

  /// Forgets every value fed so far.
  void reset() noexcept {
    count_ = 0;
    pos_ = 0;
    sum_.reset();
    weighted_.reset();
  }

private:
  int period_;
  double divisor_; // N * (N + 1) / 2, the sum of the weights
  int count_ = 0;
  std::size_t pos_ = 0;
  detail::compensated_sum sum_;      // sum of the window
  detail::compensated_sum weighted_; // sum of weight * value
  std::vector<double> window_;
};

/// Moving average convergence/divergence (Appel), by default 12/26/9:
/// line = EMA_fast(x) - EMA_slow(x); signal = EMA_signal(line);
/// histogram = line - signal.
/// Seeding: each EMA is the `ema` class, seeded by the simple mean of its
/// first N inputs; the signal EMA's inputs are the line values, the first
/// of which exists once both price EMAs are ready.
/// Warm-up: line() after max(fast, slow) prices (26); signal(), histogram()
/// and ready() after max(fast, slow) + signal - 1 prices (26 + 9 - 1 = 34).
/// value() is the histogram.
class macd {
public:
  /// Creates a MACD with the given EMA periods.
  explicit macd(int fast = 12, int slow = 26, int signal = 9)
    : fast_{fast}, slow_{slow}, signal_{signal} {
  }

  /// Feeds the next price.
  void update(double x) noexcept {
    if (!std::isfinite(x))
      return;
    fast_.update(x);
    slow_.update(x);
    if (line_ready())
      signal_.update(fast_.value() - slow_.value());
  }

  /// Returns true once the signal line (and so the histogram) is ready.
  bool ready() const noexcept {
    return signal_.ready();
  }

  /// Returns true once both price EMAs are ready (the line exists).
  bool line_ready() const noexcept {
    return fast_.ready() && slow_.ready();
  }

  /// Returns EMA_fast - EMA_slow, or NaN until both are ready.
  double line() const noexcept {
    return line_ready() ? fast_.value() - slow_.value() : not_ready;
  }

  /// Returns the EMA of the line, or NaN while warming up.
  double signal() const noexcept {
    return signal_.value();
  }

  /// Returns line - signal, or NaN while warming up.
  double histogram() const noexcept {
    return ready() ? line() - signal_.value() : not_ready;
  }

  /// Returns the histogram, or NaN while warming up.
  double value() const noexcept {
    return histogram();
  }

  /// Forgets every price fed so far.
  void reset() noexcept {
    fast_.reset();
    slow_.reset();
    signal_.reset();
  }

private:
  ema fast_;
  ema slow_;
  ema signal_;
};

} // namespace osprey::ind
