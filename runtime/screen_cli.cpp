#include "runtime/screen_cli.hpp"

namespace osprey {

void add_screen_command(CLI::App& app, screen_cli& cli) {
  cli.command = app.add_subcommand("screen", "(being written)");
}

int run_screen_command(screen_cli&, const std::string&) {
  return 2;
}

} // namespace osprey
