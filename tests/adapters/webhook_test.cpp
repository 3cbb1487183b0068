#include "adapters/webhook.hpp"

#include <gtest/gtest.h>

#include "tests/support/local_http_server.hpp"

using namespace osprey;
using namespace std::chrono_literals;

namespace {

alert sample_alert() {
  alert a;
  a.rule = "vol_spike";
  a.symbol = "AAPL";
  a.ts_event = 1767625445123456789; // 2026-01-05T15:04:05.123456789Z
  a.message = "Volume 3x \"avg\" <now> & more";
  a.values = {{"volume", "3000000"}, {"rsi", "71.20"}};
  a.severity = alert_severity::warning;
  return a;
}

alert numbered_alert(int i) {
  alert a = sample_alert();
  a.rule = "r";
  a.rule += std::to_string(i);
  return a;
}

http_settings quick() {
  http_settings s;
  s.connect_timeout = 2000ms;
  s.read_timeout = 2000ms;
  s.retries = 2;
  s.backoff_initial = 1ms;
  s.backoff_max = 2ms;
  return s;
}

webhook_target json_target(const test::local_http_server& server) {
  webhook_target t;
  t.kind = webhook_kind::json;
  t.url = server.url("/alerts");
  t.http = quick();
  return t;
}

} // namespace

TEST(webhook, formats_event_time_as_utc_with_milliseconds) {
  EXPECT_EQ(format_utc_millis(1767625445123456789),
            "2026-01-05T15:04:05.123Z");
  EXPECT_EQ(format_utc_millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_utc_millis(-1), "1969-12-31T23:59:59.999Z");
}

TEST(webhook, quotes_json_strings) {
  EXPECT_EQ(json_quote("a\"b\\c\nd\te\x01"), R"("a\"b\\c\nd\te\u0001")");
  EXPECT_EQ(json_quote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(json_quote(""), R"("")");
}

TEST(webhook, escapes_html_special_characters_only) {
  EXPECT_EQ(escape_html_text("a<b>&c *_`[x](y)"),
            "a&lt;b&gt;&amp;c *_`[x](y)");
  EXPECT_EQ(escape_html_text("&amp;"), "&amp;amp;");
}

TEST(webhook, formats_the_generic_json_schema) {
  EXPECT_EQ(format_alert_json(sample_alert()),
            R"({"source":"osprey","rule":"vol_spike","symbol":"AAPL",)"
            R"("severity":"warning","ts_event":1767625445123456789,)"
            R"("time":"2026-01-05T15:04:05.123Z",)"
            R"("message":"Volume 3x \"avg\" <now> & more",)"
            R"("values":[{"name":"volume","value":"3000000"},)"
            R"({"name":"rsi","value":"71.20"}]})");
  alert empty;
  EXPECT_EQ(format_alert_json(empty),
            R"({"source":"osprey","rule":"","symbol":"","severity":"info",)"
            R"("ts_event":0,"time":"1970-01-01T00:00:00.000Z",)"
            R"("message":"","values":[]})");
}

TEST(webhook, formats_slack_text_and_blocks) {
  EXPECT_EQ(
    format_alert_slack(sample_alert()),
    R"({"text":"[WARNING] vol_spike AAPL: Volume 3x \"avg\" &lt;now&gt; &amp; more",)"
    R"("blocks":[{"type":"section","text":{"type":"mrkdwn",)"
    R"("text":"*[WARNING] vol_spike* AAPL\nVolume 3x \"avg\" &lt;now&gt; &amp; more"}},)"
    R"({"type":"section","fields":[{"type":"mrkdwn","text":"*volume*\n3000000"},)"
    R"({"type":"mrkdwn","text":"*rsi*\n71.20"}]},)"
    R"({"type":"context","elements":[{"type":"mrkdwn","text":"2026-01-05T15:04:05.123Z"}]}]})");
}

TEST(webhook, splits_slack_fields_into_sections_of_ten) {
  alert a = sample_alert();
  a.values.clear();
  for (int i = 0; i < 23; ++i)
    a.values.push_back({"v" + std::to_string(i), "1"});
  auto body = format_alert_slack(a);
  size_t sections = 0;
  for (size_t at = body.find(R"("fields":[)"); at != std::string::npos;
       at = body.find(R"("fields":[)", at + 1))
    ++sections;
  EXPECT_EQ(sections, 3u);
  // Without values there is no fields section at all.
  a.values.clear();
  EXPECT_EQ(format_alert_slack(a).find("fields"), std::string::npos);
}

TEST(webhook, formats_telegram_html_message) {
  EXPECT_EQ(format_alert_telegram(sample_alert(), "-100123"),
            R"({"chat_id":"-100123",)"
            R"("text":"<b>[WARNING] vol_spike</b> AAPL\n)"
            R"(Volume 3x \"avg\" &lt;now&gt; &amp; more\n)"
            R"(volume: 3000000\nrsi: 71.20\n<i>2026-01-05T15:04:05.123Z</i>",)"
            R"("parse_mode":"HTML","disable_web_page_preview":true})");
}

TEST(webhook, escapes_telegram_markup_in_every_user_field) {
  alert a;
  a.rule = "<b>";
  a.symbol = "A&B";
  a.message = "</i>";
  a.values = {{"x<y", "1>0"}};
  auto body = format_alert_telegram(a, "1");
  EXPECT_NE(body.find("[INFO] &lt;b&gt;</b> A&amp;B"), std::string::npos)
    << body;
  EXPECT_NE(body.find("&lt;/i&gt;"), std::string::npos) << body;
  EXPECT_NE(body.find("x&lt;y: 1&gt;0"), std::string::npos) << body;
}

TEST(webhook, parses_kinds_and_severities) {
  EXPECT_EQ(parse_webhook_kind("slack"), webhook_kind::slack);
  EXPECT_EQ(parse_webhook_kind("telegram"), webhook_kind::telegram);
  EXPECT_EQ(parse_webhook_kind("json"), webhook_kind::json);
  EXPECT_FALSE(parse_webhook_kind("Slack"));
  EXPECT_EQ(parse_alert_severity("critical"), alert_severity::critical);
  EXPECT_FALSE(parse_alert_severity("fatal"));
}

TEST(webhook, validates_targets_naming_what_is_missing) {
  webhook_target t;
  t.kind = webhook_kind::slack;
  EXPECT_EQ(validate(t), "slack webhook needs a url");
  t.url = "hooks.slack.com/x";
  ASSERT_TRUE(validate(t));
  EXPECT_NE(validate(t)->find("http:// or https://"), std::string::npos);
  t.url = "https://hooks.slack.com/services/x";
  EXPECT_FALSE(validate(t));
  t.kind = webhook_kind::telegram;
  EXPECT_EQ(validate(t), "telegram webhook needs a bot token");
  t.telegram_token = "123:abc";
  EXPECT_EQ(validate(t), "telegram webhook needs a chat id");
  t.telegram_chat_id = "42";
  EXPECT_FALSE(validate(t));
  t.telegram_token = "12/3";
  EXPECT_TRUE(validate(t));
}

TEST(webhook, builds_the_telegram_send_message_url) {
  webhook_target t;
  t.kind = webhook_kind::telegram;
  t.telegram_token = "123:abc";
  t.telegram_chat_id = "42";
  auto req = build_webhook_request(t, sample_alert());
  EXPECT_EQ(req.url, "https://api.telegram.org/bot123:abc/sendMessage");
  EXPECT_EQ(req.content_type, "application/json");
  EXPECT_EQ(req.body, format_alert_telegram(sample_alert(), "42"));
}

TEST(webhook, sink_posts_each_format_with_json_content_type) {
  test::local_http_server server;
  for (auto kind : {webhook_kind::json, webhook_kind::slack}) {
    webhook_target t = json_target(server);
    t.kind = kind;
    auto r = webhook_sink{t}.send(sample_alert());
    ASSERT_TRUE(r.ok()) << r.error;
  }
  webhook_target tg;
  tg.kind = webhook_kind::telegram;
  tg.telegram_api = server.url("");
  tg.telegram_token = "123:abc";
  tg.telegram_chat_id = "42";
  tg.http = quick();
  auto r = webhook_sink{tg}.send(sample_alert());
  ASSERT_TRUE(r.ok()) << r.error;

  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].target, "/alerts");
  EXPECT_EQ(reqs[0].body, format_alert_json(sample_alert()));
  EXPECT_EQ(reqs[1].body, format_alert_slack(sample_alert()));
  EXPECT_EQ(reqs[2].target, "/bot123:abc/sendMessage");
  EXPECT_EQ(reqs[2].body, format_alert_telegram(sample_alert(), "42"));
  for (auto& req : reqs) {
    EXPECT_EQ(req.method, "POST");
    EXPECT_EQ(req.header("content-type"), "application/json");
  }
}

TEST(webhook, sink_retries_a_server_error_then_succeeds) {
  test::local_http_server server;
  server.script({{500}});
  auto r = webhook_sink{json_target(server)}.send(sample_alert());
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(webhook, sink_does_not_retry_a_bad_request) {
  test::local_http_server server;
  server.set_default({400, 0ms, "bad"});
  auto r = webhook_sink{json_target(server)}.send(sample_alert());
  EXPECT_EQ(r.response.status, 400u);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(webhook, sink_times_out_on_a_stalling_server) {
  test::local_http_server server;
  server.set_default({200, 10000ms});
  auto t = json_target(server);
  t.http.retries = 0;
  t.http.read_timeout = 100ms;
  auto r = webhook_sink{t}.send(sample_alert());
  EXPECT_EQ(r.failure, http_failure::timeout) << r.error;
}

TEST(webhook, sink_errors_never_show_the_telegram_token) {
  test::local_http_server server;
  server.set_default({401, 0ms, "Unauthorized"});
  webhook_target t;
  t.kind = webhook_kind::telegram;
  t.telegram_api = server.url("");
  t.telegram_token = "123:secret";
  t.telegram_chat_id = "42";
  t.http = quick();
  webhook_sink sink{t};
  auto r = sink.send(sample_alert());
  EXPECT_EQ(r.response.status, 401u);
  EXPECT_EQ(r.error.find("secret"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("/bot…/sendMessage"), std::string::npos) << r.error;
  EXPECT_EQ(sink.name().find("secret"), std::string::npos) << sink.name();
}

TEST(webhook, sink_name_hides_the_slack_path) {
  webhook_target t;
  t.kind = webhook_kind::slack;
  t.url = "https://hooks.slack.com/services/T0/B0/secret";
  EXPECT_EQ(webhook_sink{t}.name(), "slack https://hooks.slack.com/…");
}

TEST(delivery_worker, delivers_posted_alerts_in_order) {
  test::local_http_server server;
  std::vector<delivery_report> reports;
  std::mutex mtx;
  {
    delivery_worker worker{webhook_sink{json_target(server)}, {},
                           [&](const delivery_report& r) {
                             std::lock_guard<std::mutex> guard{mtx};
                             reports.push_back(r);
                           }};
    for (int i = 0; i < 3; ++i)
      EXPECT_TRUE(worker.post(numbered_alert(i)));
    EXPECT_TRUE(worker.shutdown());
    auto st = worker.stats();
    EXPECT_EQ(st.queued, 3u);
    EXPECT_EQ(st.delivered, 3u);
    EXPECT_EQ(st.failed, 0u);
    EXPECT_FALSE(worker.post(numbered_alert(9)));
  }
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(reqs[i].body, format_alert_json(numbered_alert(i)));
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_EQ(reports[0].kind, delivery_report::what::delivered);
  EXPECT_EQ(reports[0].rule, "r0");
}

TEST(delivery_worker, reports_a_failed_delivery) {
  test::local_http_server server;
  server.set_default({400, 0ms, "no such channel"});
  std::vector<delivery_report> reports;
  delivery_worker worker{webhook_sink{json_target(server)}, {},
                         [&](const delivery_report& r) {
                           reports.push_back(r);
                         }};
  worker.post(sample_alert());
  worker.shutdown();
  EXPECT_EQ(worker.stats().failed, 1u);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].kind, delivery_report::what::failed);
  EXPECT_NE(reports[0].error.find("HTTP 400"), std::string::npos);
  EXPECT_EQ(reports[0].symbol, "AAPL");
}

TEST(delivery_worker, drops_the_oldest_alerts_when_the_queue_is_full) {
  test::local_http_server server;
  server.script({{200, 300ms}}); // holds the first delivery in flight
  std::vector<delivery_report> reports;
  delivery_settings s;
  s.capacity = 2;
  s.shutdown_deadline = 5000ms;
  delivery_worker worker{webhook_sink{json_target(server)}, s,
                         [&](const delivery_report& r) {
                           reports.push_back(r);
                         }};
  worker.post(numbered_alert(0));
  ASSERT_TRUE(server.wait_for_requests(1, 5000ms));
  for (int i = 1; i <= 4; ++i)
    EXPECT_TRUE(worker.post(numbered_alert(i))); // 1 and 2 are pushed out
  EXPECT_EQ(worker.stats().dropped, 2u);
  EXPECT_TRUE(worker.shutdown());
  auto st = worker.stats();
  EXPECT_EQ(st.queued, 5u);
  EXPECT_EQ(st.delivered, 3u);
  EXPECT_EQ(st.dropped, 2u);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].body, format_alert_json(numbered_alert(0)));
  EXPECT_EQ(reqs[1].body, format_alert_json(numbered_alert(3)));
  EXPECT_EQ(reqs[2].body, format_alert_json(numbered_alert(4)));
  uint64_t dropped_reported = 0;
  for (auto& r : reports)
    if (r.kind == delivery_report::what::dropped)
      dropped_reported += r.count;
  EXPECT_EQ(dropped_reported, 2u);
}

TEST(delivery_worker, post_returns_at_once_while_the_server_stalls) {
  test::local_http_server server;
  server.set_default({200, 400ms});
  delivery_settings s;
  s.shutdown_deadline = 0ms;
  delivery_worker worker{webhook_sink{json_target(server)}, s};
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i)
    worker.post(numbered_alert(i));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 200ms);
  EXPECT_FALSE(worker.shutdown());
}

TEST(delivery_worker, shutdown_abandons_what_the_deadline_leaves) {
  test::local_http_server server;
  server.set_default({200, 300ms});
  delivery_settings s;
  s.shutdown_deadline = 100ms;
  std::vector<delivery_report> reports;
  delivery_worker worker{webhook_sink{json_target(server)}, s,
                         [&](const delivery_report& r) {
                           reports.push_back(r);
                         }};
  for (int i = 0; i < 5; ++i)
    worker.post(numbered_alert(i));
  ASSERT_TRUE(server.wait_for_requests(1, 5000ms));
  auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(worker.shutdown());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2000ms);
  auto st = worker.stats();
  EXPECT_EQ(st.delivered, 1u);
  EXPECT_EQ(st.abandoned, 4u);
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.back().kind, delivery_report::what::abandoned);
  EXPECT_EQ(reports.back().count, 4u);
}

TEST(delivery_worker, shutdown_clamps_deliveries_to_the_time_left) {
  test::local_http_server server;
  server.script({{200, 300ms}});        // the first is in flight at shutdown
  server.set_default({200, 10000ms});   // the second would stall for long
  delivery_settings s;
  s.shutdown_deadline = 500ms;
  auto t = json_target(server);
  t.http.read_timeout = 20000ms;
  delivery_worker worker{webhook_sink{t}, s};
  worker.post(numbered_alert(0));
  ASSERT_TRUE(server.wait_for_requests(1, 5000ms));
  worker.post(numbered_alert(1));
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(worker.shutdown()); // attempted in time, so not abandoned
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3000ms);
  auto st = worker.stats();
  EXPECT_EQ(st.delivered, 1u);
  EXPECT_EQ(st.failed, 1u);
  EXPECT_EQ(server.requests().size(), 2u);
}
