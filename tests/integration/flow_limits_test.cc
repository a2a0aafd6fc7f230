// The local Flow's limits (issue 8, item 5): request size on every protocol,
// gRPC streams per connection, web connections, the web idle timeout and
// WebSocket requests in flight. Each: the client over the limit gets an
// error (or is slowed down, where documented) and another client is served.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "integration/flow_testing.h"
#include "integration/testing.h"
#include "integration/web_testing.h"
#include "jina/client.h"
#include "jina/error.h"
#include "jina/flow.h"
#include "jina/request.h"

namespace jina {
namespace {

using ::testing::HasSubstr;
using testing::local;
using Ms = std::chrono::milliseconds;
namespace http = testing::http;
namespace websocket = testing::websocket;

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

std::string request_bytes(const std::string& id, const std::string& endpoint, DocumentArray docs) {
  DataRequest request;
  request.header().set_request_id(id).set_exec_endpoint(endpoint);
  request.set_docs(std::move(docs));
  return request.serialize(DocFormat::kV2);
}

std::unique_ptr<Flow> start(Protocol protocol, FlowOptions o) {
  o.workers = 4;
  auto flow = std::make_unique<Flow>(local(protocol, std::move(o)));
  flow->add<testing::UpperExecutor>({.name = "upper"});
  flow->start();
  return flow;
}

// A client of the same Flow that must still be served.
void expect_served(Protocol protocol, int port) {
  Client other(testing::address(protocol, port));
  EXPECT_EQ(other.post("/", testing::texts(2)).size(), 2u);
}

constexpr int kLimit = 64 * 1024;
const std::string kBig(100 * 1024, 'x');

TEST(FlowLimitsTest, OversizeGrpcRequestIsResourceExhausted) {
  auto flow = start(Protocol::kGrpc, {.max_request_bytes = kLimit});
  Client client(testing::address(Protocol::kGrpc, flow->port()));
  try {
    client.post("/", Document().set_text(kBig));
    FAIL() << "an oversize request was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), absl::StatusCode::kResourceExhausted) << e.what();
  }
  expect_served(Protocol::kGrpc, flow->port());
  EXPECT_EQ(client.post("/", testing::texts(1)).size(), 1u);  // the same client, too
}

TEST(FlowLimitsTest, OversizeHttpBodyIs413) {
  auto flow = start(Protocol::kHttp, {.max_request_bytes = kLimit});
  auto reply =
      testing::http_post(flow->port(), "/default", R"({"data":[{"text":")" + kBig + R"("}]})");
  EXPECT_EQ(reply.status, 413);
  Client client(testing::address(Protocol::kHttp, flow->port()));
  EXPECT_THROW(client.post("/", Document().set_text(kBig)), Error);
  expect_served(Protocol::kHttp, flow->port());
}

TEST(FlowLimitsTest, OversizeWebsocketMessageCloses1009) {
  auto flow = start(Protocol::kWebsocket, {.max_request_bytes = kLimit});
  testing::WsClient ws(flow->port(), "/");
  // The Flow refuses the message from its header: it may close the
  // connection before the client has written all of it (a broken pipe).
  bool sent = true;
  try {
    ws.send(request_bytes("big", "/", {Document().set_text(kBig)}));
  } catch (const std::exception&) {
    sent = false;
  }
  if (sent) {
    // Beast fails the connection after its close frame: echoing the close
    // may meet a closed socket. The close code is what the client learns.
    try {
      EXPECT_EQ(ws.receive(), std::nullopt);
    } catch (const std::exception&) {
    }
    EXPECT_EQ(ws.close_reason().code, websocket::close_code::too_big);
  }
  expect_served(Protocol::kWebsocket, flow->port());
}

TEST(FlowLimitsTest, GrpcStreamsPerConnectionAreBounded) {
  auto flow = start(Protocol::kGrpc, {.max_streams_per_connection = 2});
  // One connection (not shared with other channels of this process).
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  auto channel = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(flow->port()),
                                           grpc::InsecureChannelCredentials(), args);
  auto stub = jina::JinaRPC::NewStub(channel);
  // Two open Call streams use the connection's allowance...
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReaderWriter<DataRequestProto, DataRequestProto>>> open;
  for (int i = 0; i < 2; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    testing::set_deadline(*contexts.back());
    open.push_back(stub->Call(contexts.back().get()));
    DataRequest r;
    r.header().set_request_id("open" + std::to_string(i)).set_exec_endpoint("/");
    r.set_docs(testing::texts(1));
    ASSERT_TRUE(open.back()->Write(testing::to_proto(r)));
    DataRequestProto answer;
    ASSERT_TRUE(open.back()->Read(&answer));  // the stream is live on the Flow
  }
  // ...so a third waits at the client and fails with its deadline.
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + Ms(500));
    auto third = stub->Call(&ctx);
    third->WritesDone();
    DataRequestProto answer;
    EXPECT_FALSE(third->Read(&answer));
    EXPECT_EQ(third->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  // Another connection is served meanwhile.
  expect_served(Protocol::kGrpc, flow->port());
  for (auto& stream : open) {
    stream->WritesDone();
    EXPECT_TRUE(stream->Finish().ok());
  }
}

TEST(FlowLimitsTest, WebConnectionsOverTheLimitGet503) {
  auto flow = start(Protocol::kHttp, {.max_web_connections = 2});
  const int port = flow->port();
  auto first = std::make_unique<testing::HttpConnection>(port);
  testing::HttpConnection second(port);
  EXPECT_EQ(first->call(http::verb::get, "/").status, 200);
  EXPECT_EQ(second.call(http::verb::get, "/").status, 200);
  auto rejected = testing::http_get(port, "/");
  EXPECT_EQ(rejected.status, 503);
  EXPECT_THAT(rejected.body, HasSubstr("too many connections"));
  // A WebSocket handshake is refused the same way.
  EXPECT_THROW(testing::WsClient(port, "/"), std::exception);
  // The connections already open are still served.
  EXPECT_EQ(second.call(http::verb::get, "/status").status, 200);
  // Once one closes, a new client gets in (the Flow notices the close
  // asynchronously: retry within a bound).
  first.reset();
  int status = 0;
  for (auto start = std::chrono::steady_clock::now();
       status != 200 && seconds_since(start) < 5.0;) {
    status = testing::http_get(port, "/").status;
  }
  EXPECT_EQ(status, 200);
}

TEST(FlowLimitsTest, IdleHttpConnectionIsClosed) {
  auto flow = start(Protocol::kHttp, {.web_idle_timeout = Ms(300)});
  testing::HttpConnection idle(flow->port());
  EXPECT_EQ(idle.call(http::verb::get, "/").status, 200);
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(idle.receive(), std::exception);  // the Flow closes it: end of stream
  EXPECT_GE(seconds_since(start), 0.25);
  EXPECT_LT(seconds_since(start), 5.0);
  // A request that takes longer than the idle timeout is not cut.
  auto slow = testing::http_post(flow->port(), "/slow",
                                 R"({"data":[{"text":"s","tags":{"sleep_ms":800}}]})");
  EXPECT_EQ(slow.status, 200);
  expect_served(Protocol::kHttp, flow->port());
}

TEST(FlowLimitsTest, IdleWebsocketIsClosedButOneWaitingForAnswersIsNot) {
  auto flow = start(Protocol::kWebsocket, {.web_idle_timeout = Ms(300)});
  testing::WsClient idle(flow->port(), "/");
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(idle.receive(), std::nullopt);
  EXPECT_EQ(idle.close_reason().code, websocket::close_code::going_away);
  EXPECT_EQ(std::string(idle.close_reason().reason.c_str()), "idle timeout");
  EXPECT_GE(seconds_since(start), 0.25);
  EXPECT_LT(seconds_since(start), 5.0);

  testing::WsClient busy(flow->port(), "/");
  busy.send(request_bytes("slow", "/slow", {testing::sleeper(800)}));
  auto answer = busy.receive();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(DataRequest::parse(*answer).header().request_id(), "slow");
  expect_served(Protocol::kWebsocket, flow->port());
}

TEST(FlowLimitsTest, WebsocketInFlightIsBoundedPerConnection) {
  auto upper = std::make_shared<testing::UpperExecutor>();
  Flow flow(local(Protocol::kWebsocket, {.workers = 4, .max_in_flight_per_websocket = 2}));
  flow.add(upper, {.name = "upper"});
  flow.start();
  testing::WsClient ws(flow.port(), "/");
  for (int i = 0; i < 8; ++i)
    ws.send(request_bytes("r" + std::to_string(i), "/slow", {testing::sleeper(100)}));
  ws.send(std::string(1, '\0'));
  // Meanwhile another client is served by the workers left.
  expect_served(Protocol::kWebsocket, flow.port());
  int answers = 0;
  while (auto message = ws.receive()) {
    EXPECT_TRUE(DataRequest::parse(*message).status().ok());
    ++answers;
  }
  EXPECT_EQ(ws.close_reason().code, websocket::close_code::normal);
  EXPECT_EQ(answers, 8);  // slowed down, not failed
  EXPECT_EQ(upper->max_running(), 2);
}

TEST(FlowLimitsTest, LimitsMustBePositive) {
  for (FlowOptions o :
       {FlowOptions{.max_request_bytes = 0}, FlowOptions{.max_streams_per_connection = 0},
        FlowOptions{.max_web_connections = -1}, FlowOptions{.web_idle_timeout = Ms(0)},
        FlowOptions{.max_in_flight_per_websocket = 0}}) {
    Flow flow(local(o));
    EXPECT_THROW(flow.start(), InvalidArgument);
  }
}

}  // namespace
}  // namespace jina
