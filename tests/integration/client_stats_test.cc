// Client::stats() and the client's log records, against the local Flow over
// each protocol.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "jina/client.h"
#include "jina/error.h"
#include "jina/executor.h"
#include "jina/flow.h"
#include "jina/log.h"

namespace jina {
namespace {

using ::testing::HasSubstr;

class Echo : public Executor {
 public:
  Echo() {
    on("/fail", &Echo::fail);
    on_default(&Echo::echo);
  }
  void echo(ExecutorRequest&) {}
  void fail(ExecutorRequest&) { throw std::runtime_error("no"); }
};

DocumentArray texts(int n) {
  DocumentArray docs;
  for (int i = 0; i < n; ++i) docs.push_back(Document().set_text("d" + std::to_string(i)));
  return docs;
}

std::string uri(Protocol protocol, int port) {
  const char* scheme = protocol == Protocol::kGrpc   ? "grpc"
                       : protocol == Protocol::kHttp ? "http"
                                                     : "ws";
  return std::string(scheme) + "://127.0.0.1:" + std::to_string(port);
}

class ClientStatsTest : public ::testing::TestWithParam<Protocol> {
 protected:
  void SetUp() override {
    flow_.add<Echo>({.name = "echo"});
    flow_.start();
    client_ = Client(uri(GetParam(), flow_.port()));
  }
  Flow flow_{{.port = 0, .host = "127.0.0.1", .protocols = {GetParam()}}};
  Client client_;
};

TEST_P(ClientStatsTest, CountsRequestsDocsBytesAndLatencies) {
  client_.post("/", texts(250), {.request_size = 10});
  client_.post("/fail", texts(3), {.request_size = 1, .continue_on_error = true});
  ClientStats s = client_.stats();
  EXPECT_EQ(s.requests, 28u);
  EXPECT_EQ(s.responses, 28u);
  EXPECT_EQ(s.error_responses, 3u);
  EXPECT_EQ(s.retries, 0u);
  EXPECT_EQ(s.failed, 0u);
  EXPECT_EQ(s.docs_sent, 253u);
  EXPECT_EQ(s.docs_received, 253u);
  EXPECT_GT(s.bytes_sent, 253u * 2);
  EXPECT_GT(s.bytes_received, 253u * 2);
  EXPECT_EQ(s.latency.count(), 28u);
  EXPECT_EQ(s.latency.counts.size(), s.latency.upper_bounds.size() + 1);
  EXPECT_GT(s.latency.quantile(0.5), 0.0);
  EXPECT_LE(s.latency.quantile(0.5), s.latency.quantile(1.0));
  // Copies share the counters.
  Client copy = client_;
  copy.post("/", texts(1));
  EXPECT_EQ(client_.stats().requests, 29u);
}

INSTANTIATE_TEST_SUITE_P(Protocols, ClientStatsTest,
                         ::testing::Values(Protocol::kGrpc, Protocol::kHttp, Protocol::kWebsocket),
                         [](const auto& info) {
                           return std::string(info.param == Protocol::kGrpc   ? "grpc"
                                              : info.param == Protocol::kHttp ? "http"
                                                                              : "websocket");
                         });

TEST(ClientStatsRetryTest, CountsRetriesAndFailuresAndLogsRetriesAtInfo) {
  // A port nothing listens on: every attempt fails.
  int port = 0;
  {
    Flow probe({.port = 0, .host = "127.0.0.1"});
    probe.add<Echo>({.name = "echo"});
    probe.start();
    port = probe.port();
  }
  std::vector<std::string> messages;
  set_log_level(LogLevel::kInfo);
  set_log_sink([&](const LogRecord& r) { messages.emplace_back(r.message); });
  // The format is given: the retries happen in the post, not in asking the Flow for it.
  Client client(uri(Protocol::kGrpc, port), {.doc_format = DocFormat::kV2});
  EXPECT_THAT(
      [&] {
        client.post(
            "/", texts(4),
            {.request_size = 2, .max_attempts = 3, .initial_backoff = 0.01, .max_backoff = 0.02});
      },
      ::testing::ThrowsMessage<ConnectionError>(HasSubstr("3 attempts")));
  set_log_sink({});
  set_log_level(LogLevel::kWarning);
  ClientStats s = client.stats();
  EXPECT_EQ(s.failed, 2u);
  EXPECT_EQ(s.responses, 0u);
  EXPECT_EQ(s.latency.count(), 0u);
  EXPECT_GE(s.requests, 1u);
  // Both retries happened; each re-sends whatever was sent before.
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_THAT(messages[0], HasSubstr("(attempt 2)"));
  EXPECT_THAT(messages[1], HasSubstr("(attempt 3)"));
  EXPECT_THAT(messages[0], HasSubstr("127.0.0.1:" + std::to_string(port)));
}

TEST(LatencyHistogramTest, QuantilesAreBucketBounds) {
  LatencyHistogram h{{0.001, 0.002, 0.004}, {1, 2, 0, 1}};
  EXPECT_EQ(h.count(), 4u);
  EXPECT_DOUBLE_EQ(h.quantile(0.25), 0.001);
  EXPECT_DOUBLE_EQ(h.quantile(0.5), 0.002);
  EXPECT_DOUBLE_EQ(h.quantile(0.75), 0.002);
  EXPECT_DOUBLE_EQ(h.quantile(1.0), 0.004);  // the unbounded bucket reports the last bound
  EXPECT_EQ(LatencyHistogram{}.quantile(0.5), 0.0);
}

}  // namespace
}  // namespace jina
