// jina::Client over gRPC against a fake gateway that can misbehave on demand
// (issue 4, points 2-7, 9, 10).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "integration/client_fake_gateway.h"
#include "jina/client.h"
#include "jina/error.h"

namespace jina {
namespace {

using ::testing::ElementsAre;
using testing::FakeGateway;
using ::testing::HasSubstr;
using Ms = std::chrono::milliseconds;

DocumentArray texts(int n, const std::string& prefix = "doc") {
  DocumentArray docs;
  for (int i = 0; i < n; ++i) docs.push_back(Document().set_text(prefix + std::to_string(i)));
  return docs;
}

bool is_hex32(const std::string& s) {
  return s.size() == 32 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

class ClientGrpcTest : public ::testing::Test {
 protected:
  FakeGateway gateway_;
  Client client_{"grpc://" + gateway_.address()};
};

TEST_F(ClientGrpcTest, BatchesInputsAndReturnsAllDocs) {
  DocumentArray out = client_.post("/upper", texts(30), {.request_size = 10});
  ASSERT_EQ(out.size(), 30u);
  std::vector<std::string> out_texts = out.texts();
  std::multiset<std::string> got(out_texts.begin(), out_texts.end());
  for (int i = 0; i < 30; ++i) EXPECT_EQ(got.count("DOC" + std::to_string(i)), 1u);

  auto requests = gateway_.requests();
  ASSERT_EQ(requests.size(), 3u);
  std::set<std::string> ids;
  for (const DataRequest& r : requests) {
    EXPECT_EQ(r.docs().size(), 10u);
    EXPECT_TRUE(is_hex32(r.header().request_id())) << r.header().request_id();
    ids.insert(r.header().request_id());
    EXPECT_EQ(r.header().exec_endpoint(), "/upper");
    EXPECT_FALSE(r.header().has_target_executor());
    EXPECT_EQ(r.parameters(), nlohmann::json({{"__results__", nlohmann::json::object()}}));
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(gateway_.streams(), 1);
}

TEST_F(ClientGrpcTest, NoInputsSendsOneParametersOnlyRequest) {
  DocumentArray out = client_.post("/", {}, {.parameters = {{"hello", "world"}}});
  EXPECT_TRUE(out.empty());
  // An empty DocumentArray is the same: one request with parameters only.
  client_.post("/", DocumentArray{}, {.parameters = {{"hello", "world"}}});
  auto requests = gateway_.requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const DataRequest& r : requests) {
    EXPECT_FALSE(r.has_data());
    EXPECT_EQ(r.parameters()["hello"], "world");
    EXPECT_TRUE(r.parameters()["__results__"].is_object());
  }
}

TEST_F(ClientGrpcTest, AcceptsEveryInputKind) {
  EXPECT_EQ(client_.post("/", Document().set_text("one")).texts(), std::vector<std::string>{"ONE"});
  std::vector<Document> vec{Document().set_text("a"), Document().set_text("b")};
  EXPECT_EQ(client_.post("/", vec, {.results_in_order = true}).texts(),
            (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(client_.post("/", std::move(vec), {.results_in_order = true}).texts(),
            (std::vector<std::string>{"A", "B"}));
  int i = 0;
  auto generator = [&i]() -> std::optional<Document> {
    if (i == 5) return std::nullopt;
    return Document().set_text("g" + std::to_string(i++));
  };
  EXPECT_EQ(client_.post("/", generator, {.request_size = 2, .results_in_order = true}).texts(),
            (std::vector<std::string>{"G0", "G1", "G2", "G3", "G4"}));
}

TEST_F(ClientGrpcTest, SetsTargetExecutorAndMetadata) {
  client_.post(
      "/", texts(3),
      {.request_size = 1, .target_executor = "bar.*", .prefetch = 7, .results_in_order = true});
  for (const DataRequest& r : gateway_.requests()) EXPECT_EQ(r.header().target_executor(), "bar.*");
  auto md = gateway_.metadata();
  EXPECT_NE(std::find(md.begin(), md.end(),
                      std::make_pair(std::string("__results_in_order__"), std::string("true"))),
            md.end());
  EXPECT_NE(std::find(md.begin(), md.end(),
                      std::make_pair(std::string("__prefetch__"), std::string("7"))),
            md.end());
}

TEST_F(ClientGrpcTest, LazyGeneratorIsPulledOnlyAsFastAsRequestsAreSent) {
  constexpr int kPrefetch = 2;
  constexpr int kRequestSize = 3;
  int pulled = 0;
  int answered = 0;
  int max_ahead = 0;
  auto generator = [&]() -> std::optional<Document> {
    if (pulled == 60) return std::nullopt;
    ++pulled;
    max_ahead = std::max(max_ahead, pulled - answered * kRequestSize);
    return Document().set_text("x");
  };
  client_.post(
      "/slow", generator,
      {.request_size = kRequestSize,
       .parameters = {{"delay_ms", 2}},
       .on_done =
           [&](const Response& r) { answered += static_cast<int>(r.docs().size()) / kRequestSize; },
       .prefetch = kPrefetch});
  EXPECT_EQ(pulled, 60);
  EXPECT_EQ(answered, 20);
  // At most `prefetch` requests (plus the one being built) ahead of the answers.
  EXPECT_LE(max_ahead, (kPrefetch + 1) * kRequestSize);
}

TEST_F(ClientGrpcTest, CallbacksRunOnTheCallingThreadOncePerRequest) {
  int done = 0, error = 0, always = 0;
  std::set<std::thread::id> threads;
  DocumentArray out = client_.post("/", texts(25),
                                   {.request_size = 5,
                                    .on_done =
                                        [&](const Response& r) {
                                          ++done;
                                          threads.insert(std::this_thread::get_id());
                                        },
                                    .on_error = [&](const Response&, const Error&) { ++error; },
                                    .on_always =
                                        [&](const Response&) {
                                          ++always;
                                          threads.insert(std::this_thread::get_id());
                                        }});
  EXPECT_EQ(done, 5);
  EXPECT_EQ(error, 0);
  EXPECT_EQ(always, 5);
  EXPECT_THAT(threads, ElementsAre(std::this_thread::get_id()));
  EXPECT_TRUE(out.empty());  // the callbacks had the results
}

TEST_F(ClientGrpcTest, ExecutorErrorWithoutOnErrorThrowsBadServerAfterOnAlways) {
  int always = 0, done = 0;
  try {
    client_.post("/fail", texts(1),
                 {.on_done = [&](const Response&) { ++done; },
                  .on_always = [&](const Response&) { ++always; }});
    FAIL() << "no BadServer";
  } catch (const BadServer& e) {
    EXPECT_THAT(e.what(), HasSubstr("ValueError('boom')"));
    EXPECT_THAT(e.what(), HasSubstr("FailExec"));
  }
  EXPECT_EQ(always, 1);
  EXPECT_EQ(done, 0);
  EXPECT_THROW(client_.post("/fail", texts(1)), BadServer);
}

TEST_F(ClientGrpcTest, ExecutorErrorGoesToOnError) {
  int errors = 0, always = 0;
  client_.post("/fail", texts(4),
               {.request_size = 2,
                .on_error =
                    [&](const Response& r, const Error& e) {
                      ++errors;
                      EXPECT_EQ(r.status().code(), StatusCode::kError);
                      EXPECT_EQ(r.status().exception().name(), "ValueError");
                      EXPECT_EQ(r.status().exception().args(), std::vector<std::string>{"boom"});
                      EXPECT_NE(dynamic_cast<const BadServer*>(&e), nullptr);
                    },
                .on_always = [&](const Response&) { ++always; }});
  EXPECT_EQ(errors, 2);
  EXPECT_EQ(always, 2);
}

TEST_F(ClientGrpcTest, ContinueOnErrorKeepsGoing) {
  DocumentArray out =
      client_.post("/fail", texts(4), {.request_size = 1, .continue_on_error = true});
  EXPECT_EQ(out.size(), 4u);
}

TEST_F(ClientGrpcTest, ResultsInOrderReordersOutOfOrderAnswers) {
  PostOptions o{.request_size = 1, .results_in_order = true};
  std::vector<Response> rs = client_.post_responses("/reverse", texts(6), o);
  ASSERT_EQ(rs.size(), 6u);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(rs[i].docs()[0].text(), "DOC" + std::to_string(i));
  // Without ordering, the fake's reversal shows.
  DocumentArray unordered = client_.post("/reverse", texts(2), {.request_size = 1});
  EXPECT_EQ(unordered.texts(), (std::vector<std::string>{"DOC1", "DOC0"}));
}

TEST_F(ClientGrpcTest, PostResponsesCarryHeaderAndRoutes) {
  std::vector<Response> rs =
      client_.post_responses("/", texts(3), {.request_size = 2, .results_in_order = true});
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_EQ(rs[0].docs().size(), 2u);
  EXPECT_EQ(rs[1].docs().size(), 1u);
  EXPECT_EQ(rs[0].header().exec_endpoint(), "/");
  ASSERT_FALSE(rs[0].routes().empty());
  EXPECT_EQ(rs[0].routes()[0].executor(), "gateway");
}

TEST_F(ClientGrpcTest, BrokenStreamResendsOnlyUnansweredRequests) {
  gateway_.break_streams(1, 3);
  std::vector<std::string> answered;
  client_.post("/", texts(10),
               {.request_size = 1,
                .on_done = [&](const Response& r) { answered.push_back(r.header().request_id()); },
                .max_attempts = 3,
                .initial_backoff = 0.01});
  ASSERT_EQ(answered.size(), 10u);
  EXPECT_EQ(std::set<std::string>(answered.begin(), answered.end()).size(), 10u);
  EXPECT_EQ(gateway_.streams(), 2);
  // The 3 answered before the break were sent once; the rest were re-sent.
  std::vector<std::string> seen = gateway_.request_ids();
  int sent_once = 0;
  for (const std::string& id : answered) {
    if (std::count(seen.begin(), seen.end(), id) == 1) ++sent_once;
  }
  EXPECT_GE(sent_once, 3);
  EXPECT_LT(sent_once, 10);
}

TEST_F(ClientGrpcTest, RetriesExhaustedGiveEveryRequestAnOutcome) {
  gateway_.break_streams(10, 1, grpc::INTERNAL);
  int done = 0, errors = 0, always = 0;
  try {
    client_.post("/", texts(5),
                 {.request_size = 1,
                  .on_done = [&](const Response&) { ++done; },
                  .on_error =
                      [&](const Response& r, const Error& e) {
                        ++errors;
                        EXPECT_EQ(r.status().exception().name(), "ConnectionError");
                        EXPECT_EQ(r.docs().size(), 1u);  // the request's own docs
                      },
                  .on_always = [&](const Response&) { ++always; },
                  .max_attempts = 2,
                  .initial_backoff = 0.01});
    FAIL() << "no ConnectionError";
  } catch (const ConnectionError& e) {
    EXPECT_THAT(e.what(), HasSubstr("INTERNAL"));
    EXPECT_THAT(e.what(), HasSubstr("2 attempts"));
  }
  EXPECT_EQ(done + errors, 5);
  EXPECT_EQ(always, 5);
  EXPECT_GE(done, 2);  // one per stream before each break
  EXPECT_EQ(gateway_.streams(), 2);
}

TEST_F(ClientGrpcTest, StreamEndingWhileTheClientWaitsForAnswersIsNoticed) {
  // The client has `prefetch` requests out and nothing to write: the end of
  // the call must still reach it.
  gateway_.break_streams(1, 0);
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(client_.post("/", texts(10), {.request_size = 1, .prefetch = 2, .timeout = 5}),
               ConnectionError);
  EXPECT_LT(seconds_since(start), 1.0);
}

TEST_F(ClientGrpcTest, NonRetryableStatusIsNotRetried) {
  gateway_.break_streams(10, 0, grpc::PERMISSION_DENIED);
  EXPECT_THROW(client_.post("/", texts(2), {.max_attempts = 5, .initial_backoff = 0.01}),
               ConnectionError);
  EXPECT_EQ(gateway_.streams(), 1);
}

TEST(ClientConnectionTest, NoServerIsAConnectionErrorWithOutcomes) {
  Client client("grpc://127.0.0.1:" + std::to_string(testing::free_port()));
  int errors = 0, always = 0;
  PostOptions options{.request_size = 1,
                      .on_error =
                          [&](const Response&, const Error& e) {
                            ++errors;
                            EXPECT_EQ(e.code(), absl::StatusCode::kUnavailable);
                          },
                      .on_always = [&](const Response&) { ++always; },
                      .max_attempts = 3,
                      .initial_backoff = 0.05,
                      .timeout = 3};
  // The attempts go to asking the Flow for its format, then one last try
  // sends the requests: each gets its on_error (well within the timeout,
  // even on a loaded machine).
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(client.post("/", texts(3), options), ConnectionError);
  EXPECT_EQ(errors, 3);
  EXPECT_EQ(always, 3);
  EXPECT_LT(seconds_since(start), 5.0);
  // The Flow is still down when the timeout passes while backing off: still a
  // ConnectionError (as Jina's client), and no request was sent, so none is
  // owed an outcome.
  errors = always = 0;
  options.max_attempts = 10;
  options.initial_backoff = options.max_backoff = 0.3;
  options.timeout = 0.5;
  EXPECT_THAT([&] { client.post("/", texts(3), options); },
              ::testing::ThrowsMessage<ConnectionError>(HasSubstr("unreachable")));
  EXPECT_EQ(always, 0);
  EXPECT_FALSE(client.is_flow_ready(0.5));
  EXPECT_THROW(client.endpoints(0.5), ConnectionError);
}

// Retries against a real Flow, timeouts, cancel, threads and callback
// exceptions: client_protocols_test.cc, over every protocol.

TEST_F(ClientGrpcTest, CompressionRoundTrips) {
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kDeflate}) {
    DocumentArray out =
        client_.post("/", texts(20, std::string(200, 'a')), {.request_size = 5, .compression = c});
    EXPECT_EQ(out.size(), 20u);
  }
}

TEST_F(ClientGrpcTest, ReadinessEndpointsStatusAndFormat) {
  EXPECT_TRUE(client_.is_flow_ready());
  gateway_.dry_run_ok = false;
  EXPECT_FALSE(client_.is_flow_ready());
  EXPECT_THAT(client_.endpoints(), ElementsAre("/fail", "/hang", "/reverse", "/slow", "/upper"));
  nlohmann::json s = client_.status();
  EXPECT_EQ(s["jina"]["jina"], "3.34.0");
  EXPECT_EQ(s["envs"]["JINA_LOG_LEVEL"], "INFO");
  EXPECT_EQ(client_.doc_format(), DocFormat::kV2);
}

TEST(ClientFormatTest, OldDocarrayMeansV1UnlessForced) {
  FakeGateway gateway;
  gateway.docarray_version = "0.21.0";
  EXPECT_EQ(Client(gateway.address()).doc_format(), DocFormat::kV1);
  EXPECT_EQ(Client(gateway.address(), {.doc_format = DocFormat::kV2}).doc_format(), DocFormat::kV2);
  gateway.docarray_version = "0.40.1";
  EXPECT_EQ(Client(gateway.address()).doc_format(), DocFormat::kV2);
}

TEST(ClientOptionsTest, RejectsWhatIsNotSupportedOrMalformed) {
  EXPECT_THROW(Client("ftp://localhost:1234"), InvalidArgument);
  EXPECT_THROW(Client("wss://h", {.tls_certificate_chain_file = "/nonexistent"}), InvalidArgument);
  EXPECT_THROW(Client("https://h:1234", {.port = 4321}), InvalidArgument);
  FakeGateway gateway;
  Client client(gateway.address());
  EXPECT_THROW(client.post("/", texts(1), {.parameters = {1, 2}}), InvalidArgument);
  EXPECT_THROW(client.post("/", texts(1), {.max_attempts = 0}), InvalidArgument);
  EXPECT_THROW(client.post("/", texts(1), {.prefetch = -1}), InvalidArgument);
  EXPECT_THROW(client.post("/", texts(1), {.timeout = -1}), InvalidArgument);
}

TEST_F(ClientGrpcTest, CrudSugarPostsToTheNamedEndpoints) {
  client_.index(texts(1));
  client_.search(texts(1));
  client_.update(texts(1));
  client_.remove(texts(1));
  std::vector<std::string> endpoints;
  for (const DataRequest& r : gateway_.requests()) endpoints.push_back(r.header().exec_endpoint());
  EXPECT_THAT(endpoints, ElementsAre("/index", "/search", "/update", "/delete"));
}

TEST_F(ClientGrpcTest, ExistingResultsKeyIsKeptAndBadOneReplaced) {
  client_.post("/", {}, {.parameters = {{"__results__", {{"a", 1}}}}});
  client_.post("/", {}, {.parameters = {{"__results__", 3}}});
  auto requests = gateway_.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].parameters()["__results__"]["a"], 1);
  EXPECT_EQ(requests[1].parameters()["__results__"], nlohmann::json::object());
}

// ClientOptions::stream = false (issue 17): one process_single_data call per
// request, with the post's metadata and compression, and no Call stream.
TEST_F(ClientGrpcTest, UnaryModeMakesOneCallPerRequestAndNoStream) {
  Client client(gateway_.address(), {.stream = false});
  DocumentArray out = client.post("/upper", texts(30),
                                  {.request_size = 10,
                                   .compression = Compression::kGzip,
                                   .prefetch = 7,
                                   .results_in_order = true,
                                   .metadata = {{"x-tenant", "t1"}}});
  ASSERT_EQ(out.size(), 30u);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(out[i].text(), "DOC" + std::to_string(i));
  EXPECT_EQ(gateway_.unary_calls(), 3);
  EXPECT_EQ(gateway_.streams(), 0);
  auto md = gateway_.metadata();
  for (const auto& expected :
       {std::make_pair(std::string("__results_in_order__"), std::string("true")),
        std::make_pair(std::string("__prefetch__"), std::string("7")),
        std::make_pair(std::string("x-tenant"), std::string("t1"))}) {
    EXPECT_EQ(std::count(md.begin(), md.end(), expected), 3) << expected.first;
  }
}

// A unary call that fails ends the attempt; the requests it did not answer
// are re-sent after backoff, and each request still gets one outcome.
TEST_F(ClientGrpcTest, UnaryModeRetriesAFailedCall) {
  Client client(gateway_.address(), {.stream = false});
  gateway_.fail_unary_calls(2);
  std::set<std::string> answered;
  int done = 0, errors = 0;
  client.post("/upper", texts(20),
              {.request_size = 1,
               .on_done =
                   [&](const Response& r) {
                     ++done;
                     answered.insert(r.docs()[0].text());
                   },
               .on_error = [&](const Response&, const Error&) { ++errors; },
               .max_attempts = 5,
               .initial_backoff = 0.01,
               .max_backoff = 0.02,
               .prefetch = 4});
  EXPECT_EQ(done, 20);
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(answered.size(), 20u);
  EXPECT_GE(gateway_.unary_calls(), 22);
  EXPECT_GE(client.stats().retries, 2u);
}

// A call the server cancelled (a Flow that stops does, to the calls it
// runs) broke, as a stream that breaks: retried, not the post's Cancelled.
TEST_F(ClientGrpcTest, UnaryModeRetriesACallTheServerCancelled) {
  Client client(gateway_.address(), {.stream = false});
  gateway_.fail_unary_calls(1, grpc::CANCELLED);
  int errors = 0;
  DocumentArray out = client.post("/upper", texts(3),
                                  {.request_size = 1,
                                   .on_error = [&](const Response&, const Error&) { ++errors; },
                                   .max_attempts = 3,
                                   .initial_backoff = 0.01,
                                   .max_backoff = 0.02,
                                   .results_in_order = true});
  EXPECT_EQ(out.texts(), (std::vector<std::string>{"DOC0", "DOC1", "DOC2"}));
  EXPECT_EQ(errors, 0);
  EXPECT_GE(client.stats().retries, 1u);
}

// A call that fails with a code that is not retried ends the post with it,
// and every request sent gets its outcome.
TEST_F(ClientGrpcTest, UnaryModeFailureThatIsNotRetriedEndsThePost) {
  Client client(gateway_.address(), {.stream = false});
  gateway_.fail_unary_calls(1, grpc::PERMISSION_DENIED);
  int always = 0;
  EXPECT_THROW(client.post("/upper", texts(5),
                           {.request_size = 1, .on_always = [&](const Response&) { ++always; }}),
               Error);
  EXPECT_EQ(always, 5);
}

// Over several gateways each one gets its share of a post's requests as
// unary calls (the balancer opens a unary "stream" per gateway).
TEST(ClientUnaryGatewaysTest, APostIsSpreadOverGatewaysAsUnaryCalls) {
  FakeGateway a, b;
  Client client({.hosts = {"grpc://" + a.address(), "grpc://" + b.address()}, .stream = false});
  DocumentArray out =
      client.post("/upper", texts(40), {.request_size = 1, .results_in_order = true});
  ASSERT_EQ(out.size(), 40u);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(out[i].text(), "DOC" + std::to_string(i));
  EXPECT_EQ(a.streams() + b.streams(), 0);
  EXPECT_EQ(a.unary_calls() + b.unary_calls(), 40);
  EXPECT_GT(a.unary_calls(), 0);
  EXPECT_GT(b.unary_calls(), 0);
}

}  // namespace
}  // namespace jina
