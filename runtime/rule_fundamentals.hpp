#pragma once

// The fundamentals a rule reads (pe, eps_surprise_pct, revenue_growth_pct),
// point in time, from a symbol's earnings reports (the --fundamentals file of
// docs/EVALUATE.md): on a bar's day only the reports dated that day or
// before count, so a screen or backtest of the past never sees a later
// report.

#include <cstdint>
#include <span>

#include "actors/rule_vm.hpp"
#include "runtime/evaluation_inputs.hpp"

namespace osprey {

/// Reports older than this before a day do not count towards the trailing
/// twelve months' EPS (four quarters plus slack for late filings).
inline constexpr int64_t trailing_year_days = 400;

/// Fills `out`'s pe, eps_surprise_pct and revenue_growth_pct for the day
/// starting at `day_ns` (UTC midnight) and a close of `close` dollars, from
/// one symbol's `reports` sorted by date:
///   pe = close / (eps_actual of the four latest reports within
///        trailing_year_days), missing with fewer than four or a sum <= 0;
///   eps_surprise_pct and revenue_growth_pct of the latest report, as
///   fill_fundamentals computes them.
/// Fields it cannot compute stay as they were (missing by default).
void fundamentals_on(std::span<const fundamentals_row> reports, int64_t day_ns, double close,
                     rules::fundamentals& out) noexcept;

} // namespace osprey
