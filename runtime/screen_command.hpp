#pragma once

// `osprey screen`: one rule over a universe of symbols at one date, ranked.
// docs/SCREEN.md describes the command; this file holds its core, a plain
// function over bars in memory (screen()), and the command around it
// (reading CSV files, translating a phrase, printing text or JSON).
//
// The work per symbol is bounded: the rule is evaluated only at the chosen
// bar, and the indicators are warmed only over the last K bars before it,
// K = the longest warm-up of the rule's indicators + its deepest look-back
// (screen_window). Window indicators (sma, highest, stdev, ...) are exact
// after their window; recursive ones (ema, rsi, atr, adx, macd) are fed until
// their seed's weight in the value is below screen_options::tolerance, so the
// value differs from a full-history one by about that fraction of the seed's
// error; cumulative ones (obv) get every bar.

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "actors/indicator_catalog.hpp"
#include "actors/rule_compiler.hpp"
#include "actors/rule_vm.hpp"
#include "runtime/evaluation_inputs.hpp"
#include "runtime/llm_rule.hpp"

namespace osprey {

/// One bar of a symbol: its close time and its prices.
struct screen_bar {
  int64_t ts = 0; ///< ts_event (the bar's close), nanoseconds since the epoch, UTC.
  ind::bar_input bar;
};

/// One symbol's bars, oldest first, and its earnings reports by date (for
/// pe, eps_surprise_pct and revenue_growth_pct; see rule_fundamentals.hpp).
struct symbol_bars {
  std::string symbol;
  std::vector<screen_bar> bars;
  std::vector<fundamentals_row> reports;
};

/// The seed weight below which a recursive indicator counts as converged.
inline constexpr double default_screen_tolerance = 1e-4;

/// How to screen.
struct screen_options {
  /// The day (days since 1970-01-01, UTC) whose last bar is screened; empty:
  /// each symbol's latest bar.
  std::optional<int64_t> day;
  /// A number expression to rank by (compile_expression(..., number)); null:
  /// the first comparison's non-constant side.
  const rules::compiled_rules* rank = nullptr;
  /// Lowest rank first (default: highest first). Ties: symbol name, A to Z.
  bool ascending = false;
  /// Seed weight left in a recursive indicator; 0 feeds every bar (exact).
  double tolerance = default_screen_tolerance;
};

/// What happened to one symbol.
enum class screen_status : uint8_t {
  passed,
  failed,
  no_bar,             ///< No bar on or before the day.
  not_enough_history, ///< Fewer bars than the rule needs to warm up.
};

/// One symbol's outcome.
struct screen_row {
  std::string symbol;
  screen_status status = screen_status::failed;
  int64_t ts = 0;                    ///< The bar used (passed, failed, not_enough_history).
  double rank = rules::missing;      ///< NaN when missing or not evaluated.
  std::vector<rules::traced_comparison> values; ///< Every comparison, in evaluation order.
  size_t needs = 0, has = 0;         ///< not_enough_history: bars needed, bars there.
};

/// The outcome of a screen: passed rows by rank (missing ranks last, ties by
/// symbol), then failed rows by the same order, then skipped rows by symbol.
struct screen_result {
  std::vector<screen_row> rows;
  size_t passed = 0, failed = 0, skipped = 0;
  size_t needs = 0; ///< Bars the rule needs before a value exists (warm-up + look-back).
  size_t feeds = 0; ///< Bars fed per symbol at most (SIZE_MAX: all).
};

/// How many bars an indicator needs before its first value.
size_t ready_bars(const ind::indicator_spec& spec) noexcept;

/// How many bars an indicator is fed for a value within `tolerance` of the
/// full-history one (SIZE_MAX: every bar; tolerance 0: every bar).
size_t warmup_bars(const ind::indicator_spec& spec, double tolerance) noexcept;

/// The bars a rule (and a rank expression, when given) needs and is fed.
struct screen_window {
  size_t needs = 1;  ///< Fewest bars for every value to exist.
  size_t feeds = 1;  ///< Bars fed before and including the screened one (SIZE_MAX: all).
  bool whole_sessions = false; ///< Start at a session's first bar (session vwap).
};

/// Returns the window for `rule` and `rank` (may be null).
screen_window window_of(const rules::compiled_rules& rule, const rules::compiled_rules* rank,
                        double tolerance) noexcept;

/// Returns the program a screen evaluates: the entry rule, else short_entry.
const rules::program& screened_program(const rules::compiled_rules& rule) noexcept;

/// Screens `universe` with `rule` at `opts.day` (or each symbol's last bar).
screen_result screen(const std::vector<symbol_bars>& universe, const rules::compiled_rules& rule,
                     const screen_options& opts);

/// Returns the day (days since the epoch, UTC) a bar closing at `ts` belongs to.
int64_t screen_day(int64_t ts) noexcept;

/// Parses "YYYY-MM-DD" into days since the epoch; nullopt when malformed.
std::optional<int64_t> parse_screen_date(const std::string& text) noexcept;

/// Returns "YYYY-MM-DD" of day `day`.
std::string format_screen_date(int64_t day);

/// The command's inputs, as typed.
struct screen_command_options {
  std::vector<std::string> data; ///< CSV bar files.
  /// Earnings reports (docs/EVALUATE.md's --fundamentals layout).
  std::vector<std::string> fundamentals;
  std::string rule;              ///< Rule text (a bare expression or sections).
  std::string phrase;            ///< Or plain English (translate_phrase, then the LLM if set).
  llm_flags llm;                 ///< --llm-url/--llm-model/--llm-key-env, over the environment.
  std::string date;              ///< YYYY-MM-DD; empty: each symbol's latest bar.
  std::string rank;              ///< A number expression; empty: the default rank.
  size_t top = 0;                ///< Rows shown at most; 0: all.
  bool all = false;              ///< Show failing (and skipped) symbols too.
  bool json = false;
  bool ascending = false;
  double tolerance = default_screen_tolerance;
};

/// Reads bar files into one entry per symbol (sorted by symbol); reports
/// skipped rows to `err` ("osprey screen: skipped FILE:LINE: ..."). Throws
/// std::runtime_error naming the file when one cannot be read.
std::vector<symbol_bars> load_screen_bars(const std::vector<std::string>& paths, std::ostream& err);

/// Reads fundamentals files and gives each symbol of `universe` its reports,
/// sorted by date; skipped rows go to `err` ("osprey screen: skipped ...").
/// Throws std::runtime_error naming a file that cannot be opened.
void attach_fundamentals(std::vector<symbol_bars>& universe, const std::vector<std::string>& paths,
                         std::ostream& err);

/// Writes the rows as an aligned table (passed rows; all with `all`), the
/// skipped symbols and a count; `day` (the screened day) names it in reasons.
void print_screen_text(const screen_result& r, const rules::compiled_rules& rule, size_t top,
                       bool all, std::ostream& out, const std::optional<int64_t>& day = {});

/// Writes the rows as a JSON array of {symbol, date, passed, rank, values}
/// (skipped rows, with `all`, also carry "skipped": the reason).
void print_screen_json(const screen_result& r, const rules::compiled_rules& rule, size_t top,
                       bool all, std::ostream& out, const std::optional<int64_t>& day = {});

/// The whole command; returns the exit code: 0 done, 2 bad input (a rule or
/// phrase or rank that does not compile, no data, an empty universe, a bad
/// date, unusable LLM settings), 1 no symbol has a bar on or before the
/// date. `env` supplies OSPREY_LLM_* for a phrase (empty: none).
int screen_command(const screen_command_options& opts, std::ostream& out, std::ostream& err,
                   const llm_env& env = {});

} // namespace osprey
