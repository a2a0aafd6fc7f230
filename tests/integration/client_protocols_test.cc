// jina::Client against the embedded local Flow, end to end, once per
// protocol (gRPC, HTTP, WebSocket), and over gRPC also with one unary call
// per request (ClientOptions::stream = false, issue 17): the post()
// semantics must not depend on either (issue 5). What only gRPC has (metadata, compression, a
// gateway that misbehaves on purpose) is in client_grpc_test.cc; WebSocket
// fault servers are in client_websocket_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "integration/testing.h"
#include "jina/async_client.h"
#include "jina/client.h"
#include "jina/error.h"
#include "jina/flow.h"
#include "jina/log.h"

namespace jina {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using testing::local;
using testing::texts;
using Ms = std::chrono::milliseconds;

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// How the client names the protocol in a ConnectionError.
std::string error_prefix(Protocol protocol) {
  if (protocol == Protocol::kHttp) return "HTTP error";
  return protocol == Protocol::kWebsocket ? "WebSocket error" : "gRPC error";
}

// A protocol and, for gRPC, whether a post is one stream or one unary call
// per request (ClientOptions::stream).
struct Mode {
  Protocol protocol;
  bool stream = true;
};

// A Flow of "upper" then "tagger", serving the test's protocol.
// A post to a Flow that is down: one request per Document, 3 quick
// attempts, and each request's on_error (UNAVAILABLE) and on_always counted.
PostOptions down_flow_options(int& errors, int& always) {
  return {.request_size = 1,
          .on_error =
              [&errors](const Response&, const Error& e) {
                ++errors;
                EXPECT_EQ(e.code(), absl::StatusCode::kUnavailable);
              },
          .on_always = [&always](const Response&) { ++always; },
          .max_attempts = 3,
          .initial_backoff = 0.01,
          .max_backoff = 0.02};
}

class ClientProtocolsTest : public ::testing::TestWithParam<Mode> {
 protected:
  void SetUp() override {
    flow_ = start_flow(0);
    client_ = Client(address(flow_->port()), options());
  }
  void TearDown() override {
    upper_->release();
    if (flow_) flow_->stop();
  }

  std::unique_ptr<Flow> start_flow(int port, FlowOptions o = {}) {
    o.port = port;
    o.workers = 4;
    auto flow = std::make_unique<Flow>(local(protocol(), std::move(o)));
    flow->add(upper_, {.name = "upper"});
    flow->add<testing::TaggerExecutor>({.name = "tagger"});
    flow->start();
    return flow;
  }
  std::string address(int port) const { return testing::address(protocol(), port); }
  Protocol protocol() const { return GetParam().protocol; }
  // The Client's options in the test's mode.
  ClientOptions options(ClientOptions o = {}) const {
    o.stream = GetParam().stream;
    return o;
  }

  std::shared_ptr<testing::UpperExecutor> upper_ = std::make_shared<testing::UpperExecutor>();
  std::unique_ptr<Flow> flow_;
  Client client_;
};

TEST_P(ClientProtocolsTest, PostsInBatchesAndKeepsOrder) {
  DocumentArray out = client_.post("/", texts(250), {.request_size = 7, .results_in_order = true});
  ASSERT_EQ(out.size(), 250u);
  for (int i = 0; i < 250; ++i) {
    EXPECT_EQ(out[i].text(), "DOC" + std::to_string(i));
    EXPECT_EQ(out[i].tags().value("tagger", false), true);
  }
}

TEST_P(ClientProtocolsTest, EveryRequestAnsweredOnceWithManyInFlight) {
  std::set<std::string> ids;
  int done = 0;
  client_.post("/", texts(300),
               {.request_size = 1,
                .on_done =
                    [&](const Response& r) {
                      ++done;
                      ids.insert(r.docs()[0].text());
                    },
                .prefetch = 32});
  EXPECT_EQ(done, 300);
  EXPECT_EQ(ids.size(), 300u);
}

TEST_P(ClientProtocolsTest, CallbacksRunOnTheCallingThreadOncePerRequest) {
  const auto caller = std::this_thread::get_id();
  int done = 0, always = 0, elsewhere = 0;
  client_.post("/", texts(10),
               {.request_size = 3,
                .on_done =
                    [&](const Response&) {
                      ++done;
                      if (std::this_thread::get_id() != caller) ++elsewhere;
                    },
                .on_always =
                    [&](const Response&) {
                      ++always;
                      if (std::this_thread::get_id() != caller) ++elsewhere;
                    }});
  EXPECT_EQ(done, 4);
  EXPECT_EQ(always, 4);
  EXPECT_EQ(elsewhere, 0);
}

TEST_P(ClientProtocolsTest, ResponsesCarryResultsAndRoutes) {
  std::vector<Response> rs =
      client_.post_responses("/stats", texts(3), {.parameters = {{"hello", "world"}}});
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].parameters()["__results__"]["upper/rep-0"]["docs"], 3);
  EXPECT_EQ(rs[0].parameters()["__results__"]["upper/rep-0"]["hello"], "world");
  EXPECT_FALSE(rs[0].header().request_id().empty());
  if (protocol() == Protocol::kHttp) {
    GTEST_SKIP() << "jina's docarray-v2 HTTP gateway answers {data, parameters, header} only: "
                    "no routes over HTTP";
  }
  ASSERT_EQ(rs[0].routes().size(), 3u);
  EXPECT_EQ(rs[0].routes()[0].executor(), "gateway");
  EXPECT_EQ(rs[0].routes()[1].executor(), "upper");
  EXPECT_EQ(rs[0].routes()[2].executor(), "tagger");
}

TEST_P(ClientProtocolsTest, ParametersReachTheExecutor) {
  std::vector<Response> rs =
      client_.post_responses("/params", texts(1), {.parameters = {{"k", "v"}, {"n", 2}}});
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].parameters()["__results__"]["upper/rep-0"]["seen"]["k"], "v");
  EXPECT_EQ(rs[0].parameters()["__results__"]["upper/rep-0"]["seen"]["n"], 2);
}

TEST_P(ClientProtocolsTest, NoInputsSendsOneParametersOnlyRequest) {
  std::vector<Response> rs = client_.post_responses("/stats", {}, {.parameters = {{"hello", "x"}}});
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0].parameters()["__results__"]["upper/rep-0"]["docs"], 0);
  EXPECT_EQ(rs[0].parameters()["__results__"]["upper/rep-0"]["hello"], "x");
}

TEST_P(ClientProtocolsTest, EmptyInputsReturnNoDocs) {
  EXPECT_TRUE(client_.post("/", DocumentArray{}).empty());
  EXPECT_TRUE(client_.post("/", std::vector<Document>{}).empty());
}

TEST_P(ClientProtocolsTest, TargetExecutorPicksWhichExecutorsRun) {
  DocumentArray only_upper = client_.post("/", texts(2), {.target_executor = "upper"});
  ASSERT_EQ(only_upper.size(), 2u);
  EXPECT_EQ(only_upper[0].text(), "DOC0");
  EXPECT_FALSE(only_upper[0].tags().contains("tagger"));
  DocumentArray only_tagger = client_.post("/", texts(2), {.target_executor = "tag.*"});
  ASSERT_EQ(only_tagger.size(), 2u);
  EXPECT_EQ(only_tagger[0].text(), "doc0");
  EXPECT_EQ(only_tagger[0].tags().value("tagger", false), true);
}

TEST_P(ClientProtocolsTest, ExecutorErrorsGoToOnErrorOrThrowBadServer) {
  int errors = 0, always = 0;
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
  EXPECT_THAT([&] { client_.post("/fail", texts(1)); },
              ::testing::ThrowsMessage<BadServer>(HasSubstr("intentional failure")));
  // The Client stays usable after an error.
  EXPECT_EQ(client_.post("/", texts(2)).size(), 2u);
}

TEST_P(ClientProtocolsTest, ContinueOnErrorKeepsGoing) {
  int done = 0;
  EXPECT_NO_THROW(client_.post(
      "/fail", texts(3),
      {.request_size = 1, .on_done = [&](const Response&) { ++done; }, .continue_on_error = true}));
  EXPECT_EQ(done, 0);
}

TEST_P(ClientProtocolsTest, CallbackExceptionPropagatesAndTheClientStaysUsable) {
  int calls = 0;
  EXPECT_THROW(client_.post("/", texts(50),
                            {.request_size = 1,
                             .on_done =
                                 [&](const Response&) {
                                   if (++calls == 3) throw std::logic_error("user bug");
                                 }}),
               std::logic_error);
  // Answers that arrived before the stream was cancelled still get on_done:
  // every request sent gets one outcome (post_engine_test.cc checks them all).
  EXPECT_GE(calls, 3);
  EXPECT_EQ(client_.post("/", texts(2)).size(), 2u);
}

TEST_P(ClientProtocolsTest, LazyGeneratorIsPulledOnlyAsRequestsAreSent) {
  constexpr int kPrefetch = 4;
  constexpr int kRequestSize = 10;
  int pulled = 0, answered_docs = 0, max_ahead = 0;
  auto generator = [&]() -> std::optional<Document> {
    if (pulled == 5000) return std::nullopt;
    max_ahead = std::max(max_ahead, ++pulled - answered_docs);
    return Document().set_text("g" + std::to_string(pulled));
  };
  client_.post(
      "/", generator,
      {.request_size = kRequestSize,
       .on_done = [&](const Response& r) { answered_docs += static_cast<int>(r.docs().size()); },
       .prefetch = kPrefetch});
  EXPECT_EQ(pulled, 5000);
  EXPECT_EQ(answered_docs, 5000);
  // At most `prefetch` requests (plus the one being built) ahead of the answers.
  EXPECT_LE(max_ahead, (kPrefetch + 1) * kRequestSize);
}

TEST_P(ClientProtocolsTest, PrefetchBoundsRequestsInFlightOnTheFlow) {
  DocumentArray docs;
  for (int i = 0; i < 12; ++i) docs.push_back(testing::sleeper(20));
  client_.post("/slow", docs, {.request_size = 1, .prefetch = 2});
  EXPECT_GE(upper_->max_running(), 1);
  EXPECT_LE(upper_->max_running(), 2);
}

TEST_P(ClientProtocolsTest, ReadinessEndpointsStatusFormat) {
  EXPECT_TRUE(client_.is_flow_ready());
  EXPECT_THAT(client_.endpoints(), ::testing::IsSupersetOf({"/fail", "/stats", "/slow"}));
  nlohmann::json status = client_.status();
  EXPECT_TRUE(status["jina"].contains("jina")) << status.dump();
  EXPECT_EQ(client_.doc_format(), DocFormat::kV2);
  flow_->stop();
  EXPECT_FALSE(client_.is_flow_ready(1.0));
}

TEST_P(ClientProtocolsTest, EightThreadsShareOneClient) {
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

TEST_P(ClientProtocolsTest, TimeoutEndsQuicklyAndAccountsEveryRequest) {
  // `timeout` bounds the whole post: connect and learn the format first, so
  // that (under slow sanitizers too) the 0.2 s go to the hanging requests.
  ASSERT_EQ(client_.doc_format(), DocFormat::kV2);
  int errors = 0, always = 0;
  auto start = std::chrono::steady_clock::now();
  try {
    client_.post("/hang", texts(4),
                 {.request_size = 1,
                  .on_error =
                      [&](const Response& r, const Error& e) {
                        ++errors;
                        EXPECT_EQ(r.status().exception().name(), "Timeout");
                        EXPECT_EQ(e.code(), absl::StatusCode::kDeadlineExceeded);
                      },
                  .on_always = [&](const Response&) { ++always; },
                  .timeout = 0.2});
    FAIL() << "no Timeout";
  } catch (const Timeout& e) {
    EXPECT_THAT(e.what(), HasSubstr("within 0.2 s"));
  }
  double elapsed = seconds_since(start);
  EXPECT_GE(elapsed, 0.2);
  EXPECT_LT(elapsed, 1.0 * testing::kTimingSlack);
  EXPECT_EQ(errors, 4);
  EXPECT_EQ(always, 4);
}

TEST_P(ClientProtocolsTest, CancelFromAnotherThreadEndsWithin100ms) {
  CancelToken token;
  std::atomic<int> errors{0};
  std::chrono::steady_clock::time_point cancelled_at;
  std::thread canceller([&] {
    // Long enough for the requests to be in flight, also under a sanitizer.
    std::this_thread::sleep_for(Ms(static_cast<int>(150 * testing::kTimingSlack)));
    cancelled_at = std::chrono::steady_clock::now();
    token.cancel();
  });
  EXPECT_THROW(client_.post("/hang", texts(6),
                            {.request_size = 2,
                             .on_error =
                                 [&](const Response&, const Error& e) {
                                   EXPECT_EQ(e.code(), absl::StatusCode::kCancelled);
                                   ++errors;
                                 },
                             .cancel = token}),
               Cancelled);
  double after_cancel = seconds_since(cancelled_at);
  canceller.join();
  EXPECT_LT(after_cancel, 0.1 * testing::kTimingSlack);
  EXPECT_EQ(errors, 3);
  // A token already cancelled stops the next post before it sends anything.
  EXPECT_THROW(client_.post("/", texts(1), {.cancel = token}), Cancelled);
}

TEST_P(ClientProtocolsTest, StoppedFlowIsAConnectionErrorNamingTheProtocol) {
  const int port = flow_->port();
  flow_->stop();
  Client client(address(port), options());
  EXPECT_FALSE(client.is_flow_ready(1.0));
  int errors = 0, always = 0;
  auto start = std::chrono::steady_clock::now();
  try {
    client.post("/", texts(3), down_flow_options(errors, always));
    FAIL() << "no ConnectionError";
  } catch (const ConnectionError& e) {
    EXPECT_THAT(e.what(), HasSubstr(error_prefix(protocol())));
    // The attempts spent asking for the Flow's format count too.
    EXPECT_THAT(e.what(), HasSubstr("3 attempts"));
  }
  EXPECT_EQ(errors, 3);
  EXPECT_EQ(always, 3);
  EXPECT_LT(seconds_since(start), 10.0);
}

TEST_P(ClientProtocolsTest, FlowStartedLateIsReachedByRetries) {
  const int port = testing::free_port();
  Client client(address(port), options({.doc_format = DocFormat::kV2}));
  std::unique_ptr<Flow> late;
  std::thread starter([&] {
    std::this_thread::sleep_for(Ms(300));
    late = start_flow(port);
  });
  int errors = 0;
  DocumentArray out = client.post("/", texts(3),
                                  {.on_error = [&](const Response&, const Error&) { ++errors; },
                                   .max_attempts = 10,
                                   .initial_backoff = 0.2,
                                   .max_backoff = 0.5});
  starter.join();
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(out.texts(), (std::vector<std::string>{"DOC0", "DOC1", "DOC2"}));
}

// The Flow comes up after several refused attempts while the client does not
// know its docarray format yet (it asks again on the post's retry schedule):
// the post is answered within a few backoff delays of the start.
TEST_P(ClientProtocolsTest, FlowStartedAfterRefusedAttemptsIsReachedWithinABackoff) {
  const int port = testing::free_port();
  Client client(address(port), options());
  std::unique_ptr<Flow> late;
  std::chrono::steady_clock::time_point started;
  std::thread starter([&] {
    std::this_thread::sleep_for(Ms(1500));
    late = start_flow(port);
    started = std::chrono::steady_clock::now();
  });
  DocumentArray out =
      client.post("/", texts(3), {.max_attempts = 30, .initial_backoff = 0.1, .max_backoff = 0.3});
  const auto answered = std::chrono::steady_clock::now();
  starter.join();
  EXPECT_EQ(out.texts(), (std::vector<std::string>{"DOC0", "DOC1", "DOC2"}));
  EXPECT_LT(std::chrono::duration<double>(answered - started).count(), 2.0 * testing::kTimingSlack);
}

TEST_P(ClientProtocolsTest, FlowKilledMidStreamAndRestartedIsRetried) {
  const int port = flow_->port();
  flow_->stop();
  flow_ = start_flow(port, {.shutdown_grace = Ms(0)});
  std::atomic<int> answered{0};
  std::thread killer([&] {
    while (answered < 5) std::this_thread::sleep_for(Ms(1));
    flow_->stop();  // no grace: open streams and connections are cut
    flow_ = start_flow(port, {.shutdown_grace = Ms(0)});
  });
  std::set<std::string> ids;
  DocumentArray docs;
  for (int i = 0; i < 40; ++i) docs.push_back(testing::sleeper(5, "d" + std::to_string(i)));
  int errors = 0;
  client_.post("/slow", docs,
               {.request_size = 1,
                .on_done =
                    [&](const Response& r) {
                      ids.insert(r.docs()[0].id());
                      ++answered;
                    },
                .on_error = [&](const Response&, const Error&) { ++errors; },
                .max_attempts = 10,
                .initial_backoff = 0.1,
                .max_backoff = 0.3,
                .prefetch = 4});
  killer.join();
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(ids.size(), 40u);
  EXPECT_EQ(answered, 40);  // none lost, none delivered twice
}

TEST_P(ClientProtocolsTest, DocarrayV1FlowIsDetectedAndSpokenTo) {
  Flow flow(local(protocol(), {.doc_format = DocFormat::kV1}));
  flow.add<testing::UpperExecutor>({.name = "upper"});
  flow.start();
  Client client(address(flow.port()), options());
  EXPECT_EQ(client.doc_format(), DocFormat::kV1);
  EXPECT_EQ(client.post("/", texts(2), {.results_in_order = true}).texts(),
            (std::vector<std::string>{"DOC0", "DOC1"}));
}

// Records the size of every batch it is called with; "/fail100" fails a
// batch that holds "doc100".
class BatchRecorder : public Executor {
 public:
  BatchRecorder() {
    on("/fail100", [this](ExecutorRequest& req) {
      record(req);
      for (const Document& d : req.docs) {
        if (d.text() == "doc100") throw ValueError("doc100 fails");
      }
    });
    on_default([this](ExecutorRequest& req) {
      record(req);
      for (Document& d : req.docs) d.set_text(d.text() + "!");
    });
  }
  std::vector<std::size_t> take() {
    std::lock_guard lock(mu_);
    return std::exchange(sizes_, {});
  }

 private:
  void record(const ExecutorRequest& req) {
    std::lock_guard lock(mu_);
    sizes_.push_back(req.docs.size());
  }
  std::mutex mu_;
  std::vector<std::size_t> sizes_;
};

// Issue 19: jina's docarray-v2 HTTP gateway answers for only the first 100
// Documents of a POST (and drops the rest silently), so over HTTP to a v2
// gateway the client POSTs a longer request in pieces of 100 and joins the
// answers: one request is still one outcome, with every Document in order.
// gRPC and WebSocket send the request whole.
TEST_P(ClientProtocolsTest, ARequestAbove100DocsIsOneOutcomeWithEveryDoc) {
  auto recorder = std::make_shared<BatchRecorder>();
  Flow flow(local(protocol()));
  flow.add(recorder, {.name = "recorder"});
  flow.start();
  std::vector<std::string> notes;
  std::mutex notes_mu;
  set_log_level(LogLevel::kInfo);
  set_log_sink([&](const LogRecord& r) {
    std::lock_guard lock(notes_mu);
    if (r.message.find("at most 100 Documents") != std::string_view::npos) {
      notes.emplace_back(r.message);
    }
  });
  const bool split = protocol() == Protocol::kHttp;
  using Sizes = std::vector<std::size_t>;
  Client client(address(flow.port()), options());

  std::vector<Response> responses = client.post_responses("/", texts(250), {.request_size = 250});
  ASSERT_EQ(responses.size(), 1u);
  const DocumentArray& out = responses[0].docs();
  ASSERT_EQ(out.size(), 250u);
  for (int i = 0; i < 250; ++i) EXPECT_EQ(out[i].text(), "doc" + std::to_string(i) + "!");
  EXPECT_EQ(recorder->take(), (split ? Sizes{100, 100, 50} : Sizes{250}));

  // request_size 0: all inputs in one request.
  EXPECT_EQ(client.post("/", texts(201), {.request_size = 0}).size(), 201u);
  EXPECT_EQ(recorder->take(), (split ? Sizes{100, 100, 1} : Sizes{201}));

  // An Executor error in the second piece: one on_error, with the whole
  // request handed back; the third piece is not sent.
  int errors = 0, always = 0, done = 0;
  client.post("/fail100", texts(250),
              {.request_size = 250,
               .on_done = [&](const Response&) { ++done; },
               .on_error =
                   [&](const Response& r, const Error& e) {
                     ++errors;
                     EXPECT_EQ(r.status().code(), StatusCode::kError);
                     EXPECT_THAT(r.status().description(), HasSubstr("doc100 fails"));
                     EXPECT_NE(dynamic_cast<const BadServer*>(&e), nullptr);
                     ASSERT_EQ(r.docs().size(), 250u);
                     EXPECT_EQ(r.docs()[249].text(), "doc249");
                   },
               .on_always = [&](const Response&) { ++always; },
               .continue_on_error = true});
  EXPECT_EQ(errors, 1);
  EXPECT_EQ(always, 1);
  EXPECT_EQ(done, 0);
  EXPECT_EQ(recorder->take(), (split ? Sizes{100, 100} : Sizes{250}));

  set_log_sink({});
  set_log_level(LogLevel::kWarning);
  // Said once per Client, only where requests are cut.
  EXPECT_EQ(notes.size(), split ? 1u : 0u);
}

// docarray v1 gateways (/post) answer for every Document: no pieces.
TEST_P(ClientProtocolsTest, DocarrayV1FlowGetsARequestAbove100DocsWhole) {
  auto recorder = std::make_shared<BatchRecorder>();
  Flow flow(local(protocol(), {.doc_format = DocFormat::kV1}));
  flow.add(recorder, {.name = "recorder"});
  flow.start();
  Client client(address(flow.port()), options());
  EXPECT_EQ(client.post("/", texts(250), {.request_size = 250}).size(), 250u);
  EXPECT_EQ(recorder->take(), std::vector<std::size_t>{250});
}

TEST_P(ClientProtocolsTest, GraphqlIsNotServedByTheLocalFlow) {
  EXPECT_THROW(client_.mutate("mutation { x }"), Error);
}

// Binds only "/only" (tags each Document "seen" with the endpoint), or, with
// `by_default`, only the default endpoint.
class NamesItsEndpoint : public Executor {
 public:
  explicit NamesItsEndpoint(bool by_default) {
    auto tag = [](ExecutorRequest& req) {
      for (Document& d : req.docs) d.tags()["seen"] = req.endpoint;
    };
    if (by_default) {
      on_default(tag);
    } else {
      on("/only", tag);
    }
  }
};

// An endpoint no Executor serves (docs/protocols.md): over gRPC, WebSocket
// and v1 HTTP the Documents come back untouched; a v2 HTTP gateway has no
// route for it (NOT_FOUND naming the endpoint); an Executor bound by default
// runs, and over v2 HTTP sees "/default", as behind jina's gateway.
TEST_P(ClientProtocolsTest, EndpointsNoExecutorServes) {
  for (bool by_default : {false, true}) {
    SCOPED_TRACE(by_default ? "default binding" : "no default binding");
    Flow flow(local(protocol()));
    flow.add(std::make_shared<NamesItsEndpoint>(by_default), {.name = "names"});
    flow.start();
    Client client(address(flow.port()), options());
    DocumentArray docs;
    docs.push_back(Document("a").set_text("x"));
    if (!by_default && protocol() == Protocol::kHttp) {
      try {
        client.post("/search", docs);
        ADD_FAILURE() << "no error";
      } catch (const Error& e) {
        EXPECT_EQ(e.code(), absl::StatusCode::kNotFound) << e.what();
        EXPECT_THAT(e.what(), HasSubstr("no route for endpoint '/search'"));
      }
      continue;
    }
    DocumentArray out = client.post("/search", docs);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].text(), "x");
    if (!by_default) {
      EXPECT_FALSE(out[0].tags().contains("seen"));
    } else {
      EXPECT_EQ(out[0].tags().value("seen", ""),
                protocol() == Protocol::kHttp ? "/default" : "/search");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Protocols, ClientProtocolsTest,
                         ::testing::Values(Mode{Protocol::kGrpc}, Mode{Protocol::kGrpc, false},
                                           Mode{Protocol::kHttp}, Mode{Protocol::kWebsocket}),
                         [](const auto& info) {
                           return testing::protocol_name(info.param.protocol) +
                                  (info.param.stream ? "" : "Unary");
                         });

// ClientOptions::stream = false against the local gRPC Flow: every request
// of a post is one process_single_data call, each answered once.
TEST(ClientUnaryTest, AThousandDocsInRequestsOfTenEachGetOneOutcomeInOrder) {
  Flow flow(local(Protocol::kGrpc, {.workers = 4}));
  flow.add<testing::UpperExecutor>({.name = "upper"});
  flow.start();
  Client client(testing::address(Protocol::kGrpc, flow.port()), {.stream = false});
  int done = 0, errors = 0, always = 0, not_ten = 0;
  std::vector<std::string> out;  // as on_done saw them (post() returns nothing with callbacks)
  client.post("/", texts(1000),
              {.request_size = 10,
               .on_done =
                   [&](const Response& r) {
                     ++done;
                     if (r.docs().size() != 10) ++not_ten;
                     for (const Document& d : r.docs()) out.push_back(d.text());
                   },
               .on_error = [&](const Response&, const Error&) { ++errors; },
               .on_always = [&](const Response&) { ++always; },
               .results_in_order = true});
  EXPECT_EQ(done, 100);
  EXPECT_EQ(not_ten, 0);
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(always, 100);
  ASSERT_EQ(out.size(), 1000u);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(out[i], "DOC" + std::to_string(i)) << i;
  ClientStats stats = client.stats();
  EXPECT_EQ(stats.requests, 100u);
  EXPECT_EQ(stats.responses, 100u);
  EXPECT_EQ(stats.retries, 0u);
  EXPECT_EQ(stats.failed, 0u);
}

// Every attempt is a unary call (the format is known, so none goes to
// asking for it): each fails, and the post ends after max_attempts.
TEST(ClientUnaryTest, FlowThatIsDownIsAConnectionErrorAfterMaxAttempts) {
  Client client(testing::address(Protocol::kGrpc, testing::free_port()),
                {.stream = false, .doc_format = DocFormat::kV2});
  int errors = 0, always = 0;
  try {
    client.post("/", texts(4), down_flow_options(errors, always));
    FAIL() << "no ConnectionError";
  } catch (const ConnectionError& e) {
    EXPECT_THAT(e.what(), HasSubstr("gRPC error: UNAVAILABLE"));
    EXPECT_THAT(e.what(), HasSubstr("3 attempts"));
  }
  EXPECT_EQ(errors, 4);
  EXPECT_EQ(always, 4);
  EXPECT_EQ(client.stats().retries, 8u);  // 4 requests, sent 3 times each
}

// Cancelled while some calls are answered and others run: every request
// sent gets exactly one outcome, answered or Cancelled.
TEST(ClientUnaryTest, CancelMidwayGivesEveryRequestSentOneOutcome) {
  Flow flow(local(Protocol::kGrpc, {.workers = 4}));
  flow.add<testing::UpperExecutor>({.name = "upper"});
  flow.start();
  Client client(testing::address(Protocol::kGrpc, flow.port()), {.stream = false});
  DocumentArray docs;
  for (int i = 0; i < 200; ++i) docs.push_back(testing::sleeper(10, "d" + std::to_string(i)));
  CancelToken token;
  std::set<std::string> outcomes;
  int done = 0, cancelled = 0, always = 0, twice = 0;
  EXPECT_THROW(client.post("/slow", docs,
                           {.request_size = 1,
                            .on_done =
                                [&](const Response& r) {
                                  ++done;
                                  if (!outcomes.insert(r.docs()[0].id()).second) ++twice;
                                  if (done == 20) token.cancel();
                                },
                            .on_error =
                                [&](const Response& r, const Error& e) {
                                  EXPECT_EQ(e.code(), absl::StatusCode::kCancelled);
                                  ++cancelled;
                                  if (!outcomes.insert(r.docs()[0].id()).second) ++twice;
                                },
                            .on_always = [&](const Response&) { ++always; },
                            .prefetch = 8,
                            .cancel = token}),
               Cancelled);
  EXPECT_GE(done, 20);
  EXPECT_GT(cancelled, 0);
  EXPECT_EQ(twice, 0);
  EXPECT_EQ(always, done + cancelled);
  EXPECT_EQ(static_cast<std::uint64_t>(always), client.stats().requests);
  EXPECT_LT(always, 200);
}

TEST(ClientUnaryTest, WebSocketHasNoUnaryForm) {
  EXPECT_THROW(Client("ws://127.0.0.1:1", {.stream = false}), InvalidArgument);
  EXPECT_THROW(AsyncClient("ws://127.0.0.1:1", {.stream = false}), InvalidArgument);
  // HTTP posts each request on its own anyway: accepted.
  EXPECT_NO_THROW(Client("http://127.0.0.1:1", {.stream = false}));
}

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
