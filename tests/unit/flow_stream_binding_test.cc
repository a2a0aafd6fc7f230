// Streaming (generator) endpoints without a server: Executor::on_stream
// binding, and Graph's stream_doc dispatch (the first Executor streams,
// errors, parameters).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "flow/graph.h"
#include "jina/error.h"
#include "jina/executor.h"

namespace jina::flow {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Keeps what is emitted; reports the client gone after `limit` items.
class Collect : public DocEmitter {
 public:
  explicit Collect(std::size_t limit = 1000) : limit_(limit) {}
  bool emit(Document doc) override {
    if (docs.size() >= limit_) return false;
    docs.push_back(std::move(doc));
    return true;
  }
  bool cancelled() const override { return docs.size() >= limit_; }
  std::vector<std::string> texts() const {
    std::vector<std::string> out;
    for (const Document& d : docs) out.push_back(d.text());
    return out;
  }
  std::vector<Document> docs;

 private:
  std::size_t limit_;
};

struct ValueError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Tokens : public Executor {
 public:
  Tokens() {
    on_stream("/stream", &Tokens::tokens);
    on_stream({"/params", "/with_request"}, &Tokens::with_request);
    on_stream("/const", &Tokens::counted);
    on_stream("/fail", [](const Document& in, DocEmitter& out) {
      out.emit(Document(in.id() + "-0"));
      out.emit(Document(in.id() + "-1"));
      throw ValueError("intentional failure after 2 items");
    });
    on("/unary", [](ExecutorRequest&) {});
    on_default([](ExecutorRequest& req) { req.docs.clear(); });
  }
  // Three items, "<text>:tok<i>", stopping when the client goes.
  void tokens(const Document& in, DocEmitter& out) {
    for (int i = 0; i < 3; ++i) {
      if (!out.emit(Document(in.id() + "-" + std::to_string(i))
                        .set_text(in.text() + ":tok" + std::to_string(i)))) {
        return;
      }
    }
  }
  void with_request(StreamRequest& req, DocEmitter& out) {
    out.emit(Document().set_text(req.endpoint + " " + req.parameters.dump()));
  }
  void counted(const Document&, DocEmitter& out) const { out.emit(Document().set_text("const")); }
};

std::vector<std::string> run(const Executor& e, const std::string& endpoint, StreamRequest req,
                             std::size_t limit = 1000) {
  const Executor::StreamHandler* handler = e.stream_handler_for(endpoint);
  if (handler == nullptr) throw std::logic_error("no streaming method for " + endpoint);
  Collect out(limit);
  req.endpoint = endpoint;
  (*handler)(req, out);
  return out.texts();
}

TEST(FlowStreamBindingTest, MemberFunctionsAndCallablesOfBothShapes) {
  Tokens e;
  EXPECT_THAT(run(e, "/stream", {.doc = Document("d1").set_text("hello")}),
              ElementsAre("hello:tok0", "hello:tok1", "hello:tok2"));
  EXPECT_THAT(run(e, "/params", {.parameters = {{"k", "v"}}}),
              ElementsAre("/params {\"k\":\"v\"}"));
  EXPECT_THAT(run(e, "/const", {}), ElementsAre("const"));

  Executor plain;
  plain.on_stream("/lambda", [](StreamRequest& req, DocEmitter& out) {
    out.emit(Document().set_text(req.doc.text() + "!"));
  });
  EXPECT_THAT(run(plain, "/lambda", {.doc = Document().set_text("x")}), ElementsAre("x!"));
}

TEST(FlowStreamBindingTest, EmitFalseStopsTheMethod) {
  Tokens e;
  EXPECT_THAT(run(e, "/stream", {.doc = Document("d1").set_text("hi")}, 1), ElementsAre("hi:tok0"));
}

TEST(FlowStreamBindingTest, ThrowingMethodThrowsAfterItsItems) {
  Tokens e;
  Collect out;
  StreamRequest req{.doc = Document("d")};
  EXPECT_THROW((*e.stream_handler_for("/fail"))(req, out), ValueError);
  EXPECT_EQ(out.docs.size(), 2u);
}

TEST(FlowStreamBindingTest, StreamingEndpointsAreListedAndNotServedAsRequests) {
  Tokens e;
  EXPECT_THAT(e.stream_endpoints(),
              ElementsAre("/const", "/fail", "/params", "/stream", "/with_request"));
  EXPECT_THAT(e.endpoints(), ElementsAre("/const", "/default", "/fail", "/params", "/stream",
                                         "/unary", "/with_request"));
  // Not by the default binding either.
  EXPECT_EQ(e.handler_for("/stream"), nullptr);
  EXPECT_NE(e.handler_for("/unary"), nullptr);
  EXPECT_NE(e.handler_for("/other"), nullptr);  // the default
  EXPECT_EQ(e.stream_handler_for("/unary"), nullptr);
  EXPECT_EQ(e.stream_handler_for("/other"), nullptr);
}

TEST(FlowStreamBindingTest, LastBindingOfAnEndpointWins) {
  Executor e;
  e.on_stream("/x", [](const Document&, DocEmitter&) {});
  e.on("/x", [](ExecutorRequest&) {});
  EXPECT_EQ(e.stream_handler_for("/x"), nullptr);
  EXPECT_NE(e.handler_for("/x"), nullptr);
  e.on_stream(std::vector<std::string>{"/x"}, [](const Document&, DocEmitter&) {});
  EXPECT_NE(e.stream_handler_for("/x"), nullptr);
  EXPECT_EQ(e.handler_for("/x"), nullptr);
  EXPECT_THAT(e.endpoints(), ElementsAre("/x"));
}

TEST(FlowStreamBindingTest, EmptyEndpointIsRejected) {
  Executor e;
  EXPECT_THROW(e.on_stream("", [](const Document&, DocEmitter&) {}), InvalidArgument);
  EXPECT_THAT(e.stream_endpoints(), IsEmpty());
}

// The graph: the first Executor streams.

Graph graph_of(std::vector<std::pair<std::string, std::shared_ptr<Executor>>> executors) {
  std::vector<NodeSpec> specs;
  std::string previous = kGatewayName;
  for (auto& [name, e] : executors) {
    specs.push_back({name, e, {previous}});
    previous = name;
  }
  return Graph(std::move(specs));
}

DataRequest stream_request(std::string endpoint, Document doc, nlohmann::json parameters = {}) {
  DataRequest r;
  r.header().set_request_id("0123456789abcdef0123456789abcdef").set_exec_endpoint(endpoint);
  r.set_docs(DocumentArray{std::move(doc)});
  r.parameters() = std::move(parameters);
  return r;
}

TEST(FlowStreamGraphTest, FirstExecutorStreamsWithItsParameters) {
  auto tokens = std::make_shared<Tokens>();
  Graph g = graph_of({{"tokens", tokens}});
  EXPECT_EQ(g.check_stream("/stream"), std::nullopt);
  EXPECT_THAT(g.stream_endpoints(),
              ElementsAre("/const", "/fail", "/params", "/stream", "/with_request"));

  Collect out;
  EXPECT_EQ(g.stream(stream_request("/stream", Document("d1").set_text("hello")), out),
            std::nullopt);
  EXPECT_THAT(out.texts(), ElementsAre("hello:tok0", "hello:tok1", "hello:tok2"));
  EXPECT_EQ(out.docs[0].id(), "d1-0");

  Collect params;
  g.stream(stream_request("/params", Document(), {{"k", "v"}, {"tokens", {{"n", 1}}}}), params);
  EXPECT_THAT(params.texts(), ElementsAre("/params {\"k\":\"v\",\"n\":1,\"tokens\":{\"n\":1}}"));
}

TEST(FlowStreamGraphTest, ExceptionIsTheStatusAfterTheItems) {
  Graph g = graph_of({{"tokens", std::make_shared<Tokens>()}});
  Collect out;
  std::optional<Status> error = g.stream(stream_request("/fail", Document("d")), out);
  EXPECT_EQ(out.docs.size(), 2u);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code(), StatusCode::kError);
  EXPECT_EQ(error->exception().name(), "jina::flow::ValueError");
  EXPECT_THAT(error->exception().args(), ElementsAre("intentional failure after 2 items"));
  EXPECT_EQ(error->exception().executor(), "Tokens");
}

TEST(FlowStreamGraphTest, RequestEndpointIsJinasNotAGenerator) {
  Graph g = graph_of({{"tokens", std::make_shared<Tokens>()}});
  for (const char* endpoint : {"/unary", "/default"}) {
    std::optional<Status> refused = g.check_stream(endpoint);
    ASSERT_TRUE(refused) << endpoint;
    EXPECT_EQ(refused->description(), "ValueError('endpoint must be generator')");
    EXPECT_EQ(refused->exception().name(), "ValueError");
    EXPECT_THAT(refused->exception().args(), ElementsAre("endpoint must be generator"));
    EXPECT_THAT(refused->exception().stacks(),
                ElementsAre("ValueError: endpoint must be generator\n"));
    EXPECT_EQ(refused->exception().executor(), "");
  }
}

TEST(FlowStreamGraphTest, UnknownEndpointNamesTheStreamingOnes) {
  auto late = std::make_shared<Executor>();
  late->on_stream("/late", [](const Document&, DocEmitter&) {});
  Graph g = graph_of({{"tokens", std::make_shared<Tokens>()}, {"late", late}});
  std::optional<Status> refused = g.check_stream("/nope");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->exception().name(), "ValueError");
  ASSERT_EQ(refused->exception().args().size(), 1u);
  EXPECT_THAT(refused->exception().args()[0],
              HasSubstr("whose streaming endpoints are /const /fail /params /stream"));
  EXPECT_THAT(g.stream_endpoints(), ElementsAre("/const", "/fail", "/params", "/stream",
                                                "/with_request"));  // not /late

  std::optional<Status> late_only = g.check_stream("/late");
  ASSERT_TRUE(late_only);
  EXPECT_THAT(late_only->exception().args()[0], HasSubstr("Executor \"late\" streams /late"));

  Graph empty({});
  std::optional<Status> none = empty.check_stream("/stream");
  ASSERT_TRUE(none);
  EXPECT_THAT(none->exception().args()[0], HasSubstr("no Executor"));
  EXPECT_THAT(empty.stream_endpoints(), IsEmpty());
  Collect out;
  EXPECT_TRUE(empty.stream(stream_request("/stream", Document()), out));
  EXPECT_THAT(out.docs, IsEmpty());
}

TEST(FlowStreamGraphTest, PostingToAStreamingEndpointFails) {
  Graph g = graph_of({{"tokens", std::make_shared<Tokens>()}});
  DataRequest request = stream_request("/stream", Document("d1").set_text("hello"));
  Response response = g.process(std::move(request));
  EXPECT_EQ(response.status().code(), StatusCode::kError);
  EXPECT_EQ(response.status().exception().name(), "ValueError");
  EXPECT_THAT(response.status().exception().args()[0], HasSubstr("call it with stream_doc"));
  EXPECT_EQ(response.status().exception().executor(), "Tokens");
  ASSERT_EQ(response.routes().size(), 2u);
  EXPECT_EQ(response.routes()[1].status().code(), StatusCode::kError);
  EXPECT_THAT(response.docs().texts(), ElementsAre("hello"));
}

}  // namespace
}  // namespace jina::flow
