#pragma once

// Parameter search for `osprey optimize`: a space of named parameters, an
// objective supplied by the caller (one backtest per call), and four ways to
// choose which parameter sets to try — grid, random, Bayesian (a
// Tree-structured Parzen Estimator) and genetic. Trials run many at once on
// worker actors of a CAF actor system; the proposals of every method depend
// only on completed batches, so the trial list and the best trial are the
// same whatever the number of workers and the order trials finish in.
// docs/OPTIMISATION.md describes the methods, their settings and seeds.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace osprey {

/// How a parameter's values are laid out.
enum class param_kind { integer, real, choice };

/// One named parameter of a search space.
struct param_spec {
  std::string name;
  param_kind kind = param_kind::integer;
  double low = 0;   ///< integer/real: the first value.
  double high = 0;  ///< integer/real: the last value (inclusive).
  double step = 0;  ///< integer: >= 1; real: 0 for continuous, else a grid step.
  bool log_scale = false;            ///< real only: sampled uniformly in log(value).
  std::vector<std::string> choices;  ///< choice only: the labels, in order.

  /// Returns how many distinct values the parameter has (0: continuous).
  size_t value_count() const;
};

/// The parameters of a search, in the order they were declared.
struct param_space {
  std::vector<param_spec> params;
};

/// Parses "fast=5..50:5,slow=20..200:10,k=0.5..3.0,lr=0.001..1:log,mode=a|b|c".
/// Integer ranges have integer bounds ("lo..hi" or "lo..hi:step"); a bound
/// with '.' or an exponent makes a real range ("lo..hi" continuous,
/// "lo..hi:step" on a grid, "lo..hi:log" log scale); '|' separates choices.
/// Throws std::invalid_argument naming the entry that is wrong.
param_space parse_param_space(std::string_view text);

/// One parameter's value in a trial: its number and its text.
struct param_value {
  std::string name;
  double number = 0; ///< the value; for a choice, the label as a number if
                     ///< it is one, else the index of the label.
  std::string text;  ///< the value as written ("5", "0.75", "b").
};

/// The parameter values of one trial, in the order of the space.
struct param_set {
  std::vector<param_value> values;

  /// Returns the number of the parameter `name`; throws std::out_of_range.
  double number(std::string_view name) const;
  /// Returns the text of the parameter `name`; throws std::out_of_range.
  const std::string& text(std::string_view name) const;
  /// Returns "name=text,name=text".
  std::string to_string() const;
};

/// What one backtest reported: named metrics (sharpe, cagr, max_drawdown...).
struct trial_result {
  std::map<std::string, double> metrics;
  std::string error; ///< non-empty: the objective failed (the trial is infeasible).
};

/// The caller's objective: runs one backtest. Called from several threads at
/// once, so it must not share mutable state between calls.
using objective_fn = std::function<trial_result(const param_set&)>;

/// Returns the metric names a search accepts by default.
std::vector<std::string> default_metric_names();

/// A metric to maximise ("sharpe") or minimise ("-max_drawdown").
struct objective_spec {
  std::string metric;
  bool minimise = false;
};

/// Parses "sharpe" or "-max_drawdown"; throws std::invalid_argument when the
/// metric is not one of `known` (the message lists them).
objective_spec parse_objective(std::string_view text, const std::vector<std::string>& known);

/// One constraint on a metric: "max_drawdown <= 0.2".
struct metric_constraint {
  enum class relation { less_equal, greater_equal, less, greater };
  std::string metric;
  relation rel = relation::less_equal;
  double bound = 0;

  /// Returns whether `metrics` satisfy it (a missing or NaN metric does not).
  bool satisfied_by(const std::map<std::string, double>& metrics) const;
  /// Returns "max_drawdown <= 0.2".
  std::string to_string() const;
};

/// Parses "max_drawdown <= 0.2, trades >= 10" (also <, >); throws
/// std::invalid_argument naming the entry that is wrong.
std::vector<metric_constraint> parse_constraints(std::string_view text,
                                                 const std::vector<std::string>& known);

enum class search_method { grid, random, tpe, genetic };

/// Parses "grid", "random", "tpe" (or "bayes"), "genetic"; throws std::invalid_argument.
search_method parse_search_method(std::string_view text);
/// Returns "grid", "random", "tpe" or "genetic".
const char* to_string(search_method m);

/// How to search; docs/OPTIMISATION.md explains every field.
struct search_settings {
  search_method method = search_method::grid;
  objective_spec objective{"sharpe", false};
  std::vector<metric_constraint> constraints;
  uint64_t seed = 1;   ///< random, tpe, genetic.
  size_t budget = 100; ///< random, tpe: the number of trials.
  size_t workers = 0;  ///< 0: one per core.

  // grid
  size_t max_grid_trials = 10000; ///< a larger grid is refused...
  bool allow_large_grid = false;  ///< ...unless this is set.
  size_t real_grid_points = 5;    ///< values of a continuous real on a grid.

  // tpe
  double tpe_gamma = 0.25;          ///< the fraction of trials that are "good".
  size_t tpe_startup_trials = 10;   ///< random trials before the model is used.
  size_t tpe_candidates = 24;       ///< candidates drawn from l(x) per proposal.
  size_t tpe_batch = 4;             ///< proposals evaluated together.

  // genetic
  size_t population = 20;
  size_t generations = 10;          ///< including the initial population.
  size_t tournament_size = 3;
  double crossover_rate = 0.9;      ///< per child: uniform crossover, else a copy.
  double mutation_rate = 0.2;       ///< per gene.
  size_t elite = 2;                 ///< best carried over unchanged (not re-run).
};

/// One evaluated parameter set.
struct trial {
  size_t index = 0; ///< position in evaluation order.
  param_set params;
  std::map<std::string, double> metrics;
  std::string error;
  bool feasible = false;
  double objective = 0; ///< the metric, negated when minimising; NaN if missing.
};

/// Every trial in evaluation order, their ranking and the best.
struct search_result {
  search_method method = search_method::grid;
  objective_spec objective;
  std::vector<trial> trials;
  std::vector<size_t> ranking;     ///< trial indices, best first: feasible ones
                                   ///< by objective, then infeasible ones.
  std::optional<size_t> best;      ///< the best feasible trial, if any.
  size_t feasible_count = 0;

  /// Returns the best feasible trial; throws std::logic_error if none.
  const trial& best_trial() const;
};

/// Returns the grid's parameter sets in order (the last parameter varies
/// fastest); throws std::invalid_argument above settings.max_grid_trials
/// unless allow_large_grid.
std::vector<param_set> grid_points(const param_space& space, const search_settings& settings);

/// Runs the search; throws std::invalid_argument on bad settings.
search_result run_search(const param_space& space, const objective_fn& objective,
                         const search_settings& settings);

/// Evaluates `sets` on `workers` worker actors (0: one per core); returns
/// the results in the order of `sets`. An objective that throws gives a
/// result whose error is the exception's text.
std::vector<trial_result> evaluate_parallel(const objective_fn& objective,
                                            const std::vector<param_set>& sets,
                                            size_t workers);

/// Returns a readable summary: method, trials, feasible count, the best and
/// the `top` best trials.
std::string format_search_text(const search_result& r, size_t top = 10);

/// Returns the whole result as one JSON object.
std::string format_search_json(const search_result& r);

} // namespace osprey
