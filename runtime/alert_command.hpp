#pragma once

// `osprey alert`: evaluates a rule on every bar of a market stream (the
// synthetic market, CSV files or a journal), per symbol, passes each
// evaluation through the alert gate (actors/alert_gate.hpp) and emits what
// fires: one line (or one JSON line) per alert on the console, an `Alert`
// message on the dashboard sink, and a post to every webhook through its
// delivery_worker (adapters/webhook.hpp), which never blocks the loop.
//
//   market event ──Bar──► alert_evaluator ──► gate_alert ──fire──► alert
//     (trades, quotes      (rule_runner        (cooldown,           ├─► console
//      are ignored)         per symbol)         de-dup, edge)       ├─► dashboard sink
//                                                                   └─► delivery_worker ×N
//
// The evaluation itself (alert_evaluator, evaluate_alerts) is plain state
// and plain functions, testable over a vector of bar messages.

#include <atomic>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/alert_gate.hpp"
#include "actors/rule_vm.hpp"
#include "adapters/webhook.hpp"
#include "messages/msg.hpp"
#include "messages/msg_builder.hpp"
#include "messages/msg_sink.hpp"
#include "messages/symbol_table.hpp"
#include "runtime/llm_rule.hpp"

namespace osprey {

/// One true/false program of a rule set, alerted on under its own name.
struct alert_rule {
  std::string name;               ///< "breakout", or "breakout.exit" for a section.
  const rules::program* program;  ///< Points into the compiled rules.
};

/// Returns the true/false sections of `rules` to alert on: just `base` for
/// a rule set with only an entry rule, else "base.entry", "base.exit", ...
std::vector<alert_rule> alert_rules_of(const rules::compiled_rules& rules,
                                       const std::string& base);

/// Evaluates rules on bars, per symbol, through one alert gate.
class alert_evaluator {
public:
  /// `compiled` must outlive the evaluator.
  alert_evaluator(const rules::compiled_rules& compiled, std::vector<alert_rule> rules,
                  alert_gate_settings gate, alert_severity severity = alert_severity::warning);

  /// Evaluates every rule on one bar of `symbol` closing at `ts_event` and
  /// appends the alerts that fire to `fired`. Allocates only on the first
  /// bar of a symbol and when an alert fires.
  void on_bar(symbol_id symbol, std::string_view symbol_name, int64_t ts_event,
              const ind::bar_input& bar, std::vector<alert>& fired);

  /// Evaluates a Bar (or every row of a BarBatch); other messages are
  /// ignored. `symbols` names the ids.
  void on_message(const msg& m, const symbol_table& symbols, std::vector<alert>& fired);

  const alert_gate_state& gate() const noexcept { return gate_; }
  const std::vector<alert_rule>& rules() const noexcept { return rules_; }

private:
  const rules::compiled_rules* compiled_;
  std::vector<alert_rule> rules_;
  alert_gate_state gate_;
  alert_severity severity_;
  /// One runner per symbol id (null until the symbol's first bar).
  std::vector<std::unique_ptr<rules::rule_runner>> runners_;
  rules::rule_trace trace_;
};

/// What evaluate_alerts() found.
struct alert_run {
  std::vector<alert> alerts;
  alert_gate_counters counters;
};

/// Runs `compiled` (as alert_rules_of(compiled, name) says) over `messages`
/// in order through a gate with `gate` settings.
alert_run evaluate_alerts(const rules::compiled_rules& compiled, const std::string& name,
                          const alert_gate_settings& gate, const std::vector<msg>& messages,
                          const symbol_table& symbols);

/// Returns one readable line: "<time> <rule> <symbol>: <values>" (no newline).
std::string format_alert_line(const alert& a);

/// Returns the Alert message published on the dashboard topic: code = the
/// rule, text = "<symbol>: <values>", stamped with the alert's event time.
msg alert_message(msg_builder& builder, const alert& a);

/// The [alert] section and the [[alert.webhook]] entries of a config file.
struct alert_settings {
  alert_gate_settings gate;  ///< Edge, no cooldown, no de-dup by default.
  alert_severity severity = alert_severity::warning;
  delivery_settings delivery;
  std::vector<webhook_target> webhooks;
};

/// Looks an environment variable up (nullopt when unset).
using env_lookup = std::function<std::optional<std::string>(const std::string&)>;

/// Returns the process environment as an env_lookup.
env_lookup process_environment();

/// Reads the `alert` table of TOML `text` (from file `source`) over the
/// defaults. Throws config_error "source:line: alert.key: problem"; a
/// webhook's problem names it as alert.webhook[N] (1-based).
alert_settings parse_alert_settings(std::string_view text, const std::string& source,
                                    const env_lookup& env);

/// Returns `text` with the lines of every `alert` table blanked out (line
/// numbers kept), so that parse_config() reads the rest of the same file.
std::string without_alert_tables(std::string_view text, const std::string& source);

/// Parses a `--webhook KIND=URL` (telegram=CHAT_ID, with the token in
/// OSPREY_TELEGRAM_TOKEN); returns the target, or nullopt with `error` set.
std::optional<webhook_target> parse_webhook_flag(std::string_view text, const env_lookup& env,
                                                 std::string& error);

/// What `osprey alert` was asked to do.
struct alert_options {
  std::string rule;        ///< --rule TEXT
  std::string phrase;      ///< --phrase TEXT
  llm_flags llm;           ///< --llm-url/--llm-model/--llm-key-env for a phrase, over the environment
  std::string rules_file;  ///< --rules-file FILE
  std::string name;        ///< --name (default: from the file, else "rule"/"phrase")
  std::vector<std::string> data; ///< --data CSV files
  std::string journal;     ///< --journal FILE to replay
  std::string config_path; ///< --config FILE
  std::vector<std::string> webhooks; ///< --webhook KIND=URL
  std::string cooldown;    ///< --cooldown D (over the config)
  std::string dedup_window; ///< --dedup-window D (over the config)
  std::string trigger;     ///< --trigger edge|level (over the config)
  bool json = false;       ///< --json: alerts as JSON lines
  uint64_t events = 0;     ///< --events N (0: no limit)
  std::string duration;    ///< --duration D (event time)
  std::optional<uint64_t> seed; ///< --seed of the synthetic market
  std::string out_journal; ///< --out-journal FILE: the dashboard topic, journaled
  std::string project_dir;
};

/// What one run did, for the summary.
struct alert_summary {
  uint64_t events = 0;
  uint64_t bars = 0;
  alert_gate_counters gate;
  uint64_t delivered = 0, failed = 0, dropped = 0, abandoned = 0;
};

/// Prints the summary (evaluations, fired, suppressed by reason, deliveries).
void print_alert_summary(const alert_summary& s, std::ostream& out);

/// Runs `osprey alert` until the stream ends, a limit is reached or `stop`
/// is set; returns the exit code (0; 2 for bad input). `dashboard`, when
/// given, receives an Alert message per fired alert.
int alert_command(const alert_options& opts, const std::atomic<bool>& stop,
                  std::ostream& out, std::ostream& err, const env_lookup& env,
                  msg_sink* dashboard = nullptr);

} // namespace osprey
