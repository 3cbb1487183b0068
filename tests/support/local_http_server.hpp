#pragma once

// A small HTTP/1.1 server for tests: listens on 127.0.0.1 on an ephemeral
// port, runs on its own thread, records every request it receives and
// answers with scripted status codes, headers, bodies and delays (a delay
// longer than the client's timeout makes a stalling server). With a
// `test_certificate` it speaks HTTPS; make_test_certificate() generates a
// self-signed one in memory at run time (nothing is committed).

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

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

/// A certificate and its private key, both PEM.
struct test_certificate {
  std::string cert_pem;
  std::string key_pem;
};

/// Generates a self-signed P-256 certificate valid for a day, for the
/// subject alternative names `san` (OpenSSL syntax: "IP:127.0.0.1,DNS:x").
inline test_certificate
make_test_certificate(const std::string& san = "IP:127.0.0.1,DNS:localhost") {
  auto pem = [](auto write) {
    BIO* bio = BIO_new(BIO_s_mem());
    write(bio);
    char* data = nullptr;
    long len = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<size_t>(len));
    BIO_free(bio);
    return out;
  };
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(
    name, "CN", MBSTRING_ASC,
    reinterpret_cast<const unsigned char*>("osprey test"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  for (auto [nid, value] :
       {std::pair{NID_subject_alt_name, san.c_str()},
        std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(cert, key, EVP_sha256());
  test_certificate out;
  out.cert_pem = pem([&](BIO* b) { PEM_write_bio_X509(b, cert); });
  out.key_pem = pem([&](BIO* b) {
    PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
  });
  X509_free(cert);
  EVP_PKEY_free(key);
  return out;
}

/// The server; starts in the constructor, stops in the destructor.
class local_http_server {
public:
  /// Serves plain HTTP, or HTTPS with `tls` when given.
  explicit local_http_server(const test_certificate* tls = nullptr)
    : acceptor_{ioc_}, ssl_{boost::asio::ssl::context::tls_server} {
    if (tls) {
      tls_ = true;
      ssl_.use_certificate_chain(
        boost::asio::buffer(tls->cert_pem.data(), tls->cert_pem.size()));
      ssl_.use_private_key(
        boost::asio::buffer(tls->key_pem.data(), tls->key_pem.size()),
        boost::asio::ssl::context::pem);
    }
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

  /// Returns "http(s)://127.0.0.1:<port><path>".
  std::string url(const std::string& path = "/") const {
    std::string s = tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:";
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
  // Stream: a tcp::socket, or an ssl_stream over one.
  template <class Stream>
  class session : public std::enable_shared_from_this<session<Stream>> {
  public:
    template <class... Args>
    session(local_http_server* server, Args&&... args)
      : server_{server},
        socket_{std::forward<Args>(args)...},
        timer_{server->ioc_} {
    }

    void start() {
      if constexpr (std::is_same_v<Stream, boost::asio::ip::tcp::socket>) {
        do_read();
      } else {
        socket_.async_handshake(
          boost::asio::ssl::stream_base::server,
          [self = this->shared_from_this()](boost::system::error_code ec) {
            if (!ec)
              self->do_read();
          });
      }
    }

  private:
    void do_read() {
      request_ = {};
      boost::beast::http::async_read(
        socket_, buffer_, request_,
        [self = this->shared_from_this()](boost::system::error_code ec,
                                          size_t) {
          if (!ec)
            self->on_read();
        });
    }

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
        [self = this->shared_from_this()](boost::system::error_code ec) {
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
                        [self = this->shared_from_this()](
                          boost::system::error_code ec, size_t) {
                          if (ec)
                            return;
                          if (self->response_.keep_alive())
                            self->do_read();
                          else
                            boost::beast::get_lowest_layer(self->socket_)
                              .shutdown(
                                boost::asio::ip::tcp::socket::shutdown_send,
                                ec);
                        });
    }

    local_http_server* server_;
    Stream socket_;
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
        using tcp_socket = boost::asio::ip::tcp::socket;
        using tls_socket = boost::beast::ssl_stream<tcp_socket>;
        if (tls_)
          std::make_shared<session<tls_socket>>(this, std::move(socket), ssl_)
            ->start();
        else
          std::make_shared<session<tcp_socket>>(this, std::move(socket))
            ->start();
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
  boost::asio::ssl::context ssl_;
  bool tls_ = false;
  unsigned short port_ = 0;
  std::thread thread_;
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::vector<recorded_request> requests_;
  std::deque<scripted_response> script_;
  scripted_response default_;
};

} // namespace osprey::test
