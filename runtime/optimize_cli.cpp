#include "runtime/optimize_cli.hpp"

#include <iostream>

namespace osprey {

void add_optimize_command(CLI::App& app, optimize_cli& cli) {
  auto* c = app.add_subcommand(
    "optimize", "Search strategy settings for the best backtest; optionally walk forward");
  cli.command = c;
  auto& o = cli.options;
  auto& s = o.search;
  c->add_option("--data", o.base.data, "CSV bar files (as for backtest)")
    ->required()
    ->check(CLI::ExistingFile);
  c->add_option("--params", o.params,
                "The space: SECTION.KEY=lo..hi[:step|:log] or =a|b|c, comma-separated, e.g. "
                "\"strategy.volume_factor=1..3:0.5,signal.high_period=10..40:5\"")
    ->required();
  c->add_option("--method", o.method, "grid (default) | random | tpe | genetic")
    ->check(CLI::IsMember({"grid", "random", "tpe", "bayes", "genetic"}));
  c->add_option("--objective", o.objective,
                "Metric to maximise, or -metric to minimise (default sharpe)");
  c->add_option("--constrain", o.constraints,
                "Constraints on metrics, e.g. \"max_drawdown<=0.2,trades>=5\"");
  c->add_option("--budget", s.budget, "Trials of random and tpe (default 100)");
  c->add_option("--seed", s.seed, "Seed of random, tpe and genetic (default 1)");
  c->add_option("--workers", s.workers, "Backtests at once (default: one per core)");
  c->add_option("--population", s.population, "genetic: population (default 20)");
  c->add_option("--generations", s.generations, "genetic: generations (default 10)");
  c->add_flag("--allow-large-grid", s.allow_large_grid, "Run a grid above 10000 trials");
  c->add_option("--top", o.top, "Trials shown in the text output (default 10)");
  c->add_option("--config", o.base.config_path, "TOML configuration (default: built-in)")
    ->check(CLI::ExistingFile);
  c->add_option("--set", o.base.overrides, "SECTION.KEY=VALUE fixed for every trial");
  c->add_option("--fill", cli.fill, "next_open (default) | next_close | same_close")
    ->check(CLI::IsMember({"next_open", "next_close", "same_close"}));
  c->add_option("--end", cli.end, "Open positions at the end: close (default) | open | keep")
    ->check(CLI::IsMember({"close", "open", "keep"}));
  c->add_option("--walk-forward", o.walk_forward,
                "IN_SAMPLE:OUT_OF_SAMPLE[:STEP] in bars, e.g. 500:100: re-optimise on each "
                "in-sample window and run the choice on the next out-of-sample window");
  c->add_flag("--anchored", o.anchored, "Walk-forward: every in-sample window starts at bar 0");
  c->add_option("--wf-metric", o.wf_metric,
                "Walk-forward: the metric the efficiency compares (default total_return)");
  c->add_flag("--json", o.json, "Print the results as JSON");
}

int run_optimize_command(optimize_cli& cli, const std::string& project_dir) {
  auto& o = cli.options;
  if (cli.fill == "next_open")
    o.base.fill = bar_fill::next_open;
  else if (cli.fill == "next_close")
    o.base.fill = bar_fill::next_close;
  else if (cli.fill == "same_close")
    o.base.fill = bar_fill::same_close;
  if (cli.end == "open")
    o.base.end = end_policy::close_at_last_open;
  else if (cli.end == "keep")
    o.base.end = end_policy::keep_open;
  o.base.progress = false;
  o.base.project_dir = project_dir;
  return optimize_command(o, std::cout, std::cerr);
}

} // namespace osprey
