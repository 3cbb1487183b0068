#include "runtime/rule_fundamentals.hpp"

#include <cmath>

#include "adapters/csv_fields.hpp"

namespace osprey {

void fundamentals_on(std::span<const fundamentals_row> reports, int64_t day_ns, double close,
                     rules::fundamentals& out) noexcept {
  // The latest report on or before the day (reports are sorted by date).
  size_t end = reports.size();
  while (end > 0 && reports[end - 1].date > day_ns)
    --end;
  if (end == 0)
    return;
  const auto& latest = reports[end - 1];
  if (std::isfinite(latest.eps_actual) && std::isfinite(latest.eps_estimate)
      && latest.eps_estimate != 0)
    out.eps_surprise_pct =
      (latest.eps_actual - latest.eps_estimate) / std::fabs(latest.eps_estimate) * 100.0;
  if (std::isfinite(latest.revenue) && std::isfinite(latest.revenue_year_ago)
      && latest.revenue_year_ago > 0)
    out.revenue_growth_pct = (latest.revenue / latest.revenue_year_ago - 1.0) * 100.0;
  if (end < 4)
    return;
  const int64_t oldest = day_ns - trailing_year_days * csv::ns_per_day;
  double ttm = 0;
  for (size_t k = end - 4; k < end; ++k) {
    if (reports[k].date < oldest || !std::isfinite(reports[k].eps_actual))
      return;
    ttm += reports[k].eps_actual;
  }
  if (ttm > 0 && close > 0)
    out.pe = close / ttm;
}

} // namespace osprey
