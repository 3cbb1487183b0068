#pragma once

// Momentum indicators: stochastic oscillator, Wilder's ADX/+DI/-DI, rate of
// change and relative strength against a benchmark. Same contract as
// indicators.hpp: non-finite inputs ignored, NaN until the documented
// warm-up, no allocation after construction, reset().

#include "actors/indicators.hpp"

namespace osprey::ind {

/// Lane's stochastic oscillator over N bars:
/// raw %K = 100 * (close - lowest low) / (highest high - lowest low) over the
/// last N bars (the current one included); 50 when the range is 0.
/// %K = SMA of raw %K over `k_smoothing` bars (1: the fast stochastic, 3:
/// the usual slow one); %D = SMA of %K over `d_period` bars.
/// Seeding: none (simple averages).
/// Warm-up: k() after N + k_smoothing - 1 bars; d() and ready() after
/// N + k_smoothing + d_period - 2 bars. value() is %K.
class stochastic {
public:
  /// Creates a stochastic over `period` bars.
  explicit stochastic(int period = 14, int k_smoothing = 1, int d_period = 3)
    : high_{period}, low_{period}, k_{k_smoothing}, d_{d_period} {
  }

  /// Feeds the next bar.
  void update(const bar_input& b) noexcept {
    if (!is_finite(b))
      return;
    high_.update(b.high);
    low_.update(b.low);
    if (!high_.ready())
      return;
    const double range = high_.value() - low_.value();
    k_.update(range > 0.0 ? 100.0 * (b.close - low_.value()) / range : 50.0);
    if (k_.ready())
      d_.update(k_.value());
  }

  /// Returns true once %D (and so %K) is ready.
  bool ready() const noexcept {
    return d_.ready();
  }

  /// Returns %K in [0, 100], or NaN while warming up.
  double k() const noexcept {
    return k_.value();
  }

  /// Returns %D, or NaN while warming up.
  double d() const noexcept {
    return d_.value();
  }

  /// Returns %K once every output is ready, NaN before.
  double value() const noexcept {
    return ready() ? k_.value() : not_ready;
  }

  /// Returns N.
  int period() const noexcept {
    return high_.period();
  }

  /// Forgets every bar fed so far.
  void reset() noexcept {
    high_.reset();
    low_.reset();
    k_.reset();
    d_.reset();
  }

private:
  rolling_max high_;
  rolling_min low_;
  sma k_;
  sma d_;
};

/// Wilder's directional movement system over N bars.
/// up = high - prev_high, down = prev_low - low;
/// +DM = up if up > down and up > 0, else 0; -DM = down if down > up and
/// down > 0, else 0; TR = true range against the previous close.
/// Smoothing (Wilder): the first average of TR, +DM and -DM is the simple
/// mean of the first N values, then avg = (avg_prev * (N - 1) + x) / N.
/// +DI = 100 * avg(+DM) / avg(TR), -DI likewise (0 when avg(TR) is 0);
/// DX = 100 * |+DI - -DI| / (+DI + -DI) (0 when both are 0);
/// ADX = the simple mean of the first N DX values, then Wilder-smoothed.
/// Warm-up: plus_di()/minus_di() after N + 1 bars (N movements); value() and
/// ready() after 2N bars (N DX values).
class adx {
public:
  /// Creates an ADX over `period` bars.
  explicit adx(int period = 14)
    : period_{period}, tr_{period}, plus_{period}, minus_{period}, adx_{period} {
  }

  /// Feeds the next bar.
  void update(const bar_input& b) noexcept {
    if (period_ < 1 || !is_finite(b))
      return;
    if (!has_prev_) {
      has_prev_ = true;
      prev_ = b;
      return;
    }
    const double up = b.high - prev_.high;
    const double down = prev_.low - b.low;
    tr_.update(true_range(b, prev_.close));
    plus_.update(up > down && up > 0.0 ? up : 0.0);
    minus_.update(down > up && down > 0.0 ? down : 0.0);
    prev_ = b;
    if (di_ready())
      adx_.update(directional_index());
  }

  /// Returns true once the ADX is ready (2N bars).
  bool ready() const noexcept {
    return adx_.ready();
  }

  /// Returns true once +DI and -DI are ready (N + 1 bars).
  bool di_ready() const noexcept {
    return tr_.ready();
  }

  /// Returns +DI in [0, 100], or NaN while warming up.
  double plus_di() const noexcept {
    return di(plus_);
  }

  /// Returns -DI in [0, 100], or NaN while warming up.
  double minus_di() const noexcept {
    return di(minus_);
  }

  /// Returns the ADX in [0, 100], or NaN while warming up.
  double value() const noexcept {
    return adx_.value();
  }

  /// Returns N.
  int period() const noexcept {
    return period_;
  }

  /// Forgets every bar fed so far.
  void reset() noexcept {
    has_prev_ = false;
    prev_ = bar_input{};
    tr_.reset();
    plus_.reset();
    minus_.reset();
    adx_.reset();
  }

private:
  double di(const wilder_average& dm) const noexcept {
    if (!di_ready())
      return not_ready;
    const double tr = tr_.value();
    return tr > 0.0 ? 100.0 * dm.value() / tr : 0.0;
  }

  double directional_index() const noexcept {
    const double p = plus_di();
    const double m = minus_di();
    return p + m > 0.0 ? 100.0 * std::abs(p - m) / (p + m) : 0.0;
  }

  int period_;
  bool has_prev_ = false;
  bar_input prev_;
  wilder_average tr_;    // true range
  wilder_average plus_;  // +DM
  wilder_average minus_; // -DM
  wilder_average adx_;   // DX
};

/// Rate of change, the N-bar return: value = x[t] / x[t-N] - 1 (a fraction;
/// percent() is 100 times it). NaN when x[t-N] is 0.
/// Seeding: none. Warm-up: ready after N + 1 values.
class rate_of_change {
public:
  /// Creates a rate of change over `period` values.
  explicit rate_of_change(int period)
    : period_{period}, window_(static_cast<std::size_t>(std::max(period, 0))) {
  }

  /// Feeds the next value.
  void update(double x) noexcept {
    if (period_ < 1 || !std::isfinite(x))
      return;
    // The slot about to be overwritten holds x[t-N] once the window is full.
    if (count_ >= period_) {
      base_ = window_[pos_];
      count_ = period_ + 1;
    } else {
      ++count_;
    }
    last_ = x;
    window_[pos_] = x;
    pos_ = pos_ + 1 == window_.size() ? 0 : pos_ + 1;
  }

  /// Returns true once N + 1 values have been fed.
  bool ready() const noexcept {
    return period_ >= 1 && count_ > period_;
  }

  /// Returns x[t] / x[t-N] - 1, or NaN while warming up.
  double value() const noexcept {
    return ready() && base_ != 0.0 ? last_ / base_ - 1.0 : not_ready;
  }

  /// Returns 100 * value().
  double percent() const noexcept {
    return 100.0 * value();
  }

  /// Returns N.
  int period() const noexcept {
    return period_;
  }

  /// Forgets every value fed so far.
  void reset() noexcept {
    count_ = 0;
    pos_ = 0;
    base_ = 0.0;
    last_ = 0.0;
  }

private:
  int period_;
  int count_ = 0; // values seen, capped at N + 1
  std::size_t pos_ = 0;
  double base_ = 0.0; // x[t-N]
  double last_ = 0.0; // x[t]
  std::vector<double> window_;
};

/// Relative strength of a symbol against a benchmark over N bars, fed both
/// closes on each bar:
/// value = (1 + R_symbol) / (1 + R_benchmark)
///       = (p[t] / p[t-N]) / (b[t] / b[t-N]),
/// where R is the N-bar return; above 1 the symbol outperformed. The ratio of
/// gross returns is used because the ratio of the plain returns,
/// return_ratio() = R_symbol / R_benchmark, explodes as R_benchmark nears 0
/// and flips its ranking when the benchmark falls.
/// A pair with either close non-finite or not strictly positive is ignored.
/// Seeding: none. Warm-up: ready after N + 1 pairs.
class relative_strength {
public:
  /// Creates a relative strength over `period` bars.
  explicit relative_strength(int period) : symbol_{period}, benchmark_{period} {
  }

  /// Feeds the symbol's and the benchmark's closes for one bar.
  void update(double symbol_close, double benchmark_close) noexcept {
    if (!std::isfinite(symbol_close) || !std::isfinite(benchmark_close)
        || !(symbol_close > 0.0) || !(benchmark_close > 0.0))
      return;
    symbol_.update(symbol_close);
    benchmark_.update(benchmark_close);
  }

  /// Returns true once N + 1 pairs have been fed.
  bool ready() const noexcept {
    return symbol_.ready();
  }

  /// Returns the symbol's N-bar return, or NaN while warming up.
  double symbol_return() const noexcept {
    return symbol_.value();
  }

  /// Returns the benchmark's N-bar return, or NaN while warming up.
  double benchmark_return() const noexcept {
    return benchmark_.value();
  }

  /// Returns R_symbol / R_benchmark (NaN while warming up or when the
  /// benchmark's return is 0).
  double return_ratio() const noexcept {
    const double rb = benchmark_.value();
    return rb != 0.0 ? symbol_.value() / rb : not_ready;
  }

  /// Returns (1 + R_symbol) / (1 + R_benchmark), or NaN while warming up.
  double value() const noexcept {
    return (1.0 + symbol_.value()) / (1.0 + benchmark_.value());
  }

  /// Returns N.
  int period() const noexcept {
    return symbol_.period();
  }

  /// Forgets every pair fed so far.
  void reset() noexcept {
    symbol_.reset();
    benchmark_.reset();
  }

private:
  rate_of_change symbol_;
  rate_of_change benchmark_;
};

} // namespace osprey::ind
