#pragma once

// Price-level indicators: N-bar high/low breakouts and opening gaps. Same
// contract as indicators.hpp: non-finite bars ignored, NaN until the
// documented warm-up, no allocation after construction, reset().

#include "actors/indicators.hpp"

namespace osprey::ind {

/// N-bar high/low with breakout flags. prior_high() and prior_low() are the
/// highest high and lowest low of the N bars BEFORE the latest one;
/// up() is close > prior_high, down() is close < prior_low.
/// value() = +1 on an upward breakout, -1 on a downward one, 0 otherwise.
/// Seeding: none. Warm-up: ready after N + 1 bars (N earlier bars plus the
/// one being judged). high()/low(), the extremes of the last N bars
/// including the latest, are ready after N bars.
class breakout {
public:
  /// Creates breakout levels over `period` bars.
  explicit breakout(int period) : high_{period}, low_{period} {
  }

  /// Feeds the next bar.
  void update(const bar_input& b) noexcept {
    if (!is_finite(b))
      return;
    prior_high_ = value_before_update(high_, b.high);
    prior_low_ = value_before_update(low_, b.low);
    close_ = b.close;
  }

  /// Returns true once N + 1 bars have been fed.
  bool ready() const noexcept {
    return !std::isnan(prior_high_);
  }

  /// Returns true when the latest close is above the prior N-bar high.
  bool up() const noexcept {
    return ready() && close_ > prior_high_;
  }

  /// Returns true when the latest close is below the prior N-bar low.
  bool down() const noexcept {
    return ready() && close_ < prior_low_;
  }

  /// Returns +1, -1 or 0 for an upward, downward or no breakout; NaN while
  /// warming up.
  double value() const noexcept {
    if (!ready())
      return not_ready;
    return up() ? 1.0 : (down() ? -1.0 : 0.0);
  }

  /// Returns the highest high of the N bars before the latest one.
  double prior_high() const noexcept {
    return prior_high_;
  }

  /// Returns the lowest low of the N bars before the latest one.
  double prior_low() const noexcept {
    return prior_low_;
  }

  /// Returns the highest high of the last N bars, the latest included.
  double high() const noexcept {
    return high_.value();
  }

  /// Returns the lowest low of the last N bars, the latest included.
  double low() const noexcept {
    return low_.value();
  }

  /// Returns N.
  int period() const noexcept {
    return high_.period();
  }

  /// Forgets every bar fed so far.
  void reset() noexcept {
    high_.reset();
    low_.reset();
    prior_high_ = not_ready;
    prior_low_ = not_ready;
    close_ = 0.0;
  }

private:
  rolling_max high_;
  rolling_min low_;
  double prior_high_ = not_ready;
  double prior_low_ = not_ready;
  double close_ = 0.0;
};

/// Opening gap in percent: value = 100 * (open[t] - close[t-1]) / close[t-1];
/// NaN when the previous close is 0.
/// Seeding: none. Warm-up: ready after 2 bars.
class gap_percent {
public:
  /// Feeds the next bar (only open and close are used).
  void update(const bar_input& b) noexcept {
    if (!is_finite(b))
      return;
    if (has_prev_) {
      gap_ = prev_close_ != 0.0 ? 100.0 * (b.open - prev_close_) / prev_close_
                                : not_ready;
      ready_ = true;
    }
    has_prev_ = true;
    prev_close_ = b.close;
  }

  /// Returns true once 2 bars have been fed.
  bool ready() const noexcept {
    return ready_;
  }

  /// Returns the latest bar's gap in percent, or NaN while warming up.
  double value() const noexcept {
    return ready_ ? gap_ : not_ready;
  }

  /// Forgets every bar fed so far.
  void reset() noexcept {
    has_prev_ = false;
    ready_ = false;
    prev_close_ = 0.0;
    gap_ = not_ready;
  }

private:
  bool has_prev_ = false;
  bool ready_ = false;
  double prev_close_ = 0.0;
  double gap_ = not_ready;
};

} // namespace osprey::ind
