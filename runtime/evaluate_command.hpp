#pragma once

// `osprey evaluate TICKER... --data FILE... [--news FILE...]`: the breakout
// run evaluation. For each ticker, its daily bars give the institutional and
// chart features, its news the narrative; the three pillars combine into a
// run score and a verdict; the past days most like today give comparable
// set-ups and an upside band. Each evaluation is stored in the history
// database, which `osprey history TICKER` lists.

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "actors/run_score.hpp"

namespace osprey {

/// Scores a headline's sentiment in [-1, 1] and counts its bullish and
/// bearish event tags (the sentiment model's; injected so the command does
/// not depend on which model).
struct headline_reading {
  double sentiment = 0;
  int bullish_events = 0, bearish_events = 0;
};
using headline_reader = std::function<headline_reading(const std::string& text)>;

struct evaluate_options {
  std::vector<std::string> tickers;
  std::vector<std::string> data; ///< CSV bar files.
  std::vector<std::string> news; ///< JSON Lines news files.
  bool json = false;
  std::string history_path = "osprey-history.sqlite"; ///< Empty: do not store.
  run_weights weights;
  size_t comparables = 5; ///< How many comparable set-ups to show.
  size_t horizon = 20;    ///< Bars after a set-up that measure its outcome.
  int64_t news_window_ns = 86'400'000'000'000;        ///< Narrative "now": a day.
  int64_t news_baseline_ns = 30 * 86'400'000'000'000; ///< Its baseline: a month.
};

/// Runs the evaluation; returns the exit code (0, 1 when a ticker has no
/// bars or an input cannot be read, with the reason on `err`).
int evaluate_command(const evaluate_options& opts, const headline_reader& read_headline,
                     std::ostream& out, std::ostream& err);

/// Lists the stored evaluations of `ticker`; returns the exit code.
int history_command(const std::string& ticker, const std::string& history_path,
                    std::ostream& out, std::ostream& err);

} // namespace osprey
