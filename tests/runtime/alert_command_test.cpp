#include "runtime/alert_command.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "runtime/config.hpp"
#include "runtime/journal_reader.hpp"
#include "tests/support/local_http_server.hpp"
#include "tests/support/vector_sink.hpp"

using namespace osprey;
using namespace std::chrono_literals;

namespace {

namespace fs = std::filesystem;

// 2026-01-05T15:00:00Z; bars one minute apart.
constexpr int64_t t0 = 1'767'625'200'000'000'000;
constexpr int64_t minute = 60'000'000'000;

struct bar_maker {
  symbol_table symbols;
  msg_builder builder;
  uint64_t seq = 0;

  msg bar(const std::string& sym, int64_t ts, double close, int64_t volume = 1000) {
    auto id = symbols.intern(sym);
    auto px = price::from_dollars(close);
    return builder.bar(stamp{++seq, ts, ts}, id, 60, px, px, px, px, quantity::of_shares(volume));
  }

  /// One bar a minute for `sym` with these closes.
  std::vector<msg> series(const std::string& sym, std::vector<double> closes) {
    std::vector<msg> out;
    for (size_t i = 0; i < closes.size(); ++i)
      out.push_back(bar(sym, t0 + static_cast<int64_t>(i) * minute, closes[i]));
    return out;
  }
};

rules::compiled_rules compile(const std::string& text) {
  auto r = rules::compile_rules(text);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().text());
  return std::move(r.value());
}

env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end())
      return std::nullopt;
    return it->second;
  };
}

std::string config_error_of(const std::string& text,
                            std::map<std::string, std::string> env = {}) {
  try {
    parse_alert_settings(text, "alerts.toml", env_of(env));
  } catch (const config_error& e) {
    return e.what();
  }
  return "(no error)";
}

/// Returns `name` in this process's scratch folder, removed at exit.
fs::path scratch(const std::string& name) {
  struct folder {
    fs::path path = fs::temp_directory_path() / ("osprey-alert-test-" + std::to_string(::getpid()));
    folder() { fs::create_directories(path); }
    ~folder() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  };
  static folder dir;
  return dir.path / name;
}

} // namespace

TEST(alert_command, fires_once_when_the_rule_turns_true) {
  bar_maker m;
  auto rules = compile("close > 10");
  auto run = evaluate_alerts(rules, "above10", {}, m.series("AAPL", {9, 11, 12, 13, 9}),
                             m.symbols);
  ASSERT_EQ(run.alerts.size(), 1u);
  auto& a = run.alerts[0];
  EXPECT_EQ(a.rule, "above10");
  EXPECT_EQ(a.symbol, "AAPL");
  EXPECT_EQ(a.ts_event, t0 + minute);
  EXPECT_EQ(a.message, "close > 10");
  ASSERT_EQ(a.values.size(), 1u);
  EXPECT_EQ(a.values[0].name, "close > 10");
  EXPECT_EQ(a.values[0].value, "11 > 10 true");
  EXPECT_EQ(run.counters.evaluations, 5u);
  EXPECT_EQ(run.counters.fired, 1u);
  EXPECT_EQ(run.counters.not_an_edge, 2u);
  EXPECT_EQ(run.counters.condition_false, 2u);
}

TEST(alert_command, fires_again_on_a_new_edge_and_per_symbol) {
  bar_maker m;
  auto rules = compile("close > 10");
  std::vector<msg> bars;
  // Interleaved symbols: each has its own edge.
  for (int i = 0; i < 4; ++i) {
    double closes_a[] = {11, 9, 11, 11};
    double closes_b[] = {9, 9, 9, 12};
    bars.push_back(m.bar("AAA", t0 + i * minute, closes_a[i]));
    bars.push_back(m.bar("BBB", t0 + i * minute, closes_b[i]));
  }
  auto run = evaluate_alerts(rules, "r", {}, bars, m.symbols);
  ASSERT_EQ(run.alerts.size(), 3u);
  EXPECT_EQ(run.alerts[0].symbol, "AAA");
  EXPECT_EQ(run.alerts[0].ts_event, t0);
  EXPECT_EQ(run.alerts[1].symbol, "AAA");
  EXPECT_EQ(run.alerts[1].ts_event, t0 + 2 * minute);
  EXPECT_EQ(run.alerts[2].symbol, "BBB");
  EXPECT_EQ(run.alerts[2].ts_event, t0 + 3 * minute);
}

TEST(alert_command, respects_the_cooldown_in_event_time) {
  bar_maker m;
  auto rules = compile("close > 10");
  alert_gate_settings gate;
  gate.cooldown_ns = 3 * minute;
  // Edges at minutes 0, 2 and 4: the one at 2 is inside the cooldown.
  auto run = evaluate_alerts(rules, "r", gate, m.series("AAPL", {11, 9, 11, 9, 11}), m.symbols);
  ASSERT_EQ(run.alerts.size(), 2u);
  EXPECT_EQ(run.alerts[0].ts_event, t0);
  EXPECT_EQ(run.alerts[1].ts_event, t0 + 4 * minute);
  EXPECT_EQ(run.counters.cooldown, 1u);
}

TEST(alert_command, suppresses_a_duplicate_within_the_window) {
  bar_maker m;
  auto rules = compile("close > 10");
  alert_gate_settings gate;
  gate.dedup_window_ns = 10 * minute;
  auto run = evaluate_alerts(rules, "r", gate, m.series("AAPL", {11, 9, 11, 9, 11}), m.symbols);
  ASSERT_EQ(run.alerts.size(), 1u);
  EXPECT_EQ(run.counters.duplicate, 2u);
}

TEST(alert_command, level_trigger_fires_on_every_true_bar) {
  bar_maker m;
  auto rules = compile("close > 10");
  alert_gate_settings gate;
  gate.trigger = alert_trigger::level;
  auto run = evaluate_alerts(rules, "r", gate, m.series("AAPL", {11, 12, 9, 13}), m.symbols);
  EXPECT_EQ(run.alerts.size(), 3u);
}

TEST(alert_command, ignores_trades_and_quotes) {
  bar_maker m;
  auto rules = compile("close > 10");
  auto id = m.symbols.intern("AAPL");
  std::vector<msg> events{
    m.builder.trade(stamp{1, t0, t0}, id, price::from_dollars(50), quantity{100}),
    m.builder.quote(stamp{2, t0, t0}, id, price::from_dollars(49), quantity{1},
                    price::from_dollars(51), quantity{1}),
    m.bar("AAPL", t0 + minute, 11)};
  auto run = evaluate_alerts(rules, "r", {}, events, m.symbols);
  EXPECT_EQ(run.counters.evaluations, 1u);
  EXPECT_EQ(run.alerts.size(), 1u);
}

TEST(alert_command, alerts_on_each_section_of_a_rule_file_under_its_own_name) {
  bar_maker m;
  auto rules = compile("entry: close > 10\nexit: close < 5\n");
  auto names = alert_rules_of(rules, "swing");
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0].name, "swing.entry");
  EXPECT_EQ(names[1].name, "swing.exit");
  auto run = evaluate_alerts(rules, "swing", {}, m.series("AAPL", {11, 4}), m.symbols);
  ASSERT_EQ(run.alerts.size(), 2u);
  EXPECT_EQ(run.alerts[0].rule, "swing.entry");
  EXPECT_EQ(run.alerts[1].rule, "swing.exit");
}

TEST(alert_command, reports_every_comparison_value_of_a_compound_rule) {
  bar_maker m;
  auto rules = compile("close > 10 and volume >= 1000");
  auto run = evaluate_alerts(rules, "r", {}, m.series("AAPL", {11}), m.symbols);
  ASSERT_EQ(run.alerts.size(), 1u);
  ASSERT_EQ(run.alerts[0].values.size(), 2u);
  EXPECT_EQ(run.alerts[0].values[1].name, "volume >= 1000");
  EXPECT_EQ(run.alerts[0].values[1].value, "1000 >= 1000 true");
  EXPECT_EQ(format_alert_line(run.alerts[0]),
            "2026-01-05T15:00:00.000Z r AAPL: close > 10: 11 > 10 true; "
            "volume >= 1000: 1000 >= 1000 true");
}

TEST(alert_command, publishes_an_alert_message_for_the_dashboard) {
  alert a;
  a.rule = "r";
  a.symbol = "AAPL";
  a.ts_event = t0;
  a.values = {{"close > 10", "11 > 10 true"}};
  a.severity = alert_severity::critical;
  msg_builder b;
  auto m = alert_message(b, a);
  auto* p = m.as<fb::Alert>();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(m.ts_event(), t0);
  EXPECT_EQ(p->severity(), fb::Severity::Critical);
  EXPECT_EQ(p->code()->str(), "r");
  EXPECT_EQ(p->text()->str(), "AAPL: close > 10: 11 > 10 true");
}

// ---- configuration ----------------------------------------------------------

TEST(alert_command, reads_the_alert_section_and_webhooks) {
  auto s = parse_alert_settings(R"(
[alert]
trigger = "level"
cooldown = "5m"
dedup_window = "30m"
severity = "critical"
queue_capacity = 16
shutdown_deadline = "500ms"

[[alert.webhook]]
kind = "slack"
url = "https://hooks.slack.com/services/T/B/X"
connect_timeout = "1s"
read_timeout = "2s"
retries = 1

[[alert.webhook]]
kind = "telegram"
token_env = "TG_TOKEN"
chat_id = "-100123"
)",
                                "alerts.toml", env_of({{"TG_TOKEN", "123:abc"}}));
  EXPECT_EQ(s.gate.trigger, alert_trigger::level);
  EXPECT_EQ(s.gate.cooldown_ns, 5 * minute);
  EXPECT_EQ(s.gate.dedup_window_ns, 30 * minute);
  EXPECT_EQ(s.severity, alert_severity::critical);
  EXPECT_EQ(s.delivery.capacity, 16u);
  EXPECT_EQ(s.delivery.shutdown_deadline, 500ms);
  ASSERT_EQ(s.webhooks.size(), 2u);
  EXPECT_EQ(s.webhooks[0].kind, webhook_kind::slack);
  EXPECT_EQ(s.webhooks[0].http.connect_timeout, 1000ms);
  EXPECT_EQ(s.webhooks[0].http.read_timeout, 2000ms);
  EXPECT_EQ(s.webhooks[0].http.retries, 1);
  EXPECT_EQ(s.webhooks[1].kind, webhook_kind::telegram);
  EXPECT_EQ(s.webhooks[1].telegram_token, "123:abc");
  EXPECT_EQ(s.webhooks[1].telegram_chat_id, "-100123");
}

TEST(alert_command, config_errors_name_the_file_line_and_key) {
  EXPECT_EQ(config_error_of("[alert]\ntrigger = \"sometimes\"\n"),
            "alerts.toml:2: alert.trigger: expected \"edge\" or \"level\", got \"sometimes\"");
  EXPECT_EQ(config_error_of("[alert]\n\ncooldown = \"soon\"\n"),
            "alerts.toml:3: alert.cooldown: expected a duration such as \"250ms\", \"30s\" or "
            "\"5m\"");
  EXPECT_EQ(config_error_of("[alert]\ncooldwn = \"5m\"\n"),
            "alerts.toml:2: alert.cooldwn: unknown key");
  EXPECT_EQ(config_error_of("[alert]\nqueue_capacity = 0\n"),
            "alerts.toml:2: alert.queue_capacity: expected a whole number from 1 to 1000000");
  EXPECT_EQ(config_error_of("[[alert.webhook]]\nkind = \"discord\"\nurl = \"http://x/\"\n"),
            "alerts.toml:2: alert.webhook[1].kind: unknown webhook kind \"discord\" (expected "
            "json, slack or telegram)");
  EXPECT_EQ(config_error_of("[[alert.webhook]]\nkind = \"json\"\nurl = \"http://x/\"\n"
                            "[[alert.webhook]]\nkind = \"json\"\nurl = \"http://y/\"\ntimeout = 1\n"),
            "alerts.toml:7: alert.webhook[2].timeout: unknown key");
  auto no_token = config_error_of(
    "[[alert.webhook]]\nkind = \"telegram\"\ntoken_env = \"TG\"\nchat_id = \"1\"\n");
  EXPECT_EQ(no_token, "alerts.toml:3: alert.webhook[1].token_env: the environment variable TG "
                      "holding the Telegram bot token is not set");
  auto bad_url = config_error_of("[[alert.webhook]]\nkind = \"json\"\nurl = \"ftp://x/\"\n");
  EXPECT_EQ(bad_url.rfind("alerts.toml:1: alert.webhook[1].url: ", 0), 0u) << bad_url;
}

TEST(alert_command, webhook_flags_are_checked_and_name_what_is_wrong) {
  std::string error;
  auto env = env_of({});
  EXPECT_FALSE(parse_webhook_flag("discord=http://x/", env, error));
  EXPECT_EQ(error,
            "--webhook discord=http://x/: unknown webhook kind \"discord\" (expected json, "
            "slack or telegram)");
  EXPECT_FALSE(parse_webhook_flag("json", env, error));
  EXPECT_NE(error.find("expected KIND=URL"), std::string::npos) << error;
  EXPECT_FALSE(parse_webhook_flag("json=ftp://x/", env, error));
  EXPECT_EQ(error.rfind("--webhook json=ftp://x/: ", 0), 0u) << error;
  EXPECT_FALSE(parse_webhook_flag("telegram=-100", env, error));
  EXPECT_NE(error.find("OSPREY_TELEGRAM_TOKEN"), std::string::npos) << error;
  auto t = parse_webhook_flag("telegram=-100", env_of({{"OSPREY_TELEGRAM_TOKEN", "1:x"}}), error);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->telegram_chat_id, "-100");
  auto j = parse_webhook_flag("slack=https://hooks.slack.com/services/a", env, error);
  ASSERT_TRUE(j);
  EXPECT_EQ(j->kind, webhook_kind::slack);
}

TEST(alert_command, the_rest_of_the_file_reads_as_an_engine_config) {
  std::string text = "[market]\nseed = 7\n\n[alert]\ncooldown = \"1m\"\n\n"
                     "[[alert.webhook]]\nkind = \"json\"\nurl = \"http://x/\"\n\n"
                     "[replay]\nbatch = 3\nbogus = 1\n";
  auto stripped = without_alert_tables(text, "c.toml");
  try {
    parse_config(stripped, "c.toml");
    FAIL() << "bogus must be refused";
  } catch (const config_error& e) {
    // Line numbers survive the blanking.
    EXPECT_EQ(std::string{e.what()}, "c.toml:13: replay.bogus: unknown key");
  }
  auto cfg = parse_config(without_alert_tables("[market]\nseed = 7\n[alert]\ncooldown = \"1m\"\n",
                                               "c.toml"),
                          "c.toml");
  EXPECT_EQ(cfg.market.seed, 7u);
}

// ---- the command --------------------------------------------------------------

namespace {

std::string write_bars_csv(const std::string& name, const std::vector<double>& closes) {
  auto path = scratch(name);
  std::ofstream f{path};
  f << "ts_event,symbol,kind,interval_s,open,high,low,close,volume\n";
  for (size_t i = 0; i < closes.size(); ++i)
    f << "2026-01-0" << (5 + i) << "T21:00:00Z,AAPL,bar,86400," << closes[i] << ","
      << closes[i] << "," << closes[i] << "," << closes[i] << ",1000\n";
  return path.string();
}

} // namespace

TEST(alert_command, a_rule_that_does_not_compile_is_exit_2_with_a_caret) {
  alert_options o;
  o.rule = "clsoe > 1";
  std::atomic<bool> stop{false};
  std::ostringstream out, err;
  EXPECT_EQ(alert_command(o, stop, out, err, env_of({})), 2);
  EXPECT_NE(err.str().find("1:1: unknown name \"clsoe\""), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("clsoe > 1\n^"), std::string::npos) << err.str();
}

TEST(alert_command, a_bad_webhook_is_exit_2_naming_it) {
  alert_options o;
  o.rule = "close > 1";
  o.webhooks = {"pager=http://x/"};
  std::atomic<bool> stop{false};
  std::ostringstream out, err;
  EXPECT_EQ(alert_command(o, stop, out, err, env_of({})), 2);
  EXPECT_NE(err.str().find("pager"), std::string::npos) << err.str();
}

TEST(alert_command, prints_json_lines_and_a_summary_for_csv_bars) {
  alert_options o;
  o.rule = "close > 10";
  o.name = "above10";
  o.json = true;
  o.data = {write_bars_csv("AAPL.csv", {9, 11, 12, 9, 11})};
  std::atomic<bool> stop{false};
  std::ostringstream out, err;
  ASSERT_EQ(alert_command(o, stop, out, err, env_of({})), 0) << err.str();
  EXPECT_EQ(out.str(),
            "{\"source\":\"osprey\",\"rule\":\"above10\",\"symbol\":\"AAPL\",\"severity\":"
            "\"warning\",\"ts_event\":1767733200000000000,\"time\":\"2026-01-06T21:00:00.000Z\","
            "\"message\":\"close > 10\",\"values\":[{\"name\":\"close > 10\",\"value\":\"11 > 10 "
            "true\"}]}\n"
            "{\"source\":\"osprey\",\"rule\":\"above10\",\"symbol\":\"AAPL\",\"severity\":"
            "\"warning\",\"ts_event\":1767992400000000000,\"time\":\"2026-01-09T21:00:00.000Z\","
            "\"message\":\"close > 10\",\"values\":[{\"name\":\"close > 10\",\"value\":\"11 > 10 "
            "true\"}]}\n");
  EXPECT_NE(err.str().find("  fired           2\n"), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("  evaluations     5\n"), std::string::npos) << err.str();
}

TEST(alert_command, stops_at_once_when_asked) {
  alert_options o;
  o.rule = "close > 0";
  std::atomic<bool> stop{true};
  std::ostringstream out, err;
  EXPECT_EQ(alert_command(o, stop, out, err, env_of({})), 0);
  EXPECT_NE(out.str().find("  evaluations     0\n"), std::string::npos) << out.str();
}

TEST(alert_command, runs_the_synthetic_market_for_a_number_of_events) {
  alert_options o;
  o.rule = "close > 0";
  o.events = 2000;
  std::atomic<bool> stop{false};
  std::ostringstream out, err;
  ASSERT_EQ(alert_command(o, stop, out, err, env_of({})), 0) << err.str();
  EXPECT_NE(out.str().find("  events          2000\n"), std::string::npos) << out.str();
  // Every symbol turns true on its first bar and stays true: one alert each.
  EXPECT_NE(out.str().find(" rule AAPL: close > 0: "), std::string::npos) << out.str();
}

TEST(alert_command, delivers_the_exact_json_body_to_a_webhook) {
  test::local_http_server server;
  alert_options o;
  o.rule = "close > 10";
  o.name = "above10";
  o.data = {write_bars_csv("AAPL.csv", {9, 11})};
  o.webhooks = {"json=" + server.url("/hook")};
  auto journal = scratch("dashboard.journal").string();
  o.out_journal = journal;
  std::atomic<bool> stop{false};
  std::ostringstream out, err;
  ASSERT_EQ(alert_command(o, stop, out, err, env_of({})), 0) << err.str();
  // The command returns after the worker shut down: the post arrived.
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, "/hook");
  EXPECT_EQ(requests[0].header("content-type"), "application/json");
  EXPECT_EQ(requests[0].body,
            "{\"source\":\"osprey\",\"rule\":\"above10\",\"symbol\":\"AAPL\",\"severity\":"
            "\"warning\",\"ts_event\":1767733200000000000,\"time\":\"2026-01-06T21:00:00.000Z\","
            "\"message\":\"close > 10\",\"values\":[{\"name\":\"close > 10\",\"value\":\"11 > 10 "
            "true\"}]}");
  EXPECT_NE(out.str().find("2026-01-06T21:00:00.000Z above10 AAPL: close > 10: 11 > 10 true\n"),
            std::string::npos)
    << out.str();
  EXPECT_NE(out.str().find("  delivered       1\n"), std::string::npos) << out.str();

  // The dashboard topic: one Alert message in the journal.
  auto records = read_journal(journal);
  size_t alerts = 0;
  for (auto& m : records.messages)
    alerts += m.type() == fb::Payload::Alert;
  EXPECT_EQ(alerts, 1u);
}

TEST(alert_command, counts_a_failed_delivery_in_the_summary) {
  test::local_http_server server;
  server.set_default(test::scripted_response{400, {}, "no"});
  alert_options o;
  o.rule = "close > 10";
  o.data = {write_bars_csv("AAPL.csv", {11})};
  o.webhooks = {"json=" + server.url("/hook")};
  std::atomic<bool> stop{false};
  std::ostringstream out, err;
  ASSERT_EQ(alert_command(o, stop, out, err, env_of({})), 0) << err.str();
  EXPECT_NE(out.str().find("  failed          1\n"), std::string::npos) << out.str();
  EXPECT_NE(err.str().find("failed"), std::string::npos) << err.str();
}

TEST(alert_command, sends_telegram_from_a_config_file_with_the_token_from_the_environment) {
  test::local_http_server server;
  auto cfg = scratch("telegram.toml");
  std::ofstream{cfg} << "[alert]\nseverity = \"critical\"\n\n[[alert.webhook]]\n"
                        "kind = \"telegram\"\ntoken_env = \"TG\"\nchat_id = \"-100123\"\n"
                        "telegram_api = \""
                     << server.url("") << "\"\n";
  alert_options o;
  o.rule = "close > 10";
  o.name = "above10";
  o.config_path = cfg.string();
  o.data = {write_bars_csv("AAPL.csv", {11})};
  std::atomic<bool> stop{false};
  std::ostringstream out, err;
  ASSERT_EQ(alert_command(o, stop, out, err, env_of({{"TG", "123:abc"}})), 0) << err.str();
  auto requests = server.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].target, "/bot123:abc/sendMessage");
  EXPECT_EQ(requests[0].body,
            "{\"chat_id\":\"-100123\",\"text\":\"<b>[CRITICAL] above10</b> AAPL\\nclose &gt; 10\\n"
            "close &gt; 10: 11 &gt; 10 true\\n<i>2026-01-05T21:00:00.000Z</i>\","
            "\"parse_mode\":\"HTML\",\"disable_web_page_preview\":true}");
}
