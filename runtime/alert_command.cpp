#include "runtime/alert_command.hpp"
#include "runtime/config_toml.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <ostream>
#include <sstream>
#include <thread>

#include <toml++/toml.h>

#include "runtime/config.hpp"
#include "runtime/journal_writer.hpp"
#include "runtime/market_feed.hpp"

namespace osprey {

// ---- the evaluation ---------------------------------------------------------

std::vector<alert_rule> alert_rules_of(const rules::compiled_rules& rules,
                                       const std::string& base) {
  std::vector<alert_rule> out;
  std::pair<const char*, const rules::program*> sections[] = {
    {"entry", &rules.entry}, {"exit", &rules.exit},
    {"short_entry", &rules.short_entry}, {"short_exit", &rules.short_exit}};
  for (auto& [section, program] : sections)
    if (!program->empty()) {
      std::string name = base;
      name += '.';
      name += section;
      out.push_back({std::move(name), program});
    }
  // A plain rule is alerted on under its own name.
  if (out.size() == 1 && out[0].program == &rules.entry)
    out[0].name = base;
  return out;
}

alert_evaluator::alert_evaluator(const rules::compiled_rules& compiled,
                                 std::vector<alert_rule> rules, alert_gate_settings gate,
                                 alert_severity severity)
  : compiled_{&compiled}, rules_{std::move(rules)}, severity_{severity} {
  gate_.settings = gate;
}

namespace {

// The traced comparisons of one evaluation as name/value pairs:
// "rsi(14) < 30" = "27.3 < 30 true". explain() formats each one, so the
// numbers read exactly as they do everywhere else.
std::vector<alert_value> traced_values(const rules::program& p, const rules::rule_trace& t) {
  std::vector<alert_value> values;
  for (uint16_t i = 0; i < t.count; ++i) {
    rules::rule_trace one;
    one.items[0] = t.items[i];
    one.count = 1;
    auto text = rules::explain(p, one);
    if (t.items[i].slot >= p.comparisons.size())
      continue;
    auto& name = p.comparisons[t.items[i].slot].text;
    auto value = text.size() > name.size() + 2 ? text.substr(name.size() + 2) : text;
    values.push_back({name, std::move(value)});
  }
  return values;
}

} // namespace

void alert_evaluator::on_bar(symbol_id symbol, std::string_view symbol_name, int64_t ts_event,
                             const ind::bar_input& bar, std::vector<alert>& fired) {
  if (symbol.value >= runners_.size())
    runners_.resize(symbol.value + 1);
  auto& runner = runners_[symbol.value];
  if (!runner)
    runner = std::make_unique<rules::rule_runner>(*compiled_);
  runner->step(bar, ts_event);
  for (auto& r : rules_) {
    trace_.count = 0;
    bool condition = runner->evaluate(*r.program, &trace_);
    // The message is the rule as written: the same text every time, so the
    // de-duplication window means "this rule for this symbol" (values that
    // change every bar would make every message new).
    auto verdict = gate_alert(gate_, r.name, symbol_name, ts_event, condition,
                              r.program->text);
    if (verdict != alert_verdict::fire)
      continue;
    alert a;
    a.rule = r.name;
    a.symbol = std::string{symbol_name};
    a.ts_event = ts_event;
    a.message = r.program->text;
    a.values = traced_values(*r.program, trace_);
    a.severity = severity_;
    fired.push_back(std::move(a));
  }
}

void alert_evaluator::on_message(const msg& m, const symbol_table& symbols,
                                 std::vector<alert>& fired) {
  auto dollars = [](int64_t micros) { return price{micros}.dollars(); };
  if (auto* b = m.as<fb::Bar>()) {
    symbol_id id{b->symbol()};
    on_bar(id, symbols.name(id), m.ts_event(),
           {dollars(b->open()), dollars(b->high()), dollars(b->low()), dollars(b->close()),
            shares_from_nanos(b->volume())},
           fired);
  } else if (auto* batch = m.as<fb::BarBatch>()) {
    for (auto* row : *batch->bars()) {
      symbol_id id{row->symbol()};
      on_bar(id, symbols.name(id), row->ts_event(),
             {dollars(row->open()), dollars(row->high()), dollars(row->low()),
              dollars(row->close()), shares_from_nanos(row->volume())},
             fired);
    }
  }
}

alert_run evaluate_alerts(const rules::compiled_rules& compiled, const std::string& name,
                          const alert_gate_settings& gate, const std::vector<msg>& messages,
                          const symbol_table& symbols) {
  alert_evaluator ev{compiled, alert_rules_of(compiled, name), gate};
  alert_run run;
  for (auto& m : messages)
    ev.on_message(m, symbols, run.alerts);
  run.counters = ev.gate().counters;
  return run;
}

std::string format_alert_line(const alert& a) {
  std::string line = format_utc_millis(a.ts_event);
  line += ' ';
  line += a.rule;
  line += ' ';
  line += a.symbol;
  line += ':';
  bool first = true;
  for (auto& v : a.values) {
    line += first ? " " : "; ";
    first = false;
    line += v.name;
    line += ": ";
    line += v.value;
  }
  if (a.values.empty()) {
    line += ' ';
    line += a.message;
  }
  return line;
}

msg alert_message(msg_builder& builder, const alert& a) {
  fb::Severity severity = a.severity == alert_severity::critical ? fb::Severity::Critical
                          : a.severity == alert_severity::warning ? fb::Severity::Warning
                                                                  : fb::Severity::Info;
  std::string text = a.symbol;
  text += ':';
  for (size_t i = 0; i < a.values.size(); ++i) {
    text += i ? "; " : " ";
    text += a.values[i].name;
    text += ": ";
    text += a.values[i].value;
  }
  return builder.alert(stamp{0, a.ts_event, a.ts_event}, severity, a.rule, text);
}

// ---- configuration ----------------------------------------------------------

env_lookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name.c_str()))
      return std::string{v};
    return std::nullopt;
  };
}

namespace {

// Reads one table of the alert configuration; every problem names the file,
// the line and the dotted key, and a key nobody asked for is an error (a
// typo must not leave a setting at its default).
class alert_table_reader {
public:
  alert_table_reader(const toml::table& t, std::string prefix, const std::string& file)
    : table_{t}, prefix_{std::move(prefix)}, file_{file} {}

  [[noreturn]] void fail(const toml::node& n, std::string_view key,
                         const std::string& what) const {
    std::ostringstream os;
    os << file_ << ':' << n.source().begin.line << ": " << prefix_ << key << ": " << what;
    throw config_error(os.str());
  }

  const toml::node* get(const std::string& key) {
    known_.push_back(key);
    return table_.get(key);
  }

  void finish() const {
    for (auto& [k, node] : table_)
      if (std::find(known_.begin(), known_.end(), k.str()) == known_.end())
        fail(node, k.str(), "unknown key");
  }

  bool text(const std::string& key, std::string& out) {
    auto n = get(key);
    if (!n)
      return false;
    if (!n->is_string())
      fail(*n, key, "expected a string");
    out = *n->value<std::string>();
    return true;
  }

  void duration_ns(const std::string& key, int64_t& out) {
    auto n = get(key);
    if (!n)
      return;
    auto s = n->value<std::string>();
    auto d = n->is_string() ? parse_duration(*s) : std::nullopt;
    if (!d || *d < 0)
      fail(*n, key, "expected a duration such as \"250ms\", \"30s\" or \"5m\"");
    out = *d;
  }

  void millis(const std::string& key, std::chrono::milliseconds& out) {
    int64_t ns = -1;
    duration_ns(key, ns);
    if (ns >= 0)
      out = std::chrono::milliseconds{ns / 1'000'000};
  }

  void integer(const std::string& key, int64_t& out, int64_t lo, int64_t hi) {
    auto n = get(key);
    if (!n)
      return;
    auto v = n->value<int64_t>();
    if (!n->is_integer() || !v || *v < lo || *v > hi) {
      std::string what = "expected a whole number from ";
      what += std::to_string(lo);
      what += " to ";
      what += std::to_string(hi);
      fail(*n, key, what);
    }
    out = *v;
  }

  void flag(const std::string& key, bool& out) {
    auto n = get(key);
    if (!n)
      return;
    if (!n->is_boolean())
      fail(*n, key, "expected true or false");
    out = *n->value<bool>();
  }

private:
  const toml::table& table_;
  std::string prefix_;
  const std::string& file_;
  std::vector<std::string> known_;
};

webhook_target read_webhook(alert_table_reader& r, const toml::node& where,
                            const env_lookup& env) {
  webhook_target t;
  std::string kind;
  if (!r.text("kind", kind))
    r.fail(where, "kind", "missing: give json, slack or telegram");
  auto k = parse_webhook_kind(kind);
  if (!k)
    r.fail(*r.get("kind"), "kind",
           "unknown webhook kind \"" + kind + "\" (expected json, slack or telegram)");
  t.kind = *k;
  r.text("url", t.url);
  std::string token_env;
  r.text("token_env", token_env);
  r.text("chat_id", t.telegram_chat_id);
  r.text("telegram_api", t.telegram_api);
  r.millis("connect_timeout", t.http.connect_timeout);
  r.millis("read_timeout", t.http.read_timeout);
  int64_t retries = t.http.retries;
  r.integer("retries", retries, 0, 10);
  t.http.retries = static_cast<int>(retries);
  r.flag("verify_tls", t.http.verify_tls);
  r.text("ca_file", t.http.ca_file);
  r.finish();
  if (t.kind == webhook_kind::telegram) {
    if (token_env.empty())
      r.fail(where, "token_env",
             "a telegram webhook needs token_env, the environment variable holding the bot token");
    auto token = env(token_env);
    if (!token || token->empty())
      r.fail(*r.get("token_env"), "token_env",
             "the environment variable " + token_env + " holding the Telegram bot token is not set");
    t.telegram_token = *token;
  } else if (r.get("token_env") || r.get("chat_id")) {
    auto* n = r.get("token_env") ? r.get("token_env") : r.get("chat_id");
    r.fail(*n, r.get("token_env") ? "token_env" : "chat_id", "only for kind = \"telegram\"");
  }
  if (auto problem = validate(t))
    r.fail(where, t.kind == webhook_kind::telegram ? "chat_id" : "url", *problem);
  return t;
}

} // namespace

alert_settings parse_alert_settings(std::string_view text, const std::string& source,
                                    const env_lookup& env) {
  auto root = parse_toml(text, source);
  alert_settings s;
  auto* node = root.get("alert");
  if (!node)
    return s;
  auto* table = node->as_table();
  if (!table) {
    std::ostringstream os;
    os << source << ':' << node->source().begin.line << ": alert: expected a table [alert]";
    throw config_error(os.str());
  }
  alert_table_reader r{*table, "alert.", source};
  std::string trigger;
  if (r.text("trigger", trigger)) {
    auto t = parse_alert_trigger(trigger);
    if (!t)
      r.fail(*r.get("trigger"), "trigger", "expected \"edge\" or \"level\", got \"" + trigger + "\"");
    s.gate.trigger = *t;
  }
  r.duration_ns("cooldown", s.gate.cooldown_ns);
  r.duration_ns("dedup_window", s.gate.dedup_window_ns);
  std::string severity;
  if (r.text("severity", severity)) {
    auto v = parse_alert_severity(severity);
    if (!v)
      r.fail(*r.get("severity"), "severity", "expected \"info\", \"warning\" or \"critical\"");
    s.severity = *v;
  }
  int64_t capacity = static_cast<int64_t>(s.delivery.capacity);
  r.integer("queue_capacity", capacity, 1, 1'000'000);
  s.delivery.capacity = static_cast<size_t>(capacity);
  r.millis("shutdown_deadline", s.delivery.shutdown_deadline);
  if (auto* hooks = r.get("webhook")) {
    auto* arr = hooks->as_array();
    if (!arr)
      r.fail(*hooks, "webhook", "expected [[alert.webhook]] entries");
    size_t i = 0;
    for (auto& entry : *arr) {
      std::string prefix = "alert.webhook[";
      prefix += std::to_string(++i);
      prefix += "].";
      auto* t = entry.as_table();
      if (!t)
        r.fail(entry, "webhook", "expected [[alert.webhook]] entries");
      alert_table_reader wr{*t, prefix, source};
      s.webhooks.push_back(read_webhook(wr, entry, env));
    }
  }
  r.finish();
  return s;
}

std::string without_alert_tables(std::string_view text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error&) {
    return std::string{text}; // parse_config reports it
  }
  // The line each table starts on, and whether it belongs to `alert`.
  std::map<uint32_t, bool> starts;
  auto visit = [&](auto& self, const toml::table& t, bool alert) -> void {
    for (auto& [k, node] : t) {
      bool in_alert = alert || (&t == &root && k.str() == "alert");
      auto mark = [&](const toml::node& n) {
        if (auto line = n.source().begin.line; line > 0)
          starts[line] = in_alert;
      };
      if (auto* sub = node.as_table()) {
        mark(*sub);
        self(self, *sub, in_alert);
      } else if (auto* arr = node.as_array(); arr && arr->is_array_of_tables()) {
        for (auto& e : *arr) {
          mark(e);
          self(self, *e.as_table(), in_alert);
        }
      } else if (in_alert) {
        mark(node);
      }
    }
  };
  visit(visit, root, false);
  std::string out;
  out.reserve(text.size());
  uint32_t line = 1;
  bool blank = false;
  size_t at = 0;
  while (at <= text.size()) {
    auto end = text.find('\n', at);
    auto piece = text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
    if (auto s = starts.find(line); s != starts.end())
      blank = s->second;
    if (!blank)
      out += piece;
    if (end == std::string_view::npos)
      break;
    out += '\n';
    at = end + 1;
    ++line;
  }
  return out;
}

std::optional<webhook_target> parse_webhook_flag(std::string_view text, const env_lookup& env,
                                                 std::string& error) {
  auto eq = text.find('=');
  std::string flag = "--webhook ";
  flag += text;
  if (eq == std::string_view::npos) {
    error = flag + ": expected KIND=URL (json=URL, slack=URL or telegram=CHAT_ID)";
    return std::nullopt;
  }
  auto kind = parse_webhook_kind(text.substr(0, eq));
  if (!kind) {
    error = flag + ": unknown webhook kind \"" + std::string{text.substr(0, eq)}
            + "\" (expected json, slack or telegram)";
    return std::nullopt;
  }
  webhook_target t;
  t.kind = *kind;
  auto rest = std::string{text.substr(eq + 1)};
  if (t.kind == webhook_kind::telegram) {
    t.telegram_chat_id = rest;
    auto token = env("OSPREY_TELEGRAM_TOKEN");
    if (!token || token->empty()) {
      error = "--webhook telegram=...: the Telegram bot token must be in the environment "
              "variable OSPREY_TELEGRAM_TOKEN, which is not set";
      return std::nullopt;
    }
    t.telegram_token = *token;
    // The API root can be moved (a proxy, a test server).
    if (auto api = env("OSPREY_TELEGRAM_API"); api && !api->empty())
      t.telegram_api = *api;
  } else {
    t.url = rest;
  }
  if (auto problem = validate(t)) {
    error = t.kind == webhook_kind::telegram ? "--webhook telegram=...: " + *problem
                                              : flag + ": " + *problem;
    return std::nullopt;
  }
  return t;
}

// ---- the command ------------------------------------------------------------

void print_alert_summary(const alert_summary& s, std::ostream& out) {
  auto& g = s.gate;
  out << "alert summary\n"
      << "  events          " << s.events << "\n"
      << "  bars            " << s.bars << "\n"
      << "  evaluations     " << g.evaluations << "\n"
      << "  fired           " << g.fired << "\n"
      << "  condition_false " << g.condition_false << "\n"
      << "  suppressed      " << g.suppressed() << " (not_an_edge " << g.not_an_edge
      << ", cooldown " << g.cooldown << ", duplicate " << g.duplicate << ")\n"
      << "  time_backwards  " << g.time_backwards << "\n"
      << "  delivered       " << s.delivered << "\n"
      << "  failed          " << s.failed << "\n"
      << "  dropped         " << s.dropped << "\n"
      << "  abandoned       " << s.abandoned << "\n";
}

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in{path};
  if (!in)
    throw config_error(path + ": cannot open the file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The rule text and its base name from whichever of --rule, --phrase and
// --rules-file was given; returns false with the error printed.
bool rule_source(const alert_options& o, std::string& text, std::string& name,
                 std::ostream& err, const env_lookup& env) {
  int given = !o.rule.empty() + !o.phrase.empty() + !o.rules_file.empty();
  if (given != 1) {
    err << "osprey alert: give exactly one of --rule, --phrase or --rules-file\n";
    return false;
  }
  name = o.name;
  if (!o.rule.empty()) {
    text = o.rule;
    if (name.empty())
      name = "rule";
  } else if (!o.phrase.empty()) {
    auto llm = resolve_llm_endpoint(o.llm, env);
    if (!llm.ok()) {
      err << "osprey alert: " << llm.error << "\n";
      return false;
    }
    auto t = translate_phrase_or_ask_llm(o.phrase, llm.endpoint);
    if (!t.ok) {
      err << "osprey alert: --phrase: " << t.message << "\n";
      return false;
    }
    text = t.rule;
    // With an LLM configured, say which translator made the rule before it
    // is used (without one, the output stays as it always was).
    if (llm.endpoint)
      err << "osprey alert: " << shown_rule(t, true) << "\n";
    if (name.empty())
      name = "phrase";
  } else {
    try {
      text = read_file(o.rules_file);
    } catch (const config_error& e) {
      err << "osprey alert: --rules-file " << e.what() << "\n";
      return false;
    }
    if (name.empty())
      name = std::filesystem::path{o.rules_file}.stem().string();
  }
  return true;
}

bool configured_speed(std::string_view text) {
  try {
    auto root = toml::parse(text);
    return root["engine"]["speed"].node() != nullptr;
  } catch (const toml::parse_error&) {
    return false;
  }
}

} // namespace

int alert_command(const alert_options& o, const std::atomic<bool>& stop, std::ostream& out,
                  std::ostream& err, const env_lookup& env, msg_sink* dashboard) {
  // The rule.
  std::string rule_text, name;
  if (!rule_source(o, rule_text, name, err, env))
    return 2;
  auto compiled = rules::compile_rules(rule_text);
  if (!compiled) {
    err << "osprey alert: the rule does not compile:\n" << compiled.error().text() << "\n";
    return 2;
  }
  auto& rules = compiled.value();
  auto alert_rules = alert_rules_of(rules, name);

  // The configuration: the engine's sections and [alert] from one file.
  engine_config cfg = default_config();
  alert_settings settings;
  bool paced = false;
  try {
    if (!o.config_path.empty()) {
      auto text = read_file(o.config_path);
      cfg = parse_config(without_alert_tables(text, o.config_path), o.config_path);
      settings = parse_alert_settings(text, o.config_path, env);
      paced = configured_speed(text);
    }
  } catch (const config_error& e) {
    err << "osprey alert: configuration error: " << e.what() << "\n";
    return 2;
  }
  if (!o.trigger.empty()) {
    auto t = parse_alert_trigger(o.trigger);
    if (!t) {
      err << "osprey alert: --trigger: expected edge or level, got \"" << o.trigger << "\"\n";
      return 2;
    }
    settings.gate.trigger = *t;
  }
  for (auto [flag, text, target] :
       {std::tuple{"--cooldown", &o.cooldown, &settings.gate.cooldown_ns},
        std::tuple{"--dedup-window", &o.dedup_window, &settings.gate.dedup_window_ns}}) {
    if (text->empty())
      continue;
    auto d = parse_duration(*text);
    if (!d || *d < 0) {
      err << "osprey alert: " << flag << ": not a duration: \"" << *text
          << "\" (use a number with ns, us, ms, s, m or h)\n";
      return 2;
    }
    *target = *d;
  }
  for (auto& w : o.webhooks) {
    std::string error;
    auto t = parse_webhook_flag(w, env, error);
    if (!t) {
      err << "osprey alert: " << error << "\n";
      return 2;
    }
    settings.webhooks.push_back(std::move(*t));
  }
  std::optional<int64_t> duration_ns;
  if (!o.duration.empty()) {
    duration_ns = parse_duration(o.duration);
    if (!duration_ns || *duration_ns < 0) {
      err << "osprey alert: --duration: not a duration: \"" << o.duration << "\"\n";
      return 2;
    }
  }
  if (o.seed)
    cfg.market.seed = *o.seed;

  // The market.
  symbol_table symbols;
  std::unique_ptr<market_feed> feed;
  std::string source;
  try {
    if (!o.data.empty() && !o.journal.empty()) {
      err << "osprey alert: give --data or --journal, not both\n";
      return 2;
    }
    if (!o.data.empty()) {
      feed = std::make_unique<csv_feed>(o.data, cfg.replay, symbols);
      source = "replaying " + o.data[0];
    } else if (!o.journal.empty()) {
      std::vector<std::string> names;
      feed = std::make_unique<journal_feed>(o.journal, names);
      for (auto& n : names)
        symbols.intern(n);
      source = "replaying " + o.journal;
    } else {
      for (auto& s : cfg.market.symbols)
        symbols.intern(s);
      feed = std::make_unique<synthetic_feed>(cfg.market, symbols);
      source = "synthetic market, seed ";
      source += std::to_string(cfg.market.seed);
    }
  } catch (const std::exception& e) {
    err << "osprey alert: " << e.what() << "\n";
    return 2;
  }

  std::unique_ptr<journal_writer> out_journal;
  if (!o.out_journal.empty()) {
    try {
      out_journal = std::make_unique<journal_writer>(o.out_journal);
    } catch (const std::exception& e) {
      err << "osprey alert: --out-journal: " << e.what() << "\n";
      return 2;
    }
    msg_builder b;
    out_journal->push(b.symbol_directory({}, symbols.names()));
    if (!dashboard)
      dashboard = out_journal.get();
  }

  // One worker per webhook; reports arrive on the workers' threads.
  std::mutex report_mtx;
  auto on_report = [&err, &report_mtx](const delivery_report& r) {
    if (r.kind == delivery_report::what::delivered)
      return;
    std::lock_guard<std::mutex> guard{report_mtx};
    switch (r.kind) {
    case delivery_report::what::failed:
      err << "alert: delivery to " << r.target << " failed (" << r.rule << " " << r.symbol
          << "): " << r.error << "\n";
      break;
    case delivery_report::what::dropped:
      err << "alert: " << r.target << ": queue full, dropped " << r.count << " alert(s)\n";
      break;
    case delivery_report::what::abandoned:
      err << "alert: " << r.target << ": shutting down, abandoned " << r.count
          << " alert(s)\n";
      break;
    case delivery_report::what::delivered:
      break;
    }
  };
  std::vector<std::unique_ptr<delivery_worker>> workers;
  for (auto& t : settings.webhooks)
    workers.push_back(
      std::make_unique<delivery_worker>(webhook_sink{t}, settings.delivery, on_report));

  {
    std::lock_guard<std::mutex> guard{report_mtx};
    std::ostream& info = o.json ? err : out;
    info << "osprey alert: " << alert_rules.size() << " rule(s) (" << rule_text.substr(0, 200)
         << (rule_text.size() > 200 ? "..." : "") << "), " << source << ", trigger "
         << to_string(settings.gate.trigger) << ", " << workers.size() << " webhook(s)"
         << std::endl;
  }

  alert_evaluator evaluator{rules, alert_rules, settings.gate, settings.severity};
  alert_summary summary;
  std::vector<alert> fired;
  msg_builder builder;
  using steady = std::chrono::steady_clock;
  auto started = steady::now();
  auto origin = feed->peek_time().value_or(0);
  while (!stop.load(std::memory_order_relaxed)) {
    if (o.events && summary.events >= o.events)
      break;
    auto next = feed->peek_time();
    if (!next)
      break;
    if (duration_ns && *next - origin >= *duration_ns)
      break;
    if (paced) {
      // Event time x speed on the wall clock, as `osprey run` paces it.
      auto due = std::chrono::nanoseconds{
        static_cast<int64_t>(static_cast<double>(*next - origin) / cfg.speed)};
      auto ahead = due - (steady::now() - started);
      if (ahead > ahead.zero())
        std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(ahead,
                                                                       std::chrono::milliseconds{100}));
      if (steady::now() - started < due)
        continue; // re-check the stop flag while waiting
    }
    auto m = feed->next(*next);
    ++summary.events;
    auto type = m.type();
    if (type == fb::Payload::Bar)
      ++summary.bars;
    else if (auto* batch = m.as<fb::BarBatch>())
      summary.bars += batch->bars()->size();
    fired.clear();
    evaluator.on_message(m, symbols, fired);
    for (auto& a : fired) {
      {
        std::lock_guard<std::mutex> guard{report_mtx};
        out << (o.json ? format_alert_json(a) : format_alert_line(a)) << "\n";
      }
      if (dashboard)
        dashboard->push(alert_message(builder, a));
      for (auto& w : workers)
        w->post(a);
    }
    if (!fired.empty())
      out.flush();
  }

  // Deliver what is queued, each worker within its deadline (in parallel:
  // shutting one down does not wait for the others' queues).
  std::vector<std::thread> closers;
  for (auto& w : workers)
    closers.emplace_back([&w] { w->shutdown(); });
  for (auto& c : closers)
    c.join();
  for (auto& w : workers) {
    auto st = w->stats();
    summary.delivered += st.delivered;
    summary.failed += st.failed;
    summary.dropped += st.dropped;
    summary.abandoned += st.abandoned;
  }
  if (out_journal)
    out_journal->close();
  summary.gate = evaluator.gate().counters;
  std::lock_guard<std::mutex> guard{report_mtx};
  feed->print_report(o.json ? err : out);
  print_alert_summary(summary, o.json ? err : out);
  return 0;
}

} // namespace osprey
