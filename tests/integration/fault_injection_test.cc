// Fault injection: the Client against the local Flow through a TcpProxy that
// drops, delays, resets, hangs, cuts and corrupts connections, over gRPC,
// HTTP and WebSocket. Every scenario checks the accounting (each request
// sent gets exactly one outcome: on_done, on_error, or the exception that
// ends the post) and runs under a watchdog, so a hang fails instead of
// blocking CI.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "integration/fault_testing.h"
#include "integration/tcp_proxy.h"
#include "integration/testing.h"
#include "jina/client.h"
#include "jina/error.h"
#include "jina/flow.h"

namespace jina {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;
using testing::TcpProxy;

using namespace fault_testing;  // NOLINT: the shared scenario helpers

class FaultInjection : public ::testing::TestWithParam<Protocol> {
 protected:
  Protocol protocol() const { return GetParam(); }
};

INSTANTIATE_TEST_SUITE_P(Protocols, FaultInjection,
                         ::testing::Values(Protocol::kGrpc, Protocol::kHttp, Protocol::kWebsocket),
                         [](const auto& info) { return scheme(info.param); });

// Baseline: delays and a slow reader slow the post down but lose nothing.
TEST_P(FaultInjection, DelayAndSlowReaderLoseNothing) {
  Watchdog watchdog(seconds(30));
  auto ledger = std::make_shared<Ledger>();
  auto flow = start_flow(protocol(), ledger);
  TcpProxy proxy(flow->port());
  proxy.set_delay(milliseconds(2));
  proxy.set_slow_reader(4096, milliseconds(1));
  Client client = client_for(protocol(), proxy.port());
  Outcomes out = post_counted(client, "/record", 40, {.prefetch = 8});
  EXPECT_FALSE(out.exception) << *out.exception;
  EXPECT_EQ(out.done_count(), 40);
  expect_each_request_once(out, 40);
}

// A slow link (every chunk held 300 ms, so connecting takes over a second):
// slower, but it connects and nothing is lost.
TEST_P(FaultInjection, SlowLinkStillConnects) {
  Watchdog watchdog(seconds(30));
  auto ledger = std::make_shared<Ledger>();
  auto flow = start_flow(protocol(), ledger);
  TcpProxy proxy(flow->port());
  proxy.set_delay(milliseconds(300));
  Client client = client_for(protocol(), proxy.port());
  Outcomes out = post_counted(client, "/record", 3, {});
  EXPECT_FALSE(out.exception) << *out.exception;
  EXPECT_EQ(out.done_count(), 3);
  expect_each_request_once(out, 3);
}

// The Flow refuses connections, then comes up behind a slow link (each chunk
// held 150 ms): retries reach it within a few backoff delays, not after
// the transport's own reconnect schedule.
TEST_P(FaultInjection, FlowBackAfterRefusalsIsReachedPromptly) {
  Watchdog watchdog(seconds(30));
  auto ledger = std::make_shared<Ledger>();
  auto flow = start_flow(protocol(), ledger);
  TcpProxy proxy(flow->port());
  proxy.set_mode(TcpProxy::Mode::kDrop);
  Client client = client_for(protocol(), proxy.port());
  std::chrono::steady_clock::time_point back;
  std::thread healer([&] {
    std::this_thread::sleep_for(milliseconds(1200));
    proxy.set_delay(milliseconds(150));
    back = std::chrono::steady_clock::now();
    proxy.set_mode(TcpProxy::Mode::kForward);
  });
  Outcomes out = post_counted(client, "/record", 3,
                              {.max_attempts = 40, .initial_backoff = 0.1, .max_backoff = 0.3});
  const auto answered = std::chrono::steady_clock::now();
  healer.join();
  EXPECT_FALSE(out.exception) << *out.exception;
  EXPECT_EQ(out.done_count(), 3);
  expect_each_request_once(out, 3);
  EXPECT_LT(std::chrono::duration<double>(answered - back).count(), 3.0 * testing::kTimingSlack);
}

// The Flow was down long enough for the connection to back off, and is back:
// the same Client sees it at once (is_flow_ready, and a post without retries),
// not after the transport's own reconnect backoff.
TEST_P(FaultInjection, FlowThatComesBackIsUsedAtOnce) {
  Watchdog watchdog(seconds(30));
  auto ledger = std::make_shared<Ledger>();
  auto flow = start_flow(protocol(), ledger);
  TcpProxy proxy(flow->port());
  Client client = client_for(protocol(), proxy.port());
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    proxy.set_mode(TcpProxy::Mode::kDrop);
    proxy.reset_all();
    for (int i = 0; i < 3; ++i) {
      EXPECT_THROW(client.post("/record", numbered_docs(1)), ConnectionError);
      EXPECT_FALSE(client.is_flow_ready(0.2));
    }
    proxy.set_mode(TcpProxy::Mode::kForward);
    auto back = std::chrono::steady_clock::now();
    EXPECT_TRUE(client.is_flow_ready(10));
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - back).count(),
              0.3 * testing::kTimingSlack);
    Outcomes out = post_counted(client, "/record", 2, {});
    EXPECT_FALSE(out.exception) << *out.exception;
    expect_each_request_once(out, 2);
  }
}

// The Flow dies mid-post (connections reset, new ones refused) and a new one
// comes up behind the same address: with retries every request ends done
// exactly once in what the caller receives, or is reported failed.
TEST_P(FaultInjection, FlowKilledMidPostAndRestarted) {
  Watchdog watchdog(seconds(30));
  constexpr int kRequests = 60;
  auto ledger = std::make_shared<Ledger>();
  auto flow = start_flow(protocol(), ledger, /*delay_ms=*/5);
  TcpProxy proxy(flow->port());
  Client client = client_for(protocol(), proxy.port());

  std::unique_ptr<Flow> second;
  std::thread killer([&] {
    ASSERT_TRUE(ledger->wait_for_total(20, seconds(20)));
    proxy.set_mode(TcpProxy::Mode::kDrop);  // refuse while "restarting"
    proxy.reset_all();                      // what the kernel does to a killed process's sockets
    flow->stop();
    std::this_thread::sleep_for(milliseconds(200));
    second = start_flow(protocol(), ledger, /*delay_ms=*/5);
    proxy.set_upstream(second->port());
    proxy.set_mode(TcpProxy::Mode::kForward);
  });
  Outcomes out = post_counted(
      client, "/record", kRequests,
      {.max_attempts = 10, .initial_backoff = 0.05, .max_backoff = 0.5, .prefetch = 4});
  killer.join();

  expect_each_request_once(out, kRequests);
  EXPECT_FALSE(out.exception) << *out.exception;
  EXPECT_EQ(out.done_count(), kRequests);
  // Done means processed: every doc the caller got back was seen by a Flow.
  auto seen = ledger->seen();
  int duplicates = 0;
  for (const auto& [id, k] : out.done) {
    EXPECT_TRUE(seen.count(id)) << id;
    if (seen.count(id)) duplicates += seen.at(id) - 1;
  }
  // At-least-once on the Flow side: only requests in flight at the kill may
  // run twice (bounded by prefetch).
  EXPECT_LE(duplicates, 4);
  std::printf("[%s] kill/restart: %d done, %d failed, Flow ran %d requests (%d twice), %.2f s\n",
              scheme(protocol()).c_str(), out.done_count(), out.failed_count(), ledger->total(),
              duplicates, out.seconds);
}

// Nothing listens behind the proxy: ConnectionError after the retries, in
// bounded time, every request reported failed.
TEST_P(FaultInjection, FlowNeverStarted) {
  Watchdog watchdog(seconds(30));
  TcpProxy proxy(testing::unused_port());
  Client client = client_for(protocol(), proxy.port());
  Outcomes out = post_counted(client, "/record", 5,
                              {.max_attempts = 3, .initial_backoff = 0.1, .max_backoff = 0.2});
  ASSERT_TRUE(out.exception);
  EXPECT_EQ(out.exception_type, "ConnectionError") << *out.exception;
  EXPECT_EQ(out.code, absl::StatusCode::kUnavailable) << *out.exception;
  EXPECT_EQ(out.failed_count(), 5);
  expect_each_request_once(out, 5);
  EXPECT_LT(out.seconds, 10.0);
  EXPECT_GE(proxy.accepted(), 1);
}

// A port nothing listens on at all (no proxy): the same.
TEST_P(FaultInjection, NothingListening) {
  Watchdog watchdog(seconds(30));
  Client client = client_for(protocol(), testing::unused_port());
  Outcomes out = post_counted(client, "/record", 5,
                              {.max_attempts = 3, .initial_backoff = 0.1, .max_backoff = 0.2});
  ASSERT_TRUE(out.exception);
  EXPECT_EQ(out.exception_type, "ConnectionError") << *out.exception;
  EXPECT_EQ(out.failed_count(), 5);
  expect_each_request_once(out, 5);
  EXPECT_LT(out.seconds, 10.0);
}

// Connections are accepted but nothing ever answers: the per-request
// timeout fires.
TEST_P(FaultInjection, HalfOpenConnectionTimesOut) {
  Watchdog watchdog(seconds(30));
  auto ledger = std::make_shared<Ledger>();
  auto flow = start_flow(protocol(), ledger);
  TcpProxy proxy(flow->port());
  proxy.set_mode(TcpProxy::Mode::kHalfOpen);
  Client client = client_for(protocol(), proxy.port());
  Outcomes out = post_counted(client, "/record", 5, {.timeout = 1.0});
  ASSERT_TRUE(out.exception);
  EXPECT_EQ(out.exception_type, "Timeout") << *out.exception;
  EXPECT_EQ(out.code, absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(out.failed_count(), 5);
  expect_each_request_once(out, 5);
  EXPECT_GE(out.seconds, 0.9);
  EXPECT_LT(out.seconds, 5.0);
  EXPECT_EQ(ledger->total(), 0);
}

// Nothing answers and the post has no timeout: the keepalive check gives
// the silent gateway up (gRPC: the handshake never completes; HTTP: neither
// the request nor GET /status is answered; WebSocket: the handshake).
TEST_P(FaultInjection, SilentServerIsGivenUpWithoutATimeout) {
  Watchdog watchdog(seconds(30));
  auto ledger = std::make_shared<Ledger>();
  auto flow = start_flow(protocol(), ledger);
  TcpProxy proxy(flow->port());
  proxy.set_mode(TcpProxy::Mode::kHalfOpen);
  Client client = client_for(protocol(), proxy.port(), /*keepalive=*/0.5);
  Outcomes out = post_counted(client, "/record", 3, {});
  ASSERT_TRUE(out.exception);
  EXPECT_EQ(out.exception_type, "ConnectionError") << *out.exception;
  EXPECT_EQ(out.code, absl::StatusCode::kUnavailable) << *out.exception;
  expect_each_request_once(out, 3);
  EXPECT_LT(out.seconds, 8.0 * testing::kTimingSlack);
}

// A live gateway in front of an Executor slower than the keepalive: the
// checks find it alive, and the post waits for the answers.
TEST_P(FaultInjection, SlowExecutorBehindALiveGatewayIsWaitedFor) {
  Watchdog watchdog(seconds(30));
  auto ledger = std::make_shared<Ledger>();
  auto flow = start_flow(protocol(), ledger, /*delay_ms=*/1500);
  Client client = client_for(protocol(), flow->port(), /*keepalive=*/0.3);
  Outcomes out = post_counted(client, "/record", 2, {.request_size = 1});
  EXPECT_FALSE(out.exception) << *out.exception;
  EXPECT_EQ(out.done_count(), 2);
}

// A listening socket whose accept queue is full (backlog 0, a few
// connections never accepted): a new connect to it hangs, as to a host that
// drops packets, but on loopback.
class SaturatedListener {
 public:
  SaturatedListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    for (int i = 0; i < 3; ++i) {
      int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      ::connect(c, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
      fillers_.push_back(c);
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  ~SaturatedListener() {
    for (int c : fillers_) ::close(c);
    ::close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::vector<int> fillers_;
};

// Cancelled while the connection is still being opened: the post ends at
// once, not after the transport's connect timeout (5 s).
TEST_P(FaultInjection, CancelWhileConnectingEndsAtOnce) {
  Watchdog watchdog(seconds(30));
  SaturatedListener listener;
  Client client = client_for(protocol(), listener.port());
  CancelToken token;
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(100));
    token.cancel();
  });
  Outcomes out = post_counted(client, "/record", 2, {.cancel = token});
  canceller.join();
  ASSERT_TRUE(out.exception);
  EXPECT_EQ(out.code, absl::StatusCode::kCancelled) << *out.exception;
  expect_each_request_once(out, 2);
  EXPECT_LT(out.seconds, 0.1 + 0.1 * testing::kTimingSlack);
}

// ClientOptions::connect_timeout bounds one connection attempt, instead of
// the protocol's default (HTTP and WebSocket 5 s, gRPC 20 s without keepalive).
Client client_with_connect_timeout(Protocol protocol, int port, double connect_timeout) {
  return Client(scheme(protocol) + "://127.0.0.1:" + std::to_string(port),
                ClientOptions{.keepalive = 0,
                              .connect_timeout = connect_timeout,
                              .doc_format = DocFormat::kV2,
                              .http_api = HttpApi::kPerEndpoint});
}

// A TCP connect that hangs (nobody accepts).
TEST_P(FaultInjection, ConnectTimeoutGivesUpAConnectThatHangs) {
  Watchdog watchdog(seconds(30));
  SaturatedListener listener;
  Client client = client_with_connect_timeout(protocol(), listener.port(), 0.3);
  Outcomes out = post_counted(client, "/record", 2, {});
  ASSERT_TRUE(out.exception);
  EXPECT_EQ(out.exception_type, "ConnectionError") << *out.exception;
  EXPECT_EQ(out.code, absl::StatusCode::kUnavailable) << *out.exception;
  expect_each_request_once(out, 2);
  EXPECT_GE(out.seconds, 0.25);
  EXPECT_LT(out.seconds, 0.3 + 0.7 * testing::kTimingSlack);
}

// A connection accepted whose handshake is never answered (gRPC's HTTP/2
// preface, WebSocket's upgrade). HTTP has no handshake before the request:
// there `keepalive` finds a silent server (SilentServerIsGivenUpWithoutATimeout).
TEST_P(FaultInjection, ConnectTimeoutGivesUpAHandshakeThatHangs) {
  if (protocol() == Protocol::kHttp) GTEST_SKIP() << "HTTP/1.1 has no handshake";
  Watchdog watchdog(seconds(30));
  auto ledger = std::make_shared<Ledger>();
  auto flow = start_flow(protocol(), ledger);
  TcpProxy proxy(flow->port());
  proxy.set_mode(TcpProxy::Mode::kHalfOpen);
  Client client = client_with_connect_timeout(protocol(), proxy.port(), 0.3);
  Outcomes out = post_counted(client, "/record", 2, {});
  ASSERT_TRUE(out.exception);
  EXPECT_EQ(out.exception_type, "ConnectionError") << *out.exception;
  EXPECT_EQ(out.code, absl::StatusCode::kUnavailable) << *out.exception;
  expect_each_request_once(out, 2);
  EXPECT_LT(out.seconds, 0.3 + 0.7 * testing::kTimingSlack);
}

// Over HTTP the routes are asked from the gateway (GET /openapi.json) on the
// I/O thread: a gateway that does not answer holds back no post's thread, and
// the post's timeout still ends it on time.
TEST_P(FaultInjection, RouteLookupOfASilentGatewayHoldsNothingBack) {
  if (protocol() != Protocol::kHttp) GTEST_SKIP() << "only HTTP looks its routes up";
  Watchdog watchdog(seconds(30));
  auto ledger = std::make_shared<Ledger>();
  auto flow = start_flow(protocol(), ledger);
  TcpProxy proxy(flow->port());
  proxy.set_mode(TcpProxy::Mode::kHalfOpen);
  Client client("http://127.0.0.1:" + std::to_string(proxy.port()),
                ClientOptions{.keepalive = 0, .doc_format = DocFormat::kV2});
  Outcomes out = post_counted(client, "/record", 2, {.timeout = 0.3});
  ASSERT_TRUE(out.exception);
  EXPECT_EQ(out.exception_type, "Timeout") << *out.exception;
  expect_each_request_once(out, 2);
  EXPECT_LT(out.seconds, 0.3 + 0.5 * testing::kTimingSlack);
}

// The protocol is up but the Executor never returns: the timeout fires too.
TEST_P(FaultInjection, ExecutorNeverAnswersTimesOut) {
  Watchdog watchdog(seconds(30));
  auto ledger = std::make_shared<Ledger>();
  auto flow = start_flow(protocol(), ledger);
  Client client = client_for(protocol(), flow->port());
  Outcomes out = post_counted(client, "/hang", 3, {.timeout = 1.0});
  ledger->release();
  ASSERT_TRUE(out.exception);
  EXPECT_EQ(out.exception_type, "Timeout") << *out.exception;
  EXPECT_EQ(out.failed_count(), 3);
  expect_each_request_once(out, 3);
  EXPECT_LT(out.seconds, 5.0);
}

// Garbage before the first response byte: a clear error, no crash, no hang.
TEST_P(FaultInjection, GarbageInResponses) {
  Watchdog watchdog(seconds(30));
  auto ledger = std::make_shared<Ledger>();
  auto flow = start_flow(protocol(), ledger);
  TcpProxy proxy(flow->port());
  // A TLS record header, an HTTP line end, bytes invalid as UTF-8 and a NUL.
  static constexpr char kGarbage[] = "\x17\x03\x03garbage\r\n\r\n\xff\xfe\x00\x01 not a Flow";
  proxy.set_garbage(std::string(kGarbage, sizeof kGarbage - 1));
  Client client = client_for(protocol(), proxy.port());
  Outcomes out = post_counted(client, "/record", 4, {.timeout = 10.0});
  ASSERT_TRUE(out.exception);
  EXPECT_NE(out.exception_type, "Timeout") << "detected, not timed out: " << *out.exception;
  EXPECT_EQ(out.failed_count(), 4);
  expect_each_request_once(out, 4);
  EXPECT_LT(out.seconds, 8.0);
  std::printf("[%s] garbage: %s: %s\n", scheme(protocol()).c_str(), out.exception_type.c_str(),
              out.exception->c_str());
}

// The response stream is cut after a few hundred bytes (mid-message): the
// connection error is retried on a healthy connection and nothing is lost.
TEST_P(FaultInjection, StreamCutThenRetried) {
  Watchdog watchdog(seconds(30));
  auto ledger = std::make_shared<Ledger>();
  auto flow = start_flow(protocol(), ledger);
  TcpProxy proxy(flow->port());
  proxy.set_cut_after(100);  // inside the first answer (HTTP: its headers)
  Client client = client_for(protocol(), proxy.port());
  // Without retries: a ConnectionError, each request failed once.
  Outcomes out = post_counted(client, "/record", 10, {});
  ASSERT_TRUE(out.exception);
  EXPECT_EQ(out.exception_type, "ConnectionError") << *out.exception;
  expect_each_request_once(out, 10);
  // With retries: only the next connection is cut, the retry gets through.
  // (Attempts that come before the channel noticed the cut fail at once:
  // a few spares, as under ThreadSanitizer three came too soon.)
  proxy.reset_all();
  proxy.set_cut_after(100, /*connections=*/1);
  Outcomes retried = post_counted(
      client, "/record", 10,
      {.max_attempts = 6, .initial_backoff = 0.05 * testing::kTimingSlack, .prefetch = 2});
  EXPECT_FALSE(retried.exception) << *retried.exception;
  EXPECT_EQ(retried.done_count(), 10);
  expect_each_request_once(retried, 10);
}

// Responses above gRPC's usual 4 MiB receive limit: the Client's default
// limit is 1 GiB, so they arrive over every protocol.
TEST_P(FaultInjection, ResponsesAboveFourMegabytesArrive) {
  Watchdog watchdog(seconds(30));
  auto ledger = std::make_shared<Ledger>();
  auto flow = start_flow(protocol(), ledger);
  Client client = client_for(protocol(), flow->port());
  DocumentArray out = client.post("/big", numbered_docs(2), {.request_size = 1});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].text().size(), std::size_t{6} << 20);
}

// A Client that limits responses to 4 MiB (max_response_bytes): a larger
// one fails its request on every protocol, is not retried, the error names
// the limit (and, but for gRPC's own text, the option), and every request
// is accounted. (HTTP: Beast 1.74 ignored the limit when reading a whole
// message at once.)
TEST_P(FaultInjection, ResponseAboveTheClientsLimitFailsClearly) {
  Watchdog watchdog(seconds(30));
  auto ledger = std::make_shared<Ledger>();
  auto flow = start_flow(protocol(), ledger);
  Client client(scheme(protocol()) + "://127.0.0.1:" + std::to_string(flow->port()),
                ClientOptions{.max_response_bytes = 4 << 20,
                              .doc_format = DocFormat::kV2,
                              .http_api = HttpApi::kPerEndpoint});
  // A keep-alive connection first: the oversize answer on a reused one is
  // not taken for a stale connection and sent again either.
  Outcomes warm = post_counted(client, "/record", 1, {});
  EXPECT_FALSE(warm.exception) << *warm.exception;
  Outcomes out = post_counted(client, "/big", 1, {.max_attempts = 3, .initial_backoff = 0.05});
  EXPECT_EQ(ledger->seen()["d0"], 2);  // once by /record, once by /big
  expect_each_request_once(out, 1);
  EXPECT_EQ(out.failed_count(), 1);
  ASSERT_TRUE(out.exception);
  EXPECT_NE(out.exception->find("1 attempt)"), std::string::npos) << *out.exception;
  EXPECT_EQ(out.code, absl::StatusCode::kResourceExhausted) << *out.exception;
  EXPECT_NE(out.exception->find(std::to_string(4 << 20)), std::string::npos) << *out.exception;
  if (protocol() != Protocol::kGrpc) {
    EXPECT_NE(out.exception->find("max_response_bytes"), std::string::npos) << *out.exception;
  }
}

// A Flow that limits its messages to 4 MiB: the error names the limit.
TEST(FaultInjectionGrpc, ResponseAboveTheFlowsLimitFailsClearly) {
  Watchdog watchdog(seconds(30));
  auto ledger = std::make_shared<Ledger>();
  auto flow = start_flow(Protocol::kGrpc, ledger, 0, /*max_message_bytes=*/4 << 20);
  Client client = client_for(Protocol::kGrpc, flow->port());
  Outcomes out = post_counted(client, "/big", 1, {});
  ASSERT_TRUE(out.exception);
  EXPECT_EQ(out.code, absl::StatusCode::kResourceExhausted) << *out.exception;
  EXPECT_NE(out.exception->find(std::to_string(4 << 20)), std::string::npos) << *out.exception;
  expect_each_request_once(out, 1);
}

// A callback that throws ends the post: the exception reaches the caller,
// the stream is cancelled, and the Client stays usable.
TEST_P(FaultInjection, CallbackThrows) {
  Watchdog watchdog(seconds(30));
  auto ledger = std::make_shared<Ledger>();
  auto flow = start_flow(protocol(), ledger, /*delay_ms=*/2);
  TcpProxy proxy(flow->port());
  Client client = client_for(protocol(), proxy.port());
  int done = 0;
  PostOptions options{.request_size = 1, .on_done = [&](const Response&) {
                        if (++done == 3) throw std::logic_error("callback failed");
                      }};
  auto post = [&] { client.post("/record", numbered_docs(50), options); };
  auto start = Clock::now();
  EXPECT_THROW(post(), std::logic_error);
  EXPECT_GE(done, 3);  // answers that arrived before the cancel still count
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - start).count(), 5.0);
  // The cancelled stream's connection is gone or reusable; a new post works.
  Outcomes out = post_counted(client, "/record", 5, {});
  EXPECT_FALSE(out.exception) << *out.exception;
  expect_each_request_once(out, 5);
}

// The Client is destroyed while another thread is inside its post(): the
// post holds the connection until it ends, and finishes normally.
TEST_P(FaultInjection, ClientDestroyedWhilePostRuns) {
  Watchdog watchdog(seconds(30));
  auto ledger = std::make_shared<Ledger>();
  auto flow = start_flow(protocol(), ledger, /*delay_ms=*/10);
  TcpProxy proxy(flow->port());
  auto client = std::make_unique<Client>(client_for(protocol(), proxy.port()));
  Outcomes out;
  std::thread poster([&] { out = post_counted(*client, "/record", 30, {.prefetch = 2}); });
  ASSERT_TRUE(ledger->wait_for_total(3, seconds(10)));
  client.reset();
  poster.join();
  EXPECT_FALSE(out.exception) << *out.exception;
  EXPECT_EQ(out.done_count(), 30);
  expect_each_request_once(out, 30);
}

// The same, with the Flow unreachable and retries running: destruction
// neither waits for the retries nor crashes them.
TEST_P(FaultInjection, ClientDestroyedWhilePostRetries) {
  Watchdog watchdog(seconds(30));
  TcpProxy proxy(testing::unused_port());
  auto client = std::make_unique<Client>(client_for(protocol(), proxy.port()));
  Outcomes out;
  std::thread poster([&] {
    out = post_counted(*client, "/record", 3,
                       {.max_attempts = 4, .initial_backoff = 0.2, .max_backoff = 0.3});
  });
  auto until = Clock::now() + seconds(10);
  while (proxy.accepted() < 1 && Clock::now() < until) std::this_thread::sleep_for(milliseconds(5));
  client.reset();
  poster.join();
  ASSERT_TRUE(out.exception);
  EXPECT_EQ(out.exception_type, "ConnectionError");
  expect_each_request_once(out, 3);
}

}  // namespace
}  // namespace jina
