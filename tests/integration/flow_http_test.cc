// The local Flow served over HTTP, driven by a raw Beast client: the routes
// and bodies of jina 3.34's HTTP gateway (docarray v2 by default, v1 on
// request), keep-alive and pipelining, limits, several protocols at once,
// and https.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "integration/flow_testing.h"
#include "integration/testing.h"
#include "integration/web_testing.h"
#include "jina/error.h"
#include "jina/flow.h"

namespace {

using ::jina::Document;
using ::jina::Flow;
using ::jina::FlowOptions;
using ::jina::Protocol;
using ::jina::testing::http_get;
using ::jina::testing::http_post;
using ::jina::testing::HttpConnection;
using ::jina::testing::make_request;
using ::jina::testing::UpperExecutor;
using json = nlohmann::json;
namespace http = ::jina::testing::http;

FlowOptions http_options(jina::DocFormat format = jina::DocFormat::kV2) {
  return jina::testing::local(Protocol::kHttp, {.doc_format = format});
}

class FlowHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    executor_ = std::make_shared<UpperExecutor>();
    flow_ = std::make_unique<Flow>(http_options());
    flow_->add(executor_, {.name = "upper"});
    flow_->start();
    port_ = flow_->port();
  }

  std::shared_ptr<UpperExecutor> executor_;
  std::unique_ptr<Flow> flow_;
  int port_ = 0;
};

TEST_F(FlowHttpTest, ServesOnTheOnePortAskedFor) {
  EXPECT_GT(port_, 0);
  EXPECT_EQ(flow_->port(Protocol::kHttp), port_);
  EXPECT_THROW(flow_->port(Protocol::kGrpc), jina::InvalidArgument);
}

TEST_F(FlowHttpTest, HealthIsAnEmptyObject) {
  auto reply = http_get(port_, "/");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json(), json::object());
  EXPECT_EQ(reply.headers[http::field::content_type], "application/json");
}

TEST_F(FlowHttpTest, StatusHasTheSameMapsAsTheGrpcStatus) {
  auto reply = http_get(port_, "/status");
  ASSERT_EQ(reply.status, 200);
  json j = reply.json();
  EXPECT_EQ(j["jina"]["jina"], "3.34.0");
  EXPECT_EQ(j["jina"]["docarray"], "0.40.1");
  EXPECT_EQ(j["envs"]["JINA_LOG_CONFIG"].is_string(), true);
}

TEST_F(FlowHttpTest, DryRunMatchesTheCapture) {
  auto reply = http_get(port_, "/dry_run");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json(), json::parse(R"({"code":0,"description":"","exception":null})"));
}

TEST_F(FlowHttpTest, OpenApiListsAPostPathPerEndpoint) {
  auto reply = http_get(port_, "/openapi.json");
  ASSERT_EQ(reply.status, 200);
  json j = reply.json();
  EXPECT_EQ(j["openapi"].get<std::string>().substr(0, 2), "3.");
  for (const char* path : {"/default", "/fail", "/slow", "/params"})
    EXPECT_TRUE(j["paths"][path].contains("post")) << path;
  for (const char* path : {"/", "/status", "/dry_run"})
    EXPECT_TRUE(j["paths"][path].contains("get")) << path;
  EXPECT_FALSE(j["paths"].contains("/post"));  // docarray v2 gateways have none
}

TEST_F(FlowHttpTest, PostDefaultMatchesTheCapture) {
  auto reply = http_post(port_, "/default",
                         R"({"data":[{"text":"hello http","id":"d1"}],"parameters":{"a":1}})");
  ASSERT_EQ(reply.status, 200) << reply.body;
  json j = reply.json();
  ASSERT_EQ(j["data"].size(), 1u);
  EXPECT_EQ(j["data"][0]["id"], "d1");
  EXPECT_EQ(j["data"][0]["text"], "HELLO HTTP");
  EXPECT_EQ(j["parameters"], json::parse(R"({"a":1.0})"));
  EXPECT_FALSE(j["header"]["requestId"].get<std::string>().empty());
  EXPECT_EQ(j["header"]["targetExecutor"], "");
  EXPECT_FALSE(j.contains("routes"));
}

TEST_F(FlowHttpTest, ExecutorErrorIsA500WithTheDescription) {
  auto reply = http_post(port_, "/fail", R"({"data":[{"text":"x"}]})");
  EXPECT_EQ(reply.status, 500);
  EXPECT_EQ(reply.json(),
            json::parse(R"j({"detail":"ValueError('intentional failure from /fail')"})j"));
}

TEST_F(FlowHttpTest, RequestIdAndTargetComeFromTheHeaderInEitherSpelling) {
  auto snake =
      http_post(port_, "/default", R"({"data":[{"text":"a"}],"header":{"request_id":"r1"}})");
  EXPECT_EQ(snake.json()["header"]["requestId"], "r1");
  auto camel =
      http_post(port_, "/default",
                R"({"data":[{"text":"a"}],"header":{"requestId":"r2","targetExecutor":"nobody"}})");
  ASSERT_EQ(camel.status, 200);
  EXPECT_EQ(camel.json()["header"]["requestId"], "r2");
  // No Executor matched the target: the docs pass through unchanged.
  EXPECT_EQ(camel.json()["data"][0]["text"], "a");
}

TEST_F(FlowHttpTest, ASingleDocLendsItsIdToTheRequest) {
  auto reply = http_post(port_, "/default", R"({"data":{"id":"only","text":"a"}})");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json()["header"]["requestId"], "only");
  EXPECT_EQ(reply.json()["data"][0]["text"], "A");
}

TEST_F(FlowHttpTest, ExecutorResultsComeBackInParameters) {
  auto reply = http_post(port_, "/params", R"({"data":[],"parameters":{"k":"v"}})");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.json()["parameters"]["__results__"]["upper/rep-0"]["seen"]["k"], "v");
}

TEST_F(FlowHttpTest, BadRequestsGetFastApiStatuses) {
  EXPECT_EQ(http_post(port_, "/nowhere", R"({"data":[]})").status, 404);
  EXPECT_EQ(http_get(port_, "/default").status, 405);
  EXPECT_EQ(http_post(port_, "/default", "{not json").status, 422);
  EXPECT_EQ(http_post(port_, "/default", R"({"parameters":{}})").status, 422);
  EXPECT_EQ(http_post(port_, "/default", R"({"data":[{"text":1}]})").status, 422);
  EXPECT_EQ(http_post(port_, "/default", R"({"data":[],"parameters":3})").status, 422);
  // The server survives all of it.
  EXPECT_EQ(http_get(port_, "/").status, 200);
}

TEST_F(FlowHttpTest, KeepAliveServesManyRequestsOnOneConnection) {
  HttpConnection connection(port_);
  for (int i = 0; i < 20; ++i) {
    auto reply = connection.call(http::verb::post, "/default",
                                 R"({"data":[{"text":"k)" + std::to_string(i) + R"("}]})");
    ASSERT_EQ(reply.status, 200);
    EXPECT_EQ(reply.json()["data"][0]["text"], "K" + std::to_string(i));
  }
}

TEST_F(FlowHttpTest, PipelinedRequestsAreAnsweredInOrder) {
  std::string bytes;
  for (int i = 0; i < 5; ++i) {
    std::ostringstream one;
    one << make_request(http::verb::post, "/default",
                        R"({"data":[{"text":"p)" + std::to_string(i) + R"("}]})");
    bytes += one.str();
  }
  HttpConnection connection(port_);
  connection.send_raw(bytes);
  for (int i = 0; i < 5; ++i) {
    auto reply = connection.receive();
    ASSERT_EQ(reply.status, 200);
    EXPECT_EQ(reply.json()["data"][0]["text"], "P" + std::to_string(i));
  }
}

TEST_F(FlowHttpTest, ExecutorsRunOffTheIoThreadsConcurrently) {
  std::vector<std::thread> clients;
  std::atomic<int> ok{0};
  for (int i = 0; i < 3; ++i) {
    clients.emplace_back([&] {
      auto reply = http_post(port_, "/slow", R"({"data":[{"text":"s"}]})");
      EXPECT_EQ(reply.status, 200) << reply.body;
      if (reply.status == 200) ++ok;
    });
  }
  // The io threads still answer while Executors sleep.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(http_get(port_, "/").status, 200);
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 3);
  EXPECT_GE(executor_->max_running(), 2);
}

TEST(FlowHttpLimits, BodiesOverTheLimitGet413) {
  FlowOptions o = http_options();
  o.max_message_bytes = 1000;
  Flow flow(o);
  flow.add<UpperExecutor>();
  flow.start();
  std::string big = R"({"data":[{"text":")" + std::string(2000, 'x') + R"("}]})";
  EXPECT_EQ(http_post(flow.port(), "/default", big).status, 413);
  EXPECT_EQ(http_post(flow.port(), "/default", R"({"data":[{"text":"x"}]})").status, 200);
}

TEST(FlowHttpV1, PostRouteTakesTheEndpointFromTheBody) {
  Flow flow(http_options(jina::DocFormat::kV1));
  flow.add<UpperExecutor>({.name = "upper"});
  flow.start();
  auto openapi = http_get(flow.port(), "/openapi.json").json();
  EXPECT_TRUE(openapi["paths"]["/post"].contains("post"));
  EXPECT_TRUE(openapi["paths"]["/update"].contains("put"));
  EXPECT_TRUE(openapi["paths"]["/delete"].contains("delete"));
  EXPECT_FALSE(openapi["paths"].contains("/default"));

  auto reply =
      http_post(flow.port(), "/post",
                R"({"data":[{"id":"d1","text":"hi"}],"execEndpoint":"/foo","parameters":{"a":1}})");
  ASSERT_EQ(reply.status, 200) << reply.body;
  json j = reply.json();
  EXPECT_EQ(j["data"][0]["text"], "HI");
  EXPECT_EQ(j["header"]["execEndpoint"], "/foo");
  EXPECT_FALSE(j["header"]["requestId"].get<std::string>().empty());
  EXPECT_FALSE(j["header"].contains("status"));
  EXPECT_EQ(j["parameters"]["a"], 1.0);
  ASSERT_EQ(j["routes"].size(), 2u);
  EXPECT_EQ(j["routes"][0]["executor"], "gateway");
  EXPECT_EQ(j["routes"][1]["executor"], "upper");
  EXPECT_THAT(j["routes"][1]["startTime"].get<std::string>(), ::testing::EndsWith("Z"));
}

TEST(FlowHttpV1, ExecutorErrorIsA200WithHeaderStatus) {
  Flow flow(http_options(jina::DocFormat::kV1));
  flow.add<UpperExecutor>({.name = "upper"});
  flow.start();
  auto reply = http_post(flow.port(), "/post", R"({"data":[{"text":"x"}],"execEndpoint":"/fail"})");
  ASSERT_EQ(reply.status, 200);
  json status = reply.json()["header"]["status"];
  EXPECT_EQ(status["code"], 1);
  EXPECT_EQ(status["description"], "ValueError('intentional failure from /fail')");
  EXPECT_EQ(status["exception"]["args"], json::array({"intentional failure from /fail"}));
}

TEST(FlowHttpV1, CrudRoutesNameTheirEndpoint) {
  Flow flow(http_options(jina::DocFormat::kV1));
  flow.add<UpperExecutor>({.name = "upper"});
  flow.start();
  HttpConnection connection(flow.port());
  for (auto [method, path] :
       {std::pair{http::verb::post, "/index"}, std::pair{http::verb::post, "/search"},
        std::pair{http::verb::put, "/update"}, std::pair{http::verb::delete_, "/delete"}}) {
    auto reply = connection.call(method, path, R"({"data":{"docs":[{"text":"c"}]}})");
    ASSERT_EQ(reply.status, 200) << path << reply.body;
    EXPECT_EQ(reply.json()["header"]["execEndpoint"], path);
    EXPECT_EQ(reply.json()["data"][0]["text"], "C");
  }
  EXPECT_EQ(connection.call(http::verb::get, "/index").status, 405);
}

TEST(FlowProtocols, EachProtocolGetsItsOwnPort) {
  FlowOptions o;
  o.host = "127.0.0.1";
  o.protocols = {Protocol::kGrpc, Protocol::kHttp, Protocol::kWebsocket};
  Flow flow(o);
  flow.add<UpperExecutor>();
  flow.start();
  int grpc = flow.port(Protocol::kGrpc), web = flow.port(Protocol::kHttp),
      ws = flow.port(Protocol::kWebsocket);
  EXPECT_EQ(flow.port(), grpc);
  EXPECT_NE(grpc, web);
  EXPECT_NE(web, ws);
  EXPECT_EQ(http_get(web, "/").status, 200);
  EXPECT_EQ(http_get(ws, "/").status, 200);  // as jina's WebSocket gateway
}

TEST(FlowProtocols, ExplicitPortsAndBadOptions) {
  FlowOptions o;
  o.host = "127.0.0.1";
  o.protocols = {Protocol::kHttp, Protocol::kWebsocket};
  o.ports = {0};
  EXPECT_THROW(Flow(o).start(), jina::InvalidArgument);
  o.protocols = {Protocol::kHttp, Protocol::kHttp};
  o.ports = {};
  EXPECT_THROW(Flow(o).start(), jina::InvalidArgument);
  o.protocols = {Protocol::kHttp};
  o.ssl_certfile = "/nonexistent/cert.pem";
  EXPECT_THROW(Flow(o).start(), jina::InvalidArgument);
  o.ssl_keyfile = "/nonexistent/key.pem";
  EXPECT_THROW(Flow(o).start(), jina::InvalidArgument);

  // A taken port fails start().
  Flow first(http_options());
  first.start();
  FlowOptions taken = http_options();
  taken.port = first.port();
  EXPECT_THROW(Flow(taken).start(), jina::Error);
}

TEST(FlowHttps, ServesTlsWithTheGivenCertificate) {
  jina::testing::SelfSignedCertificate certificate;
  FlowOptions o = http_options();
  o.ssl_certfile = certificate.cert();
  o.ssl_keyfile = certificate.key();
  Flow flow(o);
  flow.add<UpperExecutor>();
  flow.start();

  namespace asio = ::jina::testing::asio;
  namespace beast = ::jina::testing::beast;
  asio::io_context ioc;
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.load_verify_file(certificate.cert());
  tls.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, tls);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(20));
  beast::get_lowest_layer(stream).connect(
      {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(flow.port())});
  stream.handshake(asio::ssl::stream_base::client);
  http::write(stream, make_request(http::verb::post, "/default", R"({"data":[{"text":"tls"}]})"));
  beast::flat_buffer buffer;
  http::response<http::string_body> reply;
  http::read(stream, buffer, reply);
  EXPECT_EQ(reply.result_int(), 200u);
  EXPECT_EQ(json::parse(reply.body())["data"][0]["text"], "TLS");

  // Plain HTTP on the TLS port gets nothing useful, and the Flow survives.
  EXPECT_THROW(http_get(flow.port(), "/"), std::exception);
}

TEST(FlowGrpcTls, ServesGrpcWithTheSameCertificate) {
  jina::testing::SelfSignedCertificate certificate;
  FlowOptions o;
  o.host = "127.0.0.1";
  o.protocols = {Protocol::kGrpc, Protocol::kHttp};
  o.ssl_certfile = certificate.cert();
  o.ssl_keyfile = certificate.key();
  Flow flow(o);
  flow.add<UpperExecutor>();
  flow.start();

  std::ifstream in(certificate.cert());
  std::ostringstream pem;
  pem << in.rdbuf();
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = pem.str();
  auto channel = grpc::CreateChannel("localhost:" + std::to_string(flow.port(Protocol::kGrpc)),
                                     grpc::SslCredentials(tls));
  auto stub = jina::JinaGatewayDryRunRPC::NewStub(channel);
  grpc::ClientContext ctx;
  jina::testing::set_deadline(ctx);
  google::protobuf::Empty empty;
  jina::StatusProto status;
  ASSERT_TRUE(stub->dry_run(&ctx, empty, &status).ok());
  EXPECT_EQ(status.code(), jina::StatusProto::SUCCESS);
}

}  // namespace
