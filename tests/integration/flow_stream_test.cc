// Streaming endpoints of the local Flow over gRPC (JinaSingleDocumentRequestRPC
// /stream_doc), driven by the generated stubs: items in order and flushed as
// produced, jina's message shape (checked against the captures of a live
// jina 3.34 Flow), parameters, errors mid-stream, endpoints that do not
// stream, cancel and deadline, backpressure against a slow reader,
// endpoint discovery, concurrent streams, docarray v1, limits and stop().
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <set>
#include <thread>

#include "integration/flow_testing.h"
#include "integration/testing.h"
#include "jina/error.h"
#include "jina/flow.h"
#include "wire/request_codec.h"
#include "wire/struct_json.h"

namespace {

using ::jina::DataRequest;
using ::jina::DocEmitter;
using ::jina::DocFormat;
using ::jina::Document;
using ::jina::DocumentArray;
using ::jina::Flow;
using ::jina::FlowOptions;
using ::jina::StatusCode;
using ::jina::StreamRequest;
using ::jina::testing::channel_to;
using ::jina::testing::kTimingSlack;
using ::jina::testing::local;
using ::jina::testing::read_capture;
using ::jina::testing::set_deadline;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
      .count();
}

double ms_between(std::int64_t from_us, std::int64_t to_us) {
  return static_cast<double>(to_us - from_us) / 1000.0;
}

// The captures' StreamExec ("/stream", "/fail", "/params", ...), plus
// instrumented endpoints for timing, cancellation and backpressure.
class StreamExec : public jina::Executor {
 public:
  StreamExec() {
    on_stream("/stream", &StreamExec::stream);
    on_stream("/slow", &StreamExec::slow);
    on_stream("/params", [](StreamRequest& req, DocEmitter& out) {
      out.emit(Document(req.doc.id() + "-0").set_text(req.parameters.dump()));
    });
    on_stream("/fail", &StreamExec::fail);
    on_stream("/fail_first", [](const Document&, DocEmitter&) {
      throw ValueError("intentional failure before the first item");
    });
    on_stream("/fast", &StreamExec::fast);
    on_stream("/wait_cancel", &StreamExec::wait_cancel);
    on("/unary", [](jina::ExecutorRequest&) {});
  }

  // "<id>-<i>", "<text>:tok<i>" for i in 0..2, as jina's StreamExec.
  void stream(const Document& in, DocEmitter& out) {
    for (int i = 0; i < 3; ++i) {
      out.emit(Document(in.id() + "-" + std::to_string(i))
                   .set_text(in.text() + ":tok" + std::to_string(i)));
    }
  }

  // 5 items, 100 ms before each; tags.produced_us stamps when.
  void slow(const Document& in, DocEmitter& out) {
    for (int i = 0; i < 5; ++i) {
      std::this_thread::sleep_for(milliseconds(100));
      Document d(in.id() + "-" + std::to_string(i));
      d.tags()["produced_us"] = static_cast<double>(now_us());
      if (!out.emit(std::move(d))) return;
    }
  }

  void fail(const Document& in, DocEmitter& out) {
    ++fail_calls;
    out.emit(Document(in.id() + "-0"));
    out.emit(Document(in.id() + "-1"));
    throw ValueError("intentional failure after 2 items");
  }

  // Up to tags.n items (10000), each with tags.size bytes of text, as fast
  // as emit() takes them; counts them and stamps when emit() said false.
  void fast(const Document& in, DocEmitter& out) {
    const nlohmann::json& tags = in.tags().is_object() ? in.tags() : nlohmann::json::object();
    const int n = tags.value("n", 10000);
    const std::string text(static_cast<std::size_t>(tags.value("size", 0)), 'x');
    for (int i = 0; i < n; ++i) {
      if (!out.emit(Document(std::to_string(i)).set_text(text))) {
        refused_at_us = now_us();
        break;
      }
      ++emitted;
    }
    returned_at_us = now_us();
  }

  // One item, then waits until the client has gone.
  void wait_cancel(const Document& in, DocEmitter& out) {
    out.emit(Document(in.id() + "-0"));
    const auto give_up = Clock::now() + std::chrono::seconds(20);
    while (!out.cancelled() && Clock::now() < give_up) std::this_thread::sleep_for(milliseconds(2));
    if (out.cancelled()) saw_cancel_at_us = now_us();
    EXPECT_FALSE(out.emit(Document("after-cancel")));
    returned_at_us = now_us();
  }

  std::atomic<int> fail_calls{0};
  std::atomic<int> emitted{0};
  std::atomic<std::int64_t> refused_at_us{0};
  std::atomic<std::int64_t> saw_cancel_at_us{0};
  std::atomic<std::int64_t> returned_at_us{0};
};

jina::SingleDocumentRequestProto request_proto(const std::string& endpoint, Document doc,
                                               nlohmann::json parameters = nullptr) {
  DataRequest r;
  r.header().set_request_id(jina::new_id()).set_exec_endpoint(endpoint);
  r.set_docs(DocumentArray{std::move(doc)});
  r.parameters() = std::move(parameters);
  jina::SingleDocumentRequestProto proto;
  if (!proto.ParseFromString(jina::wire::serialize_single_document(r, DocFormat::kV2)))
    throw std::runtime_error("bad request bytes");
  return proto;
}

DataRequest parsed(const jina::SingleDocumentRequestProto& proto) {
  return jina::wire::parse_single_document(proto.SerializeAsString(), DocFormat::kV2);
}

struct Streamed {
  std::vector<jina::SingleDocumentRequestProto> items;
  std::vector<std::int64_t> arrived_us;
  grpc::Status status;
  std::int64_t started_us = 0;
};

// One stream_doc call, read to its end.
Streamed stream_doc(const std::shared_ptr<grpc::Channel>& channel,
                    const jina::SingleDocumentRequestProto& request) {
  auto stub = jina::JinaSingleDocumentRequestRPC::NewStub(channel);
  grpc::ClientContext ctx;
  set_deadline(ctx);
  Streamed out;
  out.started_us = now_us();
  auto reader = stub->stream_doc(&ctx, request);
  jina::SingleDocumentRequestProto item;
  while (reader->Read(&item)) {
    out.arrived_us.push_back(now_us());
    out.items.push_back(item);
  }
  out.status = reader->Finish();
  return out;
}

class FlowStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    exec_ = std::make_shared<StreamExec>();
    flow_ = std::make_unique<Flow>(local({.workers = 2}));
    flow_->add(exec_, {.name = "stream"});
    flow_->start();
    channel_ = channel_to(flow_->port());
  }

  Streamed stream(const std::string& endpoint, Document doc, nlohmann::json parameters = nullptr) {
    return stream_doc(channel_, request_proto(endpoint, std::move(doc), std::move(parameters)));
  }

  std::shared_ptr<StreamExec> exec_;
  std::unique_ptr<Flow> flow_;
  std::shared_ptr<grpc::Channel> channel_;
};

// What jina sends per item: header.request_id (new, random) and document.
void expect_plain_item(const jina::SingleDocumentRequestProto& item,
                       const std::string& request_id) {
  EXPECT_EQ(item.header().request_id().size(), 32u);
  EXPECT_NE(item.header().request_id(), request_id);
  EXPECT_FALSE(item.header().has_status());
  EXPECT_FALSE(item.header().has_exec_endpoint());
  EXPECT_FALSE(item.header().has_target_executor());
  EXPECT_FALSE(item.header().has_timeout());
  EXPECT_FALSE(item.has_parameters());
  EXPECT_EQ(item.routes_size(), 0);
  EXPECT_TRUE(item.has_document());
}

TEST_F(FlowStreamTest, ItemsComeInOrderAsJinaSendsThem) {
  auto request = request_proto("/stream", Document("d1").set_text("hello"));
  Streamed s = stream_doc(channel_, request);
  ASSERT_TRUE(s.status.ok()) << s.status.error_message();
  ASSERT_EQ(s.items.size(), 3u);
  std::set<std::string> ids;
  for (std::size_t i = 0; i < s.items.size(); ++i) {
    expect_plain_item(s.items[i], request.header().request_id());
    ids.insert(s.items[i].header().request_id());
    DataRequest item = parsed(s.items[i]);
    ASSERT_EQ(item.docs().size(), 1u);
    EXPECT_EQ(item.docs()[0].id(), "d1-" + std::to_string(i));
    EXPECT_EQ(item.docs()[0].text(), "hello:tok" + std::to_string(i));
  }
  EXPECT_EQ(ids.size(), 3u);
}

// jina's own request bytes in; the answers parse as the live Flow's did.
TEST_F(FlowStreamTest, AnswersJinasCapturedRequestAsJinaDid) {
  jina::SingleDocumentRequestProto request;
  ASSERT_TRUE(request.ParseFromString(read_capture("streaming/flow_stream_request.pb")));
  Streamed s = stream_doc(channel_, request);
  ASSERT_TRUE(s.status.ok());
  ASSERT_EQ(s.items.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    jina::SingleDocumentRequestProto theirs;
    ASSERT_TRUE(theirs.ParseFromString(
        read_capture("streaming/flow_stream_response_" + std::to_string(i) + ".pb")));
    // The same fields; only the random request id differs.
    theirs.mutable_header()->set_request_id(s.items[i].header().request_id());
    EXPECT_EQ(parsed(s.items[i]), parsed(theirs));
    EXPECT_EQ(s.items[i].ByteSizeLong(), theirs.ByteSizeLong());
  }
}

TEST_F(FlowStreamTest, ItemsAreSentAsProduced) {
  Streamed s = stream("/slow", Document("d1"));
  ASSERT_TRUE(s.status.ok());
  ASSERT_EQ(s.items.size(), 5u);
  std::vector<double> lag_ms;
  for (std::size_t i = 0; i < 5; ++i) {
    DataRequest item = parsed(s.items[i]);
    EXPECT_EQ(item.docs()[0].id(), "d1-" + std::to_string(i));
    auto produced = static_cast<std::int64_t>(item.docs()[0].tags()["produced_us"].get<double>());
    lag_ms.push_back(ms_between(produced, s.arrived_us[i]));
  }
  const double first_ms = ms_between(s.started_us, s.arrived_us[0]);
  std::printf("first item after %.1f ms (produced at ~100 ms); arrival - production:", first_ms);
  for (double lag : lag_ms) std::printf(" %.2f", lag);
  std::printf(" ms\n");
  EXPECT_LT(first_ms, 300 * kTimingSlack);
  const auto last_produced =
      static_cast<std::int64_t>(parsed(s.items[4]).docs()[0].tags()["produced_us"].get<double>());
  EXPECT_LT(s.arrived_us[0], last_produced);  // not held back until the end
  for (double lag : lag_ms) EXPECT_LT(lag, 50 * kTimingSlack);
}

TEST_F(FlowStreamTest, ParametersReachTheMethod) {
  // Executor-specific ones applied, as for requests (jina drops them all).
  Streamed s = stream("/params", Document("d1"),
                      {{"k", "v"}, {"n", 1}, {"stream", {{"x", 2}}}, {"other__y", 3}});
  ASSERT_TRUE(s.status.ok());
  ASSERT_EQ(s.items.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(parsed(s.items[0]).docs()[0].text()),
            nlohmann::json(
                {{"k", "v"}, {"n", 1.0}, {"x", 2.0}, {"stream", {{"x", 2.0}}}, {"other__y", 3.0}}));
  Streamed none = stream("/params", Document("d1"));
  ASSERT_EQ(none.items.size(), 1u);
  EXPECT_EQ(parsed(none.items[0]).docs()[0].text(), "{}");
}

TEST_F(FlowStreamTest, ErrorAfterItemsIsOneErrorMessageThenOk) {
  auto request = request_proto("/fail", Document("d1"));
  Streamed s = stream_doc(channel_, request);
  EXPECT_TRUE(s.status.ok()) << s.status.error_message();
  ASSERT_EQ(s.items.size(), 3u);
  EXPECT_TRUE(s.items[0].has_document());
  EXPECT_TRUE(s.items[1].has_document());
  EXPECT_EQ(parsed(s.items[1]).docs()[0].id(), "d1-1");

  const jina::SingleDocumentRequestProto& error = s.items[2];
  EXPECT_FALSE(error.has_document());
  EXPECT_EQ(error.header().request_id().size(), 32u);
  EXPECT_NE(error.header().request_id(), request.header().request_id());
  const jina::StatusProto& status = error.header().status();
  EXPECT_EQ(status.code(), jina::StatusProto::ERROR);
  EXPECT_EQ(status.description(), "ValueError('intentional failure after 2 items')");
  EXPECT_EQ(status.exception().name(), "ValueError");
  EXPECT_THAT(status.exception().args(), ElementsAre("intentional failure after 2 items"));
  EXPECT_EQ(status.exception().executor(), "StreamExec");
  ASSERT_GT(status.exception().stacks_size(), 0);
  EXPECT_EQ(status.exception().stacks(status.exception().stacks_size() - 1),
            "ValueError: intentional failure after 2 items\n");
  EXPECT_EQ(exec_->fail_calls.load(), 1);  // never re-run, unlike jina's gateway
}

TEST_F(FlowStreamTest, ErrorBeforeTheFirstItem) {
  Streamed s = stream("/fail_first", Document("d1"));
  EXPECT_TRUE(s.status.ok());
  ASSERT_EQ(s.items.size(), 1u);
  EXPECT_FALSE(s.items[0].has_document());
  EXPECT_EQ(s.items[0].header().status().exception().name(), "ValueError");
  EXPECT_THAT(s.items[0].header().status().exception().args(),
              ElementsAre("intentional failure before the first item"));
}

TEST_F(FlowStreamTest, RequestEndpointEchoesTheRequestWithJinasError) {
  jina::SingleDocumentRequestProto request;
  ASSERT_TRUE(request.ParseFromString(read_capture("streaming/flow_unary_request.pb")));
  Streamed s = stream_doc(channel_, request);
  EXPECT_TRUE(s.status.ok());
  ASSERT_EQ(s.items.size(), 1u);
  jina::SingleDocumentRequestProto theirs;
  ASSERT_TRUE(theirs.ParseFromString(read_capture("streaming/flow_unary_response_0.pb")));
  const jina::SingleDocumentRequestProto& ours = s.items[0];
  EXPECT_EQ(ours.header().SerializeAsString(), theirs.header().SerializeAsString());
  EXPECT_EQ(parsed(ours).docs(), parsed(theirs).docs());
  ASSERT_EQ(ours.routes_size(), 1);
  EXPECT_EQ(ours.routes(0).executor(), "gateway");
  EXPECT_TRUE(ours.routes(0).has_start_time());
  EXPECT_FALSE(ours.routes(0).has_end_time());
}

TEST_F(FlowStreamTest, UnknownEndpointSaysWhichEndpointsStream) {
  auto request = request_proto("/nope", Document("d1").set_text("hello"));
  Streamed s = stream_doc(channel_, request);
  EXPECT_TRUE(s.status.ok());
  ASSERT_EQ(s.items.size(), 1u);
  const auto& header = s.items[0].header();
  EXPECT_EQ(header.request_id(), request.header().request_id());
  EXPECT_EQ(header.exec_endpoint(), "/nope");
  EXPECT_EQ(header.status().code(), jina::StatusProto::ERROR);
  EXPECT_EQ(header.status().exception().name(), "ValueError");
  ASSERT_EQ(header.status().exception().args_size(), 1);
  EXPECT_THAT(header.status().exception().args(0),
              HasSubstr("whose streaming endpoints are /fail /fail_first /fast /params /slow "
                        "/stream /wait_cancel"));
}

TEST_F(FlowStreamTest, ClientCancelStopsTheMethodPromptly) {
  auto stub = jina::JinaSingleDocumentRequestRPC::NewStub(channel_);
  grpc::ClientContext ctx;
  set_deadline(ctx);
  auto reader = stub->stream_doc(&ctx, request_proto("/fast", Document("d1")));
  jina::SingleDocumentRequestProto item;
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(reader->Read(&item));
  const std::int64_t cancelled_us = now_us();
  ctx.TryCancel();
  while (reader->Read(&item)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  const auto give_up = Clock::now() + std::chrono::seconds(5);
  while (exec_->returned_at_us.load() == 0 && Clock::now() < give_up)
    std::this_thread::sleep_for(milliseconds(1));
  ASSERT_NE(exec_->refused_at_us.load(), 0) << "emit() never said false";
  const double refused_ms = ms_between(cancelled_us, exec_->refused_at_us.load());
  std::printf("emit() said false %.2f ms after the client cancelled (%d items emitted)\n",
              refused_ms, exec_->emitted.load());
  EXPECT_LT(refused_ms, 100 * kTimingSlack);
  EXPECT_LT(exec_->emitted.load(), 10000);
}

TEST_F(FlowStreamTest, DeadlineEndsTheStreamAndTellsTheMethod) {
  auto stub = jina::JinaSingleDocumentRequestRPC::NewStub(channel_);
  grpc::ClientContext ctx;
  const auto deadline = std::chrono::system_clock::now() + milliseconds(300);
  ctx.set_deadline(deadline);
  const std::int64_t deadline_us = now_us() + 300'000;
  auto reader = stub->stream_doc(&ctx, request_proto("/wait_cancel", Document("d1")));
  jina::SingleDocumentRequestProto item;
  EXPECT_TRUE(reader->Read(&item));
  EXPECT_FALSE(reader->Read(&item));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  const auto give_up = Clock::now() + std::chrono::seconds(5);
  while (exec_->returned_at_us.load() == 0 && Clock::now() < give_up)
    std::this_thread::sleep_for(milliseconds(1));
  ASSERT_NE(exec_->saw_cancel_at_us.load(), 0);
  const double after_ms = ms_between(deadline_us, exec_->saw_cancel_at_us.load());
  std::printf("the method saw the deadline %.2f ms after it passed\n", after_ms);
  EXPECT_LT(after_ms, 100 * kTimingSlack);
}

// A channel whose client buffers at most 64 KiB per stream: gRPC's default
// window without BDP probing (which grows it to megabytes on loopback).
std::shared_ptr<grpc::Channel> small_window_channel(int port) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 64 << 10);
  return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port),
                                   grpc::InsecureChannelCredentials(), args);
}

// A client reading one item per 100 ms from "/fast" (`item_bytes` of text
// per item): returns how many items the method was ahead of the reader after
// each of 12 reads. emit() blocks, so that number must not grow.
std::vector<int> slow_reader(const std::shared_ptr<grpc::Channel>& channel, StreamExec& exec,
                             int item_bytes) {
  auto stub = jina::JinaSingleDocumentRequestRPC::NewStub(channel);
  grpc::ClientContext ctx;
  set_deadline(ctx);
  Document in("d1");
  in.tags()["n"] = 100000;
  in.tags()["size"] = item_bytes;
  auto reader = stub->stream_doc(&ctx, request_proto("/fast", in));
  jina::SingleDocumentRequestProto item;
  std::vector<int> ahead;
  for (int read = 1; read <= 12; ++read) {
    if (!reader->Read(&item)) {
      ADD_FAILURE() << "the stream ended early";
      break;
    }
    std::this_thread::sleep_for(milliseconds(100));
    ahead.push_back(exec.emitted.load() - read);
  }
  ctx.TryCancel();
  while (reader->Read(&item)) {
  }
  (void)reader->Finish();
  std::printf("%d-byte items, a reader at 10/s: the method was ahead by", item_bytes);
  for (int a : ahead) std::printf(" %d", a);
  std::printf(" items\n");
  if (ahead.empty()) ahead.push_back(0);
  return ahead;
}

int most(const std::vector<int>& v) { return *std::max_element(v.begin(), v.end()); }
int growth(const std::vector<int>& v) {
  return v.back() - v[std::min<std::size_t>(2, v.size() - 1)];
}

TEST_F(FlowStreamTest, SlowReaderHoldsBackTheMethod) {
  std::vector<int> ahead = slow_reader(small_window_channel(flow_->port()), *exec_, 16 << 10);
  // 4 queued + 1 being written + the client's 64 KiB window (4 items) + a
  // frame or two in the sockets.
  EXPECT_LE(most(ahead), 12);
  EXPECT_LE(growth(ahead), 1);
}

TEST_F(FlowStreamTest, SlowReaderOfSmallItemsIsBoundedToo) {
  // About 50 bytes an item on the wire: the 64 KiB window holds ~1300.
  std::vector<int> ahead = slow_reader(small_window_channel(flow_->port()), *exec_, 0);
  EXPECT_LE(most(ahead), 2000);
  EXPECT_LE(growth(ahead), 1);
}

TEST_F(FlowStreamTest, SlowReaderWithGrpcsDefaultWindow) {
  // BDP probing grows the client's window to a few MiB on loopback: that
  // much waits in the client's gRPC buffers, no more.
  std::vector<int> ahead = slow_reader(channel_, *exec_, 16 << 10);
  EXPECT_LE(most(ahead) * (16 << 10), 16 << 20);
  EXPECT_LE(growth(ahead), 1);
}

TEST_F(FlowStreamTest, DiscoveryMarksGenerators) {
  auto stub = jina::JinaDiscoverEndpointsRPC::NewStub(channel_);
  grpc::ClientContext ctx;
  set_deadline(ctx);
  jina::EndpointsProto endpoints;
  ASSERT_TRUE(stub->endpoint_discovery(&ctx, google::protobuf::Empty(), &endpoints).ok());
  EXPECT_THAT(std::vector<std::string>(endpoints.endpoints().begin(), endpoints.endpoints().end()),
              Contains("/stream"));
  nlohmann::json schemas = jina::wire::struct_to_json(endpoints.schemas());
  for (const char* generator : {"/stream", "/slow", "/fail", "/params"}) {
    EXPECT_EQ(schemas[generator]["is_generator"], true) << generator;
    EXPECT_EQ(schemas[generator]["is_singleton_doc"], true) << generator;
  }
  EXPECT_EQ(schemas["/unary"]["is_generator"], false);
  EXPECT_EQ(schemas["/unary"]["is_singleton_doc"], false);
}

TEST_F(FlowStreamTest, ConcurrentStreamsRunSideBySide) {
  constexpr int kStreams = 8;
  std::vector<std::future<Streamed>> calls;
  const auto start = Clock::now();
  for (int i = 0; i < kStreams; ++i) {
    calls.push_back(std::async(std::launch::async, [this, i] {
      return stream("/slow", Document("s" + std::to_string(i)));
    }));
  }
  for (int i = 0; i < kStreams; ++i) {
    Streamed s = calls[i].get();
    ASSERT_TRUE(s.status.ok());
    ASSERT_EQ(s.items.size(), 5u);
    for (int k = 0; k < 5; ++k) {
      EXPECT_EQ(parsed(s.items[k]).docs()[0].id(),
                "s" + std::to_string(i) + "-" + std::to_string(k));
    }
  }
  // Each takes 500 ms; one after the other would be 4 s (and 2 workers: 2 s).
  EXPECT_LT(Clock::now() - start, milliseconds(static_cast<int>(1500 * kTimingSlack)));
}

TEST_F(FlowStreamTest, PostingToAStreamingEndpointIsAnExecutorError) {
  auto stub = jina::JinaSingleDataRequestRPC::NewStub(channel_);
  grpc::ClientContext ctx;
  set_deadline(ctx);
  DataRequest request;
  request.header().set_request_id("r1").set_exec_endpoint("/stream");
  request.set_docs(DocumentArray{Document("d1")});
  jina::DataRequestProto response;
  ASSERT_TRUE(stub->process_single_data(&ctx, jina::testing::to_proto(request), &response).ok());
  EXPECT_EQ(response.header().status().code(), jina::StatusProto::ERROR);
  EXPECT_THAT(response.header().status().exception().args(0), HasSubstr("stream_doc"));
}

TEST(FlowStreamLimitsTest, CallsOverTheLimitAreRefused) {
  auto exec = std::make_shared<StreamExec>();
  Flow flow(local({.max_stream_calls = 1}));
  flow.add(exec);
  flow.start();
  auto channel = channel_to(flow.port());
  auto stub = jina::JinaSingleDocumentRequestRPC::NewStub(channel);
  grpc::ClientContext holding;
  set_deadline(holding);
  auto reader = stub->stream_doc(&holding, request_proto("/wait_cancel", Document("d1")));
  jina::SingleDocumentRequestProto item;
  ASSERT_TRUE(reader->Read(&item));  // running now

  Streamed refused = stream_doc(channel, request_proto("/stream", Document("d2")));
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(refused.items.empty());

  holding.TryCancel();
  while (reader->Read(&item)) {
  }
  (void)reader->Finish();
  // The thread is back: the next call runs (its end is reported just after
  // the method returns, so allow a moment).
  Streamed next;
  for (int attempt = 0; attempt < 100; ++attempt) {
    next = stream_doc(channel, request_proto("/stream", Document("d3")));
    if (next.status.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED) break;
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_TRUE(next.status.ok()) << next.status.error_message();
  EXPECT_EQ(next.items.size(), 3u);
}

TEST(FlowStreamLimitsTest, TheLimitMustBePositive) {
  Flow flow(local({.max_stream_calls = 0}));
  EXPECT_THROW(flow.start(), jina::InvalidArgument);
}

TEST(FlowStreamLimitsTest, StopEndsOpenStreams) {
  auto exec = std::make_shared<StreamExec>();
  Flow flow(local({.shutdown_grace = milliseconds(100)}));
  flow.add(exec);
  flow.start();
  auto stub = jina::JinaSingleDocumentRequestRPC::NewStub(channel_to(flow.port()));
  grpc::ClientContext ctx;
  set_deadline(ctx);
  auto reader = stub->stream_doc(&ctx, request_proto("/wait_cancel", Document("d1")));
  jina::SingleDocumentRequestProto item;
  ASSERT_TRUE(reader->Read(&item));
  const auto start = Clock::now();
  flow.stop();
  EXPECT_LT(Clock::now() - start, milliseconds(static_cast<int>(1000 * kTimingSlack)));
  EXPECT_NE(exec->returned_at_us.load(), 0);  // stop() waited for the method
  EXPECT_FALSE(reader->Read(&item));
  EXPECT_FALSE(reader->Finish().ok());
}

TEST(FlowStreamV1Test, StreamsInTheFlowsDocarrayFormat) {
  Flow flow(local({.doc_format = DocFormat::kV1}));
  flow.add<StreamExec>();
  flow.start();
  auto channel = channel_to(flow.port());
  DataRequest request;
  request.header().set_request_id(jina::new_id()).set_exec_endpoint("/stream");
  request.set_docs(DocumentArray{Document("d1").set_text("hello")});
  grpc::ClientContext ctx;
  set_deadline(ctx);
  static const grpc::internal::RpcMethod rpc("/jina.JinaSingleDocumentRequestRPC/stream_doc",
                                             grpc::internal::RpcMethod::SERVER_STREAMING);
  grpc::ByteBuffer in =
      jina::testing::to_buffer(jina::wire::serialize_single_document(request, DocFormat::kV1));
  std::unique_ptr<grpc::ClientReader<grpc::ByteBuffer>> reader(
      grpc::internal::ClientReaderFactory<grpc::ByteBuffer>::Create(channel.get(), rpc, &ctx, in));
  std::vector<std::string> texts;
  grpc::ByteBuffer out;
  while (reader->Read(&out)) {
    jina::v1::SingleDocumentRequestProto v1;
    ASSERT_TRUE(v1.ParseFromString(jina::testing::to_bytes(out)));
    EXPECT_TRUE(v1.has_document());
    DataRequest item =
        jina::wire::parse_single_document(jina::testing::to_bytes(out), DocFormat::kV1);
    texts.push_back(item.docs()[0].text());
  }
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_THAT(texts, ElementsAre("hello:tok0", "hello:tok1", "hello:tok2"));
}

}  // namespace
