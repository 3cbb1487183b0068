#pragma once

// The `osprey optimize` subcommand's options on the command line (CLI11).

#include <string>

#include <CLI/CLI.hpp>

#include "runtime/optimize_command.hpp"

namespace osprey {

struct optimize_cli {
  CLI::App* command = nullptr;
  optimize_options options;
  std::string fill; ///< As typed; checked by the option's validator.
  std::string end;
};

/// Adds the subcommand to `app`; `cli` must outlive the parse.
void add_optimize_command(CLI::App& app, optimize_cli& cli);

/// Runs it after the parse; returns the exit code.
int run_optimize_command(optimize_cli& cli, const std::string& project_dir);

} // namespace osprey
