#include "runtime/alert_cli.hpp"

namespace osprey {

void add_alert_command(CLI::App& app, alert_cli& cli) {
  cli.command = app.add_subcommand("alert", "(being written)");
}

int run_alert_command(alert_cli&, const std::string&) {
  return 2;
}

} // namespace osprey
