#pragma once

// The chart-derived features of the run score, computed from a symbol's
// daily bars, and the comparable set-ups: the past days whose features were
// nearest to today's, with how far the price went in the days after them.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "actors/run_score.hpp"

namespace osprey {

struct daily_bar {
  int64_t ts = 0; ///< Close time, ns since the epoch.
  double open = 0, high = 0, low = 0, close = 0, volume = 0;
};

/// Features as of bar `i` (using bars 0..i only). Features that need more
/// history than there is are left missing.
institutional_features institutional_at(const std::vector<daily_bar>& bars, size_t i);
other_features other_at(const std::vector<daily_bar>& bars, size_t i);

/// Where a comparable set-up came from.
enum class setup_source { history_file, past_evaluation };

/// Returns "history file" or "past evaluation".
const char* to_string(setup_source s) noexcept;

/// A past day like today, and what followed it.
struct comparable {
  size_t index = 0;        ///< Into the bars (history-file set-ups only).
  double distance = 0;     ///< In normalised feature space.
  double forward_return = 0; ///< Close `horizon` bars later / close - 1; NaN: not yet known.
  std::string ticker;      ///< Whose set-up it was.
  int64_t ts = 0;          ///< The set-up's bar time (ns since epoch).
  setup_source source = setup_source::history_file;
};

/// The features that place a set-up in the comparable space: volume ratio,
/// breakout %, trend %, distance from high %, ATR %.
using setup_point = std::array<double, 5>;

/// Returns the set-up features of bar `i` (NaN where missing).
setup_point setup_features_at(const std::vector<daily_bar>& bars, size_t i);

/// Returns true when every feature of `p` is finite.
bool complete(const setup_point& p) noexcept;

/// A set-up that may be compared with today's: its features and what is
/// known of it (forward_return NaN when its outcome is not yet known).
struct setup_candidate {
  setup_point features{};
  comparable about;
};

/// The `k` candidates nearest to `today`, each feature scaled by its
/// standard deviation over the candidates; ties go to the earlier one in
/// `pool`. Candidates with incomplete features are ignored.
std::vector<comparable> nearest_setups(const setup_point& today,
                                       const std::vector<setup_candidate>& pool, size_t k);

/// The set-ups of the bars' own history before bar `i` that have `horizon`
/// bars after them (and before `i`), with their outcomes, as candidates of
/// `ticker`.
std::vector<setup_candidate> history_candidates(const std::vector<daily_bar>& bars, size_t i,
                                                size_t horizon, const std::string& ticker = {});

/// The `k` past days nearest to bar `i` in the set-up features, each
/// feature scaled by its spread over the history; only days with `horizon`
/// bars after them (and before `i`) count.
std::vector<comparable> comparable_setups(const std::vector<daily_bar>& bars, size_t i,
                                          size_t k, size_t horizon);

/// One trade print: its time, price and size in exact units.
struct trade_print {
  int64_t ts = 0;            ///< ns since the epoch.
  int64_t price_micros = 0;  ///< Micro-dollars per share.
  int64_t size = 0;          ///< Shares.
};

/// What makes a trade a block: at least `min_shares` shares, or at least
/// `min_notional_micros` of notional (price x size).
struct block_rules {
  int64_t min_shares = 10'000;
  int64_t min_notional_micros = 200'000LL * 1'000'000;
};

/// Returns the UTC midnight (ns) of the day holding `ts`.
int64_t utc_day_of(int64_t ts) noexcept;

/// Counts the block trades among `trades` on the UTC day starting at
/// `day_start` (a UTC midnight, ns).
size_t count_block_trades(const std::vector<trade_print>& trades, int64_t day_start,
                          const block_rules& rules) noexcept;

/// Builds one daily bar per UTC day from trades in time order: open the
/// first price, close the last, high and low the extremes, volume the sum
/// of sizes, stamped at the day's last trade.
std::vector<daily_bar> daily_bars_from_trades(const std::vector<trade_print>& trades);

/// The band of forward returns of the comparables: their 25th, 50th and
/// 75th percentiles of those with a known outcome (NaN when there are
/// none).
struct upside_band {
  double low = missing, median = missing, high = missing;
};
upside_band band_of(std::vector<comparable> setups);

} // namespace osprey
