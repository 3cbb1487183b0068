// End to end: `osprey screen --phrase` falling back to an OpenAI-compatible
// endpoint for a phrase the deterministic translator refuses, against a
// scripted local server, on the shared daily files.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "../support/osprey_process.hpp"

using namespace osprey::test;

namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// A plain-HTTP server on 127.0.0.1 that answers every request with one
// canned body and records what it was sent. (tests/support/local_http_server
// also serves TLS and so needs OpenSSL, which the e2e binary does not link.)
class canned_server {
public:
  explicit canned_server(std::string body) : body_{std::move(body)}, acceptor_{ioc_} {
    tcp::endpoint ep{asio::ip::make_address("127.0.0.1"), 0};
    acceptor_.open(ep.protocol());
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accept();
    // Bounded, so a binary that never calls cannot hang the test.
    thread_ = std::thread{[this] { ioc_.run_for(std::chrono::seconds{90}); }};
  }

  ~canned_server() {
    ioc_.stop();
    thread_.join();
  }

  std::string base_url() const {
    std::string s = "http://127.0.0.1:";
    s += std::to_string(port_);
    s += "/v1";
    return s;
  }

  struct seen {
    std::string method, target, authorization, body;
  };

  std::vector<seen> requests() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return requests_;
  }

private:
  struct session {
    explicit session(tcp::socket s) : socket{std::move(s)} {}
    tcp::socket socket;
    boost::beast::flat_buffer buffer;
    bhttp::request<bhttp::string_body> request;
    bhttp::response<bhttp::string_body> response;
  };

  void accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec)
        return;
      auto s = std::make_shared<session>(std::move(socket));
      bhttp::async_read(s->socket, s->buffer, s->request,
                        [this, s](boost::system::error_code rec, size_t) {
                          if (!rec)
                            answer(s);
                        });
      accept();
    });
  }

  void answer(const std::shared_ptr<session>& s) {
    {
      std::lock_guard<std::mutex> guard{mtx_};
      seen r;
      r.method = std::string{s->request.method_string()};
      r.target = std::string{s->request.target()};
      r.body = s->request.body();
      if (auto it = s->request.find(bhttp::field::authorization); it != s->request.end())
        r.authorization = std::string{it->value()};
      requests_.push_back(std::move(r));
    }
    s->response.version(11);
    s->response.result(bhttp::status::ok);
    s->response.set(bhttp::field::content_type, "application/json");
    s->response.body() = body_;
    s->response.keep_alive(false);
    s->response.prepare_payload();
    bhttp::async_write(s->socket, s->response, [s](boost::system::error_code, size_t) {
      boost::system::error_code ignored;
      s->socket.shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  std::string body_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::thread thread_;
  mutable std::mutex mtx_;
  std::vector<seen> requests_;
};

// A chat-completions answer whose message is `rule` (no quotes or
// backslashes in it, so it needs no escaping).
std::string completion(const std::string& rule) {
  return R"({"id":"chatcmpl-e2e","object":"chat.completion","choices":[{"index":0,)"
         R"("message":{"role":"assistant","content":"```\n)"
         + rule + R"(\n```"},"finish_reason":"stop"}]})";
}

std::vector<std::string> shared_files() {
  std::vector<std::string> files;
  for (const char* s : {"AAPL", "IBM", "KO", "MSFT"}) {
    std::string p = OSPREY_SHARED_DATA "/market/";
    p += s;
    p += "_daily_2012-2014.csv";
    if (!fs::exists(p))
      return {};
    files.push_back(p);
  }
  return files;
}

std::vector<std::string> screen_args(const std::vector<std::string>& files,
                                     std::vector<std::string> more) {
  std::vector<std::string> args{"screen", "--data"};
  args.insert(args.end(), files.begin(), files.end());
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// Refused by the deterministic translator ("bollinger", "band").
constexpr const char* bollinger_phrase = "close above the upper bollinger band";

} // namespace

TEST(llm_phrase_e2e, screens_with_a_rule_the_model_wrote_and_says_so_first) {
  auto files = shared_files();
  if (files.empty())
    GTEST_SKIP() << "the shared market files are absent";
  canned_server server{completion("close > bb(20, 2).upper")};
  ::setenv("OSPREY_E2E_LLM_KEY", "sk-e2e-secret", 1);
  scratch_dir dir;
  auto r = run(screen_args(files, {"--phrase", bollinger_phrase, "--llm-url", server.base_url(),
                                   "--llm-model", "e2e-model", "--llm-key-env",
                                   "OSPREY_E2E_LLM_KEY", "--date", "2013-06-28", "--all"}),
               dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The rule and its translator come before the table that used it.
  EXPECT_EQ(r.out.rfind("rule (llm e2e-model): close > bb(20, 2).upper\nsymbol  date", 0), 0u)
    << r.out;
  EXPECT_NE(r.out.find("close > bb(20, 2).upper"), std::string::npos);
  for (const char* s : {"AAPL", "IBM", "KO", "MSFT"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  EXPECT_EQ(r.err.find("sk-e2e-secret"), std::string::npos) << r.err;

  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/v1/chat/completions");
  EXPECT_EQ(seen[0].authorization, "Bearer sk-e2e-secret");
  EXPECT_NE(seen[0].body.find("\"model\":\"e2e-model\""), std::string::npos) << seen[0].body;
  EXPECT_NE(seen[0].body.find(bollinger_phrase), std::string::npos) << seen[0].body;
}

TEST(llm_phrase_e2e, refuses_a_model_rule_that_does_not_compile_and_never_asks_for_known_phrases) {
  auto files = shared_files();
  if (files.empty())
    GTEST_SKIP() << "the shared market files are absent";
  canned_server server{completion("close > upper_band(20)")};
  scratch_dir dir;
  auto bad = run(screen_args(files, {"--phrase", bollinger_phrase, "--llm-url",
                                     server.base_url(), "--llm-model", "e2e-model"}),
                 dir);
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_NE(bad.err.find("did not understand"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("the model's rule does not compile"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("unknown function \"upper_band\""), std::string::npos) << bad.err;
  EXPECT_EQ(bad.out.find("symbol  date"), std::string::npos) << bad.out;
  EXPECT_EQ(server.requests().size(), 1u);

  // A phrase the deterministic translator reads never reaches the model.
  auto known = run(screen_args(files, {"--phrase", "price above 20", "--llm-url",
                                       server.base_url(), "--llm-model", "e2e-model", "--date",
                                       "2013-06-28"}),
                   dir);
  ASSERT_EQ(known.exit_code, 0) << known.err;
  EXPECT_EQ(known.out.rfind("rule (phrases): close > 20\n", 0), 0u) << known.out;
  EXPECT_EQ(server.requests().size(), 1u);
}
