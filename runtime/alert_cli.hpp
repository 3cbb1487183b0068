#pragma once

// The `osprey alert` subcommand's options on the command line (CLI11).

#include <string>

#include <CLI/CLI.hpp>

#include "runtime/alert_command.hpp"

namespace osprey {

struct alert_cli {
  CLI::App* command = nullptr;
  alert_options options;
  uint64_t seed = 0;
};

/// Adds the subcommand to `app`; `cli` must outlive the parse.
void add_alert_command(CLI::App& app, alert_cli& cli);

/// Runs it after the parse (stopping cleanly on SIGINT / SIGTERM); returns
/// the exit code.
int run_alert_command(alert_cli& cli, const std::string& project_dir);

} // namespace osprey
