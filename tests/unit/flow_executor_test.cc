// Executor endpoint binding and the exception -> status mapping.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "flow/executor_status.h"
#include "jina/error.h"
#include "jina/executor.h"

namespace jina {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

namespace shop {
class Upper : public Executor {
 public:
  Upper() {
    on({"/index", "/search"}, &Upper::foo);
    on("/other", &Upper::bar);
    on_default(&Upper::fallback);
  }
  void foo(ExecutorRequest& req) {
    for (Document& d : req.docs) d.set_text("foo");
  }
  nlohmann::json bar(ExecutorRequest& req) const { return {{"bar", req.docs.size()}}; }
  DocumentArray fallback(ExecutorRequest&) {
    return DocumentArray{Document().set_text("fallback")};
  }
};
}  // namespace shop

ExecutorResult call(const Executor& e, const std::string& endpoint, ExecutorRequest& req) {
  const Executor::Handler* handler = e.handler_for(endpoint);
  if (handler == nullptr) throw std::logic_error("no handler for " + endpoint);
  return (*handler)(req);
}

TEST(FlowExecutorTest, BindsMemberFunctionsToNamedEndpoints) {
  shop::Upper e;
  ExecutorRequest req{.docs = DocumentArray{Document().set_text("a")}};
  EXPECT_TRUE(std::holds_alternative<std::monostate>(call(e, "/index", req)));
  EXPECT_EQ(req.docs[0].text(), "foo");
  req.docs[0].set_text("b");
  call(e, "/search", req);
  EXPECT_EQ(req.docs[0].text(), "foo");
  ExecutorResult bar = call(e, "/other", req);
  ASSERT_TRUE(std::holds_alternative<nlohmann::json>(bar));
  EXPECT_EQ(std::get<nlohmann::json>(bar), nlohmann::json({{"bar", 1}}));
}

TEST(FlowExecutorTest, DefaultServesEveryUnboundEndpoint) {
  shop::Upper e;
  ExecutorRequest req;
  ExecutorResult r = call(e, "/blah", req);
  ASSERT_TRUE(std::holds_alternative<DocumentArray>(r));
  EXPECT_EQ(std::get<DocumentArray>(r)[0].text(), "fallback");
  EXPECT_TRUE(e.has_default());
}

TEST(FlowExecutorTest, NoBindingMeansNoHandler) {
  Executor plain;
  EXPECT_EQ(plain.handler_for("/index"), nullptr);
  EXPECT_THAT(plain.endpoints(), IsEmpty());
  EXPECT_FALSE(plain.has_default());
}

TEST(FlowExecutorTest, EndpointsListNamedOnesAndDefault) {
  shop::Upper e;
  EXPECT_THAT(e.endpoints(), ElementsAre("/default", "/index", "/other", "/search"));
}

TEST(FlowExecutorTest, AcceptsCallablesAndOptionalResults) {
  Executor e;
  e.on("/none", [](ExecutorRequest&) { return std::optional<DocumentArray>(); });
  e.on(std::vector<std::string>{"/some"},
       [](ExecutorRequest&) { return std::optional<DocumentArray>(DocumentArray{Document()}); });
  ExecutorRequest req;
  EXPECT_TRUE(std::holds_alternative<std::monostate>(call(e, "/none", req)));
  EXPECT_TRUE(std::holds_alternative<DocumentArray>(call(e, "/some", req)));
}

// A method that only reads the request may say so.
class Reader : public Executor {
 public:
  Reader() {
    on("/count", &Reader::count);
    on("/first", [](const ExecutorRequest& req) { return DocumentArray{req.docs[0]}; });
  }
  nlohmann::json count(const ExecutorRequest& req) const { return {{"n", req.docs.size()}}; }
};

TEST(FlowExecutorTest, AcceptsMethodsTakingAConstRequest) {
  Reader e;
  ExecutorRequest req{.docs = DocumentArray{Document().set_text("a"), Document()}};
  EXPECT_EQ(std::get<nlohmann::json>(call(e, "/count", req))["n"], 2);
  EXPECT_EQ(std::get<DocumentArray>(call(e, "/first", req))[0].text(), "a");
}

TEST(FlowExecutorTest, LaterBindingWins) {
  Executor e;
  e.on("/x", [](ExecutorRequest&) { return nlohmann::json{{"n", 1}}; });
  e.on("/x", [](ExecutorRequest&) { return nlohmann::json{{"n", 2}}; });
  ExecutorRequest req;
  EXPECT_EQ(std::get<nlohmann::json>(call(e, "/x", req))["n"], 2);
}

TEST(FlowExecutorTest, EmptyEndpointIsRejected) {
  Executor e;
  EXPECT_THROW(e.on("", [](ExecutorRequest&) {}), InvalidArgument);
}

TEST(FlowExecutorTest, ClassNameHasNoNamespace) {
  shop::Upper e;
  EXPECT_EQ(e.class_name(), "Upper");
  Executor plain;
  EXPECT_EQ(plain.class_name(), "Executor");
}

TEST(FlowExecutorStatusTest, PythonRepr) {
  EXPECT_EQ(flow::python_repr("msg"), "'msg'");
  EXPECT_EQ(flow::python_repr("it's"), "\"it's\"");
  EXPECT_EQ(flow::python_repr("it's \"x\""), "'it\\'s \"x\"'");
  EXPECT_EQ(flow::python_repr("a\\b\nc\t\x01"), "'a\\\\b\\nc\\t\\x01'");
  EXPECT_EQ(flow::python_repr(""), "''");
}

TEST(FlowExecutorStatusTest, Unqualified) {
  EXPECT_EQ(flow::unqualified("ns::inner::Upper"), "Upper");
  EXPECT_EQ(flow::unqualified("Upper"), "Upper");
  EXPECT_EQ(flow::unqualified("ns::Box<a::B>"), "Box<a::B>");
}

struct ValueError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

TEST(FlowExecutorStatusTest, StdExceptionBecomesPythonLikeStatus) {
  Status s =
      flow::exception_status(std::make_exception_ptr(ValueError("intentional failure from /fail")),
                             "UpperExecutor", "upper", "/fail");
  EXPECT_EQ(s.code(), StatusCode::kError);
  EXPECT_EQ(s.description(), "jina::ValueError('intentional failure from /fail')");
  EXPECT_EQ(s.exception().name(), "jina::ValueError");
  EXPECT_THAT(s.exception().args(), ElementsAre("intentional failure from /fail"));
  EXPECT_EQ(s.exception().executor(), "UpperExecutor");
  ASSERT_FALSE(s.exception().stacks().empty());
  EXPECT_EQ(s.exception().stacks().back(), "jina::ValueError: intentional failure from /fail\n");

  Status std_error =
      flow::exception_status(std::make_exception_ptr(std::invalid_argument("bad")), "E", "e", "/");
  EXPECT_EQ(std_error.description(), "std::invalid_argument('bad')");
}

TEST(FlowExecutorStatusTest, NonStdExceptionKeepsItsType) {
  Status s = flow::exception_status(std::make_exception_ptr(42), "E", "e", "/");
  EXPECT_EQ(s.code(), StatusCode::kError);
  EXPECT_EQ(s.description(), "int()");
  EXPECT_EQ(s.exception().name(), "int");
  EXPECT_THAT(s.exception().args(), IsEmpty());
}

}  // namespace
}  // namespace jina
