#pragma once

// What `osprey evaluate` reads before it scores anything: the daily bars and
// trade prints of the --data files, the news with each headline already
// read, the options open-interest and fundamentals files, and the history
// of past evaluations. Loaded once per run and then only read, so one
// ticker's evaluation can run on any thread (see evaluate_batch.hpp).
//
// The two files of this header's own formats (docs/EVALUATE.md):
//
//   options       date,symbol,expiry,strike,type,open_interest
//                 date and expiry YYYY-MM-DD, type call/put or C/P (any
//                 case), open_interest a whole number >= 0.
//   fundamentals  symbol,date,eps_actual,eps_estimate,revenue,revenue_year_ago
//                 date = the report date (YYYY-MM-DD); the four numbers may be
//                 empty (that feature is then missing).
//
// A malformed row is reported as "file:line: what" and skipped; a file that
// cannot be opened throws std::runtime_error naming it.

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "actors/run_features.hpp"
#include "actors/run_score.hpp"
#include "runtime/history_store.hpp"

namespace osprey {

/// Scores a headline's sentiment in [-1, 1] and counts its bullish and
/// bearish event tags (the sentiment model's; injected so the command does
/// not depend on which model).
struct headline_reading {
  double sentiment = 0;
  int bullish_events = 0, bearish_events = 0;
};
using headline_reader = std::function<headline_reading(const std::string& text)>;

/// One news item with its headline already read.
struct read_news_item {
  int64_t ts = 0;
  std::vector<std::string> symbols;
  std::string headline;
  headline_reading reading;
};

/// Returns true when the item names `ticker` in its symbols or as "$TICKER"
/// in its headline.
bool mentions(const read_news_item& item, const std::string& ticker);

/// One row of an options open-interest file.
struct option_interest_row {
  int64_t date = 0; ///< UTC midnight of the row's date, ns.
  std::string symbol;
  int64_t expiry = 0; ///< UTC midnight, ns.
  double strike = 0;
  bool call = false;
  int64_t open_interest = 0;
};

/// Rows and the problems of skipped rows ("file:line: what").
template <class Row>
struct read_rows {
  std::vector<Row> rows;
  std::vector<std::string> problems;
};

/// Reads an options open-interest file; throws when it cannot be opened.
read_rows<option_interest_row> read_option_interest(const std::string& path);

/// Returns total call / total put open interest of `symbol` on the latest
/// date at or before `day` (a UTC midnight); NaN when there is no such date
/// or its put open interest is zero (the ratio is undefined).
double call_put_oi_ratio(const std::vector<option_interest_row>& rows, const std::string& symbol,
                         int64_t day);

/// One row of a fundamentals file; NaN where the cell was empty.
struct fundamentals_row {
  std::string symbol;
  int64_t date = 0; ///< Report date, UTC midnight, ns.
  double eps_actual = missing, eps_estimate = missing;
  double revenue = missing, revenue_year_ago = missing;
};

/// Reads a fundamentals file; throws when it cannot be opened.
read_rows<fundamentals_row> read_fundamentals(const std::string& path);

/// Fills earnings_surprise_pct ((actual - estimate) / |estimate| x 100) and
/// revenue_growth_pct ((revenue / year ago - 1) x 100) from `symbol`'s latest
/// report at or before `day`; a feature whose inputs are missing (or whose
/// divisor is zero) stays missing.
void fill_fundamentals(const std::vector<fundamentals_row>& rows, const std::string& symbol,
                       int64_t day, other_features& into);

/// Everything one run reads, shared read-only by every evaluation.
struct evaluation_inputs {
  std::map<std::string, std::vector<daily_bar>> bars;     ///< Per symbol, in time order.
  std::map<std::string, std::vector<trade_print>> trades; ///< Per symbol, in time order.
  std::vector<read_news_item> news;                       ///< In time order.
  std::vector<option_interest_row> options;
  std::vector<fundamentals_row> fundamentals;
  std::vector<evaluation_record> past; ///< The history as the run started.
};

/// The files to load.
struct evaluation_files {
  std::vector<std::string> data, news, options, fundamentals;
};

/// Loads the files: bars and trades from `data` (daily bars are built from
/// the trades for a symbol that has trades but no bars), news read with
/// `read_headline`, and the options and fundamentals files. Skipped rows go
/// to `err` as "osprey evaluate: skipped file:line: what". Throws
/// std::runtime_error naming a file that cannot be read.
evaluation_inputs load_evaluation_inputs(const evaluation_files& files,
                                         const headline_reader& read_headline, std::ostream& err);

} // namespace osprey
