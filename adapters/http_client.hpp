#pragma once

// A small synchronous HTTP/1.1 POST client for webhooks (Boost.Beast), for
// `http://` and `https://` URLs. Every call is blocking and bounded by its
// timeouts, so it belongs on a worker thread (see adapters/webhook.hpp),
// never in an actor handler. Nothing throws out of this API: every outcome,
// including a bad URL, is an `http_result`.
//
// Attempts and retries:
//
//   attempt ──2xx──► ok
//      │ ├──4xx (not 429)──► failed, never retried
//      │ ├──429 / 503 with Retry-After ≤ cap──► wait Retry-After, retry
//      │ ├──429 / 503 with Retry-After > cap──► failed (server asked for more)
//      │ ├──5xx, 429 without Retry-After──► wait backoff, retry
//      │ ├──connect / timeout / I/O error──► wait backoff, retry
//      │ └──bad URL / DNS / TLS──► failed, not retried (retrying won't help)
//      └── at most `retries` retries; backoff doubles from
//          `backoff_initial` up to `backoff_max`.
//
// A retried timeout may deliver a request twice (the server may have acted
// on the first): webhook targets must tolerate a duplicate alert.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include <utility>
#include <string_view>

namespace osprey {

/// The parts of an `http://` or `https://` URL the client needs.
struct parsed_url {
  bool tls = false;
  std::string host;   ///< Without brackets for IPv6 literals.
  std::string port;   ///< Explicit, or "80" / "443" by scheme.
  std::string target; ///< Path and query, "/" when the URL has none.
};

/// Parses `url`; on failure returns nullopt and sets `error` to what is
/// wrong with it. User info ("user@host") is refused; a fragment is dropped.
std::optional<parsed_url> parse_url(std::string_view url, std::string& error);

/// How one POST behaves.
struct http_settings {
  /// Bounds DNS, TCP connect and the TLS handshake together.
  std::chrono::milliseconds connect_timeout{3000};
  /// Bounds writing the request and reading the whole response.
  std::chrono::milliseconds read_timeout{5000};
  /// Retries after the first attempt (0: a single attempt).
  int retries = 2;
  /// First backoff delay; doubles on each retry up to `backoff_max`.
  std::chrono::milliseconds backoff_initial{250};
  std::chrono::milliseconds backoff_max{4000};
  /// Longest Retry-After (429/503) the client waits for; longer gives up.
  std::chrono::milliseconds retry_after_cap{10000};
  /// Verifies the server's certificate chain and host name (https).
  bool verify_tls = true;
  /// PEM file of CAs to trust instead of the system store (tests, private CAs).
  std::string ca_file;
  std::string user_agent = "osprey";
  /// More request headers (name, value), set after the defaults, so an
  /// Accept given here replaces "*/*" (an Authorization header, say).
  std::vector<std::pair<std::string, std::string>> headers;
};

/// What went wrong with an exchange; `none` on a 2xx response.
enum class http_failure : uint8_t {
  none,
  bad_url,
  dns,
  connect,
  tls,
  timeout,
  io,
  http_status,
};

/// Returns a stable lower-case name ("timeout", "http_status", ...).
std::string_view to_string(http_failure f);

/// The response of the last attempt (status 0 when none arrived).
struct http_response {
  unsigned status = 0;
  std::string reason;      ///< The status line's reason phrase.
  std::string body;
  std::string content_type;
  std::string retry_after; ///< Raw Retry-After header, empty when absent.
};

/// The outcome of a POST, after retries.
struct http_result {
  http_failure failure = http_failure::none;
  /// Names the URL and what failed; empty on success.
  std::string error;
  /// What failed, without the URL (for callers that name the URL their way).
  std::string detail;
  http_response response;
  int attempts = 0;
  bool ok() const { return failure == http_failure::none; }
};

/// Returns how long to wait before retry number `retry` (1-based) after the
/// failed `last` attempt, or nullopt when it must not be retried.
std::optional<std::chrono::milliseconds>
retry_delay(const http_result& last, int retry, const http_settings& s);

/// Sends one POST without retrying.
http_result http_post_once(std::string_view url, std::string_view body,
                           std::string_view content_type,
                           const http_settings& s);

/// Sends a POST, retrying as `retry_delay` says (sleeping in between).
http_result http_post(std::string_view url, std::string_view body,
                      std::string_view content_type, const http_settings& s);

} // namespace osprey
