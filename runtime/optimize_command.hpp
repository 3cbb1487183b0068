#pragma once

// `osprey optimize`: a parameter search (runtime/param_search.hpp) whose
// objective is a real backtest (runtime/backtest_command.hpp), and a
// walk-forward analysis (runtime/walk_forward.hpp) that re-optimises on each
// in-sample window and runs the choice on the out-of-sample window after it.
// Every trial is one run_backtest with the base options plus the trial's
// values as "SECTION.KEY=VALUE" overrides; each backtest runs its own
// deterministic engine inside a search worker, so results do not depend on
// the number of workers. docs/OPTIMISATION.md, section 4.

#include <cstdint>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/backtest_command.hpp"
#include "runtime/param_search.hpp"
#include "runtime/walk_forward.hpp"

namespace osprey {

/// A search space over configuration settings. param_search names are
/// letters, digits and '_', so each "section.key" is searched under an
/// internal name ('.' written "__") and `keys` holds the setting of each
/// parameter, in the order of the space.
struct config_space {
  param_space space;
  std::vector<std::string> keys; ///< "strategy.volume_factor", by parameter.
};

/// Parses "strategy.volume_factor=1..3:0.5,signal.high_period=10..40:5" (the
/// value syntax of parse_param_space). Throws std::invalid_argument naming
/// the entry that is wrong, with the setting's own name.
config_space parse_config_space(std::string_view text);

/// Gives the settings' names back to a parameter set of the space (the
/// internal names become "section.key").
void name_by_keys(param_set& params, const config_space& space);
/// The same for every trial of a search.
void name_by_keys(search_result& result, const config_space& space);

/// Returns the overrides of one trial: `base`'s, then "key=text" for each
/// parameter (later settings win).
std::vector<std::string> trial_overrides(const std::vector<std::string>& base,
                                         const param_set& params, const config_space& space);

/// Returns one parameter set of the space (each parameter's first value),
/// named by the internal names: what the up-front check runs the config with.
param_set first_values(const config_space& space);

/// Loads the configuration with the first values as overrides, so a setting
/// the config does not know (or a value it refuses) fails before anything
/// runs. Throws config_error with the config's own message.
void check_config_space(const backtest_options& base, const config_space& space);

/// The names of the metrics a trial reports: default_metric_names() and
/// time_in_market, end_equity, commission, turnover.
std::vector<std::string> optimize_metric_names();

/// The statistics of a finished run (compute_metrics, annualised as
/// `osprey backtest` does) under the names the search knows.
std::map<std::string, double> search_metrics(const backtest_run& run);

/// Returns the objective: one quiet run_backtest of `base` with the trial's
/// overrides (no progress bar, journal or report). Safe to call from many
/// threads at once: every call builds its own engine.
objective_fn backtest_objective(const backtest_options& base, const config_space& space);

/// Returns "--set strategy.volume_factor=1.5 --set signal.high_period=20".
std::string set_line(const param_set& params);

/// Parses "IS:OOS" or "IS:OOS:STEP" (bars). Throws std::invalid_argument.
wf_settings parse_walk_forward_spec(std::string_view text, bool anchored);

/// One bar of the data, as read (adjusted) by the configuration's replay
/// options.
struct history_bar {
  int64_t ts_ns = 0;
  uint32_t symbol = 0;
  uint32_t interval_s = 0;
  int64_t open = 0, high = 0, low = 0, close = 0, volume = 0; ///< micro-dollars; volume nano-shares
};

/// Every bar of the CSV files, in time order.
struct bar_history {
  std::vector<std::string> symbols;   ///< By id.
  std::vector<history_bar> bars;      ///< In time order.
  std::vector<int64_t> times;         ///< The distinct bar times, ascending.
};

/// Reads the CSV files of `base` (with the config's replay options). Throws
/// std::runtime_error for a journal, missing files or no bars.
bar_history load_bar_history(const backtest_options& base);

/// Writes the bars with time in [from_ns, to_ns] (of `only_symbol` alone, if
/// given) as an osprey-format CSV
/// (`ts_event,symbol,kind,interval_s,open,high,low,close,volume`); prices
/// are written with six decimals, so they read back exactly. Returns the
/// rows written. The walk-forward writes one file per symbol: run_backtest
/// learns the symbols when it opens the files, so a file whose symbol
/// changes part-way is not one it can replay.
size_t write_history_csv(const std::string& path, const bar_history& h, int64_t from_ns,
                         int64_t to_ns, std::optional<uint32_t> only_symbol = std::nullopt);

/// Everything `osprey optimize` needs.
struct optimize_options {
  backtest_options base;        ///< data, config, --set overrides, fill, end.
  std::string params;           ///< The space, as parse_config_space reads it.
  std::string method = "grid";
  std::string objective = "sharpe";
  std::string constraints;      ///< "max_drawdown<=0.2,trades>=5"; empty: none.
  search_settings search;       ///< seed, budget, workers, genetic settings...
  size_t top = 10;              ///< Trials shown in the text output.
  std::string walk_forward;     ///< "IS:OOS[:STEP]" in bars; empty: a plain search.
  bool anchored = false;
  std::string wf_metric = "total_return"; ///< What the efficiency compares.
  bool json = false;
};

/// A plain search: the settings of `opts` with method, objective and
/// constraints parsed; the result's parameters named by their settings.
/// Throws std::invalid_argument for bad options and config_error for a
/// setting the config refuses, both before any trial runs.
search_result optimize_backtests(const optimize_options& opts);

/// A walk-forward analysis's report and what it ran on.
struct walk_forward_run {
  wf_settings settings;
  std::vector<wf_window> windows;
  std::vector<int64_t> times;     ///< The bar times the windows index.
  wf_report report;
  double starting_cash = 0;
};

/// Plans windows over the union of the data's bar times and runs them: each
/// in-sample window's search (on temporary CSVs of its bars, one per symbol) picks the best
/// feasible trial, which then runs on the out-of-sample bars (a backtest
/// starting flat with the starting cash; its indicators start cold). Throws
/// std::runtime_error when a window has no feasible trial.
walk_forward_run walk_forward_backtests(const optimize_options& opts, std::ostream& log);

/// Writes the walk-forward report as text (the table, the stitched
/// out-of-sample equity's final value and total return) or one JSON object.
void write_walk_forward_text(std::ostream& out, const walk_forward_run& r);
void write_walk_forward_json(std::ostream& out, const walk_forward_run& r);

/// The whole command; returns the exit code (0; 1 when the data cannot be
/// used or no trial is feasible; 2 for bad options or settings).
int optimize_command(const optimize_options& opts, std::ostream& out, std::ostream& err);

} // namespace osprey
