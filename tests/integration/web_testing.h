// Helpers for the local Flow's HTTP and WebSocket tests: blocking Beast
// clients (plain or TLS) with deadlines, so that the tests speak the wire
// protocol themselves rather than through the library's Client.
#ifndef JINA_TESTS_INTEGRATION_WEB_TESTING_H_
#define JINA_TESTS_INTEGRATION_WEB_TESTING_H_

// clang-format off
#include <utility>  // first: Boost 1.74's asio/awaitable.hpp needs std::exchange
// clang-format on
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace jina::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

inline constexpr std::chrono::seconds kIoDeadline{20};

struct HttpReply {
  int status = 0;
  std::string body;
  http::fields headers;
  nlohmann::json json() const { return nlohmann::json::parse(body); }
};

inline http::request<http::string_body> make_request(http::verb method, const std::string& target,
                                                     const std::string& body = "") {
  http::request<http::string_body> request(method, target, 11);
  request.set(http::field::host, "127.0.0.1");
  if (!body.empty() || method != http::verb::get) {
    request.set(http::field::content_type, "application/json");
    request.body() = body;
  }
  request.prepare_payload();
  return request;
}

// A keep-alive connection to a local Flow.
class HttpConnection {
 public:
  explicit HttpConnection(int port) : stream_(ioc_) {
    stream_.expires_after(kIoDeadline);
    stream_.connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  }

  void send(const http::request<http::string_body>& request) {
    stream_.expires_after(kIoDeadline);
    http::write(stream_, request);
  }
  // Writes raw bytes: several requests at once, for pipelining.
  void send_raw(const std::string& bytes) {
    stream_.expires_after(kIoDeadline);
    asio::write(stream_, asio::buffer(bytes));
  }
  HttpReply receive() {
    stream_.expires_after(kIoDeadline);
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::size_t{1} << 30);
    http::read(stream_, buffer_, parser);
    HttpReply reply;
    reply.status = static_cast<int>(parser.get().result_int());
    reply.body = parser.get().body();
    reply.headers = parser.get().base();
    return reply;
  }
  HttpReply call(http::verb method, const std::string& target, const std::string& body = "") {
    send(make_request(method, target, body));
    return receive();
  }

 private:
  asio::io_context ioc_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

inline HttpReply http_get(int port, const std::string& target) {
  return HttpConnection(port).call(http::verb::get, target);
}
inline HttpReply http_post(int port, const std::string& target, const std::string& body) {
  return HttpConnection(port).call(http::verb::post, target, body);
}

// A blocking WebSocket client over plain TCP.
class WsClient {
 public:
  // Connects to `path` offering the "bytes" subprotocol, as Jina's client.
  WsClient(int port, const std::string& path) : ws_(ioc_) {
    beast::get_lowest_layer(ws_).expires_after(kIoDeadline);
    beast::get_lowest_layer(ws_).connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
    ws_.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
      request.set(http::field::sec_websocket_protocol, "bytes");
    }));
    ws_.handshake(handshake_reply_, "127.0.0.1", path);
    ws_.binary(true);
  }

  const websocket::response_type& handshake_reply() const { return handshake_reply_; }

  void send(const std::string& bytes) {
    beast::get_lowest_layer(ws_).expires_after(kIoDeadline);
    ws_.write(asio::buffer(bytes));
  }
  // The next message, or nullopt once the server closed (see close_reason()).
  std::optional<std::string> receive() {
    beast::get_lowest_layer(ws_).expires_after(kIoDeadline);
    beast::flat_buffer buffer;
    beast::error_code ec;
    ws_.read(buffer, ec);
    if (ec == websocket::error::closed) return std::nullopt;
    if (ec) throw beast::system_error(ec);
    return beast::buffers_to_string(buffer.data());
  }
  websocket::close_reason close_reason() const { return ws_.reason(); }

 private:
  asio::io_context ioc_;
  websocket::stream<beast::tcp_stream> ws_;
  websocket::response_type handshake_reply_;
};

// A self-signed certificate for 127.0.0.1/localhost, made with the openssl
// command once per test binary; it is its own CA.
class SelfSignedCertificate {
 public:
  SelfSignedCertificate() {
    dir_ = std::filesystem::temp_directory_path() / ("jina-web-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    const std::string command =
        "cd '" + dir_.string() +
        "' && openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost "
        "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout key.pem -out cert.pem "
        ">/dev/null 2>&1";
    if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl failed");
  }
  ~SelfSignedCertificate() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string cert() const { return (dir_ / "cert.pem").string(); }
  std::string key() const { return (dir_ / "key.pem").string(); }

 private:
  std::filesystem::path dir_;
};

}  // namespace jina::testing

#endif  // JINA_TESTS_INTEGRATION_WEB_TESTING_H_
