#pragma once

// The chart-derived features of the run score, computed from a symbol's
// daily bars, and the comparable set-ups: the past days whose features were
// nearest to today's, with how far the price went in the days after them.

#include <cstddef>
#include <cstdint>
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

/// A past day like today, and what followed it.
struct comparable {
  size_t index = 0;        ///< Into the bars.
  double distance = 0;     ///< In normalised feature space.
  double forward_return = 0; ///< Close `horizon` bars later / close - 1.
};

/// The `k` past days nearest to bar `i` in (volume ratio, breakout %, trend %,
/// distance from high %, ATR %), each feature scaled by its spread over the
/// history; only days with `horizon` bars after them (and before `i`) count.
std::vector<comparable> comparable_setups(const std::vector<daily_bar>& bars, size_t i,
                                          size_t k, size_t horizon);

/// The band of forward returns of the comparables: their 25th, 50th and
/// 75th percentiles (NaN when there are none).
struct upside_band {
  double low = missing, median = missing, high = missing;
};
upside_band band_of(std::vector<comparable> setups);

} // namespace osprey
