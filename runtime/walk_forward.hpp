#pragma once

// Walk-forward analysis: the data is cut into in-sample / out-of-sample
// window pairs (rolling or anchored, by bar count or by time span); in each
// in-sample window the caller's optimiser chooses parameters, and the
// caller's evaluator runs them on the out-of-sample window that follows.
// The report chains the out-of-sample equity curves, compares out-of-sample
// with in-sample performance (the efficiency ratio) and measures how much the
// chosen parameters move from window to window. docs/OPTIMISATION.md.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "runtime/param_search.hpp"

namespace osprey {

/// What the window lengths count.
enum class wf_unit { bars, nanoseconds };

/// How the windows are laid out.
struct wf_settings {
  wf_unit unit = wf_unit::bars;
  bool anchored = false;      ///< in-sample always starts at the first bar.
  int64_t in_sample = 0;      ///< bars or ns.
  int64_t out_of_sample = 0;  ///< bars or ns.
  int64_t step = 0;           ///< how far each window moves; 0: out_of_sample.
  std::string metric = "total_return"; ///< the metric the efficiency compares.
  bool per_bar = false;       ///< divide the metric by the window's bars first.
  double initial_equity = 0;  ///< the stitched curve's start; 0: the first curve's.
};

/// One in-sample / out-of-sample pair as bar index ranges [begin, end).
struct wf_window {
  size_t index = 0;
  size_t is_begin = 0, is_end = 0;
  size_t oos_begin = 0, oos_end = 0;
};

/// Lays out windows over `bars` bars (unit must be bars). Throws
/// std::invalid_argument when the settings do not fit the data.
std::vector<wf_window> plan_walk_forward(size_t bars, const wf_settings& s);

/// Lays out windows over bars stamped `timestamps_ns` (ascending); with unit
/// nanoseconds the spans are times (a window holds the bars whose time is in
/// [start, start + span)), with unit bars only the count matters. Windows
/// whose out-of-sample span has no bar end the layout; the last one may be
/// cut short by the end of the data. Throws std::invalid_argument when the
/// settings do not fit the data.
std::vector<wf_window> plan_walk_forward(const std::vector<int64_t>& timestamps_ns,
                                         const wf_settings& s);

/// The optimiser's choice for one in-sample window.
struct wf_in_sample_result {
  param_set params;
  std::map<std::string, double> metrics; ///< in-sample metrics of the choice.
};

/// The evaluation of the chosen parameters on one out-of-sample window.
struct wf_out_of_sample_result {
  std::map<std::string, double> metrics;
  std::vector<double> equity; ///< the window's equity curve (first value > 0).
};

/// Chooses parameters on a window's in-sample bars (e.g. by run_search).
using wf_optimiser = std::function<wf_in_sample_result(const wf_window&)>;
/// Runs the chosen parameters on a window's out-of-sample bars.
using wf_evaluator =
  std::function<wf_out_of_sample_result(const wf_window&, const param_set&)>;

/// One window's outcome.
struct wf_window_report {
  wf_window window;
  param_set params;
  std::map<std::string, double> in_sample;
  std::map<std::string, double> out_of_sample;
  double efficiency = 0; ///< oos metric / is metric (NaN when is is 0).
};

/// How one parameter moved across windows.
struct wf_param_stability {
  std::string name;
  double mean = 0;
  double stddev = 0;    ///< sample standard deviation (n - 1); 0 for one window.
  double cv = 0;        ///< stddev / |mean|; NaN when the mean is 0.
  size_t changes = 0;   ///< windows whose value differs from the window before.
};

/// The whole walk-forward analysis.
struct wf_report {
  std::vector<wf_window_report> windows;
  std::vector<double> stitched_equity; ///< the out-of-sample curves chained.
  std::vector<size_t> window_starts;   ///< index in stitched_equity where each window begins.
  double efficiency = 0;               ///< mean oos metric / mean is metric.
  double mean_in_sample = 0;
  double mean_out_of_sample = 0;
  std::vector<wf_param_stability> stability; ///< in the order of the parameters.
};

/// Runs the optimiser and the evaluator on every window in order. Throws
/// std::invalid_argument when a callback omits the metric, returns an empty
/// or non-positive equity curve, or the parameter names change.
wf_report run_walk_forward(const std::vector<wf_window>& windows, const wf_optimiser& optimise,
                           const wf_evaluator& evaluate, const wf_settings& s);

/// Chains equity curves: each starts where the previous one ended (its
/// first point, equal to the previous end, is not repeated). `start` 0 keeps
/// the first curve's own level. Throws std::invalid_argument on an empty
/// curve or a first value that is not positive.
std::vector<double> stitch_equity(const std::vector<std::vector<double>>& curves,
                                  double start = 0);

/// Returns the stability of each parameter over the chosen sets.
std::vector<wf_param_stability> parameter_stability(const std::vector<param_set>& chosen);

/// Returns a readable table of the windows and the summary.
std::string format_walk_forward_text(const wf_report& r, const wf_settings& s);

} // namespace osprey
