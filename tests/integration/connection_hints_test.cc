// What a wrong address says (issue 18): a post to the wrong protocol's port,
// to a TLS Flow without TLS, or to a name that does not resolve fails with a
// ConnectionError whose message says what is likely wrong, and not a hint
// that does not apply.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "integration/testing.h"
#include "jina/client.h"
#include "jina/error.h"
#include "jina/flow.h"

namespace jina {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// The message of the ConnectionError a one-attempt post ends with.
std::string failure_of(const std::string& uri) {
  Client client(uri, {.connect_timeout = 2, .doc_format = DocFormat::kV2});
  try {
    client.post("/", Document("d"), {.timeout = 10});
  } catch (const ConnectionError& e) {
    return e.what();
  } catch (const Error& e) {
    return std::string("not a ConnectionError: ") + e.what();
  }
  return "no error";
}

// A gRPC stream that breaks after it was set up (the Flow killed mid-post)
// is not a TLS problem: no hint about TLS.
TEST(ConnectionHints, AStreamResetLaterGetsNoTlsHint) {
  auto flow = std::make_unique<Flow>(testing::local(Protocol::kGrpc, {.workers = 2}));
  flow->add<testing::UpperExecutor>({.name = "upper"});
  flow->start();
  Client client(testing::address(Protocol::kGrpc, flow->port()), {.doc_format = DocFormat::kV2});
  ASSERT_EQ(client.post("/", Document("warm")).size(), 1u);
  DocumentArray docs;
  for (int i = 0; i < 100; ++i) docs.push_back(testing::sleeper(20, "d" + std::to_string(i)));
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    flow->stop();
  });
  try {
    client.post("/slow", docs, {.request_size = 1, .prefetch = 4});
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), Not(HasSubstr("TLS"))) << e.what();
    std::printf("stream reset: %s\n", e.what());
  }
  stopper.join();
}

class ConnectionHintsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    flow_ = new Flow(
        testing::local({.protocols = {Protocol::kGrpc, Protocol::kHttp, Protocol::kWebsocket}}));
    flow_->add<testing::UpperExecutor>({.name = "upper"});
    flow_->start();
  }
  static void TearDownTestSuite() {
    flow_->stop();
    delete flow_;
  }
  static std::string at(const char* scheme, Protocol protocol) {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(flow_->port(protocol));
  }
  static Flow* flow_;
};
Flow* ConnectionHintsTest::flow_ = nullptr;

TEST_F(ConnectionHintsTest, GrpcToAnHttpPort) {
  std::string message = failure_of(at("grpc", Protocol::kHttp));
  EXPECT_THAT(message, HasSubstr("if this is its HTTP or WebSocket port, use http:// or ws://"));
}

TEST_F(ConnectionHintsTest, HttpToAGrpcPort) {
  EXPECT_THAT(failure_of(at("http", Protocol::kGrpc)),
              HasSubstr("if this is the Flow's gRPC port, use grpc://"));
}

TEST_F(ConnectionHintsTest, WebsocketToAGrpcPort) {
  EXPECT_THAT(failure_of(at("ws", Protocol::kGrpc)),
              HasSubstr("if this is the Flow's gRPC port, use grpc://"));
}

TEST_F(ConnectionHintsTest, NameThatDoesNotResolve) {
  for (const char* scheme : {"grpc", "http", "ws"}) {
    std::string message = failure_of(std::string(scheme) + "://no-such-host.invalid:1234");
    EXPECT_THAT(message, Not(HasSubstr("TLS"))) << scheme;
    EXPECT_THAT(message, ::testing::AnyOf(HasSubstr("does not resolve"), HasSubstr("not found")))
        << scheme;
  }
}

}  // namespace
}  // namespace jina
