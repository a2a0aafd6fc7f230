// jina::Client against the embedded local Flow: the real server end to end.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <string>
#include <thread>
#include <vector>

#include "jina/client.h"
#include "jina/error.h"
#include "jina/executor.h"
#include "jina/flow.h"

namespace jina {
namespace {

using ::testing::Contains;
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

class ClientFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    flow_.add<Upper>({.name = "upper"});
    flow_.start();
    client_ = Client("grpc://127.0.0.1:" + std::to_string(flow_.port()));
  }
  Flow flow_{{.port = 0, .host = "127.0.0.1"}};
  Client client_;
};

TEST_F(ClientFlowTest, PostsInBatchesAndKeepsOrder) {
  DocumentArray out = client_.post("/", texts(250), {.request_size = 7, .results_in_order = true});
  ASSERT_EQ(out.size(), 250u);
  for (int i = 0; i < 250; ++i) EXPECT_EQ(out[i].text(), "DOC" + std::to_string(i));
}

TEST_F(ClientFlowTest, ResponsesCarryRoutesAndResults) {
  std::vector<Response> rs =
      client_.post_responses("/stats", texts(3), {.parameters = {{"hello", "world"}}});
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].parameters()["__results__"]["upper"]["docs"], 3);
  EXPECT_EQ(rs[0].parameters()["__results__"]["upper"]["hello"], "world");
  ASSERT_GE(rs[0].routes().size(), 2u);
  EXPECT_EQ(rs[0].routes()[0].executor(), "gateway");
  EXPECT_EQ(rs[0].routes()[1].executor(), "upper");
}

TEST_F(ClientFlowTest, ParametersOnlyRequest) {
  std::vector<Response> rs = client_.post_responses("/stats", {}, {.parameters = {{"hello", "x"}}});
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].parameters()["__results__"]["upper"]["docs"], 0);
}

TEST_F(ClientFlowTest, ExecutorErrors) {
  EXPECT_THAT([&] { client_.post("/fail", texts(1)); },
              ::testing::ThrowsMessage<BadServer>(HasSubstr("intentional failure")));
  int errors = 0;
  client_.post("/fail", texts(4),
               {.request_size = 1, .on_error = [&](const Response& r, const Error&) {
                  ++errors;
                  EXPECT_EQ(r.status().code(), StatusCode::kError);
                }});
  EXPECT_EQ(errors, 4);
}

TEST_F(ClientFlowTest, LazyGeneratorOfManyDocs) {
  int produced = 0;
  std::size_t received = 0;
  client_.post("/",
               [&]() -> std::optional<Document> {
                 if (produced == 20000) return std::nullopt;
                 return Document().set_text(std::to_string(produced++));
               },
               {.request_size = 100,
                .on_done = [&](const Response& r) { received += r.docs().size(); },
                .prefetch = 10});
  EXPECT_EQ(received, 20000u);
}

TEST_F(ClientFlowTest, ReadinessEndpointsStatus) {
  EXPECT_TRUE(client_.is_flow_ready());
  EXPECT_THAT(client_.endpoints(), Contains("/fail"));
  EXPECT_TRUE(client_.status().contains("jina"));
  EXPECT_EQ(client_.doc_format(), DocFormat::kV2);
  flow_.stop();
  EXPECT_FALSE(client_.is_flow_ready(1.0));
}

TEST_F(ClientFlowTest, EightThreadsOneClient) {
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::string prefix = "t" + std::to_string(t) + "-";
      DocumentArray out =
          client_.post("/", texts(100, prefix), {.request_size = 9, .results_in_order = true});
      bool good = out.size() == 100;
      for (int i = 0; good && i < 100; ++i)
        good = out[i].text() == "T" + std::to_string(t) + "-" + std::to_string(i);
      if (good) ++ok;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok, 8);
}

TEST(ClientFlowFormatTest, V1FlowIsDetectedAndSpokenTo) {
  Flow flow({.port = 0, .host = "127.0.0.1", .doc_format = DocFormat::kV1});
  flow.add<Upper>({.name = "upper"});
  flow.start();
  Client client("127.0.0.1:" + std::to_string(flow.port()));
  EXPECT_EQ(client.doc_format(), DocFormat::kV1);
  EXPECT_EQ(client.post("/", texts(2), {.results_in_order = true}).texts(),
            (std::vector<std::string>{"DOC0", "DOC1"}));
}

}  // namespace
}  // namespace jina
