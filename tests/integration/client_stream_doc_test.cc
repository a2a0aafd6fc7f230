// Client::stream_doc over gRPC against a fake streaming gateway
// (/jina.JinaSingleDocumentRequestRPC/stream_doc) that misbehaves on demand.
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "integration/client_fake_gateway.h"
#include "jina.grpc.pb.h"
#include "jina/async_client.h"
#include "jina/client.h"
#include "jina/error.h"
#include "wire/request_codec.h"

namespace jina {
namespace {

using Clock = std::chrono::steady_clock;
using Ms = std::chrono::milliseconds;
using ::testing::HasSubstr;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Endpoints (the input Document's text is the prefix of each item):
//   /tokens     parameters {n, delay_ms}: n items, each after delay_ms
//   /fail_after parameters {n}: n items, then an item with status ERROR
//   /abort      parameters {n}: n items, then the call ends with UNKNOWN
//   /flaky      UNAVAILABLE for the first `flaky_failures` calls, then 2 items
//   /no_doc     an item without a document
//   /hang       nothing, until the client cancels
class FakeStreamingGateway final : public jina::JinaSingleDocumentRequestRPC::Service {
 public:
  FakeStreamingGateway() {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(this);
    server_ = builder.BuildAndStart();
  }
  ~FakeStreamingGateway() override {
    server_->Shutdown(std::chrono::system_clock::now() + Ms(200));
  }

  std::string uri() const { return "grpc://127.0.0.1:" + std::to_string(port_); }

  grpc::Status stream_doc(grpc::ServerContext* context, const jina::SingleDocumentRequestProto* in,
                          grpc::ServerWriter<jina::SingleDocumentRequestProto>* out) override {
    ++calls;
    DataRequest request = wire::parse_single_document(in->SerializeAsString(), DocFormat::kV2);
    last_parameters = request.parameters().dump();
    const std::string endpoint = request.header().exec_endpoint();
    const std::string prefix = request.docs().empty() ? "" : request.docs()[0].text();
    const nlohmann::json& p = request.parameters();
    const int n = p.is_object() ? p.value("n", 3) : 3;
    const int delay_ms = p.is_object() ? p.value("delay_ms", 0) : 0;
    auto send = [&](const std::string& text) {
      DataRequest item;
      item.header().set_request_id(new_id());
      DocumentArray docs;
      docs.push_back(Document().set_text(text));
      item.set_docs(std::move(docs));
      jina::SingleDocumentRequestProto proto;
      proto.ParseFromString(wire::serialize_single_document(item, DocFormat::kV2));
      if (out->Write(proto)) ++written;
    };
    if (endpoint == "/tokens" || endpoint == "/fail_after" || endpoint == "/abort") {
      for (int i = 0; i < n && !context->IsCancelled(); ++i) {
        if (delay_ms > 0) std::this_thread::sleep_for(Ms(delay_ms));
        send(prefix + std::to_string(i));
      }
      if (context->IsCancelled()) saw_cancel = true;
      if (endpoint == "/abort") {
        return grpc::Status(grpc::StatusCode::UNKNOWN, "Unexpected <class 'ValueError'>: boom");
      }
      if (endpoint == "/fail_after") {
        DataRequest item;
        item.header().set_request_id(new_id());
        item.header()
            .mutable_status()
            .set_code(StatusCode::kError)
            .set_description("ValueError('boom after items')");
        item.header()
            .mutable_status()
            .mutable_exception()
            .set_name("ValueError")
            .set_args({"boom after items"});
        jina::SingleDocumentRequestProto proto;
        proto.ParseFromString(wire::serialize_single_document(item, DocFormat::kV2));
        out->Write(proto);
      }
    } else if (endpoint == "/flaky") {
      if (calls <= flaky_failures) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "not yet");
      send(prefix + "0");
      send(prefix + "1");
    } else if (endpoint == "/no_doc") {
      jina::SingleDocumentRequestProto proto;
      proto.mutable_header()->set_request_id("x");
      out->Write(proto);
    } else if (endpoint == "/hang") {
      while (!context->IsCancelled()) std::this_thread::sleep_for(Ms(1));
      saw_cancel = true;
      return grpc::Status::CANCELLED;
    }
    return grpc::Status::OK;
  }

  std::atomic<int> calls{0};
  std::atomic<int> written{0};
  std::atomic<int> flaky_failures{0};
  std::atomic<bool> saw_cancel{false};
  std::string last_parameters;

 private:
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

class ClientStreamDocTest : public ::testing::Test {
 protected:
  FakeStreamingGateway gateway_;
  Client client_{gateway_.uri()};
};

TEST_F(ClientStreamDocTest, ItemsArriveInOrderAsTheyAreProduced) {
  const auto start = Clock::now();
  std::vector<double> arrivals;
  std::vector<std::string> texts;
  const auto caller = std::this_thread::get_id();
  client_.stream_doc("/tokens", Document().set_text("t"),
                     [&](Document&& d) {
                       EXPECT_EQ(std::this_thread::get_id(), caller);
                       arrivals.push_back(seconds_since(start));
                       texts.push_back(d.text());
                     },
                     {.parameters = {{"n", 5}, {"delay_ms", 100}}});
  ASSERT_EQ(texts, (std::vector<std::string>{"t0", "t1", "t2", "t3", "t4"}));
  EXPECT_LT(arrivals[0], 0.35);  // well before the last is produced (0.5 s)
  EXPECT_GE(arrivals[4], 0.45);
  EXPECT_THAT(gateway_.last_parameters, HasSubstr("\"delay_ms\":100"));
}

TEST_F(ClientStreamDocTest, TheRangeFormReadsAsTheConsumerAsks) {
  DocStream stream =
      client_.stream_doc("/tokens", Document().set_text("r"), {.parameters = {{"n", 4}}});
  std::vector<std::string> texts;
  for (Document& d : stream) texts.push_back(d.text());
  EXPECT_EQ(texts, (std::vector<std::string>{"r0", "r1", "r2", "r3"}));
  EXPECT_EQ(stream.items(), 4u);
  EXPECT_FALSE(stream.next().has_value());  // over stays over
}

// A long stream read as fast as it comes: gRPC then hands over some items in
// more than one slice, which must be parsed as items all the same.
TEST_F(ClientStreamDocTest, ALongFastStreamArrivesWhole) {
  long n = 0;
  for (Document& d :
       client_.stream_doc("/tokens", Document().set_text("f"), {.parameters = {{"n", 5000}}})) {
    ASSERT_EQ(d.text(), std::string("f").append(std::to_string(n)));
    ++n;
  }
  EXPECT_EQ(n, 5000);
}

TEST_F(ClientStreamDocTest, AnExecutorErrorAfterTwoItemsGivesTheItemsThenBadServer) {
  DocStream stream =
      client_.stream_doc("/fail_after", Document().set_text("e"), {.parameters = {{"n", 2}}});
  EXPECT_EQ(stream.next()->text(), "e0");
  EXPECT_EQ(stream.next()->text(), "e1");
  try {
    stream.next();
    FAIL() << "expected BadServer";
  } catch (const BadServer& e) {
    EXPECT_THAT(e.what(), HasSubstr("after 2 items"));
    EXPECT_THAT(e.what(), HasSubstr("ValueError('boom after items')"));
  }
  EXPECT_THROW(stream.next(), BadServer);  // the ending stays
}

TEST_F(ClientStreamDocTest, AStreamThatBreaksAfterItemsIsAnErrorNotAShortStream) {
  std::vector<std::string> texts;
  try {
    client_.stream_doc("/abort", Document().set_text("a"),
                       [&](Document&& d) { texts.push_back(d.text()); },
                       {.parameters = {{"n", 2}}, .max_attempts = 3});
    FAIL() << "expected an error";
  } catch (const ConnectionError& e) {
    EXPECT_EQ(e.code(), absl::StatusCode::kUnknown);
    EXPECT_THAT(e.what(), HasSubstr("after 2 items"));
    EXPECT_THAT(e.what(), HasSubstr("boom"));
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"a0", "a1"}));
  EXPECT_EQ(gateway_.calls.load(), 1);  // items arrived: never run again
}

TEST_F(ClientStreamDocTest, RetriesOnlyBeforeTheFirstItem) {
  gateway_.flaky_failures = 2;
  std::vector<std::string> texts;
  client_.stream_doc("/flaky", Document().set_text("f"),
                     [&](Document&& d) { texts.push_back(d.text()); },
                     {.max_attempts = 3, .initial_backoff = 0.01, .max_backoff = 0.02});
  EXPECT_EQ(texts, (std::vector<std::string>{"f0", "f1"}));
  EXPECT_EQ(gateway_.calls.load(), 3);

  gateway_.calls = 0;
  gateway_.flaky_failures = 5;
  EXPECT_THROW(client_.stream_doc("/flaky", Document(), [](Document&&) {},
                                  {.max_attempts = 2, .initial_backoff = 0.01}),
               ConnectionError);
  EXPECT_EQ(gateway_.calls.load(), 2);
}

TEST_F(ClientStreamDocTest, AnItemWithoutADocumentIsDataLoss) {
  try {
    client_.stream_doc("/no_doc", Document(), [](Document&&) {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), absl::StatusCode::kDataLoss);
  }
}

TEST_F(ClientStreamDocTest, TimeoutEndsASilentStream) {
  const auto start = Clock::now();
  EXPECT_THROW(client_.stream_doc("/hang", Document(), [](Document&&) {}, {.timeout = 0.3}),
               Timeout);
  EXPECT_GE(seconds_since(start), 0.29);
  EXPECT_LT(seconds_since(start), 1.5);
  for (int i = 0; i < 200 && !gateway_.saw_cancel; ++i) std::this_thread::sleep_for(Ms(10));
  EXPECT_TRUE(gateway_.saw_cancel.load());  // the server learns the client has gone
}

TEST_F(ClientStreamDocTest, ItemTimeoutCountsTheFlowsSilenceNotTheConsumers) {
  // Items 400 ms apart, 0.2 s allowed between them: a Timeout before the first.
  const auto start = Clock::now();
  EXPECT_THROW(
      client_.stream_doc("/tokens", Document(), [](Document&&) {},
                         {.parameters = {{"n", 3}, {"delay_ms", 400}}, .item_timeout = 0.2}),
      Timeout);
  EXPECT_LT(seconds_since(start), 0.39);
  // Items at once, a consumer that takes 0.3 s each: no Timeout.
  int items = 0;
  client_.stream_doc("/tokens", Document(),
                     [&](Document&&) {
                       ++items;
                       std::this_thread::sleep_for(Ms(300));
                     },
                     {.parameters = {{"n", 3}}, .item_timeout = 0.2});
  EXPECT_EQ(items, 3);
}

TEST_F(ClientStreamDocTest, CancelFromAnotherThreadEndsAWaitAtOnce) {
  CancelToken token;
  std::thread canceller([token]() mutable {
    std::this_thread::sleep_for(Ms(100));
    token.cancel();
  });
  const auto start = Clock::now();
  EXPECT_THROW(client_.stream_doc("/hang", Document(), [](Document&&) {}, {.cancel = token}),
               Cancelled);
  canceller.join();
  EXPECT_LT(seconds_since(start), 0.1 + 0.15);
}

TEST_F(ClientStreamDocTest, DroppingTheStreamEarlyCancelsTheCall) {
  {
    DocStream stream =
        client_.stream_doc("/tokens", Document(), {.parameters = {{"n", 1000}, {"delay_ms", 5}}});
    ASSERT_TRUE(stream.next().has_value());
  }
  for (int i = 0; i < 200 && !gateway_.saw_cancel; ++i) std::this_thread::sleep_for(Ms(10));
  EXPECT_TRUE(gateway_.saw_cancel.load());
  EXPECT_LT(gateway_.written.load(), 1000);
}

TEST_F(ClientStreamDocTest, AThrowingConsumerCancelsTheCallAndPropagates) {
  EXPECT_THROW(client_.stream_doc("/tokens", Document(),
                                  [](Document&&) { throw std::runtime_error("enough"); },
                                  {.parameters = {{"n", 1000}, {"delay_ms", 5}}}),
               std::runtime_error);
  for (int i = 0; i < 200 && !gateway_.saw_cancel; ++i) std::this_thread::sleep_for(Ms(10));
  EXPECT_TRUE(gateway_.saw_cancel.load());
}

TEST_F(ClientStreamDocTest, AnAsyncClientStreamsAsTheClientDoes) {
  std::optional<DocStream> stream;
  {
    AsyncClient async(gateway_.uri());
    stream.emplace(
        async.stream_doc("/tokens", Document().set_text("x"), {.parameters = {{"n", 3}}}));
  }  // the stream holds the connection
  std::vector<std::string> texts;
  for (Document& d : *stream) texts.push_back(d.text());
  EXPECT_EQ(texts, (std::vector<std::string>{"x0", "x1", "x2"}));
}

TEST(ClientStreamDocErrors, WebSocketHasNoStreamingEndpoints) {
  Client client("ws://127.0.0.1:1");
  try {
    client.stream_doc("/x", Document(), [](Document&&) {});
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("WebSocket"));
  }
}

TEST(ClientStreamDocErrors, NoServerIsAConnectionErrorAfterTheAttempts) {
  Client client("grpc://127.0.0.1:" + std::to_string(testing::free_port()));
  const auto start = Clock::now();
  EXPECT_THROW(client.stream_doc("/x", Document(), [](Document&&) {},
                                 {.max_attempts = 2, .initial_backoff = 0.01}),
               ConnectionError);
  EXPECT_LT(seconds_since(start), 5.0);
}

TEST(ClientStreamDocErrors, BadOptionsAreRefusedBeforeAnyCall) {
  Client client("grpc://127.0.0.1:1");
  EXPECT_THROW(client.stream_doc("/x", Document(), {.timeout = -1}), InvalidArgument);
  EXPECT_THROW(client.stream_doc("/x", Document(), {.parameters = 3}), InvalidArgument);
  EXPECT_THROW(client.stream_doc("/x", Document(), {.max_attempts = 0}), InvalidArgument);
  EXPECT_THROW(client.stream_doc("/x", Document(), {.metadata = {{"Bad Key", "v"}}}),
               InvalidArgument);
}

}  // namespace
}  // namespace jina
