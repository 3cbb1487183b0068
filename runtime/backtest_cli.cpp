#include "runtime/backtest_cli.hpp"

#include <iostream>

namespace osprey {

void add_backtest_command(CLI::App& app, backtest_cli& cli) {
  auto* b = app.add_subcommand(
    "backtest", "Replay history through the actors with the simulated broker; report the results");
  cli.command = b;
  auto& o = cli.options;
  b->add_option("--data", o.data,
                "CSV bar files (symbol from the file name or a column), or one journal")
    ->required()
    ->check(CLI::ExistingFile);
  b->add_option("--config", o.config_path,
                "TOML configuration (default: built-in, with loss and drawdown halts off)")
    ->check(CLI::ExistingFile);
  b->add_option("--set", o.overrides,
                "SECTION.KEY=VALUE over the configuration, e.g. strategy.volume_factor=2");
  b->add_option("--fill", cli.fill,
                "next_open (default) | next_close | next_quote | same_close (look-ahead, for "
                "comparisons)")
    ->check(CLI::IsMember({"next_open", "next_close", "next_quote", "same_close"}));
  b->add_option("--end", cli.end,
                "Open positions at the end: close (at the last close, default) | open (at the "
                "last open) | keep (marked to market)")
    ->check(CLI::IsMember({"close", "open", "keep"}));
  b->add_option("--batch", o.batch, "Bars of one time step per message (1: one per bar)")
    ->check(CLI::Range(1u, 1'000'000u));
  b->add_option("--journal", o.journal_path, "Also write the run's journal here");
  b->add_flag("--json", o.json, "Print the results as JSON");
  b->add_option("--report", o.report_path, "Write a self-contained HTML report");
  b->add_flag("--no-progress", cli.no_progress, "No progress bar");
}

int run_backtest_command(backtest_cli& cli, const std::string& project_dir) {
  auto& o = cli.options;
  if (cli.fill == "next_open")
    o.fill = bar_fill::next_open;
  else if (cli.fill == "next_close")
    o.fill = bar_fill::next_close;
  else if (cli.fill == "next_quote")
    o.fill = bar_fill::none;
  else if (cli.fill == "same_close")
    o.fill = bar_fill::same_close;
  if (cli.end == "open")
    o.end = end_policy::close_at_last_open;
  else if (cli.end == "keep")
    o.end = end_policy::keep_open;
  o.progress = !cli.no_progress;
  o.project_dir = project_dir;
  return backtest_command(o, std::cout, std::cerr);
}

} // namespace osprey
