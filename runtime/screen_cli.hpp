#pragma once

// placeholder: the `osprey screen` subcommand, being written.

#include <string>

#include <CLI/CLI.hpp>

namespace osprey {

struct screen_cli {
  CLI::App* command = nullptr;
};

/// Adds the subcommand to `app`; `cli` must outlive the parse.
void add_screen_command(CLI::App& app, screen_cli& cli);

/// Runs it after the parse; returns the exit code.
int run_screen_command(screen_cli& cli, const std::string& project_dir);

} // namespace osprey
