#pragma once

// Bars built from trades, for sources that give none, and the watch that
// notices symbols gone quiet. Plain functions over plain state, on event
// time: the collector calls them for every accepted event.
//
// A bar covers [start, start + interval), start aligned to a multiple of the
// interval since the epoch; its ts_event is its close time, start + interval,
// as for every Bar. A bar is emitted when the first trade of a later
// interval arrives, or when any event shows its interval has ended
// (close_due), so a quiet symbol's last bar is not held back. An interval
// with no trades makes no bar; it is counted as a gap.

#include <cstdint>
#include <optional>
#include <vector>

#include "messages/units.hpp"

namespace osprey {

struct built_bar {
  symbol_id symbol;
  int64_t close_ns = 0; ///< The bar's ts_event: the end of its interval.
  uint32_t interval_s = 0;
  price open, high, low, close;
  quantity volume;
  uint32_t trades = 0;
};

struct bar_builder {
  struct partial {
    int64_t start = 0;
    bool open = false; ///< A bar is being built.
    int64_t last_start = INT64_MIN; ///< Start of the last bar emitted.
    built_bar bar;
  };

  int64_t interval_ns = 0;
  std::vector<partial> symbols; ///< Indexed by symbol id.
  uint64_t gaps = 0;            ///< Intervals with no trade between two bars.

  /// Builds bars of `interval_ns` (must be > 0 and a whole number of seconds).
  explicit bar_builder(int64_t interval) : interval_ns(interval) {}
};

/// Feeds one trade. Returns the bar of an earlier interval this trade
/// completed, if any. Trades of an interval already emitted are ignored
/// (the collector drops out-of-order trades before this).
std::optional<built_bar> on_trade(bar_builder& b, symbol_id sym, int64_t ts,
                                  price px, quantity size);

/// Emits, in symbol order, every bar whose interval ended at or before `ts`.
void close_due(bar_builder& b, int64_t ts, std::vector<built_bar>& out);

/// Marks the session's open and close from event time: each UTC day's
/// [open, close) window, as times of day.
struct session_clock {
  int64_t open_ns = 0;  ///< Time of day of the open (UTC); open == close: off.
  int64_t close_ns = 0; ///< Time of day of the close (UTC).
  int64_t day = INT64_MIN;
  bool in_session = false;
};

/// What crossing into `ts` means for the session.
enum class session_edge : uint8_t { none, opened, closed };

/// Advances the clock to `ts`: `opened` when the first event of a session
/// arrives, `closed` when the first event after its close arrives (a day
/// with no event in session gives neither).
session_edge on_time(session_clock& c, int64_t ts);

/// Notices symbols with no event for longer than a threshold, once per quiet
/// spell: a symbol is reported stale once, and again only after it has
/// traded (or quoted) again.
struct stale_watch {
  int64_t quiet_ns = 0;            ///< 0: off.
  std::vector<int64_t> last_seen;  ///< Indexed by symbol id; INT64_MIN: never.
  std::vector<bool> reported;
  int64_t next_check = INT64_MIN;  ///< Checks run at most once a second.
};

/// Records an event of `sym` at `ts`.
void on_event(stale_watch& w, symbol_id sym, int64_t ts);

/// Appends the symbols that went stale by `ts` (and marks them reported).
void stale_symbols(stale_watch& w, int64_t ts, std::vector<symbol_id>& out);

} // namespace osprey
