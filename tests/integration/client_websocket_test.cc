// Behaviours of Jina's gateways that the local Flow does not show, played by
// small Beast servers: WebSocket responses out of order and without an
// echoed subprotocol, close code 1011, and an HTTP 503 that a retry cures.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "jina/client.h"
#include "jina/error.h"

namespace jina {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using ::testing::HasSubstr;

// Serves one connection at a time on a loopback port with `handle`, until
// destroyed.
class FakeServer {
 public:
  explicit FakeServer(std::function<void(tcp::socket&)> handle)
      : acceptor_(context_, {asio::ip::make_address("127.0.0.1"), 0}), handle_(std::move(handle)) {
    thread_ = std::thread([this] {
      while (true) {
        tcp::socket socket(context_);
        beast::error_code error;
        acceptor_.accept(socket, error);
        if (error || stopping_) return;
        try {
          handle_(socket);
        } catch (const std::exception&) {
          // The client went away: next connection.
        }
      }
    });
  }
  ~FakeServer() {
    stopping_ = true;
    // Wake accept() with one last connection.
    tcp::socket poke(context_);
    beast::error_code ignored;
    poke.connect({asio::ip::make_address("127.0.0.1"), port()}, ignored);
    thread_.join();
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }

 private:
  asio::io_context context_;
  tcp::acceptor acceptor_;
  std::function<void(tcp::socket&)> handle_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// Reads requests until the end-of-input byte, then answers them in reverse
// order; accepts without echoing the "bytes" subprotocol, as Jina does.
void reverse_echo(tcp::socket& socket) {
  websocket::stream<tcp::socket&> ws(socket);
  ws.accept();
  ws.binary(true);
  std::vector<std::string> requests;
  while (true) {
    beast::flat_buffer buffer;
    ws.read(buffer);
    std::string frame = beast::buffers_to_string(buffer.data());
    if (frame == std::string(1, '\0')) break;
    requests.push_back(frame);
  }
  for (auto it = requests.rbegin(); it != requests.rend(); ++it) ws.write(asio::buffer(*it));
  ws.close(websocket::close_code::normal);
}

TEST(ClientWebsocketTest, OutOfOrderResponsesAreMatchedById) {
  FakeServer server(reverse_echo);
  Client client("ws://127.0.0.1:" + std::to_string(server.port()));
  DocumentArray docs;
  for (int i = 0; i < 5; ++i) docs.push_back(Document().set_text("t" + std::to_string(i)));
  // prefetch 0: all requests go out before the server answers any.
  DocumentArray out =
      client.post("/", docs, {.request_size = 1, .prefetch = 0, .results_in_order = true});
  ASSERT_EQ(out.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(out[i].text(), "t" + std::to_string(i));
}

TEST(ClientWebsocketTest, Close1011IsAConnectionErrorWithTheReason) {
  FakeServer server([](tcp::socket& socket) {
    websocket::stream<tcp::socket&> ws(socket);
    ws.accept();
    beast::flat_buffer buffer;
    ws.read(buffer);
    ws.close({websocket::close_code::internal_error, "Communication error with deployment upper"});
  });
  Client client("ws://127.0.0.1:" + std::to_string(server.port()));
  try {
    client.post("/", Document().set_text("x"));
    FAIL() << "expected ConnectionError";
  } catch (const ConnectionError& e) {
    EXPECT_THAT(e.what(), HasSubstr("1011"));
    EXPECT_THAT(e.what(), HasSubstr("Communication error with deployment upper"));
  }
}

TEST(ClientWebsocketTest, SilentServerTimesOutAndCancels) {
  FakeServer server([](tcp::socket& socket) {
    websocket::stream<tcp::socket&> ws(socket);
    ws.accept();
    beast::flat_buffer buffer;
    while (true) ws.read(buffer);  // never answers
  });
  Client client("ws://127.0.0.1:" + std::to_string(server.port()));
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(client.post("/", Document().set_text("x"), {.timeout = 0.3}), Timeout);
  CancelToken token;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    token.cancel();
  });
  EXPECT_THROW(client.post("/", Document().set_text("x"), {.cancel = token}), Cancelled);
  canceller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

// Answers 503 to the first POST, then echoes the docs back as a v2 gateway.
class FlakyHttp {
 public:
  void operator()(tcp::socket& socket) {
    beast::flat_buffer buffer;
    while (true) {
      http::request<http::string_body> request;
      http::read(socket, buffer, request);
      http::response<http::string_body> response;
      response.version(11);
      response.keep_alive(true);
      response.set(http::field::content_type, "application/json");
      if (request.target() == "/openapi.json") {
        response.result(http::status::ok);
        response.body() = R"({"paths":{"/default":{"post":{}}}})";
      } else if (posts_++ == 0) {
        response.result(http::status::service_unavailable);
        response.body() = "busy";
      } else {
        auto body = nlohmann::json::parse(request.body());
        response.result(http::status::ok);
        response.body() = nlohmann::json{{"data", body["data"]},
                                         {"parameters", body["parameters"]},
                                         {"header", {{"requestId", "ignored"}}}}
                              .dump();
      }
      response.prepare_payload();
      http::write(socket, response);
    }
  }
  int posts() const { return posts_; }

 private:
  std::atomic<int> posts_{0};
};

TEST(ClientHttpRetryTest, A503IsRetried) {
  FlakyHttp flaky;
  FakeServer server(std::ref(flaky));
  Client client("http://127.0.0.1:" + std::to_string(server.port()),
                {.doc_format = DocFormat::kV2});
  DocumentArray out = client.post("/", Document().set_id("a").set_text("x"),
                                  {.max_attempts = 2, .initial_backoff = 0.01});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id(), "a");
  EXPECT_EQ(flaky.posts(), 2);
}

TEST(ClientHttpRetryTest, A503WithoutRetriesIsAConnectionError) {
  FlakyHttp flaky;
  FakeServer server(std::ref(flaky));
  Client client("http://127.0.0.1:" + std::to_string(server.port()),
                {.doc_format = DocFormat::kV2});
  try {
    client.post("/", Document().set_text("x"));
    FAIL() << "expected ConnectionError";
  } catch (const ConnectionError& e) {
    EXPECT_THAT(e.what(), HasSubstr("HTTP 503"));
  }
}

}  // namespace
}  // namespace jina
