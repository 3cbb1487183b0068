#pragma once

// A small HTTP/1.1 server for tests: listens on 127.0.0.1 on an ephemeral
// port, runs on its own thread, records every request it receives and
// answers with scripted status codes, headers, bodies and delays (a delay
// longer than the client's timeout makes a stalling server). Plain HTTP
// only; TLS tests use a server that does not speak TLS to see the handshake
// fail.

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace osprey::test {

/// One request as the server received it; header names in lower case.
struct recorded_request {
  std::string method;
  std::string target;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  /// Returns the first value of header `name` (lower case), or "".
  std::string header(const std::string& name) const {
    for (auto& [k, v] : headers)
      if (k == name)
        return v;
    return {};
  }
};

/// How the server answers one request.
struct scripted_response {
  scripted_response(
    unsigned status_ = 200, std::chrono::milliseconds delay_ = {},
    std::string body_ = "ok",
    std::vector<std::pair<std::string, std::string>> headers_ = {})
    : status{status_},
      delay{delay_},
      body{std::move(body_)},
      headers{std::move(headers_)} {
  }
  unsigned status;
  std::chrono::milliseconds delay;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// The server; starts in the constructor, stops in the destructor.
class local_http_server {
public:
  local_http_server() : acceptor_{ioc_} {
    namespace asio = boost::asio;
    asio::ip::tcp::endpoint ep{asio::ip::make_address("127.0.0.1"), 0};
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    do_accept();
    thread_ = std::thread{[this] { ioc_.run(); }};
  }

  ~local_http_server() {
    ioc_.stop();
    thread_.join();
  }

  local_http_server(const local_http_server&) = delete;
  local_http_server& operator=(const local_http_server&) = delete;

  unsigned short port() const { return port_; }

  /// Returns "http://127.0.0.1:<port><path>".
  std::string url(const std::string& path = "/") const {
    std::string s = "http://127.0.0.1:";
    s += std::to_string(port_);
    s += path;
    return s;
  }

  /// Queues answers used in order, one per request; then the default.
  void script(std::vector<scripted_response> responses) {
    std::lock_guard<std::mutex> guard{mtx_};
    for (auto& r : responses)
      script_.push_back(std::move(r));
  }

  /// Sets the answer used once the script is exhausted.
  void set_default(scripted_response r) {
    std::lock_guard<std::mutex> guard{mtx_};
    default_ = std::move(r);
  }

  std::vector<recorded_request> requests() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return requests_;
  }

  /// Waits until at least `n` requests arrived; false after `timeout`.
  bool wait_for_requests(size_t n, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock{mtx_};
    return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
  }

private:
  class session : public std::enable_shared_from_this<session> {
  public:
    session(local_http_server* server, boost::asio::ip::tcp::socket socket)
      : server_{server}, socket_{std::move(socket)}, timer_{server->ioc_} {
    }

    void do_read() {
      request_ = {};
      boost::beast::http::async_read(
        socket_, buffer_, request_,
        [self = shared_from_this()](boost::system::error_code ec, size_t) {
          if (!ec)
            self->on_read();
        });
    }

  private:
    void on_read() {
      recorded_request rec;
      rec.method = std::string{request_.method_string()};
      rec.target = std::string{request_.target()};
      rec.body = request_.body();
      for (auto& field : request_) {
        std::string name{field.name_string()};
        for (auto& c : name)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        rec.headers.emplace_back(std::move(name), std::string{field.value()});
      }
      answer_ = server_->record(std::move(rec));
      timer_.expires_after(answer_.delay);
      timer_.async_wait(
        [self = shared_from_this()](boost::system::error_code ec) {
          if (!ec)
            self->do_write();
        });
    }

    void do_write() {
      namespace http = boost::beast::http;
      response_ = {};
      response_.version(11);
      response_.result(answer_.status);
      response_.set(http::field::content_type, "text/plain");
      for (auto& [k, v] : answer_.headers)
        response_.set(k, v);
      response_.body() = answer_.body;
      response_.keep_alive(request_.keep_alive());
      response_.prepare_payload();
      http::async_write(socket_, response_,
                        [self = shared_from_this()](boost::system::error_code ec,
                                                    size_t) {
                          if (ec)
                            return;
                          if (self->response_.keep_alive())
                            self->do_read();
                          else
                            self->socket_.shutdown(
                              boost::asio::ip::tcp::socket::shutdown_send, ec);
                        });
    }

    local_http_server* server_;
    boost::asio::ip::tcp::socket socket_;
    boost::asio::steady_timer timer_;
    boost::beast::flat_buffer buffer_;
    boost::beast::http::request<boost::beast::http::string_body> request_;
    boost::beast::http::response<boost::beast::http::string_body> response_;
    scripted_response answer_;
  };

  void do_accept() {
    acceptor_.async_accept(
      ioc_, [this](boost::system::error_code ec,
                   boost::asio::ip::tcp::socket socket) {
        if (ec)
          return;
        std::make_shared<session>(this, std::move(socket))->do_read();
        do_accept();
      });
  }

  scripted_response record(recorded_request rec) {
    std::lock_guard<std::mutex> guard{mtx_};
    requests_.push_back(std::move(rec));
    cv_.notify_all();
    if (script_.empty())
      return default_;
    auto r = std::move(script_.front());
    script_.pop_front();
    return r;
  }

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::thread thread_;
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::vector<recorded_request> requests_;
  std::deque<scripted_response> script_;
  scripted_response default_;
};

} // namespace osprey::test
