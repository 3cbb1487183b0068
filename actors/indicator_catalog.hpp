#pragma once

// The indicator catalog: every indicator of the library by name, with its
// parameters and output columns, so that a list written by a person
// ("sma:20,macd:12:26:9,bb:20:2") becomes live indicators. `osprey signals`,
// the signal actor's configured extras and (later) the rule compiler all
// read lists through here, so a name means the same thing everywhere.
//
// A live indicator is a variant over the library's types: updating one is a
// switch, not a virtual call or a std::function, and a symbol's whole set is
// one contiguous vector built once (no allocation per bar).

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "actors/indicators.hpp"
#include "actors/indicators_levels.hpp"
#include "actors/indicators_momentum.hpp"
#include "actors/indicators_trend.hpp"
#include "actors/indicators_volatility.hpp"
#include "actors/indicators_volume.hpp"

namespace osprey::ind {

/// The indicator kinds the catalog knows.
enum class indicator_kind : uint8_t {
  sma, ema, wma, rsi, stdev, zscore, roc, macd, bb, atr, adx, stoch, obv,
  vwap, rvwap, volratio, breakout, rvol, gap,
  avg, highest, lowest, ///< Over a chosen bar field: "avg:volume:20", "highest:high:20".
};

/// A bar field an indicator can read ("avg:volume:20" averages the volume).
enum class bar_field : uint8_t { open, high, low, close, volume };

/// Returns the field's name ("volume"), or nullptr for an invalid value.
const char* to_string(bar_field f) noexcept;

/// Returns `b`'s value of field `f`.
inline double field_value(const bar_input& b, bar_field f) noexcept {
  switch (f) {
  case bar_field::open: return b.open;
  case bar_field::high: return b.high;
  case bar_field::low: return b.low;
  case bar_field::close: return b.close;
  case bar_field::volume: return b.volume;
  }
  return not_ready;
}

/// An indicator over one chosen field of the bar instead of the close
/// (the rule language's avg / highest / lowest over volume, high, low...).
template <class Inner>
class on_field {
public:
  /// Creates `Inner{period}` fed with field `f` of every bar.
  on_field(bar_field f, int period) : field_{f}, inner_{period} {
  }

  /// Feeds the chosen field of the next bar (non-finite bars are ignored).
  void update(const bar_input& b) noexcept {
    if (is_finite(b))
      inner_.update(field_value(b, field_));
  }

  /// Returns the inner indicator's value (NaN while warming up).
  double value() const noexcept {
    return inner_.value();
  }

private:
  bar_field field_;
  Inner inner_;
};

/// One entry of a list, checked: `rsi:14` -> kind rsi, periods {14}.
struct indicator_spec {
  indicator_kind kind = indicator_kind::sma;
  std::string text;                 ///< As written: "macd:12:26:9".
  std::vector<std::string> columns; ///< Output names: macd_12_26_9, ..._signal, ..._hist.
  int p1 = 0, p2 = 0, p3 = 0;       ///< Whole-number parameters, in order.
  double real = 0;                  ///< bb's K, rvol's periods per year.
  bar_field field = bar_field::close; ///< avg / highest / lowest: the field read.
};

/// Parses one entry; throws std::invalid_argument naming the entry and what
/// is wrong with it (unknown name, wrong parameter count, bad number).
indicator_spec parse_indicator(std::string_view entry);

/// Parses a comma-separated list; throws std::invalid_argument (empty list,
/// empty entry, or what parse_indicator says).
std::vector<indicator_spec> parse_indicator_list(std::string_view list);

/// The names the catalog knows, space separated (for error messages).
const char* known_indicators() noexcept;

/// One live indicator made from a spec.
class live_indicator {
public:
  explicit live_indicator(const indicator_spec& spec);

  /// Feeds one bar; `session` names its trading session (session VWAP
  /// restarts when it changes).
  void update(const bar_input& b, int64_t session) noexcept;

  /// Writes this indicator's columns (NaN while warming up) to `out` and
  /// returns how many it wrote.
  size_t values(double* out) const noexcept;

  /// update() then values(), in one dispatch.
  size_t update(const bar_input& b, int64_t session, double* out) noexcept;

  /// Every indicator type the catalog makes.
  using any = std::variant<sma, ema, wma, rsi, rolling_stdev, zscore, rate_of_change, macd,
                           bollinger, atr, adx, stochastic, obv, session_vwap, rolling_vwap,
                           volume_ratio, breakout, realized_volatility, gap_percent,
                           on_field<sma>, on_field<rolling_max>, on_field<rolling_min>>;

private:
  any value_;
};

/// The same list of indicators for one symbol.
class indicator_set {
public:
  indicator_set() = default;
  explicit indicator_set(const std::vector<indicator_spec>& specs);

  void update(const bar_input& b, int64_t session) noexcept {
    for (auto& i : items_)
      i.update(b, session);
  }

  /// Writes every column, in list order, to `out` (width() of them).
  void values(double* out) const noexcept;

  /// update() then values(), walking the set once.
  void update(const bar_input& b, int64_t session, double* out) noexcept {
    for (auto& i : items_)
      out += i.update(b, session, out);
  }

  size_t width() const noexcept { return width_; }
  bool empty() const noexcept { return items_.empty(); }

private:
  std::vector<live_indicator> items_;
  size_t width_ = 0;
};

/// The column names of a list, in order.
std::vector<std::string> columns_of(const std::vector<indicator_spec>& specs);

} // namespace osprey::ind
