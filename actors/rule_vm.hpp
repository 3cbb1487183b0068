#pragma once

// Evaluation of compiled rule programs, one bar at a time, without
// allocating: a switch over a flat op vector on a fixed stack.
//
// True/false values are three-valued: true, false, or unknown (a missing
// value or an indicator still warming up). A comparison with a missing side
// is unknown; `not unknown` is unknown; `a and b` is false when either side
// is false, `a or b` true when either side is true, otherwise unknown
// propagates. A rule whose final value is unknown is false: not ready is
// not an error, and never a trade.
//
// Per bar, per symbol:
//   state.push(view);                 // once, before evaluating
//   bool go = evaluate(rules.entry, view, state, &trace);

#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "actors/indicator_catalog.hpp"
#include "actors/rule_compiler.hpp"

namespace osprey::rules {

inline constexpr double missing = std::numeric_limits<double>::quiet_NaN();

/// Fundamentals and sentiment of a symbol; NaN where unknown.
struct fundamentals {
  double pe = missing;
  double eps_surprise_pct = missing;
  double revenue_growth_pct = missing;
  double sentiment = missing;
  double mentions = missing;
  double news_velocity = missing;

  /// Returns the field by its index (fundamental_field).
  double get(uint16_t i) const noexcept {
    switch (i) {
    case 0: return pe;
    case 1: return eps_surprise_pct;
    case 2: return revenue_growth_pct;
    case 3: return sentiment;
    case 4: return mentions;
    case 5: return news_velocity;
    default: return missing;
    }
  }
};

/// What a program reads for one bar of one symbol.
struct bar_view {
  double open = missing, high = missing, low = missing, close = missing, volume = missing;
  int64_t ts = 0;                      ///< ts_event, nanoseconds.
  std::span<const double> indicators;  ///< compiled.indicators()' columns, in order.
  const fundamentals* extra = nullptr; ///< Null: every fundamental is missing.
};

/// One symbol's history for the series a rule set reads in the past: fixed
/// rings allocated at construction, written once per bar by push().
class rule_state {
public:
  rule_state() = default;
  /// Sizes the rings for `rules` (allocates once).
  explicit rule_state(const compiled_rules& rules);

  /// Records this bar's values; call once per bar before evaluating.
  void push(const bar_view& bar) noexcept;

  /// Returns series `ring`'s value `back` bars ago (NaN before enough history).
  double past(uint16_t ring, uint16_t back) const noexcept {
    if (back >= bars_)
      return missing;
    const auto& r = slots_[ring];
    // head is where the latest value went; step back without a division.
    uint32_t at = r.head >= back ? r.head - back : r.head + r.size - back;
    return values_[r.base + at];
  }

  /// Returns how many bars were pushed.
  uint64_t bars() const noexcept { return bars_; }

  /// Forgets the history (no deallocation).
  void reset() noexcept {
    bars_ = 0;
    for (auto& s : slots_)
      s.head = s.size - 1;
  }

private:
  struct slot {
    series_source source;
    uint16_t index;
    uint32_t base;
    uint32_t size;
    uint32_t head; ///< Index of the latest value (size - 1 before the first).
  };
  std::vector<slot> slots_;
  std::vector<double> values_;
  uint64_t bars_ = 0;
};

/// One comparison's values when a program ran.
struct traced_comparison {
  uint16_t slot = 0;  ///< Index into program::comparisons.
  double left = missing, right = missing;
  int8_t result = -1; ///< 1 true, 0 false, -1 unknown.
};

/// The comparisons of one evaluation, fixed size (no allocation); the first
/// `capacity` comparisons of a program are recorded.
struct rule_trace {
  static constexpr size_t capacity = 32;
  std::array<traced_comparison, capacity> items;
  uint16_t count = 0;
};

/// Evaluates a true/false program; unknown is false. Fills `trace` (when
/// given) with every comparison's two sides.
bool evaluate(const program& p, const bar_view& bar, const rule_state& state,
              rule_trace* trace = nullptr) noexcept;

/// Evaluates a program and returns its raw value: the number, or 1 / 0 /
/// NaN (unknown) for a true/false program.
double evaluate_value(const program& p, const bar_view& bar, const rule_state& state,
                      rule_trace* trace = nullptr) noexcept;

/// Returns "rsi(14) < 30: 27.3 < 30 true; ..." for the traced comparisons.
std::string explain(const program& p, const rule_trace& trace);

/// Runs a rule set on bars directly, computing its indicators itself (for
/// screens, backtests without a signal actor, and tests).
class rule_runner {
public:
  /// Builds the indicators and history `rules` needs; `rules` must outlive it.
  explicit rule_runner(const compiled_rules& rules);

  /// Feeds one bar (ts: ts_event in ns; its UTC day is the VWAP session)
  /// and returns the view the programs read.
  const bar_view& step(const ind::bar_input& bar, int64_t ts,
                       const fundamentals* extra = nullptr) noexcept;

  /// Evaluates `p` (one of the rule set's programs) on the last bar.
  bool evaluate(const program& p, rule_trace* trace = nullptr) const noexcept {
    return rules::evaluate(p, view_, state_, trace);
  }
  /// Evaluates `p` on the last bar and returns its raw value (evaluate_value).
  double value(const program& p, rule_trace* trace = nullptr) const noexcept {
    return rules::evaluate_value(p, view_, state_, trace);
  }
  bool entry(rule_trace* trace = nullptr) const noexcept { return evaluate(rules_->entry, trace); }
  bool exit(rule_trace* trace = nullptr) const noexcept { return evaluate(rules_->exit, trace); }

  /// Returns the last bar's view.
  const bar_view& view() const noexcept { return view_; }

private:
  const compiled_rules* rules_;
  ind::indicator_set indicators_;
  std::vector<double> values_;
  rule_state state_;
  bar_view view_;
};

} // namespace osprey::rules
