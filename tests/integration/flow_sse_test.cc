// Streaming endpoints of the local Flow over HTTP (Server-Sent Events, GET
// /<endpoint>), as jina 3.34's HTTP gateway serves them: the library's own
// Client::stream_doc against the Flow (items, errors, cancel, a slow reader,
// concurrency), and raw Beast requests for the bytes: the head, one chunk
// per event, pings, 404/405/422, checked against the captures of a live
// jina 3.34 gateway.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "integration/flow_testing.h"
#include "integration/testing.h"
#include "integration/tls_testing.h"
#include "integration/web_testing.h"
#include "jina/client.h"
#include "jina/error.h"
#include "jina/flow.h"
#include "wire/sse.h"

namespace {

using ::jina::ClientOptions;
using ::jina::DocEmitter;
using ::jina::DocStream;
using ::jina::Document;
using ::jina::Flow;
using ::jina::FlowOptions;
using ::jina::Protocol;
using ::jina::StreamRequest;
using ::jina::testing::kTimingSlack;
using ::jina::testing::local;
using ::jina::testing::read_capture;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
      .count();
}

// The captures' StreamExec, plus endpoints for timing, cancel, backpressure
// and pings.
class SseExec : public jina::Executor {
 public:
  SseExec() {
    on_stream("/stream", [](const Document& in, DocEmitter& out) {
      for (int i = 0; i < 3; ++i) {
        out.emit(Document(in.id() + "-" + std::to_string(i))
                     .set_text(in.text() + ":tok" + std::to_string(i)));
      }
    });
    on_stream("/params", [](StreamRequest& req, DocEmitter& out) {
      out.emit(Document(req.doc.id() + "-0").set_text(req.parameters.dump()));
    });
    on_stream("/fail", [this](const Document& in, DocEmitter& out) {
      ++fail_calls;
      out.emit(Document(in.id() + "-0"));
      out.emit(Document(in.id() + "-1"));
      throw ValueError("intentional failure after 2 items");
    });
    on_stream("/fail_first", [this](const Document&, DocEmitter&) {
      ++fail_calls;
      throw ValueError("intentional failure before the first item");
    });
    on_stream("/slow", [](const Document& in, DocEmitter& out) {
      for (int i = 0; i < 5; ++i) {
        std::this_thread::sleep_for(milliseconds(100));
        Document d(in.id() + "-" + std::to_string(i));
        d.tags()["produced_us"] = static_cast<double>(now_us());
        if (!out.emit(std::move(d))) return;
      }
    });
    // Up to tags.n items of tags.size bytes of text, as fast as emit() takes them.
    on_stream("/fast", [this](const Document& in, DocEmitter& out) {
      const int n = in.tags().value("n", 100000);
      const std::string text(static_cast<std::size_t>(in.tags().value("size", 0)), 'x');
      for (int i = 0; i < n; ++i) {
        if (!out.emit(Document(std::to_string(i)).set_text(text))) break;
        ++emitted;
      }
    });
    // One item, then waits for the client to go.
    on_stream("/wait_cancel", [this](const Document& in, DocEmitter& out) {
      out.emit(Document(in.id() + "-0"));
      const auto give_up = Clock::now() + std::chrono::seconds(20);
      while (!out.cancelled() && Clock::now() < give_up)
        std::this_thread::sleep_for(milliseconds(2));
      if (out.cancelled()) saw_cancel_at_us = now_us();
      refused_after_cancel = !out.emit(Document("after-cancel"));
    });
    // One item, silence for tags.silent_ms, one item.
    on_stream("/quiet", [](const Document& in, DocEmitter& out) {
      out.emit(Document(in.id() + "-0"));
      std::this_thread::sleep_for(milliseconds(in.tags().value("silent_ms", 350)));
      out.emit(Document(in.id() + "-1"));
    });
    on("/unary", [](jina::ExecutorRequest&) {});
  }

  std::atomic<int> fail_calls{0};
  std::atomic<int> emitted{0};
  std::atomic<std::int64_t> saw_cancel_at_us{0};
  std::atomic<bool> refused_after_cancel{false};
};

Document doc(const std::string& id, const std::string& text = "", nlohmann::json tags = nullptr) {
  Document d(id);
  d.set_text(text);
  if (!tags.is_null()) d.tags() = std::move(tags);
  return d;
}

// The body of a chunked response, without its framing; `complete` says
// whether the last chunk came.
struct Dechunked {
  std::string body;
  std::vector<std::size_t> chunk_sizes;
  bool complete = false;
};
Dechunked dechunk(std::string_view framed) {
  Dechunked out;
  while (!framed.empty()) {
    const std::size_t line_end = framed.find("\r\n");
    if (line_end == std::string_view::npos) break;
    const std::size_t size = std::stoul(std::string(framed.substr(0, line_end)), nullptr, 16);
    framed.remove_prefix(line_end + 2);
    if (size == 0) {
      out.complete = framed == "\r\n";
      break;
    }
    if (framed.size() < size + 2) break;
    out.body.append(framed.substr(0, size));
    out.chunk_sizes.push_back(size);
    framed.remove_prefix(size + 2);
  }
  return out;
}

std::vector<jina::wire::SseEvent> events_of(const std::string& body) {
  jina::wire::SseParser parser(1 << 20);
  std::vector<jina::wire::SseEvent> events;
  std::string_view input(body);
  for (;;) {
    auto event = parser.next(input);
    if (!event.ok() || !event->has_value()) break;
    events.push_back(**event);
  }
  return events;
}

// A raw HTTP exchange on a socket of its own: the request bytes as given,
// then everything the Flow writes until the response's last chunk, the
// connection's end or the deadline, with when each read arrived.
class RawHttp {
 public:
  explicit RawHttp(int port) : stream_(ioc_) {
    stream_.expires_after(std::chrono::seconds(20));
    stream_.connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  }

  void send(const std::string& bytes) {
    stream_.expires_after(std::chrono::seconds(20));
    asio::write(stream_, asio::buffer(bytes));
  }

  // Reads until `done(bytes so far)` or the connection ends.
  template <class Done>
  void read_until(Done done) {
    char buffer[65536];
    while (!done(received)) {
      beast::error_code ec;
      stream_.expires_after(std::chrono::seconds(20));
      const std::size_t n = stream_.read_some(asio::buffer(buffer), ec);
      if (ec) {
        closed = true;
        return;
      }
      received.append(buffer, n);
      reads.push_back({now_us(), received.size()});
    }
  }
  void read_response() {
    read_until([](const std::string& bytes) {
      const std::size_t head_end = bytes.find("\r\n\r\n");
      if (head_end == std::string::npos) return false;
      std::string head = bytes.substr(0, head_end + 2);
      for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (head.find("transfer-encoding: chunked") == std::string::npos) {  // a plain answer
        const std::size_t at = head.find("content-length: ");
        if (at == std::string::npos) return false;
        return bytes.size() >= head_end + 4 + std::stoul(head.substr(at + 16));
      }
      return bytes.size() >= 5 && bytes.compare(bytes.size() - 5, 5, "0\r\n\r\n") == 0;
    });
  }

  std::string head() const { return received.substr(0, received.find("\r\n\r\n") + 4); }
  std::string framed_body() const { return received.substr(received.find("\r\n\r\n") + 4); }
  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  std::string received;
  std::vector<std::pair<std::int64_t, std::size_t>> reads;  // when, bytes in all
  bool closed = false;

 private:
  asio::io_context ioc_;
  beast::tcp_stream stream_;
};

std::string get_request(const std::string& target, const std::string& body) {
  return "GET " + target +
         " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n"
         "Content-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

// The header lines of a head, without the status line and `date`/`server`
// (they vary, and the C++ Flow sends no `server`).
std::vector<std::string> header_lines(const std::string& head) {
  std::vector<std::string> lines;
  std::size_t at = head.find("\r\n") + 2;
  while (at < head.size()) {
    const std::size_t end = head.find("\r\n", at);
    if (end == at || end == std::string::npos) break;
    std::string line = head.substr(at, end - at);
    if (!line.starts_with("date: ") && !line.starts_with("server: ")) lines.push_back(line);
    at = end + 2;
  }
  return lines;
}

class FlowSseTest : public ::testing::Test {
 protected:
  void SetUp() override { start({}); }

  void start(FlowOptions options) {
    if (flow_) flow_->stop();
    exec_ = std::make_shared<SseExec>();
    options.workers = 2;
    options.sse_ping_interval = ping_interval_;
    flow_ = std::make_unique<Flow>(local(Protocol::kHttp, std::move(options)));
    flow_->add(exec_, {.name = "sse"});
    flow_->start();
    client_ = std::make_unique<jina::Client>("http://127.0.0.1:" + std::to_string(flow_->port()));
  }

  std::vector<Document> items(const std::string& endpoint, Document in,
                              const jina::StreamDocOptions& options = {}) {
    std::vector<Document> out;
    client_->stream_doc(
        endpoint, std::move(in), [&](Document&& d) { out.push_back(std::move(d)); }, options);
    return out;
  }

  // The captured request of `name` replayed against the Flow: its response
  // must be jina's, byte for byte after the head, and the head's lines the
  // same but for date and server.
  void expect_capture_replayed(const std::string& name) {
    SCOPED_TRACE(name);
    RawHttp raw(flow_->port());
    raw.send(read_capture("streaming/" + name + "_request.http"));
    raw.read_response();
    const std::string jina = read_capture("streaming/" + name + "_response.http");
    const std::string jina_head = jina.substr(0, jina.find("\r\n\r\n") + 4);
    EXPECT_THAT(raw.head(), StartsWith("HTTP/1.1 200 OK\r\n"));
    EXPECT_EQ(header_lines(raw.head()), header_lines(jina_head));
    EXPECT_EQ(raw.framed_body(), jina.substr(jina_head.size()));
  }

  // How a stream_doc call to `endpoint` fails (OK if it does not).
  absl::Status failure(const std::string& endpoint, const jina::StreamDocOptions& options = {}) {
    try {
      items(endpoint, doc("d1"), options);
    } catch (const jina::Error& e) {
      return absl::Status(e.code(), e.what());
    }
    return absl::OkStatus();
  }

  // /wait_cancel's method must see `what` (at `since_us`) soon.
  void expect_method_sees_cancel(std::int64_t since_us, const char* what) {
    const auto give_up = Clock::now() + std::chrono::seconds(5);
    while (exec_->saw_cancel_at_us.load() == 0 && Clock::now() < give_up)
      std::this_thread::sleep_for(milliseconds(1));
    ASSERT_NE(exec_->saw_cancel_at_us.load(), 0) << "the method never saw " << what;
    const double after_ms = (exec_->saw_cancel_at_us.load() - since_us) / 1000.0;
    std::printf("the method saw %s %.2f ms after it\n", what, after_ms);
    EXPECT_LT(after_ms, 200 * kTimingSlack);
  }

  milliseconds ping_interval_{15000};
  std::shared_ptr<SseExec> exec_;
  std::unique_ptr<Flow> flow_;
  std::unique_ptr<jina::Client> client_;
};

// --- the library's Client -----------------------------------------------------

TEST_F(FlowSseTest, ClientGetsTheItemsInOrder) {
  std::vector<Document> got = items("/stream", doc("d1", "hello"));
  ASSERT_EQ(got.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(got[i].id(), "d1-" + std::to_string(i));
    EXPECT_EQ(got[i].text(), "hello:tok" + std::to_string(i));
  }
  // The connection went back to the client's pool: the next call works too.
  EXPECT_EQ(items("/stream", doc("d2", "again")).size(), 3u);
}

TEST_F(FlowSseTest, ParametersAreNotSentOverHttp) {
  std::vector<Document> got = items("/params", doc("d1"), {.parameters = {{"k", "v"}}});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].text(), "{}");
}

TEST_F(FlowSseTest, ExecutorErrorAfterItemsIsBadServerAfterThem) {
  std::vector<std::string> ids;
  try {
    client_->stream_doc("/fail", doc("d1"), [&](Document&& d) { ids.push_back(d.id()); });
    FAIL() << "expected BadServer";
  } catch (const jina::BadServer& e) {
    EXPECT_THAT(e.what(), HasSubstr("intentional failure after 2 items"));
  }
  EXPECT_THAT(ids, ElementsAre("d1-0", "d1-1"));
  EXPECT_EQ(exec_->fail_calls.load(), 1);  // never run again
}

TEST_F(FlowSseTest, ExecutorErrorBeforeTheFirstItemIsNotRetried) {
  EXPECT_THROW(items("/fail_first", doc("d1")), jina::BadServer);
  EXPECT_EQ(exec_->fail_calls.load(), 1);
}

TEST_F(FlowSseTest, UnknownEndpointIsNotFound) {
  EXPECT_EQ(failure("/nope").code(), absl::StatusCode::kNotFound);
}

TEST_F(FlowSseTest, OrdinaryEndpointIsNotAStream) {
  absl::Status refused = failure("/unary");
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("allow: POST"));
}

TEST_F(FlowSseTest, ClientCancelTellsTheMethod) {
  std::optional<DocStream> stream = client_->stream_doc("/wait_cancel", doc("c"));
  ASSERT_TRUE(stream->next().has_value());
  const std::int64_t cancelled_us = now_us();
  stream.reset();  // the consumer stops early: the call is cancelled
  expect_method_sees_cancel(cancelled_us, "the client's cancel");
  // Its next emit() says false.
  const auto give_up = Clock::now() + std::chrono::seconds(5);
  while (!exec_->refused_after_cancel.load() && Clock::now() < give_up)
    std::this_thread::sleep_for(milliseconds(1));
  EXPECT_TRUE(exec_->refused_after_cancel.load());
}

// A client that reads one item per 100 ms: the method must not run ahead
// further and further (emit() blocks once the Flow's queue and the sockets'
// buffers are full).
TEST_F(FlowSseTest, SlowReaderHoldsBackTheMethod) {
  constexpr int kItemBytes = 16 << 10;
  DocStream stream = client_->stream_doc("/fast", doc("s", "", {{"size", kItemBytes}}));
  std::vector<int> ahead;
  for (int read = 1; read <= 15; ++read) {
    ASSERT_TRUE(stream.next().has_value());
    std::this_thread::sleep_for(milliseconds(100));
    ahead.push_back(exec_->emitted.load() - read);
  }
  stream.cancel();
  std::printf("%d-byte items, a reader at 10/s: the method was ahead by", kItemBytes);
  for (int a : ahead) std::printf(" %d", a);
  std::printf(" items\n");
  // What is ahead sits in the Flow's queue (at most 5) and in the kernel's
  // socket buffers (a few MiB on loopback); it stops growing once they are
  // full (within the first second).
  EXPECT_LE(*std::max_element(ahead.begin(), ahead.end()) * kItemBytes, 16 << 20);
  EXPECT_LE(ahead.back() - ahead[9], 1);
}

TEST_F(FlowSseTest, ManyStreamsRunSideBySide) {
  constexpr int kStreams = 24;
  const auto start = Clock::now();
  std::vector<std::future<std::vector<Document>>> calls;
  for (int i = 0; i < kStreams; ++i) {
    calls.push_back(std::async(std::launch::async, [this, i] {
      jina::Client client("http://127.0.0.1:" + std::to_string(flow_->port()));
      std::vector<Document> out;
      client.stream_doc("/slow", doc("s" + std::to_string(i)),
                        [&](Document&& d) { out.push_back(std::move(d)); });
      return out;
    }));
  }
  for (int i = 0; i < kStreams; ++i) {
    std::vector<Document> got = calls[i].get();
    ASSERT_EQ(got.size(), 5u);
    for (int k = 0; k < 5; ++k)
      EXPECT_EQ(got[k].id(), "s" + std::to_string(i) + "-" + std::to_string(k));
  }
  // Each takes 500 ms; one after the other would be 12 s.
  EXPECT_LT(Clock::now() - start, milliseconds(static_cast<int>(2500 * kTimingSlack)));
}

TEST_F(FlowSseTest, CallsOverTheLimitAreRefused) {
  start({.max_stream_calls = 1});
  DocStream first = client_->stream_doc("/wait_cancel", doc("a"));
  ASSERT_TRUE(first.next().has_value());
  absl::Status refused = failure("/stream", {.max_attempts = 1});
  EXPECT_EQ(refused.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(refused.message(), HasSubstr("max_stream_calls"));
  first.cancel();
}

TEST_F(FlowSseTest, StopEndsOpenStreams) {
  start({.shutdown_grace = milliseconds(100)});
  DocStream stream = client_->stream_doc("/wait_cancel", doc("a"));
  ASSERT_TRUE(stream.next().has_value());
  const auto before = Clock::now();
  flow_->stop();
  EXPECT_LT(Clock::now() - before, milliseconds(static_cast<int>(3000 * kTimingSlack)));
  EXPECT_NE(exec_->saw_cancel_at_us.load(), 0);
  EXPECT_THROW(stream.next(), jina::Error);  // cut, not a clean end
}

// --- the bytes ------------------------------------------------------------------

TEST_F(FlowSseTest, AnswersJinasCapturedRequestsAsJinaDid) {
  expect_capture_replayed("sse_stream");
  expect_capture_replayed("sse_unicode");
  expect_capture_replayed("sse_unicode_utf8");
  expect_capture_replayed("sse_stream_query");
  expect_capture_replayed("sse_stream_no_accept");
  expect_capture_replayed("sse_params");
}

TEST_F(FlowSseTest, HeadAndOneChunkPerEvent) {
  RawHttp raw(flow_->port());
  raw.send(get_request("/stream", R"({"id":"d1","text":"hello"})"));
  raw.read_response();
  http::response_parser<http::empty_body> head;
  beast::error_code ec;
  head.eager(false);
  head.put(asio::buffer(raw.head()), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(head.get().result_int(), 200u);
  EXPECT_EQ(head.get()["content-type"], "text/event-stream; charset=utf-8");
  EXPECT_EQ(head.get()["cache-control"], "no-cache");
  EXPECT_EQ(head.get()["x-accel-buffering"], "no");
  EXPECT_EQ(head.get()["connection"], "keep-alive");
  EXPECT_EQ(head.get()["Transfer-Encoding"], "chunked");
  EXPECT_FALSE(head.get()["date"].empty());
  EXPECT_EQ(head.get().count("content-length"), 0u);

  Dechunked body = dechunk(raw.framed_body());
  EXPECT_TRUE(body.complete);
  std::vector<jina::wire::SseEvent> events = events_of(body.body);
  ASSERT_EQ(events.size(), 4u);
  ASSERT_EQ(body.chunk_sizes.size(), events.size());  // one chunk per event
  EXPECT_EQ(events[0], (jina::wire::SseEvent{"update", R"({"id": "d1-0", "text": "hello:tok0"})"}));
  EXPECT_EQ(events[3], (jina::wire::SseEvent{"end", ""}));
  EXPECT_EQ(body.chunk_sizes.front(), 0x3du);
  EXPECT_EQ(body.chunk_sizes.back(), 0xeu);

  // Keep-alive: the connection serves the next request.
  raw.received.clear();
  raw.send("GET /status HTTP/1.1\r\nHost: localhost\r\n\r\n");
  raw.read_response();
  EXPECT_THAT(raw.received, StartsWith("HTTP/1.1 200 OK"));
}

TEST_F(FlowSseTest, ItemsAreFlushedAsProduced) {
  RawHttp raw(flow_->port());
  const std::int64_t sent_us = now_us();
  raw.send(get_request("/slow", R"({"id":"t"})"));
  raw.read_response();
  // The head comes before the first item (100 ms later).
  ASSERT_FALSE(raw.reads.empty());
  EXPECT_LT(raw.reads.front().first - sent_us, 80000 * static_cast<std::int64_t>(kTimingSlack));
  // Each item arrives in a read of its own, soon after its production.
  std::vector<jina::wire::SseEvent> events = events_of(dechunk(raw.framed_body()).body);
  ASSERT_EQ(events.size(), 6u);
  std::size_t seen = 0;
  for (int i = 0; i < 5; ++i) {
    const Document item = Document::from_json(nlohmann::json::parse(events[i].data));
    const auto produced_us = static_cast<std::int64_t>(item.tags()["produced_us"].get<double>());
    const std::string marker = "\"t-" + std::to_string(i) + "\"";
    const std::size_t at = raw.received.find(marker, seen);
    ASSERT_NE(at, std::string::npos);
    seen = at;
    auto read = std::find_if(raw.reads.begin(), raw.reads.end(),
                             [&](const auto& r) { return r.second > at; });
    ASSERT_NE(read, raw.reads.end());
    const double late_ms = (read->first - produced_us) / 1000.0;
    std::printf("item %d arrived %.2f ms after its emit()\n", i, late_ms);
    EXPECT_LT(late_ms, 50 * kTimingSlack);
  }
}

TEST_F(FlowSseTest, PingsWhileTheMethodIsSilent) {
  ping_interval_ = milliseconds(100);
  start({});
  RawHttp raw(flow_->port());
  raw.send(get_request("/quiet", R"({"id":"q","tags":{"silent_ms":450}})"));
  raw.read_response();
  Dechunked body = dechunk(raw.framed_body());
  EXPECT_TRUE(body.complete);
  // Comments are no events: the two items and the end.
  std::vector<jina::wire::SseEvent> events = events_of(body.body);
  ASSERT_EQ(events.size(), 3u);
  // jina's comment, in a chunk of its own: ": ping - 2026-12-07 05:43:48.797217\r\n\r\n".
  int pings = 0;
  std::size_t at = 0;
  while ((at = body.body.find(": ping - ", at)) != std::string::npos) {
    ++pings;
    const std::size_t end = body.body.find("\r\n\r\n", at);
    ASSERT_NE(end, std::string::npos);
    EXPECT_EQ(end - at, std::string(": ping - 2026-12-07 05:43:48.797217").size());
    at = end;
  }
  std::printf("%d pings in 450 ms of silence, every 100 ms\n", pings);
  EXPECT_GE(pings, 3);
  EXPECT_LE(pings, 6);
  EXPECT_EQ(std::count(body.chunk_sizes.begin(), body.chunk_sizes.end(), 0x27u), pings);

  // The library's client skips them.
  std::vector<Document> got = items("/quiet", doc("q", "", {{"silent_ms", 300}}));
  EXPECT_EQ(got.size(), 2u);
}

TEST_F(FlowSseTest, ExecutorErrorIsAnErrorEventThenACutStream) {
  RawHttp raw(flow_->port());
  raw.send(get_request("/fail", R"({"id":"d1"})"));
  raw.read_until([](const std::string&) { return false; });  // to the connection's end
  EXPECT_TRUE(raw.closed);
  EXPECT_THAT(raw.head(), StartsWith("HTTP/1.1 200 OK\r\n"));
  Dechunked body = dechunk(raw.framed_body());
  EXPECT_FALSE(body.complete);  // no last chunk: jina's Python client fails too
  std::vector<jina::wire::SseEvent> events = events_of(body.body);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].type, "update");
  EXPECT_EQ(events[1].type, "update");
  EXPECT_EQ(events[2].type, "error");
  nlohmann::json status = nlohmann::json::parse(events[2].data);
  EXPECT_EQ(status["code"], 1);
  EXPECT_EQ(status["description"], "ValueError('intentional failure after 2 items')");
  EXPECT_EQ(status["exception"]["name"], "ValueError");
}

TEST_F(FlowSseTest, RefusalsAreJinas) {
  {
    RawHttp raw(flow_->port());
    raw.send(
        "POST /stream HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        "Content-Length: 11\r\n\r\n{\"id\":\"d1\"}");
    raw.read_response();
    EXPECT_THAT(raw.received, StartsWith("HTTP/1.1 405 Method Not Allowed\r\n"));
    EXPECT_THAT(raw.head(), HasSubstr("\r\nAllow: GET\r\n"));
    EXPECT_THAT(raw.received, HasSubstr(R"({"detail":"Method Not Allowed"})"));
  }
  {
    RawHttp raw(flow_->port());
    raw.send(get_request("/unary", R"({"id":"d1"})"));
    raw.read_response();
    EXPECT_THAT(raw.received, StartsWith("HTTP/1.1 405 Method Not Allowed\r\n"));
    EXPECT_THAT(raw.head(), HasSubstr("\r\nAllow: POST\r\n"));
  }
  {
    RawHttp raw(flow_->port());
    raw.send(get_request("/nope", R"({"id":"d1"})"));
    raw.read_response();
    EXPECT_THAT(raw.received, StartsWith("HTTP/1.1 404 Not Found\r\n"));
    EXPECT_THAT(raw.received, HasSubstr(R"({"detail":"Not Found"})"));
  }
  for (const std::string& body : {std::string("{not json"), std::string("[1, 2]")}) {
    SCOPED_TRACE(body);
    RawHttp raw(flow_->port());
    raw.send(get_request("/stream", body));
    raw.read_response();
    EXPECT_THAT(raw.received, StartsWith("HTTP/1.1 422 Unprocessable Entity\r\n"));
    EXPECT_THAT(raw.received, HasSubstr(R"({"detail":[{"loc":["body")"));
  }
}

TEST_F(FlowSseTest, OpenApiListsStreamingEndpointsAsGet) {
  nlohmann::json openapi = jina::testing::http_get(flow_->port(), "/openapi.json").json();
  EXPECT_TRUE(openapi["paths"]["/stream"].contains("get"));
  EXPECT_FALSE(openapi["paths"]["/stream"].contains("post"));
  EXPECT_TRUE(openapi["paths"]["/unary"].contains("post"));
  EXPECT_FALSE(openapi["paths"]["/unary"].contains("get"));
}

TEST_F(FlowSseTest, DisconnectTellsTheMethod) {
  RawHttp raw(flow_->port());
  raw.send(get_request("/wait_cancel", R"({"id":"c"})"));
  raw.read_until([](const std::string& bytes) { return bytes.find("c-0") != std::string::npos; });
  const std::int64_t closed_us = now_us();
  raw.close();
  expect_method_sees_cancel(closed_us, "the disconnect");
}

TEST(FlowSseTlsTest, StreamsOverHttps) {
  jina::testing::CertificateDir certs("jina-sse-tls");
  std::ofstream(certs.path("san.cnf")) << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
  certs.run(
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=jina-test-ca "
      "-keyout ca.key -out ca.pem");
  certs.run(
      "openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key "
      "-out server.csr");
  certs.run(
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
      "-extfile san.cnf -out server.pem");
  Flow flow(local(Protocol::kHttp, {.ssl_certfile = certs.path("server.pem"),
                                    .ssl_keyfile = certs.path("server.key")}));
  flow.add(std::make_shared<SseExec>());
  flow.start();
  jina::Client client("https://127.0.0.1:" + std::to_string(flow.port()),
                      {.tls_root_certificates_file = certs.path("ca.pem")});
  // Twice, with a status between: after `event: end` the stream's TLS
  // connection serves the next request.
  for (int round = 0; round < 2; ++round) {
    std::vector<std::string> ids;
    client.stream_doc("/stream", doc("t"), [&](Document&& d) { ids.push_back(d.id()); });
    EXPECT_THAT(ids, ElementsAre("t-0", "t-1", "t-2"));
    EXPECT_NO_THROW((void)client.status());
  }
  EXPECT_THROW(client.stream_doc("/fail", doc("f"), [](Document&&) {}), jina::BadServer);
}

}  // namespace
