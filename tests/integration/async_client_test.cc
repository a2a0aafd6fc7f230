// jina::AsyncClient against the embedded local Flow over gRPC, end to end:
// each post one stream, and again one unary call per request
// (ClientOptions::stream = false).
#include "jina/async_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "jina/error.h"
#include "jina/executor.h"
#include "jina/flow.h"

namespace jina {
namespace {

using namespace std::chrono_literals;

class Upper : public Executor {
 public:
  Upper() {
    on("/fail", &Upper::fail);
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
};

// Fails a request whose first Document's text is "fail".
class FailOne : public Executor {
 public:
  FailOne() { on_default(&FailOne::check); }
  void check(ExecutorRequest& req) {
    if (!req.docs.empty() && req.docs[0].text() == "fail") {
      throw std::runtime_error("intentional failure");
    }
  }
};

// The parameter is ClientOptions::stream.
class AsyncClientFlowTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    flow_.add<Upper>({.name = "upper"});
    flow_.start();
    client_ = std::make_unique<AsyncClient>("grpc://127.0.0.1:" + std::to_string(flow_.port()),
                                            ClientOptions{.stream = GetParam()});
  }
  void TearDown() override {
    client_.reset();
    flow_.stop();
  }
  Flow flow_{{.port = 0, .host = "127.0.0.1"}};
  std::unique_ptr<AsyncClient> client_;
};

TEST_P(AsyncClientFlowTest, AThousandConcurrentPostsEachCompleteExactlyOnce) {
  constexpr int kPosts = 1000;
  std::vector<std::atomic<int>> successes(kPosts);
  std::atomic<int> failures{0};
  std::vector<PostTask> tasks;
  tasks.reserve(kPosts);
  for (int i = 0; i < kPosts; ++i) {
    tasks.push_back(client_->post("/", Document().set_text("d" + std::to_string(i)))
                        .on_success([&successes, i](const DocumentArray& out) {
                          if (out.size() == 1 && out[0].text() == "D" + std::to_string(i)) {
                            ++successes[i];
                          }
                        })
                        .on_error([&](const Error&) { ++failures; }));
  }
  for (PostTask& t : tasks) ASSERT_TRUE(t.wait_for(60s));
  EXPECT_EQ(failures, 0);
  for (int i = 0; i < kPosts; ++i) ASSERT_EQ(successes[i], 1) << i;
  // Every post counts in the client's statistics, whichever thread ran it.
  ClientStats stats = client_->stats();
  EXPECT_EQ(stats.requests, std::uint64_t{kPosts});
  EXPECT_EQ(stats.responses, std::uint64_t{kPosts});
  EXPECT_EQ(stats.docs_received, std::uint64_t{kPosts});
  EXPECT_EQ(stats.latency.count(), std::uint64_t{kPosts});
}

TEST_P(AsyncClientFlowTest, ExecutorErrorReachesOnError) {
  std::string message;
  PostTask task = client_->post("/fail", Document().set_text("x")).on_error([&](const Error& e) {
    message = e.what();
  });
  EXPECT_THROW(task.get(), BadServer);
  EXPECT_THAT(message, ::testing::HasSubstr("intentional failure"));
}

// The response whose Executor error ends the post reaches on_iter, before
// on_error, over every protocol.
TEST(AsyncClientFlowProtocols, OnIterSeesTheExecutorErrorThatEndsThePost) {
  Flow flow({
      .host = "127.0.0.1",
      .protocols = {Protocol::kGrpc, Protocol::kHttp, Protocol::kWebsocket},
  });
  flow.add<FailOne>({.name = "failone"});
  flow.start();
  for (auto [protocol, scheme] :
       {std::pair{Protocol::kGrpc, "grpc"}, std::pair{Protocol::kHttp, "http"},
        std::pair{Protocol::kWebsocket, "ws"}}) {
    SCOPED_TRACE(scheme);
    AsyncClient client(std::string(scheme) + "://127.0.0.1:" + std::to_string(flow.port(protocol)));
    DocumentArray input;
    for (int i = 0; i < 5; ++i) input.push_back(Document().set_text(i == 2 ? "fail" : "ok"));
    std::mutex mu;
    std::vector<std::string> seen;
    auto note = [&](std::string what) {
      std::lock_guard lock(mu);
      seen.push_back(std::move(what));
    };
    PostTask task = client.post("/", input, {.request_size = 1, .results_in_order = true})
                        .on_iter([&](const Response& r) { note(r.status().ok() ? "ok" : "error"); })
                        .on_error([&](const Error&) { note("on_error"); });
    EXPECT_THROW(task.get(), BadServer);
    std::lock_guard lock(mu);
    ASSERT_GE(seen.size(), 4u);
    EXPECT_EQ(seen[0], "ok");
    EXPECT_EQ(seen[1], "ok");
    EXPECT_EQ(seen[2], "error");
    EXPECT_EQ(seen.back(), "on_error");
  }
  flow.stop();
}

TEST_P(AsyncClientFlowTest, StreamsResponsesAsTheyArrive) {
  DocumentArray input;
  for (int i = 0; i < 50; ++i) input.push_back(Document().set_text("s" + std::to_string(i)));
  std::vector<std::string> texts;
  for (const Response& r :
       client_->stream("/", input, {.request_size = 5, .prefetch = 2, .results_in_order = true})) {
    for (const Document& d : r.docs()) texts.push_back(d.text());
  }
  ASSERT_EQ(texts.size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(texts[i], "S" + std::to_string(i));
}

TEST_P(AsyncClientFlowTest, AQueueFilledByAProducerThread) {
  InputQueue queue(16);
  std::atomic<int> responses{0};
  PostTask task = client_->post("/", queue, {.request_size = 10}).on_iter([&](const Response&) {
    ++responses;
  });
  std::thread producer([queue]() mutable {
    for (int i = 0; i < 500; ++i) queue.push(Document().set_text("q"));
    queue.close();
  });
  DocumentArray out = task.get();
  producer.join();
  EXPECT_EQ(out.size(), 500u);
  EXPECT_EQ(responses, 50);
  for (const Document& d : out) ASSERT_EQ(d.text(), "Q");
}

TEST_P(AsyncClientFlowTest, CancelWhileTheFlowWorks) {
  std::atomic<long> produced{0};
  auto endless = [&]() -> std::optional<Document> {
    ++produced;
    return Document().set_text("x");
  };
  PostTask task = client_->post("/", endless, {.request_size = 1, .prefetch = 8});
  while (produced < 50) std::this_thread::sleep_for(1ms);
  task.cancel();
  ASSERT_TRUE(task.wait_for(10s));
  EXPECT_THROW(task.get(), Cancelled);
}

INSTANTIATE_TEST_SUITE_P(Modes, AsyncClientFlowTest, ::testing::Values(true, false),
                         [](const auto& info) {
                           return std::string(info.param ? "stream" : "unary");
                         });

TEST(AsyncClientTest, UnreachableFlowFailsTheTaskWithConnectionError) {
  for (bool stream : {true, false}) {
    AsyncClient client("grpc://127.0.0.1:1", {.stream = stream, .doc_format = DocFormat::kV2});
    PostTask task = client.post("/", Document().set_text("x"));
    ASSERT_TRUE(task.wait_for(30s));
    EXPECT_THROW(task.get(), ConnectionError) << stream;
  }
}

}  // namespace
}  // namespace jina
