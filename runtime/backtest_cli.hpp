#pragma once

// The `osprey backtest` subcommand's options on the command line (CLI11),
// kept out of main.cpp so each command's flags live beside each other.

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "runtime/backtest_command.hpp"

namespace osprey {

struct backtest_cli {
  CLI::App* command = nullptr;
  backtest_options options;
  std::string fill;  ///< As typed; checked by the option's validator.
  std::string end;
  std::string from, to; ///< Dates (or date-times) as typed.
  bool no_progress = false;
  // The strategy, turned into --set rules.* settings.
  std::string strategy, entry, exit, short_entry, short_exit, size, stop, target, opposite, exits;
  bool long_short = false;
  bool fractional = false;
};

/// Adds the subcommand to `app`; `cli` must outlive the parse.
void add_backtest_command(CLI::App& app, backtest_cli& cli);

/// Runs it after the parse; returns the exit code.
int run_backtest_command(backtest_cli& cli, const std::string& project_dir);

} // namespace osprey
