#pragma once

// Volume indicators: on-balance volume, session and rolling VWAP, and the
// volume ratio. Same contract as indicators.hpp: non-finite bars ignored,
// NaN until the documented warm-up, no allocation after construction,
// reset(). A bar with a negative volume is ignored like a non-finite one.

#include "actors/indicators.hpp"

namespace osprey::ind {

/// Returns the typical price (high + low + close) / 3, the price VWAP weighs.
inline double typical_price(const bar_input& b) noexcept {
  return (b.high + b.low + b.close) / 3.0;
}

/// Returns true when `b` may be fed to a volume indicator.
inline bool is_usable_volume_bar(const bar_input& b) noexcept {
  return is_finite(b) && b.volume >= 0.0;
}

/// Granville's on-balance volume: OBV[t] = OBV[t-1] + volume if close rose,
/// - volume if it fell, unchanged if equal.
/// Seeding: 0 on the first bar. Warm-up: ready after 1 bar.
/// The running total is compensated, so fractional volumes do not drift.
class obv {
public:
  /// Feeds the next bar (only close and volume are used).
  void update(const bar_input& b) noexcept {
    if (!is_usable_volume_bar(b))
      return;
    if (ready_) {
      if (b.close > prev_close_)
        total_.add(b.volume);
      else if (b.close < prev_close_)
        total_.add(-b.volume);
    }
    ready_ = true;
    prev_close_ = b.close;
  }

  /// Returns true once one bar has been fed.
  bool ready() const noexcept {
    return ready_;
  }

  /// Returns the on-balance volume, or NaN before the first bar.
  double value() const noexcept {
    return ready_ ? total_.value() : not_ready;
  }

  /// Forgets every bar fed so far.
  void reset() noexcept {
    ready_ = false;
    prev_close_ = 0.0;
    total_.reset();
  }

private:
  bool ready_ = false;
  double prev_close_ = 0.0;
  detail::compensated_sum total_;
};

/// Volume-weighted average price since the start of the session:
/// value = sum(typical_price * volume) / sum(volume) over the session's bars.
/// A session starts at the first bar, at every bar whose session key differs
/// from the previous bar's (e.g. the trading date as yyyymmdd), and after
/// new_session().
/// Seeding: none. Warm-up: ready once the session has traded some volume
/// (its first bar with volume > 0); not ready again after a new session
/// starts until that session trades.
class session_vwap {
public:
  /// Feeds the next bar of the session named by `session`.
  void update(const bar_input& b, std::int64_t session) noexcept {
    if (!is_usable_volume_bar(b))
      return;
    if (!has_session_ || session != session_)
      new_session();
    has_session_ = true;
    session_ = session;
    add(b);
  }

  /// Feeds the next bar of the current session (the caller marks session
  /// starts with new_session()).
  void update(const bar_input& b) noexcept {
    if (!is_usable_volume_bar(b))
      return;
    add(b);
  }

  /// Starts a new session: forgets the bars of the current one.
  void new_session() noexcept {
    price_volume_.reset();
    volume_.reset();
  }

  /// Returns true once the current session has traded some volume.
  bool ready() const noexcept {
    return volume_.value() > 0.0;
  }

  /// Returns the session's VWAP, or NaN until it has traded.
  double value() const noexcept {
    return ready() ? price_volume_.value() / volume_.value() : not_ready;
  }

  /// Returns the session's total volume.
  double volume() const noexcept {
    return volume_.value();
  }

  /// Forgets every bar and the session key.
  void reset() noexcept {
    new_session();
    has_session_ = false;
    session_ = 0;
  }

private:
  void add(const bar_input& b) noexcept {
    price_volume_.add_product(typical_price(b), b.volume);
    volume_.add(b.volume);
  }

  bool has_session_ = false;
  std::int64_t session_ = 0;
  detail::compensated_sum price_volume_;
  detail::compensated_sum volume_;
};

/// Volume-weighted average price over the last N bars:
/// value = sum(typical_price * volume) / sum(volume) over the window.
/// Seeding: none. Warm-up: ready after N bars, while the window's volume is
/// above 0 (a window of N zero-volume bars has no VWAP).
/// Both window sums are `sma` rings (Neumaier-compensated, drift-free).
class rolling_vwap {
public:
  /// Creates a VWAP over `period` bars.
  explicit rolling_vwap(int period) : price_volume_{period}, volume_{period} {
  }

  /// Feeds the next bar.
  void update(const bar_input& b) noexcept {
    if (!is_usable_volume_bar(b))
      return;
    price_volume_.update(typical_price(b) * b.volume);
    volume_.update(b.volume);
  }

  /// Returns true once N bars have been fed and the window has volume.
  bool ready() const noexcept {
    return volume_.ready() && volume_.value() > 0.0;
  }

  /// Returns the window's VWAP, or NaN while not ready.
  double value() const noexcept {
    // The two averages share the divisor N, so their ratio is the VWAP.
    return ready() ? price_volume_.value() / volume_.value() : not_ready;
  }

  /// Returns N.
  int period() const noexcept {
    return volume_.period();
  }

  /// Forgets every bar fed so far.
  void reset() noexcept {
    price_volume_.reset();
    volume_.reset();
  }

private:
  sma price_volume_; // mean of typical_price * volume
  sma volume_;       // mean of volume
};

/// Volume ratio: this bar's volume over the average volume of the N bars
/// BEFORE it (so a volume spike is compared with its predecessors):
/// value = v[t] / mean(v[t-N] .. v[t-1]); NaN when that average is 0.
/// Seeding: none. Warm-up: ready after N + 1 volumes.
class volume_ratio {
public:
  /// Creates a ratio against the average of `period` earlier bars.
  explicit volume_ratio(int period) : average_{period} {
  }

  /// Feeds the next bar's volume (negative volumes are ignored).
  void update(double volume) noexcept {
    if (!std::isfinite(volume) || volume < 0.0)
      return;
    prior_average_ = value_before_update(average_, volume);
    last_ = volume;
  }

  /// Feeds the next bar (only the volume is used).
  void update(const bar_input& b) noexcept {
    if (is_finite(b))
      update(b.volume);
  }

  /// Returns true once N + 1 volumes have been fed.
  bool ready() const noexcept {
    return !std::isnan(prior_average_);
  }

  /// Returns the volume ratio, or NaN while warming up.
  double value() const noexcept {
    return ready() && prior_average_ > 0.0 ? last_ / prior_average_
                                           : not_ready;
  }

  /// Returns the average volume of the N bars before the latest one.
  double prior_average() const noexcept {
    return prior_average_;
  }

  /// Returns N.
  int period() const noexcept {
    return average_.period();
  }

  /// Forgets every volume fed so far.
  void reset() noexcept {
    average_.reset();
    prior_average_ = not_ready;
    last_ = 0.0;
  }

private:
  rolling_mean average_;
  double prior_average_ = not_ready;
  double last_ = 0.0;
};

} // namespace osprey::ind
