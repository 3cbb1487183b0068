#include "runtime/alert_cli.hpp"

#include <atomic>
#include <csignal>
#include <iostream>

#include "runtime/llm_cli.hpp"

namespace osprey {

namespace {

std::atomic<bool> alert_stop_requested{false};

extern "C" void on_alert_stop_signal(int) {
  alert_stop_requested.store(true);
}

void install_alert_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_alert_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

} // namespace

void add_alert_command(CLI::App& app, alert_cli& cli) {
  auto* a = app.add_subcommand(
    "alert", "Evaluate a rule on every bar of the market; print and send the alerts it raises");
  cli.command = a;
  auto& o = cli.options;
  auto* rule = a->add_option("--rule", o.rule, "Rule text, e.g. \"rsi(14) < 30\"");
  auto* phrase = a->add_option("--phrase", o.phrase,
                               "An English phrase, e.g. \"rsi below 30 and volume spike\"");
  auto* file = a->add_option("--rules-file", o.rules_file,
                             "A rule file (entry:/exit:/... sections; each alerts on its own)")
                 ->check(CLI::ExistingFile);
  rule->excludes(phrase)->excludes(file);
  phrase->excludes(file);
  add_llm_flags(*a, o.llm, phrase);
  a->add_option("--name", o.name, "The rule's name in alerts (default: the file's, or \"rule\")");
  auto* data = a->add_option("--data", o.data, "CSV files to replay (bars; trades and quotes are "
                                               "ignored)")
                 ->check(CLI::ExistingFile);
  auto* journal = a->add_option("--journal", o.journal, "A journal to replay")
                    ->check(CLI::ExistingFile);
  data->excludes(journal);
  a->add_option("--config", o.config_path,
                "TOML configuration: [alert], [[alert.webhook]], [market], [replay], [engine] speed")
    ->check(CLI::ExistingFile);
  a->add_option("--webhook", o.webhooks,
                "KIND=URL: json=URL, slack=URL, or telegram=CHAT_ID (token in "
                "OSPREY_TELEGRAM_TOKEN); repeatable");
  a->add_option("--cooldown", o.cooldown,
                "Least event time between two alerts of a rule and symbol (e.g. 5m)");
  a->add_option("--dedup-window", o.dedup_window,
                "Suppress the same rule, symbol and message within this event time");
  a->add_option("--trigger", o.trigger, "edge (default: when the rule turns true) | level")
    ->check(CLI::IsMember({"edge", "level"}));
  a->add_flag("--json", o.json, "Alerts as JSON lines (the webhook json schema)");
  a->add_option("--events", o.events, "Stop after this many market events");
  a->add_option("--duration", o.duration, "Stop after this much event time (e.g. 2h)");
  a->add_option("--seed", cli.seed, "Seed of the synthetic market");
  a->add_option("--out-journal", o.out_journal,
                "Write each fired alert as an Alert message to this journal (the dashboard "
                "topic)");
}

int run_alert_command(alert_cli& cli, const std::string& project_dir) {
  auto& o = cli.options;
  if (cli.command->count("--seed"))
    o.seed = cli.seed;
  o.project_dir = project_dir;
  install_alert_stop_handlers();
  return alert_command(o, alert_stop_requested, std::cout, std::cerr, process_environment());
}

} // namespace osprey
