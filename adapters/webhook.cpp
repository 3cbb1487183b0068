#include "adapters/webhook.hpp"

#include <algorithm>
#include <cstdio>

namespace osprey {

namespace {

using steady = std::chrono::steady_clock;

std::string upper(std::string_view text) {
  std::string s{text};
  for (auto& c : s)
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
  return s;
}

// "[WARNING] rule" — the first words of every human-readable format.
std::string headline(const alert& a) {
  std::string s = "[";
  s += upper(to_string(a.severity));
  s += "] ";
  s += a.rule;
  return s;
}

// Appends `"key":` to `out`, with a comma unless it opens the object.
void key(std::string& out, std::string_view name) {
  if (out.back() != '{' && out.back() != '[')
    out += ',';
  out += json_quote(name);
  out += ':';
}

void field(std::string& out, std::string_view name, std::string_view value) {
  key(out, name);
  out += json_quote(value);
}

// Replaces every occurrence of `from` in `text` by `to`.
std::string replace_all(std::string text, std::string_view from,
                        std::string_view to) {
  if (from.empty())
    return text;
  for (size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

// The URL with its secret part hidden: Slack's path and any query.
std::string redacted_url(const webhook_target& t) {
  if (t.kind == webhook_kind::telegram) {
    std::string s = t.telegram_api;
    s += "/bot…/sendMessage";
    return s;
  }
  std::string error;
  auto u = parse_url(t.url, error);
  if (!u)
    return t.url;
  if (t.kind == webhook_kind::slack) {
    auto scheme_end = t.url.find("://") + 3;
    auto host_end = t.url.find_first_of("/?#", scheme_end);
    return t.url.substr(0, host_end) + "/…";
  }
  auto query = t.url.find('?');
  return query == std::string::npos ? t.url : t.url.substr(0, query) + "?…";
}

std::string telegram_url(const webhook_target& t) {
  std::string s = t.telegram_api;
  s += "/bot";
  s += t.telegram_token;
  s += "/sendMessage";
  return s;
}

} // namespace

std::string_view to_string(alert_severity s) {
  switch (s) {
    case alert_severity::info:
      return "info";
    case alert_severity::warning:
      return "warning";
    case alert_severity::critical:
      return "critical";
  }
  return "info";
}

std::optional<alert_severity> parse_alert_severity(std::string_view text) {
  if (text == "info")
    return alert_severity::info;
  if (text == "warning")
    return alert_severity::warning;
  if (text == "critical")
    return alert_severity::critical;
  return std::nullopt;
}

std::string_view to_string(webhook_kind k) {
  switch (k) {
    case webhook_kind::json:
      return "json";
    case webhook_kind::slack:
      return "slack";
    case webhook_kind::telegram:
      return "telegram";
  }
  return "json";
}

std::optional<webhook_kind> parse_webhook_kind(std::string_view text) {
  if (text == "json")
    return webhook_kind::json;
  if (text == "slack")
    return webhook_kind::slack;
  if (text == "telegram")
    return webhook_kind::telegram;
  return std::nullopt;
}

std::string format_utc_millis(int64_t ns) {
  using namespace std::chrono;
  sys_time<nanoseconds> t{nanoseconds{ns}};
  auto day = floor<days>(t);
  year_month_day ymd{day};
  auto ms = floor<milliseconds>(t - day).count();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()),
                static_cast<int>(ms / 3'600'000),
                static_cast<int>(ms / 60'000 % 60),
                static_cast<int>(ms / 1000 % 60), static_cast<int>(ms % 1000));
  return buf;
}

std::string json_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x",
                        static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c; // UTF-8 passes through unchanged
        }
    }
  }
  out += '"';
  return out;
}

std::string escape_html_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string format_alert_json(const alert& a) {
  std::string out = "{";
  field(out, "source", "osprey");
  field(out, "rule", a.rule);
  field(out, "symbol", a.symbol);
  field(out, "severity", to_string(a.severity));
  key(out, "ts_event");
  out += std::to_string(a.ts_event);
  field(out, "time", format_utc_millis(a.ts_event));
  field(out, "message", a.message);
  key(out, "values");
  out += '[';
  for (auto& v : a.values) {
    if (out.back() != '[')
      out += ',';
    out += '{';
    field(out, "name", v.name);
    field(out, "value", v.value);
    out += '}';
  }
  out += "]}";
  return out;
}

std::string format_alert_slack(const alert& a) {
  std::string fallback = headline(a);
  fallback += ' ';
  fallback += a.symbol;
  fallback += ": ";
  fallback += a.message;

  std::string out = "{";
  field(out, "text", escape_html_text(fallback));
  key(out, "blocks");
  out += '[';

  std::string top = "*";
  top += escape_html_text(headline(a));
  top += "* ";
  top += escape_html_text(a.symbol);
  top += '\n';
  top += escape_html_text(a.message);
  out += R"({"type":"section","text":{"type":"mrkdwn","text":)";
  out += json_quote(top);
  out += "}}";

  // Slack allows at most 10 fields per section.
  for (size_t first = 0; first < a.values.size(); first += 10) {
    out += R"(,{"type":"section","fields":[)";
    auto last = std::min(a.values.size(), first + 10);
    for (size_t i = first; i < last; ++i) {
      if (i != first)
        out += ',';
      std::string text = "*";
      text += escape_html_text(a.values[i].name);
      text += "*\n";
      text += escape_html_text(a.values[i].value);
      out += R"({"type":"mrkdwn","text":)";
      out += json_quote(text);
      out += '}';
    }
    out += "]}";
  }

  out += R"(,{"type":"context","elements":[{"type":"mrkdwn","text":)";
  out += json_quote(format_utc_millis(a.ts_event));
  out += "}]}]}";
  return out;
}

std::string format_alert_telegram(const alert& a, std::string_view chat_id) {
  std::string text = "<b>";
  text += escape_html_text(headline(a));
  text += "</b> ";
  text += escape_html_text(a.symbol);
  text += '\n';
  text += escape_html_text(a.message);
  for (auto& v : a.values) {
    text += '\n';
    text += escape_html_text(v.name);
    text += ": ";
    text += escape_html_text(v.value);
  }
  text += "\n<i>";
  text += format_utc_millis(a.ts_event);
  text += "</i>";

  std::string out = "{";
  field(out, "chat_id", chat_id);
  field(out, "text", text);
  field(out, "parse_mode", "HTML");
  key(out, "disable_web_page_preview");
  out += "true}";
  return out;
}

std::optional<std::string> validate(const webhook_target& t) {
  std::string error;
  std::string kind{to_string(t.kind)};
  if (t.kind == webhook_kind::telegram) {
    if (t.telegram_token.empty())
      return "telegram webhook needs a bot token";
    if (t.telegram_chat_id.empty())
      return "telegram webhook needs a chat id";
    if (t.telegram_token.find_first_of("/?# ") != std::string::npos)
      return "telegram bot token contains '/', '?', '#' or a space";
    if (!parse_url(telegram_url(t), error))
      return "telegram API address " + t.telegram_api + ": " + error;
    return std::nullopt;
  }
  if (t.url.empty())
    return kind + " webhook needs a url";
  if (!parse_url(t.url, error))
    return kind + " webhook url: " + error;
  return std::nullopt;
}

webhook_request build_webhook_request(const webhook_target& t,
                                      const alert& a) {
  switch (t.kind) {
    case webhook_kind::slack:
      return {t.url, format_alert_slack(a), "application/json"};
    case webhook_kind::telegram:
      return {telegram_url(t), format_alert_telegram(a, t.telegram_chat_id),
              "application/json"};
    case webhook_kind::json:
      break;
  }
  return {t.url, format_alert_json(a), "application/json"};
}

webhook_sink::webhook_sink(webhook_target target)
  : target_{std::move(target)} {
  name_ = std::string{to_string(target_.kind)};
  name_ += ' ';
  name_ += redacted_url(target_);
}

http_result webhook_sink::send(const alert& a) const {
  return send(a, target_.http);
}

http_result webhook_sink::send(const alert& a,
                               const http_settings& http) const {
  auto req = build_webhook_request(target_, a);
  auto r = http_post(req.url, req.body, req.content_type, http);
  if (!r.ok()) {
    r.error = replace_all(std::move(r.error), req.url, redacted_url(target_));
    if (!target_.telegram_token.empty())
      r.error = replace_all(std::move(r.error), target_.telegram_token, "…");
  }
  return r;
}

delivery_worker::delivery_worker(webhook_sink sink, delivery_settings settings,
                                 delivery_report_fn report)
  : sink_{std::move(sink)},
    settings_{settings},
    report_{std::move(report)} {
  settings_.capacity = std::max<size_t>(settings_.capacity, 1);
  thread_ = std::thread{[this] { run(); }};
}

delivery_worker::~delivery_worker() {
  shutdown();
}

bool delivery_worker::post(alert a) {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (stopping_)
      return false;
    if (queue_.size() >= settings_.capacity) {
      queue_.pop_front();
      ++stats_.dropped;
      ++drops_unreported_;
    }
    queue_.push_back(std::move(a));
    ++stats_.queued;
  }
  cv_.notify_one();
  return true;
}

delivery_stats delivery_worker::stats() const {
  std::lock_guard<std::mutex> guard{mtx_};
  return stats_;
}

bool delivery_worker::shutdown() {
  {
    std::lock_guard<std::mutex> guard{mtx_};
    if (!stopping_) {
      stopping_ = true;
      deadline_ = steady::now() + settings_.shutdown_deadline;
    }
  }
  cv_.notify_all();
  if (thread_.joinable())
    thread_.join();
  std::lock_guard<std::mutex> guard{mtx_};
  return stats_.abandoned == 0;
}

void delivery_worker::report(delivery_report r) const {
  if (report_)
    report_(r);
}

void delivery_worker::run() {
  std::unique_lock<std::mutex> lock{mtx_};
  for (;;) {
    cv_.wait(lock, [this] {
      return !queue_.empty() || stopping_ || drops_unreported_ > 0;
    });
    if (drops_unreported_ > 0) {
      delivery_report r;
      r.kind = delivery_report::what::dropped;
      r.target = sink_.name();
      r.count = std::exchange(drops_unreported_, 0);
      lock.unlock();
      report(std::move(r));
      lock.lock();
      continue;
    }
    if (queue_.empty())
      return; // stopping, everything delivered
    auto now = steady::now();
    http_settings http = sink_.target().http;
    if (stopping_) {
      if (now >= deadline_) {
        delivery_report r;
        r.kind = delivery_report::what::abandoned;
        r.target = sink_.name();
        r.count = queue_.size();
        stats_.abandoned += queue_.size();
        queue_.clear();
        lock.unlock();
        report(std::move(r));
        return;
      }
      // Past shutdown, a delivery must fit in the time left.
      auto left = std::max(std::chrono::milliseconds{1},
                           std::chrono::duration_cast<std::chrono::milliseconds>(
                             deadline_ - now));
      http.retries = 0;
      http.connect_timeout = std::min(http.connect_timeout, left);
      http.read_timeout = std::min(http.read_timeout, left);
    }
    alert a = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    auto result = sink_.send(a, http);
    delivery_report r;
    r.kind = result.ok() ? delivery_report::what::delivered
                         : delivery_report::what::failed;
    r.target = sink_.name();
    r.rule = std::move(a.rule);
    r.symbol = std::move(a.symbol);
    r.error = std::move(result.error);
    lock.lock();
    ++(result.ok() ? stats_.delivered : stats_.failed);
    lock.unlock();
    report(std::move(r));
    lock.lock();
  }
}

} // namespace osprey
