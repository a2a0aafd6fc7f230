// The local Flow served over gRPC, driven by the generated stubs: every jina
// method, the golden captures of a live jina Flow, health, ordering,
// prefetch, the v1 docarray format and clean shutdown.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <set>
#include <stdexcept>
#include <thread>

#include "integration/flow_testing.h"
#include "integration/testing.h"
#include "jina/error.h"
#include "jina/flow.h"

namespace {

using ::jina::DataRequest;
using ::jina::Document;
using ::jina::DocumentArray;
using ::jina::ExecutorRequest;
using ::jina::Flow;
using ::jina::FlowOptions;
using ::jina::testing::channel_to;
using ::jina::testing::from_proto;
using ::jina::testing::local;
using ::jina::testing::read_capture;
using ::jina::testing::set_deadline;
using ::jina::testing::to_proto;
using ::jina::testing::UpperExecutor;
using ::testing::ElementsAre;

DataRequest make_request(std::string id, std::string endpoint, DocumentArray docs) {
  DataRequest r;
  r.header().set_request_id(std::move(id)).set_exec_endpoint(std::move(endpoint));
  r.set_docs(std::move(docs));
  return r;
}

DataRequest slow_request(std::string id, int sleep_ms) {
  Document d;
  d.set_id(id);
  d.tags()["sleep_ms"] = sleep_ms;
  return make_request(std::move(id), "/slow", DocumentArray{d});
}

// Sends `requests` on one Call stream (with `metadata`) and returns the
// responses in arrival order.
std::vector<DataRequest> call(int port, const std::vector<DataRequest>& requests,
                              std::vector<std::pair<std::string, std::string>> metadata = {},
                              grpc::Status* status = nullptr) {
  auto stub = jina::JinaRPC::NewStub(channel_to(port));
  grpc::ClientContext ctx;
  set_deadline(ctx);
  for (auto& [k, v] : metadata) ctx.AddMetadata(k, v);
  auto stream = stub->Call(&ctx);
  for (const DataRequest& r : requests) EXPECT_TRUE(stream->Write(to_proto(r)));
  stream->WritesDone();
  std::vector<DataRequest> responses;
  jina::DataRequestProto proto;
  while (stream->Read(&proto)) responses.push_back(from_proto(proto));
  grpc::Status finished = stream->Finish();
  if (status) {
    *status = finished;
  } else {
    EXPECT_TRUE(finished.ok()) << finished.error_message();
  }
  return responses;
}

class FlowGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    flow_ = std::make_unique<Flow>(local({.workers = 4}));
    upper_ = std::make_shared<UpperExecutor>();
    flow_->add(upper_, {.name = "upper"});
    flow_->start();
    port_ = flow_->port();
    channel_ = channel_to(port_);
  }

  std::unique_ptr<Flow> flow_;
  std::shared_ptr<UpperExecutor> upper_;
  int port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(FlowGrpcTest, PortZeroPicksAFreePort) {
  EXPECT_GT(port_, 0);
  EXPECT_TRUE(flow_->is_running());
}

TEST_F(FlowGrpcTest, CallStreamAnswersEveryRequest) {
  std::vector<DataRequest> requests;
  for (int i = 0; i < 5; ++i) {
    requests.push_back(
        make_request("r" + std::to_string(i), "/",
                     DocumentArray{Document().set_id("a" + std::to_string(i)).set_text("hello"),
                                   Document().set_text("world")}));
  }
  std::vector<DataRequest> responses = call(port_, requests);
  ASSERT_EQ(responses.size(), 5u);
  std::set<std::string> ids;
  for (const DataRequest& r : responses) {
    ids.insert(r.header().request_id());
    EXPECT_TRUE(r.status().ok());
    EXPECT_THAT(r.docs().texts(), ElementsAre("HELLO", "WORLD"));
    ASSERT_EQ(r.routes().size(), 2u);
    EXPECT_EQ(r.routes()[0].executor(), "gateway");
    EXPECT_EQ(r.routes()[1].executor(), "upper");
  }
  EXPECT_EQ(ids.size(), 5u);
}

TEST_F(FlowGrpcTest, EmptyStreamEndsCleanly) { EXPECT_TRUE(call(port_, {}).empty()); }

// The live jina Flow's answers, replayed against ours.
void expect_like_capture(const DataRequest& ours, const DataRequest& theirs) {
  EXPECT_EQ(ours.header().request_id(), theirs.header().request_id());
  EXPECT_EQ(ours.header().exec_endpoint(), theirs.header().exec_endpoint());
  EXPECT_EQ(ours.header().has_target_executor(), theirs.header().has_target_executor());
  EXPECT_EQ(ours.header().target_executor(), theirs.header().target_executor());
  EXPECT_EQ(ours.parameters(), theirs.parameters());
  EXPECT_EQ(ours.docs(), theirs.docs());
  ASSERT_EQ(ours.routes().size(), theirs.routes().size());
  for (std::size_t i = 0; i < ours.routes().size(); ++i) {
    EXPECT_EQ(ours.routes()[i].executor(), theirs.routes()[i].executor());
    EXPECT_EQ(ours.routes()[i].status().code(), theirs.routes()[i].status().code());
  }
  const jina::Status& s = ours.status();
  const jina::Status& t = theirs.status();
  EXPECT_EQ(s.code(), t.code());
  EXPECT_EQ(s.description(), t.description());
  EXPECT_EQ(s.exception().name(), t.exception().name());
  EXPECT_EQ(s.exception().args(), t.exception().args());
  EXPECT_EQ(s.exception().executor(), t.exception().executor());
  EXPECT_EQ(s.exception().stacks().empty(), t.exception().stacks().empty());
}

TEST_F(FlowGrpcTest, CallMatchesTheLiveFlowCaptures) {
  for (const char* name : {"call_upper", "call_params", "call_fail"}) {
    SCOPED_TRACE(name);
    DataRequest request = DataRequest::parse(read_capture(std::string(name) + "_request.pb"));
    DataRequest expected = DataRequest::parse(read_capture(std::string(name) + "_response.pb"));
    std::vector<DataRequest> responses = call(port_, {request});
    ASSERT_EQ(responses.size(), 1u);
    expect_like_capture(responses[0], expected);
  }
}

TEST_F(FlowGrpcTest, ExecutorErrorIsInTheHeaderNotTheGrpcStatus) {
  std::vector<DataRequest> responses = call(
      port_, {make_request("f", "/fail", DocumentArray{Document().set_text("this will fail")})});
  ASSERT_EQ(responses.size(), 1u);
  const DataRequest& r = responses[0];
  EXPECT_EQ(r.status().code(), jina::StatusCode::kError);
  EXPECT_EQ(r.status().description(), "ValueError('intentional failure from /fail')");
  EXPECT_EQ(r.status().exception().name(), "ValueError");
  EXPECT_THAT(r.status().exception().args(), ElementsAre("intentional failure from /fail"));
  EXPECT_EQ(r.status().exception().executor(), "UpperExecutor");
  EXPECT_EQ(r.failed_executor(), "upper");
  EXPECT_FALSE(r.status().exception().stacks().empty());
  ASSERT_EQ(r.routes().size(), 2u);
  EXPECT_EQ(r.routes()[1].status(), r.status());
  EXPECT_THAT(r.docs().texts(), ElementsAre("this will fail"));
}

TEST_F(FlowGrpcTest, ProcessSingleDataMatchesTheLiveFlowCaptures) {
  auto stub = jina::JinaSingleDataRequestRPC::NewStub(channel_);
  for (const char* name : {"unary_upper", "unary_fail"}) {
    SCOPED_TRACE(name);
    DataRequest request = DataRequest::parse(read_capture(std::string(name) + "_request.pb"));
    DataRequest expected = DataRequest::parse(read_capture(std::string(name) + "_response.pb"));
    grpc::ClientContext ctx;
    set_deadline(ctx);
    jina::DataRequestProto response;
    grpc::Status status = stub->process_single_data(&ctx, to_proto(request), &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    expect_like_capture(from_proto(response), expected);
  }
}

TEST_F(FlowGrpcTest, DryRunAnswersSuccessLikeTheCapture) {
  auto stub = jina::JinaGatewayDryRunRPC::NewStub(channel_);
  grpc::ClientContext ctx;
  set_deadline(ctx);
  jina::StatusProto status;
  ASSERT_TRUE(stub->dry_run(&ctx, google::protobuf::Empty(), &status).ok());
  EXPECT_EQ(status.code(), jina::StatusProto::SUCCESS);
  EXPECT_EQ(status.SerializeAsString(), read_capture("dry_run_response.pb"));
}

TEST_F(FlowGrpcTest, StatusReportsVersionsForDocarrayV2) {
  auto stub = jina::JinaInfoRPC::NewStub(channel_);
  grpc::ClientContext ctx;
  set_deadline(ctx);
  jina::JinaInfoProto info;
  ASSERT_TRUE(stub->_status(&ctx, google::protobuf::Empty(), &info).ok());
  EXPECT_EQ(info.jina().at("jina"), "3.34.0");
  EXPECT_EQ(info.jina().at("docarray"), "0.40.1");
  EXPECT_EQ(info.jina().at("jina-proto"), "0.1.27");
  EXPECT_TRUE(info.jina().contains("grpcio"));
  EXPECT_TRUE(info.jina().contains("protobuf"));
  EXPECT_TRUE(info.envs().contains("JINA_LOG_LEVEL"));
}

TEST_F(FlowGrpcTest, EndpointDiscoveryListsBoundEndpointsLikeTheCapture) {
  auto stub = jina::JinaDiscoverEndpointsRPC::NewStub(channel_);
  grpc::ClientContext ctx;
  set_deadline(ctx);
  jina::EndpointsProto endpoints;
  ASSERT_TRUE(stub->endpoint_discovery(&ctx, google::protobuf::Empty(), &endpoints).ok());
  std::vector<std::string> ours(endpoints.endpoints().begin(), endpoints.endpoints().end());
  EXPECT_THAT(ours, ElementsAre("/default", "/fail", "/hang", "/params", "/slow", "/stats",
                                "_jina_dry_run_"));
  EXPECT_TRUE(endpoints.schemas().fields().contains("/default"));
  EXPECT_EQ(flow_->endpoints(), ours);

  jina::EndpointsProto captured;
  ASSERT_TRUE(captured.ParseFromString(read_capture("endpoint_discovery_response.pb")));
  for (const std::string& endpoint : captured.endpoints())
    EXPECT_THAT(ours, ::testing::Contains(endpoint));
}

TEST_F(FlowGrpcTest, HealthServiceReportsServing) {
  const std::string serving("\x08\x01", 2);  // HealthCheckResponse{status: SERVING}
  std::string response;
  ASSERT_TRUE(
      jina::testing::raw_unary(*channel_, "/grpc.health.v1.Health/Check", "", &response).ok());
  EXPECT_EQ(response, serving);
  const std::string service = "jina.JinaRPC";
  ASSERT_TRUE(jina::testing::raw_unary(
                  *channel_, "/grpc.health.v1.Health/Check",
                  "\x0a" + std::string(1, static_cast<char>(service.size())) + service, &response)
                  .ok());
  EXPECT_EQ(response, serving);
}

TEST_F(FlowGrpcTest, UnknownMethodIsUnimplemented) {
  grpc::Status status =
      jina::testing::raw_unary(*channel_, "/jina.JinaDataRequestRPC/process_data", "", nullptr);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNIMPLEMENTED);
}

TEST_F(FlowGrpcTest, MalformedBytesAreInvalidArgument) {
  const std::string garbage("\xff\xff\xff", 3);
  grpc::Status unary = jina::testing::raw_unary(
      *channel_, "/jina.JinaSingleDataRequestRPC/process_single_data", garbage, nullptr);
  EXPECT_EQ(unary.error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  grpc::ClientContext ctx;
  set_deadline(ctx);
  auto stream = jina::testing::raw_call(*channel_, ctx);
  stream->Write(jina::testing::to_buffer(garbage));
  stream->WritesDone();
  grpc::ByteBuffer ignored;
  while (stream->Read(&ignored)) {
  }
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(FlowGrpcTest, LargeMessagesPassTheDefaultLimit) {
  std::string blob(6 << 20, 'x');  // over gRPC's 4 MB default
  auto stub = jina::JinaSingleDataRequestRPC::NewStub(channel_);
  grpc::ClientContext ctx;
  set_deadline(ctx);
  jina::DataRequestProto response;
  grpc::Status status = stub->process_single_data(
      &ctx,
      to_proto(make_request("big", "/", DocumentArray{Document().set_blob(blob).set_text("big")})),
      &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  DataRequest r = from_proto(response);
  ASSERT_EQ(r.docs().size(), 1u);
  EXPECT_EQ(r.docs()[0].blob().size(), blob.size());
  EXPECT_EQ(r.docs()[0].text(), "BIG");
}

TEST_F(FlowGrpcTest, ResultsInOrderWhenAsked) {
  // The first request is slow: unordered, the second overtakes it.
  std::vector<DataRequest> requests = {slow_request("slow", 400), slow_request("fast", 0)};
  std::vector<DataRequest> unordered = call(port_, requests);
  ASSERT_EQ(unordered.size(), 2u);
  EXPECT_EQ(unordered[0].header().request_id(), "fast");

  std::vector<DataRequest> ordered = call(port_, requests, {{"__results_in_order__", "true"}});
  ASSERT_EQ(ordered.size(), 2u);
  EXPECT_EQ(ordered[0].header().request_id(), "slow");
  EXPECT_EQ(ordered[1].header().request_id(), "fast");
}

TEST_F(FlowGrpcTest, PrefetchMetadataBoundsRequestsInFlight) {
  std::vector<DataRequest> requests;
  for (int i = 0; i < 6; ++i) requests.push_back(slow_request("p" + std::to_string(i), 30));
  std::vector<DataRequest> responses = call(port_, requests, {{"__prefetch__", "1"}});
  EXPECT_EQ(responses.size(), 6u);
  EXPECT_EQ(upper_->max_running(), 1);
}

TEST_F(FlowGrpcTest, ConcurrentStreamsSurviveClientsThatCancel) {
  constexpr int kStreams = 8;
  constexpr int kRequests = 40;
  std::atomic<int> complete_streams{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kStreams; ++c) {
    clients.emplace_back([&, c] {
      auto stub = jina::JinaRPC::NewStub(channel_to(port_));
      grpc::ClientContext ctx;
      set_deadline(ctx);
      if (c % 2 == 0) ctx.AddMetadata("__results_in_order__", "true");
      if (c % 3 == 0) ctx.AddMetadata("__prefetch__", "3");
      auto stream = stub->Call(&ctx);
      const bool cancels = c % 4 == 1;
      for (int i = 0; i < kRequests; ++i) {
        std::string id = std::to_string(c) + "-" + std::to_string(i);
        stream->Write(
            to_proto(make_request(id, "/", DocumentArray{Document().set_id(id).set_text("t")})));
        if (cancels && i == kRequests / 2) {
          ctx.TryCancel();
          break;
        }
      }
      stream->WritesDone();
      int received = 0;
      jina::DataRequestProto response;
      std::vector<std::string> order;
      while (stream->Read(&response)) {
        ++received;
        order.push_back(response.header().request_id());
      }
      grpc::Status status = stream->Finish();
      if (cancels) return;
      EXPECT_TRUE(status.ok()) << status.error_message();
      EXPECT_EQ(received, kRequests);
      if (c % 2 == 0) {
        for (int i = 0; i < static_cast<int>(order.size()); ++i) {
          EXPECT_EQ(order[i], std::to_string(c) + "-" + std::to_string(i));
        }
      }
      ++complete_streams;
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(complete_streams.load(), kStreams - kStreams / 4);
  // Still serving.
  EXPECT_EQ(
      call(port_, {make_request("after", "/", DocumentArray{Document().set_text("x")})}).size(),
      1u);
}

TEST(FlowGrpcOptionsTest, PrefetchOptionBoundsRequestsInFlight) {
  Flow flow(local({.prefetch = 2, .workers = 4}));
  auto upper = std::make_shared<UpperExecutor>();
  flow.add(upper, {.name = "upper"});
  flow.start();
  std::vector<DataRequest> requests;
  for (int i = 0; i < 8; ++i) requests.push_back(slow_request("p" + std::to_string(i), 30));
  EXPECT_EQ(call(flow.port(), requests).size(), 8u);
  EXPECT_LE(upper->max_running(), 2);
  EXPECT_GE(upper->max_running(), 1);
}

TEST(FlowGrpcOptionsTest, ServesDocarrayV1WhenConfigured) {
  Flow flow(local({.doc_format = jina::DocFormat::kV1}));
  flow.add<UpperExecutor>({.name = "upper"});
  flow.start();
  auto channel = channel_to(flow.port());
  DataRequest request =
      make_request("v1", "/", DocumentArray{Document().set_id("d1").set_text("hello")});
  std::string response;
  grpc::Status status =
      jina::testing::raw_unary(*channel, "/jina.JinaSingleDataRequestRPC/process_single_data",
                               request.serialize(jina::DocFormat::kV1), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  DataRequest r = DataRequest::parse(response, jina::DocFormat::kV1);
  EXPECT_THAT(r.docs().texts(), ElementsAre("HELLO"));
  EXPECT_THAT(r.docs().ids(), ElementsAre("d1"));

  auto stub = jina::JinaInfoRPC::NewStub(channel);
  grpc::ClientContext ctx;
  set_deadline(ctx);
  jina::JinaInfoProto info;
  ASSERT_TRUE(stub->_status(&ctx, google::protobuf::Empty(), &info).ok());
  EXPECT_EQ(info.jina().at("docarray"), "0.21.0");
}

TEST(FlowGrpcOptionsTest, ChainsExecutorsInAddOrder) {
  class Suffix : public jina::Executor {
   public:
    explicit Suffix(std::string s) : s_(std::move(s)) {
      on_default([this](ExecutorRequest& req) {
        for (Document& d : req.docs) d.set_text(d.text() + s_);
      });
    }

   private:
    std::string s_;
  };
  Flow flow(local());
  flow.add<Suffix>({.name = "one"}, "1").add<Suffix>({}, "2").add<Suffix>({.name = "three"}, "3");
  flow.start();
  std::vector<DataRequest> responses =
      call(flow.port(), {make_request("c", "/", DocumentArray{Document().set_text("x")})});
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_THAT(responses[0].docs().texts(), ElementsAre("x123"));
  std::vector<std::string> routes;
  for (const auto& route : responses[0].routes()) routes.push_back(route.executor());
  EXPECT_THAT(routes, ElementsAre("gateway", "one", "executor1", "three"));
}

TEST(FlowGrpcOptionsTest, RejectsBadConfiguration) {
  {
    Flow flow(local({.protocols = {jina::Protocol::kGrpc, jina::Protocol::kGrpc}}));
    EXPECT_THROW(flow.start(), jina::InvalidArgument);
  }
  {
    Flow flow(local());
    flow.add<UpperExecutor>({.name = "a"});
    EXPECT_THROW(flow.add<UpperExecutor>({.name = "a"}), jina::InvalidArgument);
    EXPECT_THROW(flow.add<UpperExecutor>({.name = "gateway"}), jina::InvalidArgument);
    flow.add<UpperExecutor>({.name = "b", .needs = {"missing"}});
    EXPECT_THROW(flow.start(), jina::InvalidArgument);
    EXPECT_FALSE(flow.is_running());
  }
  {
    Flow flow(local());
    flow.start();
    EXPECT_THROW(flow.add<UpperExecutor>(), jina::Error);
    EXPECT_THROW(flow.start(), jina::Error);
  }
  {
    Flow flow({.port = 70000, .host = "127.0.0.1"});
    EXPECT_THROW(flow.start(), jina::InvalidArgument);
  }
}

TEST(FlowGrpcOptionsTest, TakenPortFailsToStart) {
  Flow first(local());
  first.start();
  FlowOptions o = local();
  o.port = first.port();
  Flow second(o);
  try {
    second.start();
    FAIL() << "started on a taken port";
  } catch (const jina::Error& e) {
    // With the kernel's reason: gRPC gives none (issue 18).
    EXPECT_THAT(e.what(), ::testing::HasSubstr(":" + std::to_string(first.port()) +
                                               ": Address already in use"));
  }
}

TEST(FlowGrpcShutdownTest, StopCancelsOpenStreamsWithoutHanging) {
  auto flow = std::make_unique<Flow>(local({.shutdown_grace = std::chrono::milliseconds(100)}));
  flow->add<UpperExecutor>({.name = "upper"});
  flow->start();
  auto stub = jina::JinaRPC::NewStub(channel_to(flow->port()));
  grpc::ClientContext ctx;
  set_deadline(ctx);
  auto stream = stub->Call(&ctx);
  ASSERT_TRUE(
      stream->Write(to_proto(make_request("open", "/", DocumentArray{Document().set_text("a")}))));
  jina::DataRequestProto response;
  ASSERT_TRUE(stream->Read(&response));  // served, the stream stays open

  auto started = std::chrono::steady_clock::now();
  flow->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_FALSE(flow->is_running());
  while (stream->Read(&response)) {
  }
  EXPECT_FALSE(stream->Finish().ok());
  flow->stop();  // idempotent
  flow.reset();
}

TEST(FlowGrpcShutdownTest, DestructorStopsAFlowWithRequestsInFlight) {
  auto flow = std::make_unique<Flow>(
      local({.workers = 2, .shutdown_grace = std::chrono::milliseconds(50)}));
  flow->add<UpperExecutor>({.name = "upper"});
  flow->start();
  auto stub = jina::JinaRPC::NewStub(channel_to(flow->port()));
  grpc::ClientContext ctx;
  set_deadline(ctx);
  auto stream = stub->Call(&ctx);
  for (int i = 0; i < 20; ++i) stream->Write(to_proto(slow_request("s" + std::to_string(i), 20)));
  auto started = std::chrono::steady_clock::now();
  flow.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  ctx.TryCancel();
  jina::DataRequestProto response;
  while (stream->Read(&response)) {
  }
  stream->Finish();
}

TEST(FlowGrpcShutdownTest, BlockReturnsOnSigterm) {
  Flow flow(local());
  flow.start();
  struct sigaction quiet {
  }, previous{};
  quiet.sa_handler = [](int) {};
  sigaction(SIGTERM, &quiet,
            &previous);  // a signal sent before block() listens must not kill the test
  std::thread signaller([&flow] {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (flow.is_running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      std::raise(SIGTERM);
    }
  });
  flow.block();
  signaller.join();
  sigaction(SIGTERM, &previous, nullptr);
  EXPECT_FALSE(flow.is_running());
}

TEST(FlowGrpcShutdownTest, BlockReturnsWhenStoppedElsewhere) {
  Flow flow(local());
  flow.start();
  std::thread stopper([&flow] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    flow.stop();
  });
  flow.block();
  stopper.join();
  EXPECT_FALSE(flow.is_running());
}

}  // namespace
