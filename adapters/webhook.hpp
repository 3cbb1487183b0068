#pragma once

// Alerts delivered to webhooks: the `alert` struct, three formatters
// (generic JSON, Slack incoming webhook, Telegram bot sendMessage), a
// `webhook_sink` that posts one alert to one target through the HTTP
// client, and a `delivery_worker` that never blocks its caller. The exact
// formats are documented in docs/ALERTS.md.
//
// Delivery worker:
//
//   post(alert) ──► bounded queue ──► worker thread ──► sink.send (retries)
//        │ queue full: the oldest queued alert is dropped and counted
//        ▼
//   shutdown(): no new alerts; the worker drains the queue until the
//   deadline (deliveries it starts then get timeouts clamped to the time
//   left and no retries); whatever is still queued is abandoned and counted.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "adapters/http_client.hpp"

namespace osprey {

/// How urgent an alert is.
enum class alert_severity : uint8_t { info, warning, critical };

/// Returns "info", "warning" or "critical".
std::string_view to_string(alert_severity s);

/// Parses "info", "warning" or "critical"; nullopt otherwise.
std::optional<alert_severity> parse_alert_severity(std::string_view text);

/// One named value that made the rule fire, already formatted as text.
struct alert_value {
  std::string name;
  std::string value;
};

/// A rule firing for a symbol, as delivered to people.
struct alert {
  std::string rule;
  std::string symbol;
  int64_t ts_event = 0; ///< Event time, nanoseconds since the epoch (UTC).
  std::string message;
  std::vector<alert_value> values;
  alert_severity severity = alert_severity::info;
};

/// Returns `ns` since the epoch as RFC 3339 UTC text with milliseconds
/// ("2026-01-05T15:04:05.123Z").
std::string format_utc_millis(int64_t ns);

/// Returns `text` as a quoted JSON string, escaping what JSON requires.
std::string json_quote(std::string_view text);

/// Escapes `&`, `<` and `>` as Slack mrkdwn and Telegram HTML require.
std::string escape_html_text(std::string_view text);

/// Returns the generic JSON body (schema in docs/ALERTS.md).
std::string format_alert_json(const alert& a);

/// Returns the Slack incoming-webhook body: `text` plus `blocks`.
std::string format_alert_slack(const alert& a);

/// Returns the Telegram sendMessage body (parse_mode HTML) for `chat_id`.
std::string format_alert_telegram(const alert& a, std::string_view chat_id);

/// Which format a target receives.
enum class webhook_kind : uint8_t { json, slack, telegram };

/// Returns "json", "slack" or "telegram".
std::string_view to_string(webhook_kind k);

/// Parses "json", "slack" or "telegram"; nullopt otherwise.
std::optional<webhook_kind> parse_webhook_kind(std::string_view text);

/// Where and how alerts are sent.
struct webhook_target {
  webhook_kind kind = webhook_kind::json;
  /// The endpoint for json and slack; unused for telegram.
  std::string url;
  /// Telegram bot token and chat id ("123456", "-100...", "@channel").
  std::string telegram_token;
  std::string telegram_chat_id;
  /// Telegram API root; a test points it at a local server.
  std::string telegram_api = "https://api.telegram.org";
  http_settings http;
};

/// Returns what is wrong with `t` (missing url, token, chat id, bad URL),
/// or nullopt when it can be used.
std::optional<std::string> validate(const webhook_target& t);

/// One POST ready to send.
struct webhook_request {
  std::string url;
  std::string body;
  std::string content_type;
};

/// Returns the request that delivers `a` to `t`.
webhook_request build_webhook_request(const webhook_target& t, const alert& a);

/// Sends alerts to one target; safe to use from one thread at a time.
class webhook_sink {
public:
  explicit webhook_sink(webhook_target target);

  /// Posts `a` with the target's HTTP settings, retrying as they say. The
  /// error text never contains the secret part of the URL (Telegram token,
  /// Slack webhook path).
  http_result send(const alert& a) const;

  /// Posts `a` with `http` instead of the target's HTTP settings.
  http_result send(const alert& a, const http_settings& http) const;

  /// Returns the kind and the URL with its secret part replaced by "…".
  const std::string& name() const { return name_; }

  const webhook_target& target() const { return target_; }

private:
  webhook_target target_;
  std::string name_;
};

/// How a delivery worker queues and shuts down.
struct delivery_settings {
  /// Alerts waiting at most; when full the oldest is dropped.
  size_t capacity = 256;
  /// How long shutdown() keeps delivering what is queued.
  std::chrono::milliseconds shutdown_deadline{2000};
};

/// Totals since the worker started.
struct delivery_stats {
  uint64_t queued = 0;    ///< Accepted by post().
  uint64_t delivered = 0; ///< Sent with a 2xx answer.
  uint64_t failed = 0;    ///< Sent and failed after retries.
  uint64_t dropped = 0;   ///< Pushed out of a full queue by a newer alert.
  uint64_t abandoned = 0; ///< Still queued when the shutdown deadline passed.
};

/// One thing that happened to alerts, as told to the report callback.
struct delivery_report {
  enum class what : uint8_t { delivered, failed, dropped, abandoned };
  what kind = what::delivered;
  std::string target;  ///< webhook_sink::name().
  std::string rule;    ///< Empty for dropped/abandoned.
  std::string symbol;  ///< Empty for dropped/abandoned.
  std::string error;   ///< The failure text, for failed.
  uint64_t count = 1;  ///< How many alerts this report covers.
};

/// Called on the worker's thread; must not block for long.
using delivery_report_fn = std::function<void(const delivery_report&)>;

/// Delivers alerts to one sink from its own thread; post() never blocks on
/// the network.
class delivery_worker {
public:
  delivery_worker(webhook_sink sink, delivery_settings settings = {},
                  delivery_report_fn report = {});

  /// Shuts down (see shutdown()).
  ~delivery_worker();

  delivery_worker(const delivery_worker&) = delete;
  delivery_worker& operator=(const delivery_worker&) = delete;

  /// Queues `a`, dropping the oldest queued alert when full; returns false
  /// (and queues nothing) after shutdown() began.
  bool post(alert a);

  /// Returns the totals so far.
  delivery_stats stats() const;

  /// Stops accepting alerts, delivers what is queued until the deadline and
  /// joins the thread; returns true when nothing was abandoned. Idempotent.
  bool shutdown();

private:
  void run();
  void report(delivery_report r) const;

  webhook_sink sink_;
  delivery_settings settings_;
  delivery_report_fn report_;
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::deque<alert> queue_;
  delivery_stats stats_;
  uint64_t drops_unreported_ = 0;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point deadline_;
  std::thread thread_;
};

} // namespace osprey
