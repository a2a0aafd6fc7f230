// jina/testing.h as an application uses it: only public headers, a Client
// from a FakeGateway, and the behaviour a real Flow would show.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "jina/async_client.h"
#include "jina/client.h"
#include "jina/error.h"
#include "jina/testing.h"

namespace {

using jina::testing::FakeGateway;
using ::testing::HasSubstr;

jina::DocumentArray texts(int n) {
  jina::DocumentArray out;
  for (int i = 0; i < n; ++i) out.push_back(jina::Document().set_text("t" + std::to_string(i)));
  return out;
}

TEST(FakeGatewayTest, EchoesAndRecordsTheRequests) {
  FakeGateway gateway;
  jina::Client client = gateway.client();
  jina::DocumentArray out = client.post("/index", texts(5), {.request_size = 2});
  EXPECT_EQ(out.size(), 5u);
  ASSERT_EQ(gateway.requests().size(), 3u);
  EXPECT_EQ(gateway.requests()[0].header().exec_endpoint(), "/index");
}

TEST(FakeGatewayTest, HandlerAnswersAndReportsExecutorErrors) {
  FakeGateway gateway([](const jina::DataRequest& request) {
    jina::Response response = request;
    if (request.header().exec_endpoint() == "/fail") {
      response.header().mutable_status().set_code(jina::StatusCode::kError).set_description("no");
    }
    for (auto& doc : response.docs()) doc.set_text(doc.text() + "!");
    return std::optional<jina::Response>(response);
  });
  jina::Client client = gateway.client();
  EXPECT_EQ(client.post("/", texts(1)).texts(), std::vector<std::string>{"t0!"});
  EXPECT_THAT([&] { client.post("/fail", texts(1)); },
              ::testing::ThrowsMessage<jina::BadServer>(HasSubstr("no")));
}

TEST(FakeGatewayTest, AFlowThatIsDownThenBack) {
  FakeGateway gateway;
  jina::Client client = gateway.client();
  gateway.fail_next(2, absl::UnavailableError("connection refused"));
  EXPECT_THROW(client.post("/", texts(1)), jina::ConnectionError);
  // With retries, the one failure left is retried.
  EXPECT_EQ(client.post("/", texts(1), {.max_attempts = 3, .initial_backoff = 0.01}).size(), 1u);
}

TEST(FakeGatewayTest, ASlowFlowAndATimeout) {
  FakeGateway gateway;
  jina::Client client = gateway.client();
  gateway.hold(true);
  EXPECT_THROW(client.post("/", texts(1), {.timeout = 0.1}), jina::Timeout);
  gateway.hold(false);
  EXPECT_EQ(client.post("/", texts(1)).size(), 1u);
}

TEST(FakeGatewayTest, AsyncClientToo) {
  FakeGateway gateway;
  jina::AsyncClient client = gateway.async_client();
  EXPECT_EQ(client.post("/", texts(3), {.request_size = 1}).get().size(), 3u);
  EXPECT_THROW(gateway.client({.doc_format = jina::DocFormat::kV1}), jina::InvalidArgument);
}

}  // namespace
