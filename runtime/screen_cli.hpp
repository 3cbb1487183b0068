#pragma once

// The `osprey screen` subcommand's options on the command line (CLI11),
// kept out of main.cpp so each command's flags live beside each other.

#include <string>

#include <CLI/CLI.hpp>

#include "runtime/screen_command.hpp"

namespace osprey {

struct screen_cli {
  CLI::App* command = nullptr;
  screen_command_options options;
};

/// Adds the subcommand to `app`; `cli` must outlive the parse.
void add_screen_command(CLI::App& app, screen_cli& cli);

/// Runs it after the parse; returns the exit code.
int run_screen_command(screen_cli& cli, const std::string& project_dir);

} // namespace osprey
