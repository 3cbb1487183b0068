#include "actors/narrative.hpp"

#include <cmath>

namespace osprey {

void narrative_tracker::mention(uint32_t symbol, int64_t ts, double sentiment) {
  if (symbols_.size() <= symbol)
    symbols_.resize(symbol + 1);
  auto& r = symbols_[symbol];
  if (ts < r.last_ts || params_.capacity == 0)
    return;
  if (r.items.empty())
    r.items.resize(params_.capacity);
  r.last_ts = ts;
  auto cap = r.items.size();
  auto slot = (r.head + r.count) % cap;
  if (r.count == cap)
    r.head = (r.head + 1) % cap; // full: the oldest goes
  else
    ++r.count;
  r.items[slot] = {ts, std::isfinite(sentiment) ? sentiment : 0.0};
}

narrative_metrics narrative_tracker::metrics(uint32_t symbol, int64_t now) const {
  narrative_metrics m;
  if (symbol >= symbols_.size())
    return m;
  auto& r = symbols_[symbol];
  auto window_start = now - params_.window_ns;
  auto previous_start = window_start - params_.window_ns;
  auto baseline_start = window_start - params_.baseline_ns;
  double sum_now = 0, sum_before = 0;
  uint32_t count_before = 0;
  for (size_t i = 0; i < r.count; ++i) {
    auto& e = r.items[(r.head + i) % r.items.size()];
    if (e.ts > now)
      continue;
    if (e.ts > window_start) {
      ++m.mentions_window;
      sum_now += e.sentiment;
    } else if (e.ts > baseline_start) {
      ++m.mentions_baseline;
    }
    if (e.ts > previous_start && e.ts <= window_start) {
      ++count_before;
      sum_before += e.sentiment;
    }
  }
  if (m.mentions_baseline > 0) {
    auto rate_now = m.mentions_window / static_cast<double>(params_.window_ns);
    auto rate_base = m.mentions_baseline / static_cast<double>(params_.baseline_ns);
    m.velocity = rate_now / rate_base;
  } else {
    m.velocity = m.mentions_window;
  }
  m.sentiment = m.mentions_window ? sum_now / m.mentions_window : 0.0;
  auto before = count_before ? sum_before / count_before : 0.0;
  m.sentiment_trend = m.mentions_window && count_before ? m.sentiment - before : 0.0;
  m.trending = m.velocity >= params_.trending_velocity
               && m.mentions_window >= params_.trending_min_mentions;
  return m;
}

} // namespace osprey
