// jina::Client over HTTP and WebSocket against the embedded local Flow: the
// post() semantics of the gRPC client (batching, order, callbacks, errors,
// parameters, generators, readiness) over the other two protocols.
// Against real Python jina: tests/interop/client_to_python_flow_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "jina/client.h"
#include "jina/error.h"
#include "jina/executor.h"
#include "jina/flow.h"

namespace jina {
namespace {

using ::testing::HasSubstr;

class Upper : public Executor {
 public:
  Upper() {
    on("/fail", &Upper::fail);
    on("/stats", &Upper::stats);
    on_default(&Upper::upper);
  }
  void upper(ExecutorRequest& req) {
    for (Document& doc : req.docs) {
      std::string t = doc.text();
      std::transform(t.begin(), t.end(), t.begin(),
                     [](unsigned char c) { return std::toupper(c); });
      doc.set_text(t);
    }
  }
  void fail(ExecutorRequest&) { throw std::runtime_error("intentional failure"); }
  nlohmann::json stats(ExecutorRequest& req) {
    return {{"docs", req.docs.size()}, {"hello", req.parameters.value("hello", "")}};
  }
};

DocumentArray texts(int n, const std::string& prefix = "doc") {
  DocumentArray docs;
  for (int i = 0; i < n; ++i) docs.push_back(Document().set_text(prefix + std::to_string(i)));
  return docs;
}

std::string scheme(Protocol protocol) { return protocol == Protocol::kHttp ? "http" : "ws"; }

class ClientWebTest : public ::testing::TestWithParam<Protocol> {
 protected:
  void SetUp() override {
    flow_.add<Upper>({.name = "upper"});
    flow_.start();
    client_ = Client(scheme(GetParam()) + "://127.0.0.1:" + std::to_string(flow_.port()));
  }
  Flow flow_{{.port = 0, .host = "127.0.0.1", .protocols = {GetParam()}}};
  Client client_;
};

TEST_P(ClientWebTest, PostsInBatchesAndKeepsOrder) {
  DocumentArray out = client_.post("/", texts(250), {.request_size = 7, .results_in_order = true});
  ASSERT_EQ(out.size(), 250u);
  for (int i = 0; i < 250; ++i) EXPECT_EQ(out[i].text(), "DOC" + std::to_string(i));
}

TEST_P(ClientWebTest, ManyInFlightOnSeveralConnections) {
  std::atomic<int> done{0};
  client_.post("/", texts(300),
               {.request_size = 1, .on_done = [&](const Response&) { ++done; }, .prefetch = 32});
  EXPECT_EQ(done.load(), 300);
}

TEST_P(ClientWebTest, ResultsComeBackInParameters) {
  std::vector<Response> rs =
      client_.post_responses("/stats", texts(3), {.parameters = {{"hello", "world"}}});
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].parameters()["__results__"]["upper"]["docs"], 3);
  EXPECT_EQ(rs[0].parameters()["__results__"]["upper"]["hello"], "world");
}

TEST_P(ClientWebTest, ParametersOnlyRequest) {
  std::vector<Response> rs = client_.post_responses("/stats", {}, {.parameters = {{"hello", "x"}}});
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].parameters()["__results__"]["upper"]["hello"], "x");
}

TEST_P(ClientWebTest, ExecutorErrors) {
  int errors = 0;
  int always = 0;
  client_.post("/fail", texts(4),
               {.request_size = 2,
                .on_error =
                    [&](const Response& r, const Error& e) {
                      ++errors;
                      EXPECT_EQ(r.status().code(), StatusCode::kError);
                      EXPECT_THAT(r.status().description(), HasSubstr("intentional failure"));
                      EXPECT_NE(dynamic_cast<const BadServer*>(&e), nullptr);
                    },
                .on_always = [&](const Response&) { ++always; }});
  EXPECT_EQ(errors, 2);
  EXPECT_EQ(always, 2);
  EXPECT_THROW(client_.post("/fail", texts(1)), BadServer);
  EXPECT_NO_THROW(client_.post("/fail", texts(1), {.continue_on_error = true}));
}

TEST_P(ClientWebTest, LazyGenerator) {
  int made = 0;
  auto generator = [&]() -> std::optional<Document> {
    if (made == 500) return std::nullopt;
    return Document().set_text("g" + std::to_string(made++));
  };
  DocumentArray out = client_.post("/", generator, {.request_size = 10, .prefetch = 4});
  EXPECT_EQ(out.size(), 500u);
  EXPECT_EQ(made, 500);
}

TEST_P(ClientWebTest, ReadinessStatus) {
  EXPECT_TRUE(client_.is_flow_ready());
  EXPECT_TRUE(client_.status()["jina"].contains("jina"));
  EXPECT_EQ(client_.doc_format(), DocFormat::kV2);
}

TEST_P(ClientWebTest, EndpointsOverHttp) {
  if (GetParam() != Protocol::kHttp) GTEST_SKIP() << "HTTP routes only";
  EXPECT_THAT(client_.endpoints(), ::testing::IsSupersetOf({"/default", "/fail", "/stats"}));
}

TEST_P(ClientWebTest, ThreadsShareOneClient) {
  std::vector<std::thread> threads;
  std::atomic<int> docs{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      docs += static_cast<int>(
          client_.post("/", texts(20, "t" + std::to_string(t)), {.request_size = 5}).size());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(docs.load(), 80);
}

TEST_P(ClientWebTest, StoppedFlowIsAConnectionErrorAfterRetries) {
  int port = flow_.port();
  flow_.stop();
  Client c(scheme(GetParam()) + "://127.0.0.1:" + std::to_string(port));
  EXPECT_FALSE(c.is_flow_ready(1.0));
  int errors = 0;
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(c.post("/", texts(3),
                      {.request_size = 1,
                       .on_error = [&](const Response&, const Error&) { ++errors; },
                       .max_attempts = 3,
                       .initial_backoff = 0.01,
                       .max_backoff = 0.02}),
               ConnectionError);
  EXPECT_EQ(errors, 3);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_P(ClientWebTest, GraphqlIsNotServed) { EXPECT_THROW(client_.mutate("mutation { x }"), Error); }

INSTANTIATE_TEST_SUITE_P(Protocols, ClientWebTest,
                         ::testing::Values(Protocol::kHttp, Protocol::kWebsocket),
                         [](const auto& info) { return scheme(info.param); });

TEST(ClientWebOptionsTest, TlsFilesWithoutTlsAreRejected) {
  EXPECT_THROW(Client("http://127.0.0.1:1", {.tls_root_certificates_file = "/nonexistent"}),
               InvalidArgument);
  EXPECT_THROW(Client("https://127.0.0.1:1", {.tls_root_certificates_file = "/nonexistent"}),
               InvalidArgument);
  EXPECT_THROW(Client("wss://127.0.0.1:1", {.tls_certificate_chain_file = "/etc/hostname"}),
               InvalidArgument);
}

TEST(ClientWebOptionsTest, GraphqlNeedsHttp) {
  try {
    Client("grpc://127.0.0.1:1").mutate("{ x }");
    FAIL() << "expected jina::Error";
  } catch (const ConnectionError&) {
    FAIL() << "not a connection problem";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("GraphQL needs an HTTP gateway"));
  }
}

}  // namespace
}  // namespace jina
