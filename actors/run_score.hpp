#pragma once

// The three-pillar run score: how likely a breakout run is to continue,
// judged from institutional activity, the narrative around the symbol, and
// everything else (the chart, fundamentals, risk). Each pillar scores 0-100
// from sub-scores that each carry the evidence behind them; the run score is
// their weighted sum; a verdict band reads it out.
//
// Features come in as plain numbers computed elsewhere (indicators, the
// narrative tracker, the trade stream); a feature that is missing is NaN,
// and its sub-score is left out and the pillar rescored without it (so a
// missing options file does not count as bearish). A pillar with no
// features at all is absent and the run score is reweighted over the rest.

#include <array>
#include <limits>
#include <string>
#include <vector>

namespace osprey {

/// A feature nobody measured.
inline constexpr double missing = std::numeric_limits<double>::quiet_NaN();

struct institutional_features {
  double volume_ratio = missing;        ///< Today's volume / 50-day average.
  double up_down_volume = missing;      ///< Up-day volume / down-day volume (20 days).
  double block_trades = missing;        ///< Count of block trades today.
  double price_vs_vwap = missing;       ///< (close - VWAP) / VWAP.
  double options_call_put_oi = missing; ///< Call / put open interest (optional).
};

struct narrative_features {
  double mentions = missing;         ///< Mentions in the window.
  double velocity = missing;         ///< Mention rate now / baseline rate.
  double sentiment = missing;        ///< Mean compound sentiment in the window.
  double sentiment_trend = missing;  ///< Change against the previous window.
  double positive_events = missing;  ///< Bullish event tags (beats, upgrades, approvals).
  double negative_events = missing;  ///< Bearish event tags (misses, offerings, lawsuits).
};

struct other_features {
  double breakout_pct = missing;      ///< Close above the prior N-bar high, %.
  double base_length_days = missing;  ///< How long the range it broke out of lasted.
  double trend_pct = missing;         ///< Close vs its 50-day average, %.
  double from_high_pct = missing;     ///< Distance below the 52-week high, % (>= 0).
  double earnings_surprise_pct = missing;
  double revenue_growth_pct = missing;
  double atr_pct = missing;           ///< ATR(14) / close, %.
  double gap_pct = missing;           ///< Today's opening gap, %.
  double dollar_volume = missing;     ///< Average daily dollar volume.
};

struct sub_score {
  std::string name;
  double score = 0;     ///< 0-100.
  std::string evidence; ///< The number behind it, in words.
};

struct pillar_score {
  std::string name;
  bool present = false; ///< False when none of its features were given.
  double score = 0;     ///< Mean of its sub-scores, 0-100.
  std::vector<sub_score> parts;
};

struct run_weights {
  double institutional = 0.35, narrative = 0.35, other = 0.30;
};

enum class verdict { high_potential, watch, pass };
const char* to_string(verdict v) noexcept;

struct run_score {
  std::array<pillar_score, 3> pillars; ///< Institutional, narrative, other.
  double score = 0;                    ///< Weighted, 0-100.
  verdict call = verdict::pass;
};

pillar_score score_institutional(const institutional_features& f);
pillar_score score_narrative(const narrative_features& f);
pillar_score score_other(const other_features& f);

/// Combines the pillars: weights renormalised over the pillars present;
/// >= 75 high potential, 60-75 watch, < 60 pass.
run_score score_run(const institutional_features& i, const narrative_features& n,
                     const other_features& o, const run_weights& w = {});

} // namespace osprey
