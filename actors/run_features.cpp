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

const char* to_string(setup_source s) noexcept {
  switch (s) {
    case setup_source::history_file: return "history file";
    case setup_source::past_evaluation: return "past evaluation";
  }
  return "?";
}

setup_point setup_features_at(const std::vector<daily_bar>& b, size_t i) {
  auto in = institutional_at(b, i);
  auto o = other_at(b, i);
  return {in.volume_ratio, o.breakout_pct, o.trend_pct, o.from_high_pct, o.atr_pct};
}

bool complete(const setup_point& p) noexcept {
  return std::all_of(p.begin(), p.end(), [](double x) { return std::isfinite(x); });
}

std::vector<comparable> nearest_setups(const setup_point& today,
                                       const std::vector<setup_candidate>& pool, size_t k) {
  std::vector<comparable> out;
  if (!complete(today))
    return out;
  std::vector<const setup_candidate*> past;
  for (auto& c : pool)
    if (complete(c.features))
      past.push_back(&c);
  if (past.empty())
    return out;
  // Scale each feature by its standard deviation over the candidates, so no
  // one feature's units dominate the distance.
  setup_point mean{}, sd{};
  auto n = static_cast<double>(past.size());
  for (auto* c : past)
    for (size_t d = 0; d < mean.size(); ++d)
      mean[d] += c->features[d] / n;
  for (auto* c : past)
    for (size_t d = 0; d < mean.size(); ++d)
      sd[d] += (c->features[d] - mean[d]) * (c->features[d] - mean[d]) / n;
  for (auto& s : sd)
    s = s > 0 ? std::sqrt(s) : 1.0;
  std::vector<std::pair<double, size_t>> order; // (distance, position in past)
  for (size_t j = 0; j < past.size(); ++j) {
    double d2 = 0;
    for (size_t d = 0; d < mean.size(); ++d) {
      auto z = (past[j]->features[d] - today[d]) / sd[d];
      d2 += z * z;
    }
    order.emplace_back(std::sqrt(d2), j);
  }
  auto m = std::min(k, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(m), order.end());
  for (size_t r = 0; r < m; ++r) {
    auto c = past[order[r].second]->about;
    c.distance = order[r].first;
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<setup_candidate> history_candidates(const std::vector<daily_bar>& b, size_t i,
                                                size_t horizon, const std::string& ticker) {
  std::vector<setup_candidate> pool;
  for (size_t j = 0; j + horizon < i && i < b.size(); ++j)
    if (auto p = setup_features_at(b, j); complete(p)) {
      setup_candidate c;
      c.features = p;
      c.about.index = j;
      c.about.forward_return = b[j + horizon].close / b[j].close - 1.0;
      c.about.ticker = ticker;
      c.about.ts = b[j].ts;
      c.about.source = setup_source::history_file;
      pool.push_back(std::move(c));
    }
  return pool;
}

std::vector<comparable> comparable_setups(const std::vector<daily_bar>& b, size_t i,
                                          size_t k, size_t horizon) {
  if (i >= b.size())
    return {};
  return nearest_setups(setup_features_at(b, i), history_candidates(b, i, horizon), k);
}

int64_t utc_day_of(int64_t ts) noexcept {
  constexpr int64_t day = 86'400'000'000'000;
  return (ts / day - (ts % day < 0 ? 1 : 0)) * day;
}

size_t count_block_trades(const std::vector<trade_print>& trades, int64_t day_start,
                          const block_rules& rules) noexcept {
  constexpr int64_t day = 86'400'000'000'000;
  size_t n = 0;
  for (auto& t : trades) {
    if (t.ts < day_start || t.ts >= day_start + day)
      continue;
    // 128 bits: a large price times a large size overflows 64.
    auto notional = static_cast<__int128>(t.price_micros) * t.size;
    n += t.size >= rules.min_shares || notional >= rules.min_notional_micros;
  }
  return n;
}

std::vector<daily_bar> daily_bars_from_trades(const std::vector<trade_print>& trades) {
  std::vector<daily_bar> out;
  int64_t current_day = 0;
  for (auto& t : trades) {
    auto px = static_cast<double>(t.price_micros) / 1e6;
    auto d = utc_day_of(t.ts);
    if (out.empty() || d != current_day) {
      current_day = d;
      out.push_back({t.ts, px, px, px, px, 0});
    }
    auto& bar = out.back();
    bar.ts = t.ts;
    bar.high = std::max(bar.high, px);
    bar.low = std::min(bar.low, px);
    bar.close = px;
    bar.volume += static_cast<double>(t.size);
  }
  return out;
}

upside_band band_of(std::vector<comparable> setups) {
  upside_band band;
  std::vector<double> r;
  for (auto& s : setups)
    if (std::isfinite(s.forward_return))
      r.push_back(s.forward_return);
  if (r.empty())
    return band;
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
