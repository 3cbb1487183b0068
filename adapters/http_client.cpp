#include "adapters/http_client.hpp"

#include <algorithm>
#include <exception>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace osprey {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using boost::system::error_code;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

bool is_digits(std::string_view s) {
  return !s.empty()
         && std::all_of(s.begin(), s.end(),
                        [](char c) { return c >= '0' && c <= '9'; });
}

bool iequals_prefix(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size())
    return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i])
      return false;
  }
  return true;
}

// Fills the failure fields, naming the URL, and returns the result.
http_result fail(http_result r, http_failure f, std::string_view url,
                 std::string_view what) {
  r.failure = f;
  r.detail = what;
  r.error = "POST ";
  r.error += url;
  r.error += ": ";
  r.error += what;
  return r;
}

std::string describe(std::string_view step, const error_code& ec) {
  std::string s{step};
  s += ": ";
  s += ec.message();
  return s;
}

std::string millis_text(std::chrono::milliseconds d) {
  std::string s = std::to_string(d.count());
  s += " ms";
  return s;
}

// Runs the exchange over an established stream (plain TCP or TLS).
template <class Stream>
http_result exchange(asio::io_context& ioc, Stream& stream,
                     const parsed_url& u, std::string_view url,
                     std::string_view body, std::string_view content_type,
                     const http_settings& s, http_result r) {
  bhttp::request<bhttp::string_body> req{bhttp::verb::post, u.target, 11};
  std::string host = u.host.find(':') != std::string::npos
                       ? "[" + u.host + "]"
                       : u.host;
  if (u.port != (u.tls ? "443" : "80")) {
    host += ':';
    host += u.port;
  }
  req.set(bhttp::field::host, host);
  req.set(bhttp::field::user_agent, s.user_agent);
  req.set(bhttp::field::content_type, content_type);
  req.set(bhttp::field::accept, "*/*");
  for (auto& [name, value] : s.headers)
    req.set(name, value);
  req.keep_alive(false);
  req.body() = std::string{body};
  req.prepare_payload();

  auto& lowest = beast::get_lowest_layer(stream);
  lowest.expires_after(s.read_timeout);
  error_code ec;
  auto on_done = [&ec](error_code e, auto&&...) { ec = e; };
  bhttp::async_write(stream, req, on_done);
  ioc.restart();
  ioc.run();
  if (ec == beast::error::timeout)
    return fail(std::move(r), http_failure::timeout, url,
                "sending the request timed out after "
                  + millis_text(s.read_timeout));
  if (ec)
    return fail(std::move(r), http_failure::io, url,
                describe("sending the request failed", ec));

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(1024 * 1024);
  bhttp::async_read(stream, buffer, parser, on_done);
  ioc.restart();
  ioc.run();
  if (ec == beast::error::timeout)
    return fail(std::move(r), http_failure::timeout, url,
                "no complete response within "
                  + millis_text(s.read_timeout));
  if (ec)
    return fail(std::move(r), http_failure::io, url,
                describe("reading the response failed", ec));

  auto& res = parser.get();
  r.response.status = res.result_int();
  r.response.reason = std::string{res.reason()};
  r.response.body = std::move(res.body());
  if (auto it = res.find(bhttp::field::content_type); it != res.end())
    r.response.content_type = std::string{it->value()};
  if (auto it = res.find(bhttp::field::retry_after); it != res.end())
    r.response.retry_after = std::string{it->value()};
  lowest.close();

  if (r.response.status >= 200 && r.response.status < 300)
    return r;
  std::string what = "HTTP ";
  what += std::to_string(r.response.status);
  what += ' ';
  what += std::string{res.reason()};
  if (!r.response.body.empty()) {
    what += ": ";
    what += r.response.body.substr(0, 200);
  }
  return fail(std::move(r), http_failure::http_status, url, what);
}

http_result post_once(std::string_view url, std::string_view body,
                      std::string_view content_type, const http_settings& s) {
  http_result r;
  r.attempts = 1;
  std::string why;
  auto u = parse_url(url, why);
  if (!u)
    return fail(std::move(r), http_failure::bad_url, url, why);

  asio::io_context ioc;
  auto connect_deadline = steady::now() + s.connect_timeout;
  error_code ec;
  auto on_done = [&ec](error_code e, auto&&...) { ec = e; };

  // Resolve: the resolver has no timeout of its own, so the io_context runs
  // until the deadline and the lookup is cancelled if still pending.
  tcp::resolver resolver{ioc};
  tcp::resolver::results_type endpoints;
  bool resolved = false;
  resolver.async_resolve(u->host, u->port,
                         [&](error_code e, tcp::resolver::results_type res) {
                           ec = e;
                           endpoints = std::move(res);
                           resolved = true;
                         });
  ioc.run_until(connect_deadline);
  if (!resolved) {
    resolver.cancel();
    ioc.restart();
    ioc.run();
    return fail(std::move(r), http_failure::timeout, url,
                "DNS lookup of " + u->host + " timed out after "
                  + millis_text(s.connect_timeout));
  }
  if (ec)
    return fail(std::move(r), http_failure::dns, url,
                describe("DNS lookup of " + u->host + " failed", ec));

  beast::tcp_stream tcp_stream{ioc};
  tcp_stream.expires_at(connect_deadline);
  tcp_stream.async_connect(endpoints, on_done);
  ioc.restart();
  ioc.run();
  std::string where = u->host + ":" + u->port;
  if (ec == beast::error::timeout)
    return fail(std::move(r), http_failure::timeout, url,
                "connecting to " + where + " timed out after "
                  + millis_text(s.connect_timeout));
  if (ec)
    return fail(std::move(r), http_failure::connect, url,
                describe("connecting to " + where + " failed", ec));

  if (!u->tls)
    return exchange(ioc, tcp_stream, *u, url, body, content_type, s,
                    std::move(r));

  ssl::context ctx{ssl::context::tls_client};
  if (s.verify_tls) {
    ctx.set_verify_mode(ssl::verify_peer);
    if (s.ca_file.empty())
      ctx.set_default_verify_paths(ec);
    else
      ctx.load_verify_file(s.ca_file, ec);
    if (ec)
      return fail(std::move(r), http_failure::tls, url,
                  describe(s.ca_file.empty()
                             ? std::string{"loading the system CA store"}
                             : "loading CA file " + s.ca_file,
                           ec));
  } else {
    ctx.set_verify_mode(ssl::verify_none);
  }
  beast::ssl_stream<beast::tcp_stream> tls_stream{std::move(tcp_stream), ctx};
  error_code not_ip;
  asio::ip::make_address(u->host, not_ip);
  // SNI is only for names; an IP literal must not be sent as one.
  if (not_ip
      && SSL_set_tlsext_host_name(tls_stream.native_handle(), u->host.c_str())
           != 1)
    return fail(std::move(r), http_failure::tls, url,
                "setting the TLS server name " + u->host + " failed");
  if (s.verify_tls)
    tls_stream.set_verify_callback(ssl::host_name_verification(u->host));
  beast::get_lowest_layer(tls_stream).expires_at(connect_deadline);
  tls_stream.async_handshake(ssl::stream_base::client, on_done);
  ioc.restart();
  ioc.run();
  if (ec == beast::error::timeout)
    return fail(std::move(r), http_failure::timeout, url,
                "TLS handshake with " + where + " timed out after "
                  + millis_text(s.connect_timeout));
  if (ec)
    return fail(std::move(r), http_failure::tls, url,
                describe("TLS handshake with " + where + " failed", ec));
  return exchange(ioc, tls_stream, *u, url, body, content_type, s,
                  std::move(r));
}

// Returns the Retry-After delay when it is a whole number of seconds (the
// HTTP-date form is not supported and falls back to the backoff).
std::optional<std::chrono::milliseconds> retry_after(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
    v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
    v.remove_suffix(1);
  if (!is_digits(v) || v.size() > 9)
    return std::nullopt;
  return std::chrono::seconds{std::stoll(std::string{v})};
}

std::chrono::milliseconds backoff(int retry, const http_settings& s) {
  auto d = s.backoff_initial;
  for (int i = 1; i < retry && d < s.backoff_max; ++i)
    d *= 2;
  return std::min(d, s.backoff_max);
}

} // namespace

std::optional<parsed_url> parse_url(std::string_view url, std::string& error) {
  for (char c : url)
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f) {
      error = "URL contains a space or control character";
      return std::nullopt;
    }
  parsed_url out;
  std::string_view rest;
  if (iequals_prefix(url, "https://")) {
    out.tls = true;
    rest = url.substr(8);
  } else if (iequals_prefix(url, "http://")) {
    rest = url.substr(7);
  } else {
    error = "URL must start with http:// or https://";
    return std::nullopt;
  }
  if (auto hash = rest.find('#'); hash != std::string_view::npos)
    rest = rest.substr(0, hash);
  auto end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, end);
  std::string_view target = end == std::string_view::npos ? std::string_view{}
                                                          : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) {
    error = "URL user info (user@host) is not supported";
    return std::nullopt;
  }
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "URL has an unterminated IPv6 literal";
      return std::nullopt;
    }
    host = authority.substr(1, close - 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        error = "URL has text after the IPv6 literal that is not a port";
        return std::nullopt;
      }
      port = after.substr(1);
      if (port.empty()) {
        error = "URL has an empty port";
        return std::nullopt;
      }
    }
  } else if (auto colon = authority.rfind(':');
             colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) {
      error = "URL has an empty port";
      return std::nullopt;
    }
  }
  if (host.empty()) {
    error = "URL has no host";
    return std::nullopt;
  }
  if (!port.empty()) {
    if (!is_digits(port) || port.size() > 5 || std::stoi(std::string{port}) == 0
        || std::stoi(std::string{port}) > 65535) {
      error = "URL port must be a number from 1 to 65535, not '";
      error += port;
      error += "'";
      return std::nullopt;
    }
  }
  out.host = std::string{host};
  out.port = port.empty() ? (out.tls ? "443" : "80") : std::string{port};
  if (target.empty())
    out.target = "/";
  else if (target.front() == '?')
    out.target = "/" + std::string{target};
  else
    out.target = std::string{target};
  return out;
}

std::string_view to_string(http_failure f) {
  switch (f) {
    case http_failure::none:
      return "none";
    case http_failure::bad_url:
      return "bad_url";
    case http_failure::dns:
      return "dns";
    case http_failure::connect:
      return "connect";
    case http_failure::tls:
      return "tls";
    case http_failure::timeout:
      return "timeout";
    case http_failure::io:
      return "io";
    case http_failure::http_status:
      return "http_status";
  }
  return "unknown";
}

std::optional<std::chrono::milliseconds>
retry_delay(const http_result& last, int retry, const http_settings& s) {
  if (retry < 1 || retry > s.retries)
    return std::nullopt;
  switch (last.failure) {
    case http_failure::none:
    case http_failure::bad_url:
    case http_failure::dns:
    case http_failure::tls:
      return std::nullopt;
    case http_failure::connect:
    case http_failure::timeout:
    case http_failure::io:
      return backoff(retry, s);
    case http_failure::http_status:
      break;
  }
  auto status = last.response.status;
  if (status == 429 || status == 503) {
    if (auto wait = retry_after(last.response.retry_after)) {
      if (*wait > s.retry_after_cap)
        return std::nullopt;
      return *wait;
    }
  }
  if (status == 429 || status >= 500)
    return backoff(retry, s);
  return std::nullopt;
}

http_result http_post_once(std::string_view url, std::string_view body,
                           std::string_view content_type,
                           const http_settings& s) {
  // Asio reports errors by error_code here; this guard keeps anything
  // unexpected (allocation, OpenSSL context set-up) inside the result.
  try {
    return post_once(url, body, content_type, s);
  } catch (const std::exception& e) {
    http_result r;
    r.attempts = 1;
    return fail(std::move(r), http_failure::io, url, e.what());
  }
}

http_result http_post(std::string_view url, std::string_view body,
                      std::string_view content_type, const http_settings& s) {
  http_result r = http_post_once(url, body, content_type, s);
  int attempts = 1;
  for (int retry = 1; !r.ok(); ++retry) {
    auto wait = retry_delay(r, retry, s);
    if (!wait)
      break;
    std::this_thread::sleep_for(*wait);
    r = http_post_once(url, body, content_type, s);
    ++attempts;
  }
  r.attempts = attempts;
  if (!r.ok() && attempts > 1) {
    r.error += " (after ";
    r.error += std::to_string(attempts);
    r.error += " attempts)";
  }
  return r;
}

} // namespace osprey
