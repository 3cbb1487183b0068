#include "actors/run_score.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace osprey {

namespace {

/// Maps `x` linearly from [lo, hi] onto [0, 100], clamped.
double ramp(double x, double lo, double hi) {
  return std::clamp((x - lo) / (hi - lo) * 100.0, 0.0, 100.0);
}

std::string fmt(const char* pattern, double x) {
  char buf[96];
  std::snprintf(buf, sizeof buf, pattern, x);
  return buf;
}

void add(pillar_score& p, const char* name, double feature, double score,
         const char* evidence) {
  if (std::isnan(feature))
    return;
  p.parts.push_back({name, score, fmt(evidence, feature)});
}

void finish(pillar_score& p) {
  p.present = !p.parts.empty();
  double sum = 0;
  for (auto& s : p.parts)
    sum += s.score;
  p.score = p.present ? sum / static_cast<double>(p.parts.size()) : 0;
}

} // namespace

const char* to_string(verdict v) noexcept {
  switch (v) {
    case verdict::high_potential: return "high potential";
    case verdict::watch: return "watch";
    case verdict::pass: return "pass";
  }
  return "?";
}

// The ramps encode what a run usually looks like: volume at 1x its average
// says nothing, 3x is strong; accumulation (up volume twice the down volume)
// is strong; a close 3% above VWAP is buyers in control.
pillar_score score_institutional(const institutional_features& f) {
  pillar_score p{"institutional", false, 0, {}};
  add(p, "volume vs 50-day average", f.volume_ratio, ramp(f.volume_ratio, 1.0, 3.0),
      "volume %.2fx its 50-day average");
  add(p, "accumulation", f.up_down_volume, ramp(f.up_down_volume, 0.8, 2.0),
      "up-day volume %.2fx down-day volume");
  add(p, "block trades", f.block_trades, ramp(f.block_trades, 0, 10),
      "%.0f block trades");
  add(p, "price vs VWAP", f.price_vs_vwap, ramp(f.price_vs_vwap, -0.01, 0.03),
      "close %+.2f of VWAP (fraction)");
  add(p, "options skew", f.options_call_put_oi, ramp(f.options_call_put_oi, 0.8, 2.0),
      "call/put open interest %.2f");
  finish(p);
  return p;
}

pillar_score score_narrative(const narrative_features& f) {
  pillar_score p{"narrative", false, 0, {}};
  add(p, "mentions", f.mentions, ramp(f.mentions, 0, 50), "%.0f mention(s) in the window");
  add(p, "mention velocity", f.velocity, ramp(f.velocity, 1.0, 5.0),
      "mentions at %.1fx their baseline rate");
  add(p, "sentiment", f.sentiment, ramp(f.sentiment, -0.5, 0.5), "mean sentiment %+.2f");
  add(p, "sentiment trend", f.sentiment_trend, ramp(f.sentiment_trend, -0.3, 0.3),
      "sentiment moving %+.2f");
  if (!std::isnan(f.positive_events) || !std::isnan(f.negative_events)) {
    auto pos = std::isnan(f.positive_events) ? 0.0 : f.positive_events;
    auto neg = std::isnan(f.negative_events) ? 0.0 : f.negative_events;
    add(p, "event tags", pos - neg, ramp(pos - neg, -2, 2),
        "%+.0f bullish less bearish event tags");
  }
  finish(p);
  return p;
}

pillar_score score_other(const other_features& f) {
  pillar_score p{"other", false, 0, {}};
  add(p, "breakout", f.breakout_pct, ramp(f.breakout_pct, 0, 5),
      "close %+.1f%% vs the prior 20-day high");
  add(p, "base", f.base_length_days, ramp(f.base_length_days, 5, 60),
      "the prior high held for %.0f days");
  add(p, "trend", f.trend_pct, ramp(f.trend_pct, -5, 15), "close %+.1f%% vs its 50-day average");
  add(p, "room to highs", f.from_high_pct, 100.0 - ramp(f.from_high_pct, 0, 30),
      "%.1f%% below the 52-week high");
  add(p, "earnings surprise", f.earnings_surprise_pct, ramp(f.earnings_surprise_pct, -5, 15),
      "earnings surprise %+.1f%%");
  add(p, "revenue growth", f.revenue_growth_pct, ramp(f.revenue_growth_pct, 0, 40),
      "revenue growth %+.1f%%");
  // Risk: lower is better.
  add(p, "volatility", f.atr_pct, 100.0 - ramp(f.atr_pct, 2, 10), "ATR %.1f%% of price");
  add(p, "gap risk", f.gap_pct, 100.0 - ramp(std::fabs(f.gap_pct), 2, 15),
      "opening gap %+.1f%%");
  add(p, "liquidity", f.dollar_volume, ramp(std::log10(std::max(f.dollar_volume, 1.0)), 5, 8),
      "average dollar volume %.0f");
  finish(p);
  return p;
}

run_score score_run(const institutional_features& i, const narrative_features& n,
                    const other_features& o, const run_weights& w) {
  run_score r;
  r.pillars = {score_institutional(i), score_narrative(n), score_other(o)};
  double weights[3] = {w.institutional, w.narrative, w.other};
  double total = 0, sum = 0;
  for (size_t k = 0; k < 3; ++k)
    if (r.pillars[k].present) {
      total += weights[k];
      sum += weights[k] * r.pillars[k].score;
    }
  r.score = total > 0 ? sum / total : 0;
  r.call = r.score >= 75 ? verdict::high_potential
           : r.score >= 60 ? verdict::watch
                           : verdict::pass;
  return r;
}

} // namespace osprey
