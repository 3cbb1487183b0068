#include "runtime/optimize_cli.hpp"

namespace osprey {

void add_optimize_command(CLI::App& app, optimize_cli& cli) {
  cli.command = app.add_subcommand("optimize", "(being written)");
}

int run_optimize_command(optimize_cli&, const std::string&) {
  return 2;
}

} // namespace osprey
