#include "actors/run_features.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace osprey {

namespace {

double mean_of(const std::vector<daily_bar>& b, size_t end, size_t n, double daily_bar::*f) {
  double sum = 0;
  for (size_t j = end + 1 - n; j <= end; ++j)
    sum += b[j].*f;
  return sum / static_cast<double>(n);
}

double highest(const std::vector<daily_bar>& b, size_t from, size_t to) {
  double h = b[from].high;
  for (size_t j = from; j <= to; ++j)
    h = std::max(h, b[j].high);
  return h;
}

} // namespace

institutional_features institutional_at(const std::vector<daily_bar>& b, size_t i) {
  institutional_features f;
  if (i >= b.size())
    return f;
  if (i >= 50) {
    auto avg = mean_of(b, i - 1, 50, &daily_bar::volume);
    if (avg > 0)
      f.volume_ratio = b[i].volume / avg;
  }
  if (i >= 20) {
    double up = 0, down = 0;
    for (size_t j = i - 19; j <= i; ++j)
      (b[j].close >= b[j - 1].close ? up : down) += b[j].volume;
    f.up_down_volume = down > 0 ? up / down : (up > 0 ? 10.0 : 1.0);
    // A daily stand-in for VWAP: the 20-day volume-weighted typical price.
    double pv = 0, v = 0;
    for (size_t j = i - 19; j <= i; ++j) {
      pv += (b[j].high + b[j].low + b[j].close) / 3.0 * b[j].volume;
      v += b[j].volume;
    }
    if (v > 0)
      f.price_vs_vwap = b[i].close / (pv / v) - 1.0;
  }
  return f;
}

other_features other_at(const std::vector<daily_bar>& b, size_t i) {
  other_features f;
  if (i >= b.size() || b[i].close <= 0)
    return f;
  auto close = b[i].close;
  if (i >= 20) {
    auto prior_high = highest(b, i - 20, i - 1);
    f.breakout_pct = (close / prior_high - 1.0) * 100.0;
    // The base: how many days the prior high held before today.
    size_t days = 0;
    for (size_t j = i; j-- > 0 && b[j].high <= prior_high * 1.0000001;)
      ++days;
    f.base_length_days = static_cast<double>(days);
    double tr = 0;
    for (size_t j = i - 13; j <= i; ++j)
      tr += std::max({b[j].high - b[j].low, std::fabs(b[j].high - b[j - 1].close),
                      std::fabs(b[j].low - b[j - 1].close)});
    f.atr_pct = tr / 14.0 / close * 100.0;
    f.dollar_volume = 0;
    for (size_t j = i - 19; j <= i; ++j)
      f.dollar_volume += b[j].close * b[j].volume / 20.0;
  }
  if (i >= 50)
    f.trend_pct = (close / mean_of(b, i, 50, &daily_bar::close) - 1.0) * 100.0;
  if (i >= 1) {
    f.gap_pct = (b[i].open / b[i - 1].close - 1.0) * 100.0;
    auto from = i >= 251 ? i - 251 : 0;
    f.from_high_pct = (1.0 - close / highest(b, from, i)) * 100.0;
  }
  return f;
}

namespace {

using point = std::array<double, 5>;

point features_of(const std::vector<daily_bar>& b, size_t i) {
  auto in = institutional_at(b, i);
  auto o = other_at(b, i);
  return {in.volume_ratio, o.breakout_pct, o.trend_pct, o.from_high_pct, o.atr_pct};
}

bool complete(const point& p) {
  return std::all_of(p.begin(), p.end(), [](double x) { return std::isfinite(x); });
}

} // namespace

std::vector<comparable> comparable_setups(const std::vector<daily_bar>& b, size_t i,
                                          size_t k, size_t horizon) {
  std::vector<comparable> out;
  if (i >= b.size())
    return out;
  auto today = features_of(b, i);
  if (!complete(today))
    return out;
  std::vector<std::pair<size_t, point>> past;
  for (size_t j = 0; j + horizon < i; ++j)
    if (auto p = features_of(b, j); complete(p))
      past.emplace_back(j, p);
  if (past.empty())
    return out;
  // Scale each feature by its standard deviation over the history, so no
  // one feature's units dominate the distance.
  point mean{}, sd{};
  for (auto& [j, p] : past)
    for (size_t d = 0; d < 5; ++d)
      mean[d] += p[d] / static_cast<double>(past.size());
  for (auto& [j, p] : past)
    for (size_t d = 0; d < 5; ++d)
      sd[d] += (p[d] - mean[d]) * (p[d] - mean[d]) / static_cast<double>(past.size());
  for (auto& s : sd)
    s = s > 0 ? std::sqrt(s) : 1.0;
  for (auto& [j, p] : past) {
    double d2 = 0;
    for (size_t d = 0; d < 5; ++d)
      d2 += (p[d] - today[d]) / sd[d] * (p[d] - today[d]) / sd[d];
    out.push_back({j, std::sqrt(d2), b[j + horizon].close / b[j].close - 1.0});
  }
  auto n = std::min(k, out.size());
  std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), out.end(),
                    [](const comparable& a, const comparable& c) {
                      return a.distance < c.distance || (a.distance == c.distance && a.index < c.index);
                    });
  out.resize(n);
  return out;
}

upside_band band_of(std::vector<comparable> setups) {
  upside_band band;
  if (setups.empty())
    return band;
  std::vector<double> r;
  for (auto& s : setups)
    r.push_back(s.forward_return);
  std::sort(r.begin(), r.end());
  auto at = [&](double q) {
    auto pos = q * static_cast<double>(r.size() - 1);
    auto lo = static_cast<size_t>(pos);
    auto hi = std::min(lo + 1, r.size() - 1);
    return r[lo] + (r[hi] - r[lo]) * (pos - static_cast<double>(lo));
  };
  band.low = at(0.25);
  band.median = at(0.5);
  band.high = at(0.75);
  return band;
}

} // namespace osprey
