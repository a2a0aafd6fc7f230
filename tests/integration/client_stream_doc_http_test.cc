// Client::stream_doc over HTTP (Server-Sent Events) against a fake jina
// 3.34 HTTP gateway on raw sockets that writes the captured bytes
// (docs/streaming-protocol.md §3) and misbehaves on demand.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <list>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "integration/testing.h"
#include "jina/client.h"
#include "jina/error.h"
#include "wire/sse.h"

namespace jina {
namespace {

using Clock = std::chrono::steady_clock;
using Ms = std::chrono::milliseconds;
using json = nlohmann::json;
using ::testing::HasSubstr;
using testing::kTimingSlack;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// jina 3.34's SSE response head, as captured (sse_stream_response.http).
constexpr char kSseHead[] =
    "HTTP/1.1 200 OK\r\ndate: Mon, 07 Dec 2026 05:47:47 GMT\r\nserver: uvicorn\r\n"
    "cache-control: no-cache\r\nconnection: keep-alive\r\nx-accel-buffering: no\r\n"
    "content-type: text/event-stream; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n";

std::string chunk(const std::string& bytes) {
  char size[20];
  std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
  return size + bytes + "\r\n";
}

std::string plain_answer(const std::string& status_line, const std::string& extra_headers,
                         const std::string& body) {
  return "HTTP/1.1 " + status_line + "\r\nserver: uvicorn\r\ncontent-type: application/json\r\n" +
         extra_headers + "content-length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// The request's Document says what to do (there are no parameters over
// SSE): its text is the prefix of each item's text, its tags:
//   n (3), delay_ms (0): the items and the pause before each;
//   pad: bytes of padding in each item's text; sndbuf: SO_SNDBUF to set;
//   ping: a `: ping` comment before each item and before the end.
// Endpoints:
//   /tokens      the items, then `event: end` and the last chunk
//   /cut         the items, then the connection closes mid-body
//   /cut_clean   the items, then the last chunk without `event: end`
//   /bad_json    an update whose data is not JSON
//   /error_event an item, then `event: error`
//   /flaky       HTTP 503 for the first `flaky_failures` calls, then /tokens
//   /hang        the head, then nothing until the client closes
//   /unary       405 allow: POST (an ordinary endpoint); anything else 404
//   /replay      the captured response tests/golden/captures/streaming/
//                <tags.replay>_response.http as it is, then closes the
//                connection (tags.close) or keeps it open, as jina did
//   GET /status  jina's status JSON, or nothing at all with `status_hangs`
class FakeSseGateway {
 public:
  FakeSseGateway() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 64) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("fake SSE gateway: cannot listen");
    }
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~FakeSseGateway() {
    stopping_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    acceptor_.join();
    ::close(listen_fd_);
    std::lock_guard lock(mu_);
    for (Conn& c : conns_) ::shutdown(c.fd, SHUT_RDWR);
    for (Conn& c : conns_) {
      c.thread.join();
      ::close(c.fd);
    }
  }

  std::string uri() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::string last_request() {
    std::lock_guard lock(mu_);
    return last_request_;
  }

  std::atomic<int> connections{0};
  std::atomic<int> calls{0};    // streaming requests
  std::atomic<int> written{0};  // items fully written to the socket
  std::atomic<int> flaky_failures{0};
  std::atomic<bool> status_hangs{false};
  std::atomic<bool> saw_close{false};  // the client closed a stream's connection
  std::atomic<Clock::rep> closed_at{0};

 private:
  struct Conn {
    int fd;
    std::thread thread;
  };

  void accept_loop() {
    for (;;) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      if (stopping_) {
        ::close(fd);
        return;
      }
      ++connections;
      std::lock_guard lock(mu_);
      conns_.push_back({fd, std::thread([this, fd] { serve(fd); })});
    }
  }

  bool send_all(int fd, const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Reads one request: its head and Content-Length body. False at the end.
  bool read_request(int fd, std::string& pending, std::string& request) {
    std::size_t head_end;
    while ((head_end = pending.find("\r\n\r\n")) == std::string::npos) {
      char buf[4096];
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return false;
      pending.append(buf, static_cast<std::size_t>(n));
    }
    std::size_t length = 0;
    std::string head = pending.substr(0, head_end);
    for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (auto at = head.find("content-length:"); at != std::string::npos) {
      length = std::stoul(head.substr(at + 15));
    }
    while (pending.size() < head_end + 4 + length) {
      char buf[4096];
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) return false;
      pending.append(buf, static_cast<std::size_t>(n));
    }
    request = pending.substr(0, head_end + 4 + length);
    pending.erase(0, request.size());
    return true;
  }

  // Blocks until the client closes `fd` (or the server stops).
  void wait_for_close(int fd) {
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) > 0) {
        char c;
        if (::recv(fd, &c, 1, 0) <= 0) break;
      }
      if (stopping_) return;
    }
    closed_at = Clock::now().time_since_epoch().count();
    saw_close = true;
  }

  void serve(int fd) {
    answer(fd);
    ::shutdown(fd, SHUT_RDWR);  // closed by the destructor
  }

  void answer(int fd) {
    std::string pending, request;
    while (!stopping_ && read_request(fd, pending, request)) {
      const std::string line = request.substr(0, request.find("\r\n"));
      const std::string path =
          line.substr(line.find(' ') + 1, line.rfind(' ') - line.find(' ') - 1);
      if (path == "/status") {
        if (status_hangs) {
          wait_for_close(fd);
          return;
        }
        if (!send_all(fd, plain_answer("200 OK", "", R"({"jina":{},"envs":{}})"))) return;
        continue;
      }
      {
        std::lock_guard lock(mu_);
        last_request_ = request;
      }
      ++calls;
      if (!stream(fd, path, request.substr(request.find("\r\n\r\n") + 4))) return;
    }
  }

  // Answers one streaming request; false when the connection is to close.
  bool stream(int fd, const std::string& path, const std::string& body) {
    Document doc = Document::from_json(json::parse(body));
    const json tags = doc.tags().is_object() ? doc.tags() : json::object();
    const int n = tags.value("n", 3);
    const int delay_ms = tags.value("delay_ms", 0);
    const std::string pad(tags.value("pad", 0), '.');
    const bool ping = tags.value("ping", false);
    if (tags.contains("sndbuf")) {
      int size = tags["sndbuf"];
      ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    }
    if (path == "/unary") {
      return send_all(fd, plain_answer("405 Method Not Allowed", "allow: POST\r\n",
                                       R"({"detail":"Method Not Allowed"})"));
    }
    if (path == "/flaky" && calls <= flaky_failures) {
      return send_all(fd, plain_answer("503 Service Unavailable", "", R"({"detail":"not yet"})"));
    }
    if (path == "/replay") {
      std::ifstream in(std::string(JINA_CAPTURES_DIR) + "/streaming/" +
                           tags.value("replay", std::string()) + "_response.http",
                       std::ios::binary);
      std::stringstream bytes;
      bytes << in.rdbuf();
      if (!send_all(fd, bytes.str())) return false;
      if (tags.value("close", false)) return false;
      wait_for_close(fd);
      return false;
    }
    const bool known = path == "/tokens" || path == "/cut" || path == "/cut_clean" ||
                       path == "/bad_json" || path == "/error_event" || path == "/flaky" ||
                       path == "/hang";
    if (!known) {
      return send_all(fd, plain_answer("404 Not Found", "", R"({"detail":"Not Found"})"));
    }
    if (!send_all(fd, kSseHead)) return false;
    if (path == "/hang") {
      wait_for_close(fd);
      return false;
    }
    if (path == "/bad_json") {
      return send_all(fd, chunk(wire::sse_event("update", "{not json")));
    }
    auto item = [&](int i) {
      json j = {{"id", doc.id() + "-" + std::to_string(i)},
                {"text", doc.text() + std::to_string(i) + pad}};
      return chunk(wire::sse_event("update", j.dump(-1, ' ', true)));
    };
    const std::string ping_chunk = chunk(wire::sse_comment("ping - 2026-12-07 05:48:04.760400"));
    for (int i = 0; i < n; ++i) {
      if (delay_ms > 0) std::this_thread::sleep_for(Ms(delay_ms));
      if (ping && !send_all(fd, ping_chunk)) return false;
      if (!send_all(fd, item(i))) {
        saw_close = true;
        return false;
      }
      ++written;
    }
    if (path == "/cut") return false;  // closed without the last chunk
    if (path == "/cut_clean") return send_all(fd, "0\r\n\r\n");
    if (path == "/error_event") {
      return send_all(fd, chunk(wire::sse_event("error", "ValueError('boom')")) + "0\r\n\r\n");
    }
    if (ping && !send_all(fd, ping_chunk)) return false;
    return send_all(fd, chunk(wire::sse_event("end", "")) + "0\r\n\r\n");
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::list<Conn> conns_;
  std::string last_request_;
};

Document prompt(const std::string& text, json tags = json::object()) {
  Document d("d1");
  d.set_text(text);
  if (!tags.empty()) d.tags() = std::move(tags);
  return d;
}

std::vector<std::string> texts_of(Client& client, const std::string& endpoint, Document doc,
                                  StreamDocOptions options = {}) {
  std::vector<std::string> texts;
  client.stream_doc(
      endpoint, std::move(doc), [&](Document&& d) { texts.push_back(d.text()); }, options);
  return texts;
}

class ClientStreamDocHttpTest : public ::testing::Test {
 protected:
  FakeSseGateway gateway_;
  Client client_{gateway_.uri()};
};

TEST_F(ClientStreamDocHttpTest, ItemsArriveInOrderAsTheyAreProduced) {
  const auto start = Clock::now();
  std::vector<double> arrivals;
  std::vector<std::string> texts;
  const auto caller = std::this_thread::get_id();
  client_.stream_doc("/tokens", prompt("t", {{"n", 5}, {"delay_ms", 100}}), [&](Document&& d) {
    EXPECT_EQ(std::this_thread::get_id(), caller);
    arrivals.push_back(seconds_since(start));
    texts.push_back(d.text());
  });
  ASSERT_EQ(texts, (std::vector<std::string>{"t0", "t1", "t2", "t3", "t4"}));
  EXPECT_LT(arrivals[0], 0.35 * kTimingSlack);  // well before the last is produced (0.5 s)
  EXPECT_GE(arrivals[4], 0.45);
}

TEST_F(ClientStreamDocHttpTest, TheRequestIsWhatJinaExpects) {
  EXPECT_EQ(texts_of(client_, "/tokens", prompt("hello"), {.parameters = {{"k", "v"}}}),
            (std::vector<std::string>{"hello0", "hello1", "hello2"}));
  const std::string request = gateway_.last_request();
  const std::string head = request.substr(0, request.find("\r\n\r\n") + 4);
  const std::string body = request.substr(head.size());
  EXPECT_EQ(head.substr(0, head.find("\r\n")), "GET /tokens HTTP/1.1");
  EXPECT_THAT(head, HasSubstr("\r\nAccept: text/event-stream\r\n"));
  EXPECT_THAT(head, HasSubstr("\r\nContent-Type: application/json\r\n"));
  EXPECT_THAT(head, HasSubstr("\r\nContent-Length: " + std::to_string(body.size()) + "\r\n"));
  EXPECT_THAT(head, HasSubstr("\r\nHost: 127.0.0.1:"));
  // The Document itself, as sse_python_client_request.http (compact JSON);
  // the parameters have no place in it.
  EXPECT_EQ(json::parse(body), json::parse(R"({"id": "d1", "text": "hello"})"));

  // The endpoint's path is percent-encoded, as for POST routes.
  EXPECT_THROW(texts_of(client_, "/not here", prompt("x")), Error);
  EXPECT_EQ(gateway_.last_request().substr(0, 26), "GET /not%20here HTTP/1.1\r\n");
}

// jina 3.34's own answers (docs/streaming-protocol.md §3), byte for byte.
TEST_F(ClientStreamDocHttpTest, CapturedAnswersOfJina) {
  struct Outcome {
    std::vector<std::string> texts;
    std::optional<absl::StatusCode> code;  // none: ended normally
    std::string what;
    double seconds = 0;
  };
  auto replay = [&](const std::string& name, bool close) {
    Outcome out;
    const auto start = Clock::now();
    try {
      client_.stream_doc("/replay", prompt("x", {{"replay", name}, {"close", close}}),
                         [&](Document&& d) { out.texts.push_back(d.text()); }, {.timeout = 5});
    } catch (const Error& e) {
      out.code = e.code();
      out.what = e.what();
    }
    out.seconds = seconds_since(start);
    return out;
  };
  Outcome stream = replay("sse_stream", false);
  EXPECT_EQ(stream.texts, (std::vector<std::string>{"hello:tok0", "hello:tok1", "hello:tok2"}));
  EXPECT_FALSE(stream.code) << stream.what;
  Outcome ping = replay("sse_ping", false);
  EXPECT_EQ(ping.texts, (std::vector<std::string>{"before", "after"}));
  EXPECT_FALSE(ping.code) << ping.what;
  Outcome unicode = replay("sse_unicode", false);
  ASSERT_EQ(unicode.texts.size(), 3u);
  EXPECT_EQ(unicode.texts[0], "h\xc3\xa9llo\n\xe2\x98\x83:tok0");
  // An Executor that raised behind the gateway: its items 4 times, then a normal end.
  EXPECT_EQ(replay("sse_fail", false).texts.size(), 8u);
  // An item of the wrong type: jina closes the connection mid-body.
  Outcome wrong_type = replay("sse_wrong_type", true);
  EXPECT_EQ(wrong_type.texts, (std::vector<std::string>{"right type"}));
  EXPECT_EQ(wrong_type.code, absl::StatusCode::kUnavailable);
  EXPECT_THAT(wrong_type.what, HasSubstr("cut after 1 item"));
  // Deployment(protocol='http') writes a 500 response into the chunked
  // body and keeps the connection open: Python's client waits forever;
  // here the chunk framing breaks at once.
  Outcome deployment = replay("sse_deployment_fail", false);
  EXPECT_EQ(deployment.texts, (std::vector<std::string>{"hello:tok0", "hello:tok1"}));
  EXPECT_EQ(deployment.code, absl::StatusCode::kUnavailable);
  EXPECT_THAT(deployment.what, HasSubstr("cut after 2 items"));
  EXPECT_LT(deployment.seconds, 2.0);
  // Answers that start no stream.
  Outcome unary = replay("sse_unary_get", false);
  EXPECT_EQ(unary.code, absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(unary.what, HasSubstr("allow: POST"));
  EXPECT_EQ(replay("sse_unknown", false).code, absl::StatusCode::kNotFound);
  Outcome bad_json = replay("sse_stream_bad_json", false);
  EXPECT_EQ(bad_json.code, absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_json.what, HasSubstr("422"));
  EXPECT_THAT(bad_json.what, HasSubstr("Expecting property name"));
}

TEST_F(ClientStreamDocHttpTest, TheEndEventEndsTheStreamNormally) {
  DocStream stream = client_.stream_doc("/tokens", prompt("r", {{"n", 4}}));
  std::vector<std::string> texts;
  for (Document& d : stream) texts.push_back(d.text());
  EXPECT_EQ(texts, (std::vector<std::string>{"r0", "r1", "r2", "r3"}));
  EXPECT_EQ(stream.items(), 4u);
  EXPECT_FALSE(stream.next().has_value());  // over stays over
}

TEST_F(ClientStreamDocHttpTest, AStreamCutAfterTwoItemsIsAConnectionError) {
  for (const std::string endpoint : {"/cut", "/cut_clean"}) {
    SCOPED_TRACE(endpoint);
    gateway_.calls = 0;
    std::vector<std::string> texts;
    try {
      client_.stream_doc(endpoint, prompt("a", {{"n", 2}}),
                         [&](Document&& d) { texts.push_back(d.text()); }, {.max_attempts = 3});
      FAIL() << "expected an error, not a short stream";
    } catch (const ConnectionError& e) {
      EXPECT_EQ(e.code(), absl::StatusCode::kUnavailable);
      EXPECT_THAT(e.what(), HasSubstr("cut after 2 items"));
    }
    EXPECT_EQ(texts, (std::vector<std::string>{"a0", "a1"}));
    EXPECT_EQ(gateway_.calls.load(), 1);  // items arrived: never run again
  }
}

TEST_F(ClientStreamDocHttpTest, UnknownAndOrdinaryEndpointsGiveClearErrors) {
  try {
    texts_of(client_, "/nope", prompt("x"));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), absl::StatusCode::kNotFound);
    EXPECT_THAT(e.what(), HasSubstr("no such streaming endpoint"));
    EXPECT_THAT(e.what(), HasSubstr("404"));
  }
  try {
    texts_of(client_, "/unary", prompt("x"));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(e.what(), HasSubstr("not a streaming endpoint"));
    EXPECT_THAT(e.what(), HasSubstr("allow: POST"));
  }
}

TEST_F(ClientStreamDocHttpTest, PingCommentsAreIgnored) {
  EXPECT_EQ(texts_of(client_, "/tokens", prompt("p", {{"n", 3}, {"ping", true}})),
            (std::vector<std::string>{"p0", "p1", "p2"}));
}

TEST_F(ClientStreamDocHttpTest, ASlowConsumerHoldsTheServerBack) {
  // 400 items of 8 KiB (3.2 MiB): without backpressure the server would
  // write them all while the consumer sleeps.
  constexpr int kItems = 400;
  DocStream stream =
      client_.stream_doc("/tokens", prompt("s", {{"n", kItems}, {"pad", 8192}, {"sndbuf", 16384}}));
  ASSERT_TRUE(stream.next().has_value());
  std::this_thread::sleep_for(Ms(500));
  const int written_while_asleep = gateway_.written.load();
  std::printf("items written while the consumer slept: %d of %d (%d KiB)\n", written_while_asleep,
              kItems, written_while_asleep * 8);
  EXPECT_LT(written_while_asleep, kItems / 4);
  int taken = 1;
  while (stream.next()) ++taken;
  EXPECT_EQ(taken, kItems);
}

TEST_F(ClientStreamDocHttpTest, CancelFromAnotherThreadEndsAWaitAtOnce) {
  CancelToken token;
  std::thread canceller([token]() mutable {
    std::this_thread::sleep_for(Ms(100));
    token.cancel();
  });
  const auto start = Clock::now();
  EXPECT_THROW(client_.stream_doc("/hang", prompt("x"), [](Document&&) {}, {.cancel = token}),
               Cancelled);
  const double ended = seconds_since(start);
  canceller.join();
  EXPECT_LT(ended, 0.1 + 0.1 * kTimingSlack);
  for (int i = 0; i < 100 && !gateway_.saw_close; ++i) std::this_thread::sleep_for(Ms(5));
  ASSERT_TRUE(gateway_.saw_close.load());  // the socket was closed: the server knows
  const double closed = std::chrono::duration<double>(Clock::duration(gateway_.closed_at.load()) -
                                                      start.time_since_epoch())
                            .count();
  EXPECT_LT(closed, 0.1 + 0.1 * kTimingSlack);
}

TEST_F(ClientStreamDocHttpTest, DroppingTheStreamEarlyClosesTheConnection) {
  {
    DocStream stream = client_.stream_doc("/tokens", prompt("d", {{"n", 1000}, {"delay_ms", 5}}));
    ASSERT_TRUE(stream.next().has_value());
  }
  for (int i = 0; i < 200 && !gateway_.saw_close; ++i) std::this_thread::sleep_for(Ms(10));
  EXPECT_TRUE(gateway_.saw_close.load());
  EXPECT_LT(gateway_.written.load(), 1000);
}

TEST_F(ClientStreamDocHttpTest, AThrowingConsumerClosesTheConnectionAndPropagates) {
  EXPECT_THROW(client_.stream_doc("/tokens", prompt("x", {{"n", 1000}, {"delay_ms", 5}}),
                                  [](Document&&) { throw std::runtime_error("enough"); }),
               std::runtime_error);
  for (int i = 0; i < 200 && !gateway_.saw_close; ++i) std::this_thread::sleep_for(Ms(10));
  EXPECT_TRUE(gateway_.saw_close.load());
}

TEST_F(ClientStreamDocHttpTest, TimeoutEndsASilentStream) {
  const auto start = Clock::now();
  EXPECT_THROW(client_.stream_doc("/hang", prompt("x"), [](Document&&) {}, {.timeout = 0.3}),
               Timeout);
  EXPECT_GE(seconds_since(start), 0.29);
  EXPECT_LT(seconds_since(start), 1.5);
  for (int i = 0; i < 200 && !gateway_.saw_close; ++i) std::this_thread::sleep_for(Ms(10));
  EXPECT_TRUE(gateway_.saw_close.load());  // the server learns the client has gone
}

TEST_F(ClientStreamDocHttpTest, ItemTimeoutCountsTheFlowsSilenceNotTheConsumers) {
  // Items 400 ms apart, 0.2 s allowed between them: a Timeout before the first.
  const auto start = Clock::now();
  EXPECT_THROW(client_.stream_doc("/tokens", prompt("x", {{"n", 3}, {"delay_ms", 400}}),
                                  [](Document&&) {}, {.item_timeout = 0.2}),
               Timeout);
  EXPECT_LT(seconds_since(start), 0.39);
  // Items at once, a consumer that takes 0.3 s each: no Timeout.
  int items = 0;
  client_.stream_doc("/tokens", prompt("x", {{"n", 3}}),
                     [&](Document&&) {
                       ++items;
                       std::this_thread::sleep_for(Ms(300));
                     },
                     {.item_timeout = 0.2});
  EXPECT_EQ(items, 3);
}

TEST_F(ClientStreamDocHttpTest, RetriesOnlyBeforeTheFirstItem) {
  gateway_.flaky_failures = 2;
  EXPECT_EQ(texts_of(client_, "/flaky", prompt("f", {{"n", 2}}),
                     {.max_attempts = 3, .initial_backoff = 0.01, .max_backoff = 0.02}),
            (std::vector<std::string>{"f0", "f1"}));
  EXPECT_EQ(gateway_.calls.load(), 3);
}

TEST(ClientStreamDocHttpLimits, AnOversizedEventIsDataLoss) {
  FakeSseGateway gateway;
  ClientOptions options;
  options.max_response_bytes = 4096;
  Client client(gateway.uri(), options);
  std::vector<std::string> texts;
  try {
    client.stream_doc("/tokens", prompt("o", {{"n", 2}, {"pad", 5000}}),
                      [&](Document&& d) { texts.push_back(d.text()); });
    FAIL() << "expected DATA_LOSS";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(e.what(), HasSubstr("larger than 4096 bytes"));
    EXPECT_THAT(e.what(), HasSubstr("max_response_bytes"));
  }
  EXPECT_TRUE(texts.empty());
  // Items below the bound pass, however long the stream.
  EXPECT_EQ(texts_of(client, "/tokens", prompt("o", {{"n", 50}, {"pad", 3000}})).size(), 50u);
}

TEST_F(ClientStreamDocHttpTest, AnItemThatIsNoDocumentIsDataLoss) {
  try {
    texts_of(client_, "/bad_json", prompt("x"));
    FAIL() << "expected DATA_LOSS";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(e.what(), HasSubstr("not a JSON object"));
  }
}

TEST_F(ClientStreamDocHttpTest, AnErrorEventEndsTheStreamWithAnError) {
  std::vector<std::string> texts;
  try {
    client_.stream_doc("/error_event", prompt("e", {{"n", 1}}),
                       [&](Document&& d) { texts.push_back(d.text()); });
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), absl::StatusCode::kUnknown);
    EXPECT_THAT(e.what(), HasSubstr("ValueError('boom')"));
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"e0"}));
}

TEST_F(ClientStreamDocHttpTest, AfterACleanEndTheConnectionServesTheNextRequest) {
  EXPECT_EQ(texts_of(client_, "/tokens", prompt("k")).size(), 3u);
  (void)client_.status();  // GET /status: on the stream's connection, now idle
  EXPECT_EQ(gateway_.connections.load(), 1);
  // A stream never takes an idle connection: it has one of its own.
  EXPECT_EQ(texts_of(client_, "/tokens", prompt("k")).size(), 3u);
  EXPECT_EQ(gateway_.connections.load(), 2);
}

TEST(ClientStreamDocHttpLiveness, ASilentGatewayIsGivenUpOnAndALiveOneWaitedFor) {
  FakeSseGateway gateway;
  ClientOptions options;
  options.keepalive = 0.2;
  Client client(gateway.uri(), options);
  // /status answers: the gateway is alive, the stream waits (for its timeout).
  const auto start = Clock::now();
  EXPECT_THROW(client.stream_doc("/hang", prompt("x"), [](Document&&) {}, {.timeout = 0.8}),
               Timeout);
  EXPECT_GE(seconds_since(start), 0.79);
  // Nothing answers: UNAVAILABLE after keepalive and half as long again.
  gateway.status_hangs = true;
  const auto silent_start = Clock::now();
  try {
    client.stream_doc("/hang", prompt("x"), [](Document&&) {}, {.timeout = 5});
    FAIL() << "expected a ConnectionError";
  } catch (const ConnectionError& e) {
    EXPECT_EQ(e.code(), absl::StatusCode::kUnavailable);
    EXPECT_THAT(e.what(), HasSubstr("silent server"));
  }
  EXPECT_LT(seconds_since(silent_start), 0.3 + 0.5 * kTimingSlack);
}

TEST(ClientStreamDocHttpErrors, NoServerIsAConnectionErrorAfterTheAttempts) {
  Client client("http://127.0.0.1:" + std::to_string(testing::free_port()));
  EXPECT_THROW(client.stream_doc("/x", Document(), [](Document&&) {},
                                 {.max_attempts = 2, .initial_backoff = 0.01}),
               ConnectionError);
}

}  // namespace
}  // namespace jina
