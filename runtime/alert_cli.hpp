#pragma once

// placeholder: the `osprey alert` subcommand, being written.

#include <string>

#include <CLI/CLI.hpp>

namespace osprey {

struct alert_cli {
  CLI::App* command = nullptr;
};

/// Adds the subcommand to `app`; `cli` must outlive the parse.
void add_alert_command(CLI::App& app, alert_cli& cli);

/// Runs it after the parse; returns the exit code.
int run_alert_command(alert_cli& cli, const std::string& project_dir);

} // namespace osprey
