// The JSON side of the HTTP transport: route choice, request bodies, and
// how gateway answers (from the jina 3.34 captures) become Responses.
#include "transport/http_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "jina/error.h"

namespace jina::internal {
namespace {

using json = nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

DataRequest request(std::string endpoint) {
  DataRequest r;
  r.header().set_request_id("r1").set_exec_endpoint(std::move(endpoint));
  r.parameters() = {{"__results__", json::object()}};
  r.set_docs(DocumentArray{Document().set_id("d1").set_text("hello http")});
  return r;
}

json captured_openapi() {
  std::ifstream in(std::string(JINA_SOURCE_DIR) + "/tests/golden/captures/http_openapi.json");
  std::stringstream s;
  s << in.rdbuf();
  return json::parse(s.str());
}

TEST(HttpCodecTest, PostPathsOfTheCapturedGateway) {
  EXPECT_THAT(openapi_post_paths(captured_openapi()), ElementsAre("/default", "/fail"));
  EXPECT_THAT(openapi_endpoints(captured_openapi()), ElementsAre("/default", "/fail"));
  EXPECT_TRUE(openapi_post_paths(json::object()).empty());
}

TEST(HttpCodecTest, RouteFollowsJinasClient) {
  std::set<std::string> v2 = {"/default", "/fail"};
  EXPECT_EQ(http_call_for(request("/fail"), DocFormat::kV2, v2, HttpApi::kAuto).path, "/fail");
  EXPECT_EQ(http_call_for(request("/"), DocFormat::kV2, v2, HttpApi::kAuto).path, "/default");
  EXPECT_EQ(http_call_for(request(""), DocFormat::kV2, v2, HttpApi::kAuto).path, "/default");
  // An endpoint no Executor binds goes to the default binding.
  EXPECT_EQ(http_call_for(request("/nope"), DocFormat::kV2, v2, HttpApi::kAuto).path, "/default");
  std::set<std::string> v1 = {"/post", "/index", "/search"};
  EXPECT_EQ(http_call_for(request("/search"), DocFormat::kV1, v1, HttpApi::kAuto).path, "/search");
  EXPECT_EQ(http_call_for(request("/foo"), DocFormat::kV1, v1, HttpApi::kAuto).path, "/post");
  // Unknown routes: the format decides.
  EXPECT_EQ(http_call_for(request("/foo"), DocFormat::kV2, {}, HttpApi::kAuto).path, "/foo");
  EXPECT_EQ(http_call_for(request("/foo"), DocFormat::kV1, {}, HttpApi::kAuto).path, "/post");
  // Forced.
  EXPECT_EQ(http_call_for(request("/foo"), DocFormat::kV2, v2, HttpApi::kPost).path, "/post");
  EXPECT_EQ(http_call_for(request("/"), DocFormat::kV1, v1, HttpApi::kPerEndpoint).path,
            "/default");
}

TEST(HttpCodecTest, PerEndpointBodyCarriesHeader) {
  DataRequest r = request("/default");
  r.header().set_target_executor("upper");
  HttpCall call = http_call_for(r, DocFormat::kV2, {"/default"}, HttpApi::kAuto);
  EXPECT_EQ(call.body["header"]["request_id"], "r1");
  EXPECT_EQ(call.body["header"]["target_executor"], "upper");
  EXPECT_EQ(call.body["parameters"], json({{"__results__", json::object()}}));
  ASSERT_EQ(call.body["data"].size(), 1u);
  EXPECT_EQ(call.body["data"][0]["text"], "hello http");
}

TEST(HttpCodecTest, GenericPostBodyIsCamelCase) {
  DataRequest r = request("/foo");
  r.header().set_target_executor("bar.*");
  HttpCall call = http_call_for(r, DocFormat::kV1, {"/post"}, HttpApi::kAuto);
  EXPECT_EQ(call.body["execEndpoint"], "/foo");
  EXPECT_EQ(call.body["targetExecutor"], "bar.*");
  EXPECT_FALSE(call.body.contains("header"));
}

TEST(HttpCodecTest, ParametersOnlyRequestSendsEmptyData) {
  DataRequest r;
  r.header().set_request_id("r2").set_exec_endpoint("/");
  HttpCall call = http_call_for(r, DocFormat::kV2, {"/default"}, HttpApi::kAuto);
  EXPECT_EQ(call.body["data"], json::array());
  EXPECT_EQ(call.body["parameters"], json::object());
}

TEST(HttpCodecTest, CapturedV2SuccessBecomesResponse) {
  // tests/golden/captures/http_examples.txt, POST /default with parameters.
  std::string body =
      R"j({"data":[{"id":"d1","embedding":null,"bytes_":null,"text":"HELLO HTTP","url":null}],)j"
      R"j("parameters":{"a":1.0},"header":{"requestId":"424694d6001d40eb8525bab9ee85d1ed","targetExecutor":""}})j";
  auto response = response_from_http(200, body, request("/default"));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->header().request_id(), "r1");  // one POST, one request
  EXPECT_EQ(response->header().exec_endpoint(), "/default");
  EXPECT_TRUE(response->status().ok());
  ASSERT_EQ(response->docs().size(), 1u);
  EXPECT_EQ(response->docs()[0].id(), "d1");
  EXPECT_EQ(response->docs()[0].text(), "HELLO HTTP");
  EXPECT_EQ(response->parameters(), json({{"a", 1.0}}));
}

TEST(HttpCodecTest, CapturedV2ExecutorErrorBecomesErrorResponse) {
  auto response = response_from_http(
      500, R"j({"detail":"ValueError('intentional failure from /fail')"})j", request("/fail"));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status().code(), StatusCode::kError);
  EXPECT_EQ(response->status().description(), "ValueError('intentional failure from /fail')");
  EXPECT_EQ(response->status().exception().name(), "ValueError");
  EXPECT_EQ(response->header().request_id(), "r1");
  EXPECT_EQ(response->docs().size(), 1u);  // the request's docs, as gRPC gateways return them
}

TEST(HttpCodecTest, V1ErrorInHeaderWithCamelCaseKeys) {
  std::string body =
      R"j({"header":{"requestId":"x","execEndpoint":"/fail","status":{"code":1,)j"
      R"j("description":"boom","exception":{"name":"ValueError","args":["boom"],)j"
      R"j("stacks":["line 1"],"executor":"Upper"}}},"routes":[{"executor":"gateway"},)j"
      R"j({"executor":"Upper","status":{"code":1}}],"data":{"docs":[{"id":"a","text":null}]}})j";
  auto response = response_from_http(200, body, request("/fail"));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status().code(), StatusCode::kError);
  EXPECT_EQ(response->status().description(), "boom");
  EXPECT_EQ(response->status().exception().executor(), "Upper");
  EXPECT_THAT(response->status().exception().stacks(), ElementsAre("line 1"));
  ASSERT_EQ(response->routes().size(), 2u);
  EXPECT_EQ(response->routes()[1].executor(), "Upper");
  ASSERT_EQ(response->docs().size(), 1u);
  EXPECT_EQ(response->docs()[0].id(), "a");
}

TEST(HttpCodecTest, FailuresMapToRetryableOrNot) {
  DataRequest r = request("/");
  EXPECT_EQ(response_from_http(503, "", r).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(response_from_http(500, "Internal Server Error", r).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(response_from_http(404, R"j({"detail":"Not Found"})j", r).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(response_from_http(422, "{}", r).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(response_from_http(200, "not json", r).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(response_from_http(200, R"j({"data":[1]})j", r).status().code(),
            absl::StatusCode::kDataLoss);
  // v1 gateways describe an unreachable Executor in the header.
  auto unreachable = response_from_http(
      503, R"j({"header":{"status":{"code":1,"description":"Executor upper is down"}}})j", r);
  EXPECT_EQ(unreachable.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(unreachable.status().message(), HasSubstr("Executor upper is down"));
}

// The form the HTTP transport keeps a request in between encoding and
// sending (Transport::encode), and the bodies made from it.
TEST(HttpCodecTest, RequestFormPacksAndUnpacks) {
  DataRequest r = request("/search");
  r.header().set_target_executor("enc.*");
  r.parameters()["limit"] = 3;
  HttpRequestForm form = HttpRequestForm::unpack(HttpRequestForm::from(r, DocFormat::kV2).pack());
  EXPECT_EQ(form.request_id, "r1");
  EXPECT_EQ(form.exec_endpoint, "/search");
  EXPECT_EQ(form.target_executor, "enc.*");
  DataRequest back = form.request(DocFormat::kV2);
  EXPECT_EQ(back.header().target_executor(), "enc.*");
  EXPECT_EQ(back.parameters()["limit"], 3);
  ASSERT_EQ(back.docs().size(), 1u);
  EXPECT_EQ(back.docs()[0].id(), "d1");
  EXPECT_EQ(back.docs()[0].text(), "hello http");
  EXPECT_FALSE(HttpRequestForm::unpack(HttpRequestForm::from(request("/"), DocFormat::kV2).pack())
                   .target_executor);
}

TEST(HttpCodecTest, UnpackRefusesWhatPackDidNotMake) {
  for (std::string_view bad : {"", "abc", "5:ab", "1:a1:b", "x:a", "1:a1:b0:", "1:a1:b1:01:d1:pX",
                               "99999999999999999999:a"}) {
    EXPECT_THROW(HttpRequestForm::unpack(bad), InvalidArgument) << bad;
  }
}

// Assembled from parts, the body is still the JSON nlohmann would write
// (keys sorted, no spaces): the bytes the gateway got before.
TEST(HttpCodecTest, BodiesAreCanonicalJson) {
  DataRequest r = request("/search");
  r.header().set_target_executor("enc\"x");
  r.parameters()["q"] = "caf\xc3\xa9 \xff";  // not UTF-8 at the end: replaced
  for (HttpApi api : {HttpApi::kPerEndpoint, HttpApi::kPost}) {
    for (DataRequest req : {r, request("")}) {
      HttpPost post =
          http_post_for(HttpRequestForm::from(req, DocFormat::kV2), DocFormat::kV2, {}, api);
      json parsed = json::parse(post.body);
      EXPECT_EQ(post.body, parsed.dump(-1, ' ', false, json::error_handler_t::replace));
    }
  }
}

TEST(HttpCodecTest, AnExecutorErrorHandsTheFormsRequestBack) {
  DataRequest r = request("/fail");
  auto response = response_from_http(500, R"j({"detail":"ValueError('no')"})j",
                                     HttpRequestForm::from(r, DocFormat::kV2), DocFormat::kV2);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->header().status().code(), StatusCode::kError);
  EXPECT_EQ(response->header().status().exception().name(), "ValueError");
  ASSERT_EQ(response->docs().size(), 1u);
  EXPECT_EQ(response->docs()[0].text(), "hello http");
}

DataRequest many(std::size_t n) {
  DataRequest r = request("/index");
  DocumentArray docs;
  for (std::size_t i = 0; i < n; ++i) {
    docs.push_back(Document().set_id("d" + std::to_string(i)).set_text("t" + std::to_string(i)));
  }
  r.set_docs(std::move(docs));
  return r;
}

// Issue 19: a docarray-v2 gateway answers for the first 100 Documents of a
// POST only, so a longer request is cut into pieces of 100 at encoding
// (noted, not copied) and each piece is a request of its own.
TEST(HttpCodecTest, AV2FormAbove100DocsComesInPiecesOf100) {
  for (auto [n, sizes] :
       std::vector<std::pair<std::size_t, std::vector<std::size_t>>>{{0, {0}},
                                                                     {1, {1}},
                                                                     {100, {100}},
                                                                     {101, {100, 1}},
                                                                     {250, {100, 100, 50}},
                                                                     {300, {100, 100, 100}}}) {
    DataRequest r = many(n);
    r.header().set_target_executor("enc");
    HttpRequestForm form = HttpRequestForm::unpack(HttpRequestForm::from(r, DocFormat::kV2).pack());
    // The same bytes as the whole array written at once.
    EXPECT_EQ(form.data, json(r.docs().to_json(DocFormat::kV2)).dump()) << n;
    EXPECT_EQ(form.doc_count, n);
    ASSERT_EQ(form.piece_count(), sizes.size()) << n;
    std::size_t next = 0;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      HttpRequestForm piece = form.piece(i);
      EXPECT_EQ(piece.doc_count, sizes[i]);
      EXPECT_EQ(piece.request_id, "r1");
      EXPECT_EQ(piece.exec_endpoint, "/index");
      EXPECT_EQ(piece.target_executor, "enc");
      EXPECT_EQ(piece.parameters, form.parameters);
      EXPECT_EQ(piece.piece_count(), 1u);
      DataRequest back = piece.request(DocFormat::kV2);
      ASSERT_EQ(back.docs().size(), sizes[i]) << n << " piece " << i;
      for (const Document& d : back.docs()) EXPECT_EQ(d.id(), "d" + std::to_string(next++));
    }
    EXPECT_EQ(next, n);
  }
  // docarray v1 gateways (/post) take any number: never cut.
  EXPECT_EQ(HttpRequestForm::from(many(250), DocFormat::kV1).piece_count(), 1u);
}

TEST(HttpCodecTest, UnpackRefusesPiecesThatDoNotEndAtAComma) {
  std::string good = HttpRequestForm::from(many(101), DocFormat::kV2).pack();
  HttpRequestForm form = HttpRequestForm::unpack(good);
  ASSERT_EQ(form.piece_ends.size(), 1u);
  for (std::string ends :
       {std::to_string(form.piece_ends[0] + 1), std::string("0"), std::to_string(form.data.size()),
        std::string("x"), std::to_string(form.piece_ends[0]) + ","}) {
    HttpRequestForm bad = form;
    std::string packed = bad.pack();
    std::string tail = std::to_string(std::to_string(form.piece_ends[0]).size()) + ":" +
                       std::to_string(form.piece_ends[0]);
    ASSERT_TRUE(packed.ends_with(tail));
    packed.resize(packed.size() - tail.size());
    packed += std::to_string(ends.size()) + ":" + ends;
    EXPECT_THROW(HttpRequestForm::unpack(packed), InvalidArgument) << ends;
  }
  form.doc_count = 100;  // too few Documents for two pieces
  EXPECT_THROW(HttpRequestForm::unpack(form.pack()), InvalidArgument);
}

TEST(HttpCodecTest, PostsSayWhetherTheRouteIsPerEndpoint) {
  HttpRequestForm form = HttpRequestForm::from(request("/search"), DocFormat::kV2);
  EXPECT_TRUE(http_post_for(form, DocFormat::kV2, {}, HttpApi::kAuto).per_endpoint);
  EXPECT_FALSE(http_post_for(form, DocFormat::kV1, {}, HttpApi::kAuto).per_endpoint);
  EXPECT_FALSE(http_post_for(form, DocFormat::kV2, {"/post"}, HttpApi::kAuto).per_endpoint);
  EXPECT_FALSE(http_post_for(form, DocFormat::kV2, {}, HttpApi::kPost).per_endpoint);
}

TEST(HttpCodecTest, PieceAnswersJoinInOrderAndAnErrorHandsTheWholeRequestBack) {
  HttpRequestForm form = HttpRequestForm::from(many(250), DocFormat::kV2);
  std::vector<DataRequest> answers;
  for (std::size_t i = 0; i < form.piece_count(); ++i) {
    DataRequest a = form.piece(i).request(DocFormat::kV2);
    a.parameters() = {{"piece", i}};
    for (Document& d : a.docs()) d.set_text(d.text() + "!");
    answers.push_back(std::move(a));
  }
  DataRequest joined = join_piece_responses(std::move(answers));
  EXPECT_EQ(joined.header().request_id(), "r1");
  EXPECT_EQ(joined.parameters()["piece"], 0);
  ASSERT_EQ(joined.docs().size(), 250u);
  for (std::size_t i = 0; i < 250; ++i) {
    EXPECT_EQ(joined.docs()[i].id(), "d" + std::to_string(i));
    EXPECT_EQ(joined.docs()[i].text(), "t" + std::to_string(i) + "!");
  }

  Status error;
  error.set_code(StatusCode::kError).set_description("ValueError('no')");
  DataRequest failed = piece_error_response(form, DocFormat::kV2, error);
  EXPECT_EQ(failed.header().status(), error);
  EXPECT_EQ(failed.header().request_id(), "r1");
  ASSERT_EQ(failed.docs().size(), 250u);
  EXPECT_EQ(failed.docs()[249].text(), "t249");
}

TEST(HttpCodecTest, DryRunStatus) {
  EXPECT_TRUE(
      dry_run_result(json::parse(R"j({"code":0,"description":"","exception":null})j")).ok());
  absl::Status failed = dry_run_result(json::parse(R"j({"code":1,"description":"down"})j"));
  EXPECT_EQ(failed.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(failed.message(), "down");
  EXPECT_FALSE(dry_run_result(json::array()).ok());
}

}  // namespace
}  // namespace jina::internal
