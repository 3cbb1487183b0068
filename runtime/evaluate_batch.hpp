#pragma once

// `osprey evaluate --batch FILE`: evaluates a list of tickers in parallel on
// a CAF actor system. The inputs are loaded once and shared read-only; one
// worker actor per core (at most one per ticker) runs evaluate_ticker for
// the tickers it is sent; the results are printed in the file's order
// whatever order they finish in, and stored in the history from this
// thread only (SQLite is written by one writer). The output is the same as
// `osprey evaluate` of the same tickers one after another.
//
// The batch file lists one ticker per line; `#` starts a comment, blank
// lines are ignored, and a line that is not a ticker (letters, digits, '.',
// '-', '/', at most 16 characters, starting with a letter or digit) is
// reported as "file:line: what" and skipped.

#include <cstddef>
#include <iosfwd>
#include <string>
#include <vector>

#include "runtime/evaluate_command.hpp"

namespace osprey {

/// The tickers of a batch file and the problems of its skipped lines.
struct ticker_list {
  std::vector<std::string> tickers;
  std::vector<std::string> problems; ///< "file:line: what".
};

/// Reads a batch file; throws std::runtime_error when it cannot be opened.
ticker_list read_ticker_list(const std::string& path);

/// Evaluates `tickers` on `workers` worker actors (0: one per core, never
/// more than there are tickers); returns the results in the order of
/// `tickers`.
std::vector<ticker_evaluation> evaluate_in_parallel(const evaluation_inputs& in,
                                                    const std::vector<std::string>& tickers,
                                                    const evaluate_options& opts,
                                                    size_t workers = 0);

/// Runs `osprey evaluate --batch batch_path` (plus any tickers already in
/// opts.tickers, first); returns the exit code like evaluate_command.
int evaluate_batch_command(const evaluate_options& opts, const std::string& batch_path,
                           const headline_reader& read_headline, std::ostream& out,
                           std::ostream& err, size_t workers = 0);

} // namespace osprey
