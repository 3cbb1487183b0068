#include "adapters/http_client.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "tests/support/local_http_server.hpp"

using namespace osprey;
using namespace std::chrono_literals;

namespace {

// Fast settings so retry tests take milliseconds, not seconds.
http_settings quick(int retries = 2) {
  http_settings s;
  s.connect_timeout = 2000ms;
  s.read_timeout = 2000ms;
  s.retries = retries;
  s.backoff_initial = 1ms;
  s.backoff_max = 4ms;
  s.retry_after_cap = 1500ms;
  return s;
}

http_result failed_with_status(unsigned status, std::string retry_after = "") {
  http_result r;
  r.failure = http_failure::http_status;
  r.response.status = status;
  r.response.retry_after = std::move(retry_after);
  return r;
}

http_result failed_with(http_failure f) {
  http_result r;
  r.failure = f;
  return r;
}

} // namespace

TEST(http_client, parses_urls_with_default_and_explicit_ports) {
  std::string err;
  auto a = parse_url("https://hooks.slack.com/services/T0/B0/x", err);
  ASSERT_TRUE(a) << err;
  EXPECT_TRUE(a->tls);
  EXPECT_EQ(a->host, "hooks.slack.com");
  EXPECT_EQ(a->port, "443");
  EXPECT_EQ(a->target, "/services/T0/B0/x");

  auto b = parse_url("HTTP://127.0.0.1:8080", err);
  ASSERT_TRUE(b) << err;
  EXPECT_FALSE(b->tls);
  EXPECT_EQ(b->port, "8080");
  EXPECT_EQ(b->target, "/");

  auto c = parse_url("http://[::1]:9000?x=1#frag", err);
  ASSERT_TRUE(c) << err;
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->port, "9000");
  EXPECT_EQ(c->target, "/?x=1");
}

TEST(http_client, refuses_bad_urls_naming_the_problem) {
  std::string err;
  EXPECT_FALSE(parse_url("ftp://x/y", err));
  EXPECT_NE(err.find("http:// or https://"), std::string::npos) << err;
  EXPECT_FALSE(parse_url("http://:80/", err));
  EXPECT_NE(err.find("no host"), std::string::npos) << err;
  EXPECT_FALSE(parse_url("http://host:99999/", err));
  EXPECT_NE(err.find("port"), std::string::npos) << err;
  EXPECT_FALSE(parse_url("http://host:/", err));
  EXPECT_FALSE(parse_url("http://user:pw@host/", err));
  EXPECT_NE(err.find("user info"), std::string::npos) << err;
  EXPECT_FALSE(parse_url("http://host/a b", err));
  EXPECT_FALSE(parse_url("http://[::1/", err));
}

TEST(http_client, retry_policy_never_retries_client_errors) {
  auto s = quick(3);
  EXPECT_FALSE(retry_delay(failed_with_status(400), 1, s));
  EXPECT_FALSE(retry_delay(failed_with_status(404), 1, s));
  EXPECT_FALSE(retry_delay(failed_with(http_failure::bad_url), 1, s));
  EXPECT_FALSE(retry_delay(failed_with(http_failure::dns), 1, s));
  EXPECT_FALSE(retry_delay(failed_with(http_failure::tls), 1, s));
  EXPECT_FALSE(retry_delay(http_result{}, 1, s));
}

TEST(http_client, retry_policy_backs_off_exponentially_up_to_the_cap) {
  http_settings s;
  s.retries = 5;
  s.backoff_initial = 100ms;
  s.backoff_max = 350ms;
  auto r = failed_with_status(502);
  EXPECT_EQ(retry_delay(r, 1, s), 100ms);
  EXPECT_EQ(retry_delay(r, 2, s), 200ms);
  EXPECT_EQ(retry_delay(r, 3, s), 350ms);
  EXPECT_EQ(retry_delay(r, 5, s), 350ms);
  EXPECT_FALSE(retry_delay(r, 6, s));
  EXPECT_EQ(retry_delay(failed_with(http_failure::connect), 2, s), 200ms);
  EXPECT_EQ(retry_delay(failed_with(http_failure::timeout), 1, s), 100ms);
}

TEST(http_client, retry_policy_honours_retry_after_within_the_cap) {
  http_settings s;
  s.retries = 2;
  s.backoff_initial = 100ms;
  s.retry_after_cap = 5000ms;
  EXPECT_EQ(retry_delay(failed_with_status(429, "3"), 1, s), 3000ms);
  EXPECT_EQ(retry_delay(failed_with_status(503, " 2 "), 1, s), 2000ms);
  EXPECT_FALSE(retry_delay(failed_with_status(429, "60"), 1, s));
  // An HTTP-date is not understood: fall back to the backoff.
  EXPECT_EQ(retry_delay(failed_with_status(429, "Wed, 21 Oct 2015 07:28:00 GMT"),
                        1, s),
            100ms);
  EXPECT_EQ(retry_delay(failed_with_status(429), 1, s), 100ms);
}

TEST(http_client, posts_the_body_with_its_headers) {
  test::local_http_server server;
  auto r = http_post(server.url("/hook?a=1"), R"({"x":1})", "application/json",
                     quick());
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.response.status, 200u);
  EXPECT_EQ(r.response.body, "ok");
  EXPECT_EQ(r.attempts, 1);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/hook?a=1");
  EXPECT_EQ(reqs[0].body, R"({"x":1})");
  EXPECT_EQ(reqs[0].header("content-type"), "application/json");
  EXPECT_EQ(reqs[0].header("content-length"), "7");
  EXPECT_EQ(reqs[0].header("user-agent"), "osprey");
  std::string host = "127.0.0.1:";
  host += std::to_string(server.port());
  EXPECT_EQ(reqs[0].header("host"), host);
}

TEST(http_client, retries_server_errors_then_succeeds) {
  test::local_http_server server;
  server.script({{500}, {502}});
  auto r = http_post(server.url(), "{}", "application/json", quick(2));
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(server.requests().size(), 3u);
}

TEST(http_client, gives_up_after_the_configured_retries) {
  test::local_http_server server;
  server.set_default({503, 0ms, "busy"});
  auto r = http_post(server.url("/x"), "{}", "application/json", quick(2));
  EXPECT_EQ(r.failure, http_failure::http_status);
  EXPECT_EQ(r.response.status, 503u);
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(server.requests().size(), 3u);
  EXPECT_NE(r.error.find(server.url("/x")), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("HTTP 503"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("busy"), std::string::npos) << r.error;
}

TEST(http_client, never_retries_a_bad_request) {
  test::local_http_server server;
  server.set_default({400, 0ms, "bad payload"});
  auto r = http_post(server.url(), "{}", "application/json", quick(3));
  EXPECT_EQ(r.failure, http_failure::http_status);
  EXPECT_EQ(r.response.status, 400u);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST(http_client, waits_for_retry_after_on_429) {
  test::local_http_server server;
  server.script({{429, 0ms, "slow down", {{"Retry-After", "1"}}}});
  auto start = std::chrono::steady_clock::now();
  auto r = http_post(server.url(), "{}", "application/json", quick(1));
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(r.attempts, 2);
  EXPECT_GE(took, 1000ms);
}

TEST(http_client, times_out_on_a_stalling_server) {
  test::local_http_server server;
  server.set_default({200, 10000ms});
  auto s = quick(0);
  s.read_timeout = 150ms;
  auto start = std::chrono::steady_clock::now();
  auto r = http_post(server.url(), "{}", "application/json", s);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.failure, http_failure::timeout) << r.error;
  EXPECT_NE(r.error.find("150 ms"), std::string::npos) << r.error;
  EXPECT_LT(took, 3000ms);
}

TEST(http_client, reports_a_refused_connection) {
  unsigned short port = 0;
  {
    test::local_http_server closed; // take a free port, then release it
    port = closed.port();
  }
  std::string url = "http://127.0.0.1:";
  url += std::to_string(port);
  url += "/";
  auto r = http_post(url, "{}", "application/json", quick(1));
  EXPECT_EQ(r.failure, http_failure::connect) << r.error;
  EXPECT_EQ(r.attempts, 2);
  EXPECT_NE(r.error.find(url), std::string::npos) << r.error;
}

TEST(http_client, reports_an_unknown_host_as_dns) {
  auto r = http_post("http://no-such-host.invalid/", "{}", "application/json",
                     quick(2));
  EXPECT_EQ(r.failure, http_failure::dns) << r.error;
  EXPECT_EQ(r.attempts, 1);
}

TEST(http_client, reports_a_tls_handshake_failure_without_retrying) {
  test::local_http_server server; // speaks plain HTTP only
  std::string url = "https://127.0.0.1:";
  url += std::to_string(server.port());
  url += "/";
  auto r = http_post(url, "{}", "application/json", quick(2));
  EXPECT_EQ(r.failure, http_failure::tls) << r.error;
  EXPECT_EQ(r.attempts, 1);
  EXPECT_NE(r.error.find("TLS handshake"), std::string::npos) << r.error;
}

TEST(http_client, reports_a_missing_ca_file) {
  test::local_http_server server;
  std::string url = "https://127.0.0.1:";
  url += std::to_string(server.port());
  auto s = quick(0);
  s.ca_file = "/nonexistent/ca.pem";
  auto r = http_post(url, "{}", "application/json", s);
  EXPECT_EQ(r.failure, http_failure::tls) << r.error;
  EXPECT_NE(r.error.find("/nonexistent/ca.pem"), std::string::npos) << r.error;
}

TEST(http_client, reports_a_bad_url_without_sending) {
  auto r = http_post("localhost:80/x", "{}", "application/json", quick(2));
  EXPECT_EQ(r.failure, http_failure::bad_url);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_NE(r.error.find("localhost:80/x"), std::string::npos) << r.error;
}

namespace {

// Writes `pem` to a fresh file under the temp directory; removed on scope
// exit, so no certificate is ever committed.
struct temp_pem_file {
  explicit temp_pem_file(const std::string& pem) {
    path = std::filesystem::temp_directory_path()
           / ("osprey-test-ca-" + std::to_string(::getpid()) + "-"
              + std::to_string(counter++) + ".pem");
    std::ofstream{path} << pem;
  }
  ~temp_pem_file() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
  std::filesystem::path path;
  static inline int counter = 0;
};

} // namespace

TEST(http_client, posts_over_tls_trusting_a_given_ca_file) {
  auto cert = test::make_test_certificate();
  test::local_http_server server{&cert};
  temp_pem_file ca{cert.cert_pem};
  auto s = quick(0);
  s.ca_file = ca.path.string();
  auto r = http_post(server.url("/secure"), "{}", "application/json", s);
  ASSERT_TRUE(r.ok()) << r.error;
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].target, "/secure");
  EXPECT_EQ(reqs[0].body, "{}");
}

TEST(http_client, refuses_a_certificate_the_system_store_does_not_trust) {
  auto cert = test::make_test_certificate();
  test::local_http_server server{&cert};
  auto r = http_post(server.url(), "{}", "application/json", quick(2));
  EXPECT_EQ(r.failure, http_failure::tls) << r.error;
  EXPECT_EQ(r.attempts, 1);
  EXPECT_NE(r.error.find("certificate verify failed"), std::string::npos)
    << r.error;
  EXPECT_TRUE(server.requests().empty());
}

TEST(http_client, refuses_a_certificate_for_another_host) {
  auto cert = test::make_test_certificate("DNS:example.com");
  test::local_http_server server{&cert};
  temp_pem_file ca{cert.cert_pem};
  auto s = quick(0);
  s.ca_file = ca.path.string();
  auto r = http_post(server.url(), "{}", "application/json", s);
  EXPECT_EQ(r.failure, http_failure::tls) << r.error;
  EXPECT_TRUE(server.requests().empty());
}

TEST(http_client, skips_verification_only_when_told_to) {
  auto cert = test::make_test_certificate("DNS:example.com");
  test::local_http_server server{&cert};
  auto s = quick(0);
  s.verify_tls = false;
  auto r = http_post(server.url(), "{}", "application/json", s);
  EXPECT_TRUE(r.ok()) << r.error;
}
