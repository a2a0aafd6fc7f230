// Golden tests against real bytes captured from a live jina 3.34.0 Flow
// (docarray 0.40.1): the schema in proto/ must read them exactly as protoc's
// text dump does, DataRequest must read them as the dump says, and requests
// built by the library must match what the Python client sent.
#include <google/protobuf/message.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "jina.pb.h"
#include "jina/request.h"
#include "wire/request_codec.h"

namespace jina {
namespace {

namespace fs = std::filesystem;
using google::protobuf::Message;
using google::protobuf::TextFormat;
using google::protobuf::util::MessageDifferencer;

const fs::path kCaptures = JINA_CAPTURES_DIR;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The dumps start with "# <message type>, <n> bytes, from a live ...".
struct DumpHeader {
  std::string type;
  std::size_t size = 0;
};

DumpHeader read_dump_header(const std::string& dump) {
  const std::string first_line = dump.substr(0, dump.find('\n'));
  DumpHeader header;
  const std::size_t comma = first_line.find(',');
  if (first_line.rfind("# ", 0) != 0 || comma == std::string::npos) return header;
  header.type = first_line.substr(2, comma - 2);
  header.size = std::stoul(first_line.substr(comma + 1));
  return header;
}

std::unique_ptr<Message> new_message(const std::string& type) {
  if (type == "jina.DataRequestProto") return std::make_unique<jina::DataRequestProto>();
  if (type == "jina.EndpointsProto") return std::make_unique<jina::EndpointsProto>();
  if (type == "jina.JinaInfoProto") return std::make_unique<jina::JinaInfoProto>();
  if (type == "jina.StatusProto") return std::make_unique<jina::StatusProto>();
  return nullptr;
}

// Fields the schema does not know, anywhere in `message`: a changed field
// number shows up here.
void collect_unknown_fields(const Message& message, const std::string& path,
                            std::vector<std::string>* out) {
  const auto* reflection = message.GetReflection();
  if (!reflection->GetUnknownFields(message).empty())
    out->push_back(path.empty() ? "<root>" : path);
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const auto* field : fields) {
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const std::string child = path + "/" + field->name();
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(message, field); ++i)
        collect_unknown_fields(reflection->GetRepeatedMessage(message, field, i), child, out);
    } else {
      collect_unknown_fields(reflection->GetMessage(message, field), child, out);
    }
  }
}

std::vector<std::string> capture_stems() {
  std::vector<std::string> stems;
  for (const auto& entry : fs::directory_iterator(kCaptures))
    if (entry.path().extension() == ".pb") stems.push_back(entry.path().stem().string());
  std::sort(stems.begin(), stems.end());
  return stems;
}

// --- Every capture parses with the schema and equals its text dump ---------------------------

class CaptureTest : public testing::TestWithParam<std::string> {};

TEST_P(CaptureTest, BinaryParsesAndEqualsTextDump) {
  const std::string bytes = read_file(kCaptures / (GetParam() + ".pb"));
  const std::string dump = read_file(kCaptures / (GetParam() + ".txt"));
  const DumpHeader header = read_dump_header(dump);
  ASSERT_EQ(header.size, bytes.size()) << "the dump names a different byte count";

  std::unique_ptr<Message> from_binary = new_message(header.type);
  std::unique_ptr<Message> from_text = new_message(header.type);
  ASSERT_NE(from_binary, nullptr) << "unexpected message type " << header.type;
  ASSERT_TRUE(from_binary->ParseFromString(bytes));
  ASSERT_TRUE(TextFormat::ParseFromString(dump, from_text.get()));

  std::vector<std::string> unknown;
  collect_unknown_fields(*from_binary, "", &unknown);
  EXPECT_TRUE(unknown.empty()) << "fields unknown to proto/ at " << testing::PrintToString(unknown);

  std::string report;
  MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&report);
  EXPECT_TRUE(differencer.Compare(*from_text, *from_binary)) << report;
  // Re-encoding with our schema gives as many bytes as the wire had (map
  // order may differ, the size may not).
  EXPECT_EQ(from_binary->ByteSizeLong(), bytes.size());
}

INSTANTIATE_TEST_SUITE_P(Captures, CaptureTest, testing::ValuesIn(capture_stems()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

TEST(CaptureSet, HoldsEveryExchange) {
  const std::vector<std::string> expected = {
      "call_fail_request",    "call_fail_response",          "call_params_request",
      "call_params_response", "call_upper_request",          "call_upper_response",
      "dry_run_response",     "endpoint_discovery_response", "info_status_response",
      "unary_fail_request",   "unary_fail_response",         "unary_upper_request",
      "unary_upper_response"};
  const std::vector<std::string> stems = capture_stems();
  for (const auto& stem : expected)
    EXPECT_NE(std::find(stems.begin(), stems.end(), stem), stems.end()) << stem << ".pb is missing";
}

// --- The non-DataRequest captures -------------------------------------------------------------

TEST(DryRunCapture, EmptyBytesAreASuccessStatus) {
  const std::string bytes = read_file(kCaptures / "dry_run_response.pb");
  ASSERT_TRUE(bytes.empty());
  jina::StatusProto proto;
  ASSERT_TRUE(proto.ParseFromString(bytes));
  const Status status = wire::decode(proto);
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kSuccess);
  EXPECT_TRUE(status.empty());
  EXPECT_EQ(status.description(), "");
}

TEST(EndpointDiscoveryCapture, ListsTheFlowsEndpointsAndSchemas) {
  jina::EndpointsProto proto;
  ASSERT_TRUE(proto.ParseFromString(read_file(kCaptures / "endpoint_discovery_response.pb")));
  EXPECT_EQ(std::vector<std::string>(proto.endpoints().begin(), proto.endpoints().end()),
            (std::vector<std::string>{"/default", "/fail", "_jina_dry_run_"}));
  ASSERT_TRUE(proto.schemas().fields().contains("/default"));
  const auto& endpoint = proto.schemas().fields().at("/default").struct_value().fields();
  EXPECT_TRUE(endpoint.contains("input"));
  EXPECT_TRUE(endpoint.contains("output"));
}

TEST(InfoStatusCapture, ReportsVersions) {
  jina::JinaInfoProto proto;
  ASSERT_TRUE(proto.ParseFromString(read_file(kCaptures / "info_status_response.pb")));
  EXPECT_EQ(proto.jina().at("jina"), "3.34.0");
  EXPECT_EQ(proto.jina().at("docarray"), "0.40.1");
  EXPECT_EQ(proto.jina().at("grpcio"), "1.51.1");
}

// --- DataRequest::parse reads each DataRequest capture as its dump says ----------------------

struct RouteTimes {
  std::string executor;
  std::int64_t start_seconds, start_nanos, end_seconds, end_nanos;
  bool failed;
};

struct Expected {
  std::string stem;
  std::string request_id;
  std::string exec_endpoint;
  bool has_target_executor;  // responses carry target_executor: "" explicitly
  std::vector<std::string> texts;
  nlohmann::json parameters;
  std::vector<RouteTimes> routes;
  bool failed;
};

constexpr std::int64_t kCaptureSecond = 1795303749;
const nlohmann::json kNoParameters = nullptr;
const nlohmann::json kEmptyParameters = nlohmann::json::object();
const nlohmann::json kFooParameters = {{"foo", "bar"}, {"n", 3.0}};

std::vector<Expected> expected_requests() {
  const std::int64_t s = kCaptureSecond;
  return {
      {"call_upper_request",
       "ab41fdfb003e439d93677df321fa8b8d",
       "/",
       false,
       {"hello jina", "second doc"},
       kNoParameters,
       {},
       false},
      {"call_upper_response",
       "ab41fdfb003e439d93677df321fa8b8d",
       "/",
       true,
       {"HELLO JINA", "SECOND DOC"},
       kEmptyParameters,
       {{"gateway", s, 490264000, s, 503980000, false},
        {"upper", s, 490630000, s, 503639000, false}},
       false},
      {"call_params_request",
       "aba22fa095144380b1e13779fbd4f8d6",
       "/upper",
       false,
       {"with params"},
       kFooParameters,
       {},
       false},
      {"call_params_response",
       "aba22fa095144380b1e13779fbd4f8d6",
       "/upper",
       true,
       {"WITH PARAMS"},
       kFooParameters,
       {{"gateway", s, 509341000, s, 514485000, false},
        {"upper", s, 509937000, s, 514178000, false}},
       false},
      {"call_fail_request",
       "09d916b835bf4c0cb9ee371e6a4854a3",
       "/fail",
       false,
       {"this will fail"},
       kNoParameters,
       {},
       false},
      {"call_fail_response",
       "09d916b835bf4c0cb9ee371e6a4854a3",
       "/fail",
       true,
       {"this will fail"},
       kEmptyParameters,
       {{"gateway", s, 518555000, s, 535639000, false},
        {"upper", s, 519122000, s, 535284000, true}},
       true},
      {"unary_upper_request",
       "f98feac7e6114489a9a2d99db6805e33",
       "/",
       false,
       {"unary hello"},
       kNoParameters,
       {},
       false},
      {"unary_upper_response",
       "f98feac7e6114489a9a2d99db6805e33",
       "/",
       true,
       {"UNARY HELLO"},
       kEmptyParameters,
       {{"gateway", s, 545954000, s, 548922000, false},
        {"upper", s, 546346000, s, 548677000, false}},
       false},
      {"unary_fail_request",
       "c5b86e5c39f24cfba2a4e0e58c4b767e",
       "/fail",
       false,
       {"unary fail"},
       kNoParameters,
       {},
       false},
      {"unary_fail_response",
       "c5b86e5c39f24cfba2a4e0e58c4b767e",
       "/fail",
       true,
       {"unary fail"},
       kEmptyParameters,
       {{"gateway", s, 552529000, s, 562633000, false},
        {"upper", s, 552787000, s, 562351000, true}},
       true},
  };
}

Route::TimePoint time_point(std::int64_t seconds, std::int64_t nanos) {
  return Route::TimePoint(std::chrono::nanoseconds(seconds * 1'000'000'000 + nanos));
}

// What the Executor's ValueError looks like in header.status and in its route.
void expect_upper_executor_failure(const Status& status) {
  EXPECT_EQ(status.code(), StatusCode::kError);
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.description(), "ValueError('intentional failure from /fail')");
  const ExceptionInfo& e = status.exception();
  EXPECT_EQ(e.name(), "ValueError");
  EXPECT_EQ(e.args(), std::vector<std::string>{"intentional failure from /fail"});
  EXPECT_EQ(e.executor(), "UpperExecutor");
  ASSERT_EQ(e.stacks().size(), 10u);
  EXPECT_EQ(e.stacks().front(), "Traceback (most recent call last):\n");
  EXPECT_EQ(e.stacks()[8],
            "  File \"/srv/flow/flow.py\", line 24, in fail\n"
            "    raise ValueError('intentional failure from /fail')\n");
  EXPECT_EQ(e.stacks().back(), "ValueError: intentional failure from /fail\n");
}

class DataRequestCaptureTest : public testing::TestWithParam<Expected> {};

TEST_P(DataRequestCaptureTest, ParseReadsWhatTheDumpSays) {
  const Expected& want = GetParam();
  const DataRequest req = DataRequest::parse(read_file(kCaptures / (want.stem + ".pb")));

  EXPECT_EQ(req.header().request_id(), want.request_id);
  EXPECT_TRUE(req.header().has_exec_endpoint());
  EXPECT_EQ(req.header().exec_endpoint(), want.exec_endpoint);
  EXPECT_EQ(req.header().has_target_executor(), want.has_target_executor);
  EXPECT_EQ(req.header().target_executor(), "");
  EXPECT_EQ(req.header().timeout(), std::nullopt);

  EXPECT_EQ(req.parameters(), want.parameters) << req.parameters().dump();
  EXPECT_EQ(req.parameters().type(), want.parameters.type()) << req.parameters().dump();
  if (req.parameters().contains("n")) {
    EXPECT_TRUE(req.parameters().at("n").is_number_float());
  }

  ASSERT_TRUE(req.has_data());
  ASSERT_EQ(req.docs().size(), want.texts.size());
  for (std::size_t i = 0; i < want.texts.size(); ++i) {
    const Document& doc = req.docs()[i];
    SCOPED_TRACE("doc " + std::to_string(i));
    EXPECT_EQ(doc.id(), "doc-" + std::to_string(i));
    EXPECT_EQ(doc.text(), want.texts[i]);
    // TextDoc's None fields (empty nodes) are unset fields, not extras.
    EXPECT_EQ(doc.blob(), "");
    EXPECT_EQ(doc.url(), "");
    EXPECT_TRUE(doc.embedding_array().empty());
    EXPECT_TRUE(doc.tensor().empty());
    EXPECT_TRUE(doc.extras().empty());
    EXPECT_TRUE(doc.chunks().empty());
    EXPECT_TRUE(doc.matches().empty());
  }
  EXPECT_EQ(req.docs().texts(), want.texts);

  if (want.failed) {
    expect_upper_executor_failure(req.status());
    // The class is in the status, the Flow's name in the failed route.
    EXPECT_EQ(req.failed_executor(), "upper");
  } else {
    EXPECT_EQ(req.failed_executor(), "");
    EXPECT_TRUE(req.status().ok());
    EXPECT_TRUE(req.status().empty());
  }

  ASSERT_EQ(req.routes().size(), want.routes.size());
  for (std::size_t i = 0; i < want.routes.size(); ++i) {
    const Route& route = req.routes()[i];
    const RouteTimes& times = want.routes[i];
    SCOPED_TRACE("route " + times.executor);
    EXPECT_EQ(route.executor(), times.executor);
    EXPECT_TRUE(route.has_start_time());
    EXPECT_TRUE(route.has_end_time());
    EXPECT_EQ(route.start_time(), time_point(times.start_seconds, times.start_nanos));
    EXPECT_EQ(route.end_time(), time_point(times.end_seconds, times.end_nanos));
    EXPECT_EQ(route.start_time().time_since_epoch().count(),
              times.start_seconds * 1'000'000'000 + times.start_nanos);
    if (times.failed) {
      expect_upper_executor_failure(route.status());
    } else {
      EXPECT_TRUE(route.status().empty());
    }
  }
}

// Removes docarray nodes that hold nothing (Python's None), which the library
// does not write for unset fields.
void strip_empty_nodes(docarray::DocProto* doc);
void strip_empty_nodes(docarray::NodeProto* node) {
  if (node->has_doc()) strip_empty_nodes(node->mutable_doc());
  if (node->has_doc_array())
    for (auto& d : *node->mutable_doc_array()->mutable_docs()) strip_empty_nodes(&d);
}
void strip_empty_nodes(docarray::DocProto* doc) {
  auto* data = doc->mutable_data();
  for (auto it = data->begin(); it != data->end();) {
    const docarray::NodeProto& node = it->second;
    if (node.content_case() == docarray::NodeProto::CONTENT_NOT_SET &&
        node.docarray_type_case() == docarray::NodeProto::DOCARRAY_TYPE_NOT_SET) {
      it = data->erase(it);
    } else {
      strip_empty_nodes(&it->second);
      ++it;
    }
  }
}

jina::DataRequestProto normalized_capture(const std::string& stem) {
  jina::DataRequestProto proto;
  EXPECT_TRUE(proto.ParseFromString(read_file(kCaptures / (stem + ".pb"))));
  for (auto& doc : *proto.mutable_data()->mutable_docs()->mutable_docs()) strip_empty_nodes(&doc);
  return proto;
}

void expect_same_proto(const jina::DataRequestProto& want, const jina::DataRequestProto& got) {
  std::string report;
  MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&report);
  EXPECT_TRUE(differencer.Compare(want, got)) << report;
}

TEST_P(DataRequestCaptureTest, ReserializingGivesTheCapturedMessage) {
  const Expected& want = GetParam();
  const DataRequest req = DataRequest::parse(read_file(kCaptures / (want.stem + ".pb")));
  jina::DataRequestProto got;
  ASSERT_TRUE(got.ParseFromString(req.serialize()));
  expect_same_proto(normalized_capture(want.stem), got);
}

INSTANTIATE_TEST_SUITE_P(Captures, DataRequestCaptureTest, testing::ValuesIn(expected_requests()),
                         [](const testing::TestParamInfo<Expected>& info) {
                           return info.param.stem;
                         });

std::vector<Expected> client_requests() {
  std::vector<Expected> requests;
  for (const Expected& e : expected_requests())
    if (e.routes.empty()) requests.push_back(e);
  return requests;
}

class BuiltRequestTest : public testing::TestWithParam<Expected> {};

TEST_P(BuiltRequestTest, MatchesWhatThePythonClientSent) {
  const Expected& want = GetParam();

  DataRequest req;
  req.header().set_request_id(new_id()).set_exec_endpoint(want.exec_endpoint);
  if (!want.parameters.is_null()) req.parameters() = {{"foo", "bar"}, {"n", 3}};
  DocumentArray docs;
  for (std::size_t i = 0; i < want.texts.size(); ++i)
    docs.push_back(Document().set_id("doc-" + std::to_string(i)).set_text(want.texts[i]));
  req.set_docs(std::move(docs));

  jina::DataRequestProto got;
  ASSERT_TRUE(got.ParseFromString(req.serialize()));
  EXPECT_EQ(got.header().request_id().size(), 32u);
  jina::DataRequestProto captured = normalized_capture(want.stem);
  got.mutable_header()->clear_request_id();
  captured.mutable_header()->clear_request_id();
  expect_same_proto(captured, got);
}

INSTANTIATE_TEST_SUITE_P(Captures, BuiltRequestTest, testing::ValuesIn(client_requests()),
                         [](const testing::TestParamInfo<Expected>& info) {
                           return info.param.stem;
                         });

// A failing Executor's response, built by the library (as the local Flow
// will), is the message the gateway sent.
TEST(BuiltResponse, MatchesTheCapturedFailure) {
  Status failure;
  failure.set_code(StatusCode::kError)
      .set_description("ValueError('intentional failure from /fail')");
  jina::DataRequestProto captured = normalized_capture("call_fail_response");
  const auto& stacks = captured.header().status().exception().stacks();
  failure.set_exception(ExceptionInfo()
                            .set_name("ValueError")
                            .set_args({"intentional failure from /fail"})
                            .set_stacks({stacks.begin(), stacks.end()})
                            .set_executor("UpperExecutor"));

  Response res;
  res.header()
      .set_request_id("09d916b835bf4c0cb9ee371e6a4854a3")
      .set_exec_endpoint("/fail")
      .set_target_executor("")
      .set_status(failure);
  res.parameters() = nlohmann::json::object();
  res.routes().push_back(Route("gateway")
                             .set_start_time(time_point(kCaptureSecond, 518555000))
                             .set_end_time(time_point(kCaptureSecond, 535639000)));
  res.routes().push_back(Route("upper")
                             .set_start_time(time_point(kCaptureSecond, 519122000))
                             .set_end_time(time_point(kCaptureSecond, 535284000))
                             .set_status(failure));
  res.set_docs({Document().set_id("doc-0").set_text("this will fail")});

  jina::DataRequestProto got;
  ASSERT_TRUE(got.ParseFromString(res.serialize()));
  expect_same_proto(captured, got);
  EXPECT_EQ(DataRequest::parse(res.serialize()), res);
}

}  // namespace
}  // namespace jina
