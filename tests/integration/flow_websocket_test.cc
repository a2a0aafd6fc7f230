// The local Flow served over WebSocket, driven by a raw Beast client: the
// "bytes" protocol of jina's WebSocket gateway (binary DataRequests, the
// 0x00 end of input, unordered responses), /dry_run, 1011 closes, and wss.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <thread>

#include "integration/testing.h"
#include "integration/web_testing.h"
#include "jina/error.h"
#include "jina/flow.h"
#include "jina/request.h"

namespace {

using ::jina::DataRequest;
using ::jina::Document;
using ::jina::DocumentArray;
using ::jina::Flow;
using ::jina::FlowOptions;
using ::jina::Protocol;
using ::jina::testing::UpperExecutor;
using ::jina::testing::WsClient;
namespace websocket = ::jina::testing::websocket;
namespace http = ::jina::testing::http;

std::string request_bytes(const std::string& id, const std::string& endpoint, DocumentArray docs) {
  DataRequest request;
  request.header().set_request_id(id).set_exec_endpoint(endpoint);
  request.set_docs(std::move(docs));
  return request.serialize(jina::DocFormat::kV2);
}

const std::string kEndOfInput(1, '\0');

class FlowWebsocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    flow_ = std::make_unique<Flow>(jina::testing::local(Protocol::kWebsocket, {.workers = 4}));
    flow_->add<UpperExecutor>({.name = "upper"});
    flow_->start();
    port_ = flow_->port();
  }

  std::unique_ptr<Flow> flow_;
  int port_ = 0;
};

TEST_F(FlowWebsocketTest, AcceptsBytesWithoutEchoingTheSubprotocol) {
  WsClient client(port_, "/");
  EXPECT_EQ(client.handshake_reply().result_int(), 101u);
  EXPECT_EQ(client.handshake_reply().count(http::field::sec_websocket_protocol), 0u);
  client.send(kEndOfInput);
  EXPECT_EQ(client.receive(), std::nullopt);
  EXPECT_EQ(client.close_reason().code, websocket::close_code::normal);
}

TEST_F(FlowWebsocketTest, AnswersEveryRequestThenClosesAfterTheEndOfInput) {
  WsClient client(port_, "/");
  std::set<std::string> expected;
  for (int i = 0; i < 30; ++i) {
    std::string id = "r" + std::to_string(i);
    expected.insert(id);
    client.send(request_bytes(id, "/", {Document().set_text("hi " + std::to_string(i))}));
  }
  client.send(kEndOfInput);
  std::set<std::string> seen;
  while (auto message = client.receive()) {
    DataRequest response = DataRequest::parse(*message);
    EXPECT_TRUE(response.status().ok());
    EXPECT_EQ(response.docs()[0].text().substr(0, 3), "HI ");
    seen.insert(response.header().request_id());
  }
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(client.close_reason().code, websocket::close_code::normal);
}

TEST_F(FlowWebsocketTest, ResponsesComeBackAsTheyComplete) {
  WsClient client(port_, "/");
  Document slow;
  slow.tags()["sleep_ms"] = 400;
  client.send(request_bytes("slow", "/slow", {slow}));
  client.send(request_bytes("fast", "/slow", {jina::testing::sleeper(0)}));
  client.send(kEndOfInput);
  std::vector<std::string> order;
  while (auto message = client.receive())
    order.push_back(DataRequest::parse(*message).header().request_id());
  EXPECT_THAT(order, ::testing::ElementsAre("fast", "slow"));
}

TEST_F(FlowWebsocketTest, ExecutorErrorsTravelInTheResponse) {
  WsClient client(port_, "/");
  client.send(request_bytes("f", "/fail", {Document()}));
  client.send(kEndOfInput);
  auto message = client.receive();
  ASSERT_TRUE(message.has_value());
  DataRequest response = DataRequest::parse(*message);
  EXPECT_EQ(response.status().code(), jina::StatusCode::kError);
  EXPECT_EQ(response.status().description(), "ValueError('intentional failure from /fail')");
  EXPECT_EQ(client.receive(), std::nullopt);
  EXPECT_EQ(client.close_reason().code, websocket::close_code::normal);
}

TEST_F(FlowWebsocketTest, BytesThatDoNotParseClose1011WithTheReason) {
  WsClient client(port_, "/");
  client.send("\xff\xff\xff not a request");
  EXPECT_EQ(client.receive(), std::nullopt);
  EXPECT_EQ(client.close_reason().code, websocket::close_code::internal_error);
  EXPECT_THAT(std::string(client.close_reason().reason.c_str()),
              ::testing::HasSubstr("cannot parse"));
  // The Flow goes on serving.
  WsClient again(port_, "/");
  again.send(request_bytes("ok", "/", {Document().set_text("a")}));
  again.send(kEndOfInput);
  EXPECT_TRUE(again.receive().has_value());
}

TEST_F(FlowWebsocketTest, DryRunAnswersAnEmptyStatusFrame) {
  WsClient client(port_, "/dry_run");
  client.send("");
  auto message = client.receive();
  ASSERT_TRUE(message.has_value());
  EXPECT_EQ(*message, "");  // StatusProto with code SUCCESS: all defaults
}

TEST_F(FlowWebsocketTest, PlainHttpRoutesAreServedToo) {
  auto reply = jina::testing::http_get(port_, "/dry_run");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json()["code"], 0);
}

TEST_F(FlowWebsocketTest, ConnectionsDoNotBlockEachOther) {
  std::vector<std::thread> clients;
  std::atomic<int> answered{0};
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&, c] {
      WsClient client(port_, "/");
      for (int i = 0; i < 10; ++i)
        client.send(request_bytes(std::to_string(c * 100 + i), "/", {Document().set_text("x")}));
      client.send(kEndOfInput);
      while (client.receive()) ++answered;
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(answered.load(), 40);
}

TEST_F(FlowWebsocketTest, StopWithAnOpenConnectionReturns) {
  WsClient client(port_, "/");
  client.send(request_bytes("a", "/", {Document().set_text("a")}));
  ASSERT_TRUE(client.receive().has_value());
  auto start = std::chrono::steady_clock::now();
  flow_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(FlowWss, ServesTlsWithTheGivenCertificate) {
  jina::testing::SelfSignedCertificate certificate;
  FlowOptions o;
  o.host = "127.0.0.1";
  o.protocols = {Protocol::kWebsocket};
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
  websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(ioc, tls);
  beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(20));
  beast::get_lowest_layer(ws).connect(
      {asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(flow.port())});
  ws.next_layer().handshake(asio::ssl::stream_base::client);
  ws.handshake("127.0.0.1", "/");
  ws.binary(true);
  ws.write(asio::buffer(request_bytes("t", "/", {Document().set_text("wss")})));
  beast::flat_buffer buffer;
  ws.read(buffer);
  EXPECT_EQ(DataRequest::parse(beast::buffers_to_string(buffer.data())).docs()[0].text(), "WSS");
  ws.write(asio::buffer(kEndOfInput));
  beast::error_code ec;
  buffer.clear();
  ws.read(buffer, ec);
  EXPECT_EQ(ec, websocket::error::closed);
}

}  // namespace
