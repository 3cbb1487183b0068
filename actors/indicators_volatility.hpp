#pragma once

// Volatility indicators: rolling (population) standard deviation, z-score,
// Bollinger bands, Wilder's ATR and realized volatility. Same contract as
// indicators.hpp: non-finite inputs ignored, NaN until the documented
// warm-up, no allocation after construction, reset().

#include "actors/indicators.hpp"

namespace osprey::ind {

/// Mean and population variance of the last N values:
/// mean = sum(x) / N, variance = sum((x - mean)^2) / N, stdev = sqrt(variance).
/// Seeding: none; the first value is reported once the window is full.
/// Warm-up: ready after N values.
///
/// Numerics: nothing is ever subtracted back out of a running sum, so nothing
/// can drift and no outlier leaves a residue. The ring is split into blocks of
/// N values. While a block fills, its values are folded into (mean, M2) by
/// Welford's update; when it is full, one backward Welford pass stores the
/// moments of each of its suffixes. The window is then the newest suffix of
/// the previous block plus the current partial block, merged with Chan's
/// formula: M2 = M2a + M2b + d^2 * na * nb / N, d = mean_b - mean_a.
/// Cost: amortised O(1) (two Welford steps per value, one O(N) pass every N
/// values, as `rolling_extreme` is amortised); the query is O(1).
class rolling_stdev {
public:
  /// Mean and population variance of the window.
  struct moments {
    double mean;
    double variance;
  };

  /// Creates a window over `period` values, allocating its arrays once.
  explicit rolling_stdev(int period)
    : period_{period},
      ring_(slots(period)),
      suffix_(slots(period) + 1),
      inverse_(slots(period) + 1) {
    for (std::size_t k = 1; k < inverse_.size(); ++k)
      inverse_[k] = 1.0 / static_cast<double>(k);
  }

  /// Feeds the next value.
  void update(double x) noexcept {
    if (period_ < 1 || !std::isfinite(x))
      return;
    ring_[pos_++] = x;
    const double d = x - head_.mean;
    head_.mean += d * inverse_[pos_];
    head_.m2 += d * (x - head_.mean);
    if (count_ < period_)
      ++count_;
    if (pos_ == ring_.size())
      seal_block();
  }

  /// Returns true once N values have been fed.
  bool ready() const noexcept {
    return period_ >= 1 && count_ == period_;
  }

  /// Returns the window's mean and population variance (NaN while warming
  /// up); tiny negative rounding of the variance is clamped to 0.
  moments stats() const noexcept {
    if (!ready())
      return {not_ready, not_ready};
    const block& older = suffix_[pos_]; // values pos_ .. N-1 of the last block
    if (pos_ == 0)
      return {older.mean, std::max(older.m2, 0.0) * inverse_[ring_.size()]};
    const double n = static_cast<double>(ring_.size());
    const double n_new = static_cast<double>(pos_);
    const double n_old = n - n_new;
    const double d = head_.mean - older.mean;
    const double mean = older.mean + d * n_new / n;
    const double m2 = older.m2 + head_.m2 + d * d * n_old * n_new / n;
    return {mean, std::max(m2, 0.0) / n};
  }

  /// Returns the mean of the window, or NaN while warming up.
  double mean() const noexcept {
    return stats().mean;
  }

  /// Returns the population variance of the window, or NaN while warming up.
  double variance() const noexcept {
    return stats().variance;
  }

  /// Returns the population standard deviation, or NaN while warming up.
  double value() const noexcept {
    return std::sqrt(variance());
  }

  /// Returns N.
  int period() const noexcept {
    return period_;
  }

  /// Forgets every value fed so far.
  void reset() noexcept {
    count_ = 0;
    pos_ = 0;
    head_ = block{};
  }

private:
  // Moments of a run of values; the count is implied by the position.
  struct block {
    double mean = 0.0;
    double m2 = 0.0;
  };

  static std::size_t slots(int period) noexcept {
    return static_cast<std::size_t>(std::max(period, 0));
  }

  // Stores the moments of every suffix of the full block, newest first, and
  // starts the next block.
  void seal_block() noexcept {
    const std::size_t n = ring_.size();
    block acc;
    suffix_[n] = acc;
    for (std::size_t i = n; i-- > 0;) {
      const double x = ring_[i];
      const double d = x - acc.mean;
      acc.mean += d * inverse_[n - i];
      acc.m2 += d * (x - acc.mean);
      suffix_[i] = acc;
    }
    pos_ = 0;
    head_ = block{};
  }

  int period_;
  int count_ = 0;
  std::size_t pos_ = 0; // values in the current block
  block head_;          // moments of the current block
  std::vector<double> ring_;
  std::vector<block> suffix_;    // suffix_[i]: values i .. N-1, last block
  std::vector<double> inverse_;  // inverse_[k] = 1 / k
};

/// Z-score of the latest value against the last N values (itself included):
/// value = (x[t] - mean) / stdev, population stdev as in `rolling_stdev`;
/// 0 when the window is constant (stdev 0, x equals the mean).
/// Seeding: none. Warm-up: ready after N values.
class zscore {
public:
  /// Creates a z-score over `period` values.
  explicit zscore(int period) : stdev_{period} {
  }

  /// Feeds the next value.
  void update(double x) noexcept {
    if (!std::isfinite(x))
      return;
    stdev_.update(x);
    last_ = x;
  }

  /// Returns true once N values have been fed.
  bool ready() const noexcept {
    return stdev_.ready();
  }

  /// Returns the z-score of the latest value, or NaN while warming up.
  double value() const noexcept {
    const auto s = stdev_.stats();
    if (!ready())
      return not_ready;
    const double sd = std::sqrt(s.variance);
    return sd > 0.0 ? (last_ - s.mean) / sd : 0.0;
  }

  /// Returns N.
  int period() const noexcept {
    return stdev_.period();
  }

  /// Forgets every value fed so far.
  void reset() noexcept {
    stdev_.reset();
    last_ = 0.0;
  }

private:
  rolling_stdev stdev_;
  double last_ = 0.0;
};

/// Bollinger bands over the last N values (by default 20, k = 2):
/// middle = SMA_N, upper = middle + k * sd, lower = middle - k * sd, where sd
/// is the POPULATION standard deviation of the same N values (Bollinger's
/// convention; divide by N, not N - 1).
/// Seeding: none. Warm-up: ready after N values. value() is the middle band.
class bollinger {
public:
  /// Creates bands over `period` values, `k` standard deviations wide.
  explicit bollinger(int period = 20, double k = 2.0)
    : stdev_{period}, k_{k} {
  }

  /// Feeds the next value.
  void update(double x) noexcept {
    stdev_.update(x);
  }

  /// Returns true once N values have been fed.
  bool ready() const noexcept {
    return stdev_.ready();
  }

  /// Returns the middle band (the SMA), or NaN while warming up.
  double middle() const noexcept {
    return stdev_.mean();
  }

  /// Returns middle + k * sd, or NaN while warming up.
  double upper() const noexcept {
    const auto s = stdev_.stats();
    return s.mean + k_ * std::sqrt(s.variance);
  }

  /// Returns middle - k * sd, or NaN while warming up.
  double lower() const noexcept {
    const auto s = stdev_.stats();
    return s.mean - k_ * std::sqrt(s.variance);
  }

  /// Returns the population standard deviation, or NaN while warming up.
  double stdev() const noexcept {
    return stdev_.value();
  }

  /// Returns the middle band, or NaN while warming up.
  double value() const noexcept {
    return middle();
  }

  /// Returns N.
  int period() const noexcept {
    return stdev_.period();
  }

  /// Forgets every value fed so far.
  void reset() noexcept {
    stdev_.reset();
  }

private:
  rolling_stdev stdev_;
  double k_;
};

/// Wilder's average true range over N bars:
/// TR = max(high - low, |high - prev_close|, |low - prev_close|), and
/// TR = high - low for the very first bar (there is no previous close).
/// Seeding: the first ATR is the simple mean of the first N true ranges;
/// afterwards ATR = (ATR_prev * (N - 1) + TR) / N.
/// Warm-up: ready after N bars.
class atr {
public:
  /// Creates an ATR over `period` bars.
  explicit atr(int period = 14) : period_{period}, average_{period} {
  }

  /// Feeds the next bar.
  void update(const bar_input& b) noexcept {
    if (period_ < 1 || !is_finite(b))
      return;
    average_.update(has_prev_ ? true_range(b, prev_close_) : b.high - b.low);
    has_prev_ = true;
    prev_close_ = b.close;
  }

  /// Returns true once N bars have been fed.
  bool ready() const noexcept {
    return average_.ready();
  }

  /// Returns the average true range, or NaN while warming up.
  double value() const noexcept {
    return average_.value();
  }

  /// Returns N.
  int period() const noexcept {
    return period_;
  }

  /// Forgets every bar fed so far.
  void reset() noexcept {
    has_prev_ = false;
    prev_close_ = 0.0;
    average_.reset();
  }

private:
  int period_;
  bool has_prev_ = false;
  double prev_close_ = 0.0;
  wilder_average average_;
};

/// Realized volatility: the population standard deviation of the last N log
/// returns r[t] = ln(p[t] / p[t-1]), times sqrt(periods_per_year) (pass 252
/// for daily bars to annualise; 1 leaves it per bar).
/// Prices that are not strictly positive are ignored like non-finite ones
/// (a log return needs both ends positive).
/// Seeding: none. Warm-up: ready after N + 1 prices (N returns).
class realized_volatility {
public:
  /// Creates a volatility over `period` returns, scaled by
  /// sqrt(`periods_per_year`).
  explicit realized_volatility(int period, double periods_per_year = 1.0)
    : returns_{period}, scale_{std::sqrt(periods_per_year)} {
  }

  /// Feeds the next price.
  void update(double price) noexcept {
    if (!std::isfinite(price) || !(price > 0.0))
      return;
    if (prev_ > 0.0)
      returns_.update(std::log(price / prev_));
    prev_ = price;
  }

  /// Returns true once N + 1 prices have been fed.
  bool ready() const noexcept {
    return returns_.ready();
  }

  /// Returns the scaled standard deviation of log returns, or NaN while
  /// warming up.
  double value() const noexcept {
    return returns_.value() * scale_;
  }

  /// Returns N (the number of returns).
  int period() const noexcept {
    return returns_.period();
  }

  /// Forgets every price fed so far.
  void reset() noexcept {
    returns_.reset();
    prev_ = 0.0;
  }

private:
  rolling_stdev returns_;
  double scale_;
  double prev_ = 0.0; // 0 until the first price
};

} // namespace osprey::ind
