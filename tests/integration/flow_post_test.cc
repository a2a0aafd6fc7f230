// Flow::post and the CRUD methods: a running Flow answers its own posts as a
// Client connected to it would, over each protocol it may serve first.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "jina/client.h"
#include "jina/error.h"
#include "jina/executor.h"
#include "jina/flow.h"
#include "jina/ndarray.h"
#include "jina/sources.h"

namespace jina {
namespace {

using ::testing::ElementsAre;

// Tags each Document with the endpoint it came through, the sum of its
// tensor and the request's "mark" parameter. Bound by name: over HTTP
// (docarray v2) an endpoint no Executor names is served as "/default".
class Tagger : public Executor {
 public:
  Tagger() { on({"/foo", "/index", "/search", "/update", "/delete"}, &Tagger::tag); }

  void tag(ExecutorRequest& req) {
    for (Document& doc : req.docs) {
      doc.tags()["endpoint"] = req.endpoint;
      std::vector<float> values = doc.tensor().as_floats();
      doc.tags()["sum"] = std::accumulate(values.begin(), values.end(), 0.0);
      if (req.parameters.contains("mark")) doc.tags()["mark"] = req.parameters["mark"];
    }
  }
};

DocumentArray texts(int n) {
  DocumentArray docs;
  for (int i = 0; i < n; ++i) docs.push_back(Document().set_text("doc" + std::to_string(i)));
  return docs;
}

std::vector<std::string> endpoints_of(const DocumentArray& docs) {
  std::vector<std::string> out;
  for (const Document& doc : docs) out.push_back(doc.tags().value("endpoint", ""));
  return out;
}

class FlowPostTest : public ::testing::TestWithParam<Protocol> {
 protected:
  FlowPostTest() : flow_({.port = 0, .host = "127.0.0.1", .protocols = {GetParam()}}) {
    flow_.add<Tagger>({.name = "tagger"});
    flow_.start();
  }
  Flow flow_;
};

TEST_P(FlowPostTest, PostReturnsWhatAClientGets) {
  DocumentArray docs = texts(5);
  PostOptions options{.request_size = 2, .parameters = {{"mark", "m"}}, .results_in_order = true};
  DocumentArray from_flow = flow_.post("/foo", docs, options);

  std::string scheme = GetParam() == Protocol::kGrpc   ? "grpc"
                       : GetParam() == Protocol::kHttp ? "http"
                                                       : "ws";
  Client client(scheme + "://127.0.0.1:" + std::to_string(flow_.port()));
  DocumentArray from_client = client.post("/foo", docs, options);

  ASSERT_EQ(from_flow.size(), 5u);
  ASSERT_EQ(from_client.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(from_flow[i].id(), docs[i].id());
    EXPECT_EQ(from_flow[i].text(), from_client[i].text());
    EXPECT_EQ(from_flow[i].tags(), from_client[i].tags());
    EXPECT_EQ(from_flow[i].tags().value("endpoint", ""), "/foo");
    EXPECT_EQ(from_flow[i].tags().value("mark", ""), "m");
  }
}

TEST_P(FlowPostTest, CrudMethodsPostToTheirEndpoints) {
  EXPECT_THAT(endpoints_of(flow_.index(texts(1))), ElementsAre("/index"));
  EXPECT_THAT(endpoints_of(flow_.search(texts(1))), ElementsAre("/search"));
  EXPECT_THAT(endpoints_of(flow_.update(texts(1))), ElementsAre("/update"));
  EXPECT_THAT(endpoints_of(flow_.remove(texts(1))), ElementsAre("/delete"));
}

TEST_P(FlowPostTest, PostResponsesOnePerRequest) {
  std::vector<Response> responses = flow_.post_responses("/foo", texts(5), {.request_size = 2});
  ASSERT_EQ(responses.size(), 3u);
  std::size_t docs = 0;
  for (const Response& r : responses) docs += r.docs().size();
  EXPECT_EQ(docs, 5u);
}

TEST_P(FlowPostTest, IndexesTheRowsOfAnArray) {
  std::vector<float> values(12);
  std::iota(values.begin(), values.end(), 0.f);  // rows sum to 3, 12, 21, 30
  DocumentArray out = flow_.index(from_ndarray(NdArray::from(values, {4, 3})),
                                  {.request_size = 3, .results_in_order = true});
  ASSERT_EQ(out.size(), 4u);
  std::vector<double> sums;
  for (const Document& doc : out) {
    EXPECT_THAT(doc.tensor().shape(), ElementsAre(3));
    sums.push_back(doc.tags().value("sum", -1.0));
  }
  EXPECT_THAT(sums, ElementsAre(3.0, 12.0, 21.0, 30.0));
}

TEST_P(FlowPostTest, PostsFromSeveralThreadsAtOnce) {
  std::atomic<int> answered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) answered += static_cast<int>(flow_.search(texts(3)).size());
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(answered.load(), 4 * 5 * 3);
}

TEST_P(FlowPostTest, StoppedFlowFailsPrecondition) {
  ASSERT_EQ(flow_.post("/foo", texts(1)).size(), 1u);
  flow_.stop();
  try {
    flow_.post("/foo", texts(1));
    FAIL() << "post on a stopped Flow did not throw";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), absl::StatusCode::kFailedPrecondition) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Protocols, FlowPostTest,
                         ::testing::Values(Protocol::kGrpc, Protocol::kHttp, Protocol::kWebsocket),
                         [](const ::testing::TestParamInfo<Protocol>& info) {
                           return std::string(protocol_name(info.param));
                         });

TEST(FlowPostNotStartedTest, FailsPrecondition) {
  Flow flow({.port = 0, .host = "127.0.0.1"});
  flow.add<Tagger>();
  for (auto call : {+[](Flow& f) { f.post("/foo"); }, +[](Flow& f) { f.index(); },
                    +[](Flow& f) { f.post_responses("/foo"); }}) {
    try {
      call(flow);
      ADD_FAILURE() << "post before start() did not throw";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), absl::StatusCode::kFailedPrecondition) << e.what();
    }
  }
}

TEST(FlowPostWildcardTest, ReachesAFlowOnEveryInterfaceThroughLoopback) {
  // The default host, 0.0.0.0; the first of several protocols is used.
  Flow flow({.port = 0, .protocols = {Protocol::kHttp, Protocol::kGrpc}});
  flow.add<Tagger>();
  flow.start();
  EXPECT_THAT(endpoints_of(flow.search(texts(2))), ElementsAre("/search", "/search"));
}

// FlowOptions::on_request sees each answered request once, on every
// protocol: endpoint, Documents, time, and the status of a failed one.
class Failing : public Executor {
 public:
  Failing() {
    on("/fail", [](ExecutorRequest&) -> void { throw std::runtime_error("boom"); });
  }
};

class FlowRequestObserverTest : public ::testing::TestWithParam<Protocol> {};

TEST_P(FlowRequestObserverTest, SeesEveryAnsweredRequestOnce) {
  struct Seen {
    std::string endpoint;
    std::size_t docs;
    std::int64_t micros;
    bool ok;
    std::string error;
  };
  std::mutex mu;
  std::vector<Seen> seen;
  Flow flow({.port = 0,
             .host = "127.0.0.1",
             .protocols = {GetParam()},
             .on_request = [&](const Response& r, std::chrono::microseconds took) {
               std::lock_guard lock(mu);
               seen.push_back({r.header().exec_endpoint(), r.docs().size(), took.count(),
                               r.header().status().ok(), r.header().status().description()});
             }});
  flow.add<Tagger>({.name = "tagger"}).add<Failing>({.name = "failing"});
  flow.start();
  flow.index(texts(5), {.request_size = 2});
  EXPECT_THROW(flow.post("/fail", texts(1)), Error);
  // A dry run (readiness) is no request of the Flow's users.
  std::string scheme = GetParam() == Protocol::kGrpc   ? "grpc"
                       : GetParam() == Protocol::kHttp ? "http"
                                                       : "ws";
  EXPECT_TRUE(
      Client(scheme + "://127.0.0.1:" + std::to_string(flow.port(GetParam()))).is_flow_ready());

  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 4u);
  std::vector<std::size_t> sizes;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(seen[i].endpoint, "/index");
    EXPECT_TRUE(seen[i].ok);
    EXPECT_GE(seen[i].micros, 0);
    sizes.push_back(seen[i].docs);
  }
  std::sort(sizes.begin(), sizes.end());
  EXPECT_THAT(sizes, ElementsAre(1, 2, 2));
  EXPECT_EQ(seen[3].endpoint, "/fail");
  EXPECT_FALSE(seen[3].ok);
  EXPECT_THAT(seen[3].error, ::testing::HasSubstr("boom"));
}

TEST_P(FlowRequestObserverTest, WhatItThrowsIsIgnored) {
  std::atomic<int> calls{0};
  Flow flow({.port = 0,
             .host = "127.0.0.1",
             .protocols = {GetParam()},
             .on_request = [&](const Response&, std::chrono::microseconds) {
               ++calls;
               throw std::runtime_error("observer failed");
             }});
  flow.add<Tagger>({.name = "tagger"});
  flow.start();
  EXPECT_THAT(endpoints_of(flow.index(texts(2))), ElementsAre("/index", "/index"));
  EXPECT_EQ(calls.load(), 1);
}

INSTANTIATE_TEST_SUITE_P(Protocols, FlowRequestObserverTest,
                         ::testing::Values(Protocol::kGrpc, Protocol::kHttp, Protocol::kWebsocket),
                         [](const auto& info) { return std::string(protocol_name(info.param)); });

}  // namespace
}  // namespace jina
