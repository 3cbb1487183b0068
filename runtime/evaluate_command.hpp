#pragma once

// `osprey evaluate TICKER... --data FILE... [--news FILE...] [--options FILE...]
// [--fundamentals FILE...]`: the breakout run evaluation. For each ticker,
// its daily bars give the institutional and chart features, its trade prints
// the block trades, the options file its call/put open interest, the
// fundamentals file its earnings surprise and revenue growth, its news the
// narrative; the three pillars combine into a run score and a verdict; the
// set-ups most like today's (the ticker's own past days and past stored
// evaluations of any ticker) give comparables and an upside band. Each
// evaluation is stored in the history database, which `osprey history
// TICKER` lists. docs/EVALUATE.md describes the inputs and the sub-scores.
//
// One ticker's evaluation is a plain function of the loaded inputs
// (evaluate_ticker), so the sequential command and the parallel batch
// (evaluate_batch.hpp) compute the same thing.

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "actors/run_score.hpp"
#include "messages/units.hpp"
#include "runtime/evaluation_inputs.hpp"
#include "runtime/history_store.hpp"

namespace osprey {

struct evaluate_options {
  std::vector<std::string> tickers;
  std::vector<std::string> data; ///< CSV bar files.
  std::vector<std::string> news; ///< JSON Lines news files.
  std::vector<std::string> options;      ///< Options open-interest CSV files.
  std::vector<std::string> fundamentals; ///< Fundamentals CSV files.
  bool json = false;
  std::string history_path = "osprey-history.sqlite"; ///< Empty: do not store.
  run_weights weights;
  size_t comparables = 5; ///< How many comparable set-ups to show.
  size_t horizon = 20;    ///< Bars after a set-up that measure its outcome.
  int64_t news_window_ns = 86'400'000'000'000;        ///< Narrative "now": a day.
  int64_t news_baseline_ns = 30 * 86'400'000'000'000; ///< Its baseline: a month.
  int64_t block_shares = 10'000;  ///< A trade of at least this many shares is a block.
  money block_notional{200'000LL * micros_per_dollar}; ///< Or of at least this notional.
};

/// One ticker's evaluation, ready to print and store.
struct ticker_evaluation {
  std::string ticker;
  int code = 0;        ///< 0, or 1 when the ticker could not be evaluated.
  std::string error;   ///< Why not (when code is 1), without the program name.
  std::string text;    ///< The text report.
  std::string json;    ///< The JSON object.
  evaluation_record record; ///< What the history stores.
};

/// Evaluates one ticker from inputs loaded once; touches nothing else, so
/// evaluations of several tickers may run at the same time.
ticker_evaluation evaluate_ticker(const evaluation_inputs& in, const std::string& ticker,
                                  const evaluate_options& opts);

/// Loads every input file of `opts` and, when it is set, the history as it
/// stands (past evaluations for comparables); problems go to `err`.
evaluation_inputs load_inputs(const evaluate_options& opts, const headline_reader& read_headline,
                              const history_store* history, std::ostream& err);

/// Prints the evaluations in order (text, or one JSON array) and stores the
/// successful ones in `history` when given; returns 0, or 1 if any failed.
int emit_evaluations(const std::vector<ticker_evaluation>& results, bool json,
                     history_store* history, std::ostream& out, std::ostream& err);

/// Runs the evaluation; returns the exit code (0, 1 when a ticker has no
/// bars or an input cannot be read, with the reason on `err`).
int evaluate_command(const evaluate_options& opts, const headline_reader& read_headline,
                     std::ostream& out, std::ostream& err);

/// Lists the stored evaluations of `ticker`; returns the exit code.
int history_command(const std::string& ticker, const std::string& history_path,
                    std::ostream& out, std::ostream& err);

} // namespace osprey
