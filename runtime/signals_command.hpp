#pragma once

// `osprey signals FILE... [--indicators LIST]`: every indicator's value per
// bar as CSV, for inspection and for comparison with other tools. LIST is
// comma-separated `name:param:param`, e.g.
//
//   sma:20,ema:20,rsi:14,macd:12:26:9,bb:20:2,atr:14
//
// and the columns are named the same way with underscores (sma_20, rsi_14,
// macd_12_26_9, macd_12_26_9_signal, macd_12_26_9_hist, bb_20_2_upper,
// bb_20_2_middle, bb_20_2_lower, atr_14), after `date` (and `time` for
// intraday bars) and `symbol`. A value is blank while its indicator warms up.

#include <iosfwd>
#include <string>
#include <vector>

namespace osprey {

/// The LIST used when none is given.
inline constexpr const char* default_indicator_list = "sma:20,ema:20,rsi:14,macd:12:26:9,bb:20:2,atr:14";

/// Returns the column names LIST makes, or throws std::invalid_argument
/// saying which entry is wrong and why.
std::vector<std::string> indicator_columns(const std::string& list);

/// Prints the CSV; returns the exit code (2 for a bad LIST, 1 when a file
/// cannot be read; rows a file could not use are reported on `err`).
int signals_command(const std::vector<std::string>& files, const std::string& list,
                    std::ostream& out, std::ostream& err);

} // namespace osprey
