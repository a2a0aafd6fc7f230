// One request's trip through the Executors of a Flow, without a server:
// chaining, DAG and reduce, target_executor, parameters, results, errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include "flow/graph.h"
#include "flow/reduce.h"
#include "jina/error.h"

namespace jina::flow {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Appends its tag to every doc's text on every endpoint.
class Append : public Executor {
 public:
  explicit Append(std::string tag) : tag_(std::move(tag)) {
    on_default([this](ExecutorRequest& req) {
      for (Document& d : req.docs) d.set_text(d.text() + tag_);
    });
  }

 private:
  std::string tag_;
};

std::shared_ptr<Executor> append(std::string tag) {
  return std::make_shared<Append>(std::move(tag));
}

std::shared_ptr<Executor> lambda(std::function<ExecutorResult(ExecutorRequest&)> fn) {
  auto e = std::make_shared<Executor>();
  e->on_default(std::move(fn));
  return e;
}

DataRequest request(std::string endpoint, DocumentArray docs = {},
                    nlohmann::json params = nullptr) {
  DataRequest r;
  r.header().set_request_id("rid").set_exec_endpoint(std::move(endpoint));
  r.set_docs(std::move(docs));
  r.parameters() = std::move(params);
  return r;
}

std::vector<std::string> route_names(const Response& r) {
  std::vector<std::string> names;
  for (const Route& route : r.routes()) names.push_back(route.executor());
  return names;
}

TEST(FlowGraphTest, ChainRunsInAddOrderWithRoutes) {
  Graph g({{"a", append("-a"), {"gateway"}}, {"b", append("-b"), {"a"}}});
  Response r = g.process(request("/index", DocumentArray{Document().set_id("d1").set_text("x")}));
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(r.header().request_id(), "rid");
  EXPECT_EQ(r.header().exec_endpoint(), "/index");
  ASSERT_TRUE(r.header().has_target_executor());
  EXPECT_EQ(r.header().target_executor(), "");
  EXPECT_THAT(r.docs().texts(), ElementsAre("x-a-b"));
  EXPECT_THAT(route_names(r), ElementsAre("gateway", "a", "b"));
  const auto& routes = r.routes();
  for (const Route& route : routes) {
    EXPECT_TRUE(route.has_start_time() && route.has_end_time());
    EXPECT_LE(route.start_time(), route.end_time());
  }
  EXPECT_LE(routes[0].start_time(), routes[1].start_time());
  EXPECT_LE(routes[1].end_time(), routes[2].start_time());
  EXPECT_GE(routes[0].end_time(), routes[2].end_time());
  EXPECT_EQ(r.parameters(), nlohmann::json::object());
}

TEST(FlowGraphTest, ReturnedDocumentArrayReplacesDocs) {
  Graph g({{"swap",
            lambda([](ExecutorRequest&) { return DocumentArray{Document().set_text("new")}; }),
            {"gateway"}},
           {"after", append("!"), {"swap"}}});
  Response r = g.process(request("/", DocumentArray{Document().set_text("old"), Document()}));
  EXPECT_THAT(r.docs().texts(), ElementsAre("new!"));
}

TEST(FlowGraphTest, JsonResultGoesUnderResultsByExecutorName) {
  Graph g(
      {{"my_executor",
        lambda([](ExecutorRequest&) {
          return nlohmann::json{{"internal_parameter", 20}};
        }),
        {"gateway"}},
       {"reader",
        lambda([](ExecutorRequest& req) {
          // Downstream Executors see upstream results.
          return nlohmann::json{
              {"seen", req.parameters["__results__"]["my_executor/rep-0"]["internal_parameter"]}};
        }),
        {"my_executor"}}});
  Response r =
      g.process(request("/status", DocumentArray{Document().set_text("kept")}, {{"top_k", 3}}));
  EXPECT_EQ(r.parameters()["top_k"], 3);
  EXPECT_EQ(r.parameters()["__results__"]["my_executor/rep-0"],
            nlohmann::json({{"internal_parameter", 20}}));
  EXPECT_EQ(r.parameters()["__results__"]["reader/rep-0"]["seen"], 20);
  EXPECT_THAT(r.docs().texts(), ElementsAre("kept"));
}

TEST(FlowGraphTest, ResultsKeyStaysWhenTheRequestHadIt) {
  Graph g({{"a", append(""), {"gateway"}}});
  Response r = g.process(request("/", {}, {{"__results__", nlohmann::json::object()}}));
  EXPECT_EQ(r.parameters(), nlohmann::json({{"__results__", nlohmann::json::object()}}));
}

TEST(FlowGraphTest, ExecutorParameterChangesAreNotSentOn) {
  Graph g({{"a",
            lambda([](ExecutorRequest& req) {
              req.parameters["leak"] = true;
              return std::monostate();
            }),
            {"gateway"}}});
  Response r = g.process(request("/", {}, {{"k", "v"}}));
  EXPECT_EQ(r.parameters(), nlohmann::json({{"k", "v"}}));
}

TEST(FlowGraphTest, NonObjectJsonResultIsAnError) {
  Graph g({{"a",
            lambda([](ExecutorRequest&) {
              return nlohmann::json::array({1, 2});
            }),
            {"gateway"}}});
  Response r = g.process(request("/"));
  EXPECT_EQ(r.status().code(), StatusCode::kError);
  EXPECT_EQ(r.status().exception().name(), "jina::InvalidArgument");
}

TEST(FlowGraphTest, NullJsonResultIsNothing) {
  Graph g({{"a", lambda([](ExecutorRequest&) { return nlohmann::json(); }), {"gateway"}}});
  Response r = g.process(request("/"));
  EXPECT_TRUE(r.status().ok());
  EXPECT_FALSE(r.parameters().contains("__results__"));
}

class UpperExecutor : public Executor {
 public:
  UpperExecutor() {
    on("/fail", &UpperExecutor::fail);
    on_default(&UpperExecutor::upper);
  }
  void upper(ExecutorRequest& req) {
    for (Document& d : req.docs) {
      std::string t = d.text();
      for (char& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      d.set_text(t);
    }
  }
  void fail(ExecutorRequest&) { throw std::invalid_argument("intentional failure from /fail"); }
};

TEST(FlowGraphTest, ExceptionBecomesErrorStatusAndSkipsDownstream) {
  std::atomic<int> downstream_calls{0};
  Graph g({{"upper", std::make_shared<UpperExecutor>(), {"gateway"}},
           {"after",
            lambda([&](ExecutorRequest&) {
              ++downstream_calls;
              return std::monostate();
            }),
            {"upper"}}});
  Response r = g.process(
      request("/fail", DocumentArray{Document().set_id("doc-0").set_text("this will fail")}));
  EXPECT_EQ(downstream_calls.load(), 0);
  const Status& s = r.status();
  EXPECT_EQ(s.code(), StatusCode::kError);
  EXPECT_EQ(s.description(), "std::invalid_argument('intentional failure from /fail')");
  EXPECT_EQ(s.exception().name(), "std::invalid_argument");
  EXPECT_THAT(s.exception().args(), ElementsAre("intentional failure from /fail"));
  EXPECT_EQ(s.exception().executor(), "UpperExecutor");
  EXPECT_FALSE(s.exception().stacks().empty());
  EXPECT_THAT(route_names(r), ElementsAre("gateway", "upper"));
  EXPECT_EQ(r.routes()[1].status(), s);
  EXPECT_TRUE(r.routes()[0].status().ok());
  EXPECT_THAT(r.docs().texts(), ElementsAre("this will fail"));
  EXPECT_EQ(r.docs()[0].id(), "doc-0");
}

TEST(FlowGraphTest, UnboundExecutorPassesThroughWithoutRoute) {
  Graph g({{"plain", std::make_shared<Executor>(), {"gateway"}}, {"a", append("-a"), {"plain"}}});
  Response r = g.process(request("/x", DocumentArray{Document().set_text("t")}));
  EXPECT_THAT(r.docs().texts(), ElementsAre("t-a"));
  EXPECT_THAT(route_names(r), ElementsAre("gateway", "a"));
}

TEST(FlowGraphTest, NoExecutorsEchoesDocs) {
  Graph g({});
  Response r = g.process(request("/", DocumentArray{Document().set_text("t")}));
  EXPECT_THAT(r.docs().texts(), ElementsAre("t"));
  EXPECT_THAT(route_names(r), ElementsAre("gateway"));
}

TEST(FlowGraphTest, DryRunRunsNoExecutor) {
  std::atomic<int> calls{0};
  Graph g({{"a",
            lambda([&](ExecutorRequest&) {
              ++calls;
              return std::monostate();
            }),
            {"gateway"}}});
  Response r = g.process(request(kDryRunEndpoint, DocumentArray{Document()}));
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(calls.load(), 0);
}

TEST(FlowGraphTest, DocsMatrixFollowsNeedsOrderWithoutReduce) {
  std::vector<std::string> seen;
  auto merge = lambda([&](ExecutorRequest& req) {
    DocumentArray out;
    for (std::size_t i = 0; i < req.docs_matrix[0].size(); ++i) {
      out.push_back(Document().set_text("merging \"" + req.docs_matrix[0][i].text() + "\" and \"" +
                                        req.docs_matrix[1][i].text() + "\""));
    }
    seen = req.docs.texts();
    return out;
  });
  Graph g({{"exec1",
            lambda([](ExecutorRequest& req) {
              for (auto& d : req.docs) d.set_text("Exec1");
              return std::monostate();
            }),
            {"gateway"}},
           {"exec2",
            lambda([](ExecutorRequest& req) {
              for (auto& d : req.docs) d.set_text("Exec2");
              return std::monostate();
            }),
            {"gateway"}},
           {"merge", merge, {"exec2", "exec1"}, /*disable_reduce=*/true}});
  Response r = g.process(request("/", DocumentArray{Document().set_id("d")}));
  EXPECT_THAT(r.docs().texts(), ElementsAre("merging \"Exec2\" and \"Exec1\""));
  EXPECT_THAT(seen, ElementsAre("Exec2"));  // docs = the first upstream's
  EXPECT_THAT(route_names(r), ElementsAre("gateway", "exec1", "exec2", "merge"));
}

TEST(FlowGraphTest, ReduceMergesUpstreamDocsById) {
  auto tagger = [](std::string key) {
    return lambda([key](ExecutorRequest& req) {
      for (auto& d : req.docs) d.tags()[key] = true;
      req.docs.push_back(Document().set_id("only-" + key));
      return std::monostate();
    });
  };
  DocumentArray received;
  std::size_t matrix_size = 0;
  Graph g({{"left", tagger("left"), {"gateway"}},
           {"right", tagger("right"), {"gateway"}},
           {"join",
            lambda([&](ExecutorRequest& req) {
              received = req.docs;
              matrix_size = req.docs_matrix.size();
              return std::monostate();
            }),
            {"left", "right"}}});
  Response r = g.process(request("/", DocumentArray{Document().set_id("d1")}));
  EXPECT_EQ(matrix_size, 2u);
  EXPECT_THAT(received.ids(), ElementsAre("d1", "only-left", "only-right"));
  EXPECT_EQ(received[0].tags(), nlohmann::json({{"left", true}, {"right", true}}));
  EXPECT_THAT(r.docs().ids(), ElementsAre("d1", "only-left", "only-right"));
}

TEST(FlowGraphTest, SeveralLeavesAreReducedAtTheEnd) {
  Graph g({{"a",
            lambda([](ExecutorRequest& req) {
              req.docs[0].tags()["a"] = 1;
              return std::monostate();
            }),
            {"gateway"}},
           {"b",
            lambda([](ExecutorRequest& req) {
              req.docs[0].tags()["b"] = 2;
              return std::monostate();
            }),
            {"gateway"}}});
  Response r = g.process(request("/", DocumentArray{Document().set_id("d")}));
  ASSERT_EQ(r.docs().size(), 1u);
  EXPECT_EQ(r.docs()[0].tags(), nlohmann::json({{"a", 1}, {"b", 2}}));
}

TEST(FlowGraphTest, TargetExecutorIsMatchedFromTheStart) {
  Graph g({{"foo", append("-foo"), {"gateway"}},
           {"bar", append("-bar"), {"foo"}},
           {"xbar", append("-xbar"), {"bar"}}});
  auto run = [&](std::string target) {
    DataRequest req = request("/", DocumentArray{Document().set_text("t")});
    req.header().set_target_executor(std::move(target));
    return g.process(std::move(req));
  };
  Response only_bar = run("bar.*");
  EXPECT_THAT(only_bar.docs().texts(), ElementsAre("t-bar"));
  EXPECT_THAT(route_names(only_bar), ElementsAre("gateway", "bar"));
  EXPECT_EQ(only_bar.header().target_executor(), "");
  EXPECT_THAT(run("ar").docs().texts(), ElementsAre("t"));  // re.match, not re.search
  EXPECT_THAT(run("").docs().texts(), ElementsAre("t-foo-bar-xbar"));
  Response bad = run("(");
  EXPECT_EQ(bad.status().code(), StatusCode::kError);
  EXPECT_EQ(bad.status().exception().name(), "std::regex_error");
}

TEST(FlowGraphTest, ExecutorSpecificParametersOverrideRootOnes) {
  std::map<std::string, nlohmann::json> seen;
  auto recorder = [&](std::string name) {
    return lambda([&seen, name](ExecutorRequest& req) {
      seen[name] = req.parameters;
      return std::monostate();
    });
  };
  Graph g({{"foo", recorder("foo"), {"gateway"}}, {"bar", recorder("bar"), {"foo"}}});
  nlohmann::json params = {{"top_k", 1}, {"foo", {{"top_k", 5}}}, {"bar__mode", "fast"}};
  Response r = g.process(request("/", {}, params));
  EXPECT_EQ(seen["foo"]["top_k"], 5);
  EXPECT_FALSE(seen["foo"].contains("mode"));
  EXPECT_EQ(seen["bar"]["top_k"], 1);
  EXPECT_EQ(seen["bar"]["mode"], "fast");
  EXPECT_EQ(r.parameters(), params);  // the response keeps the original parameters
}

TEST(FlowGraphTest, EndpointsAreTheUnionPlusDryRun) {
  auto e = std::make_shared<Executor>();
  e->on({"/index", "/search"}, [](ExecutorRequest&) {});
  auto d = std::make_shared<Executor>();
  d->on_default([](ExecutorRequest&) {});
  Graph g({{"e", e, {"gateway"}}, {"d", d, {"e"}}});
  EXPECT_THAT(g.endpoints(), ElementsAre("/default", "/index", "/search", "_jina_dry_run_"));
}

TEST(FlowGraphTest, InvalidGraphsAreRejected) {
  auto e = [] { return std::make_shared<Executor>(); };
  EXPECT_THROW(Graph({{"a", e(), {"nope"}}}), InvalidArgument);
  EXPECT_THROW(Graph({{"a", e(), {"gateway"}}, {"a", e(), {"gateway"}}}), InvalidArgument);
  EXPECT_THROW(Graph({{"a", e(), {"b"}}, {"b", e(), {"a"}}}), InvalidArgument);
  EXPECT_THROW(Graph({{"gateway", e(), {"gateway"}}}), InvalidArgument);
  EXPECT_THROW(Graph({{"a", nullptr, {"gateway"}}}), InvalidArgument);
  EXPECT_THROW(Graph({{"a", e(), {"gateway", "gateway"}}}), InvalidArgument);
}

TEST(FlowGraphTest, ExecutionOrderIsTopologicalAndStable) {
  auto e = [] { return std::make_shared<Executor>(); };
  Graph g({{"late", e(), {"early"}}, {"early", e(), {"gateway"}}, {"side", e(), {"gateway"}}});
  EXPECT_THAT(g.execution_order(), ElementsAre("early", "late", "side"));
}

TEST(FlowReduceTest, MergeDocumentOverwritesSetFieldsAndMergesNested) {
  Document left;
  left.set_id("d").set_text("left").set_uri("u");
  left.tags() = {{"a", 1}, {"b", 1}};
  left.matches().push_back(Document().set_id("m1").set_text("one"));
  Document right;
  right.set_id("d").set_embedding({1.0f, 2.0f});
  right.tags() = {{"b", 2}};
  right.matches().push_back(Document().set_id("m1").set_uri("m1-uri"));
  right.matches().push_back(Document().set_id("m2"));
  merge_document(left, std::move(right));
  EXPECT_EQ(left.text(), "left");
  EXPECT_EQ(left.uri(), "u");
  EXPECT_THAT(left.embedding(), ElementsAre(1.0f, 2.0f));
  EXPECT_EQ(left.tags(), nlohmann::json({{"a", 1}, {"b", 2}}));
  EXPECT_THAT(left.matches().ids(), ElementsAre("m1", "m2"));
  EXPECT_EQ(left.matches()[0].text(), "one");
  EXPECT_EQ(left.matches()[0].uri(), "m1-uri");
}

TEST(FlowReduceTest, ReduceKeepsFirstOrderThenAppendsNewIds) {
  DocumentArray a{Document().set_id("1"), Document().set_id("2")};
  DocumentArray b{Document().set_id("3"), Document().set_id("1").set_text("from b")};
  DocumentArray merged = reduce_docs({a, b});
  EXPECT_THAT(merged.ids(), ElementsAre("1", "2", "3"));
  EXPECT_EQ(merged[0].text(), "from b");
  EXPECT_THAT(reduce_docs({}).ids(), IsEmpty());
}

}  // namespace
}  // namespace jina::flow
