#pragma once

// placeholder: the `osprey optimize` subcommand, being written.

#include <string>

#include <CLI/CLI.hpp>

namespace osprey {

struct optimize_cli {
  CLI::App* command = nullptr;
};

/// Adds the subcommand to `app`; `cli` must outlive the parse.
void add_optimize_command(CLI::App& app, optimize_cli& cli);

/// Runs it after the parse; returns the exit code.
int run_optimize_command(optimize_cli& cli, const std::string& project_dir);

} // namespace osprey
