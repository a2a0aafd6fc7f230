// DataRequest <-> jina.DataRequestProto: header, status, routes, parameters
// and docs, in both docarray formats, and what happens with bad bytes.
#include "wire/request_codec.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "jina/request.h"
#include "unit/sample_documents.h"
#include "wire/docarray_codec.h"

namespace jina {
namespace {

using json = nlohmann::json;
using std::chrono::nanoseconds;
using testing_samples::common_document;
using testing_samples::nested_document;

Route::TimePoint at_ns(std::int64_t ns) { return Route::TimePoint(nanoseconds(ns)); }

Status failure() {
  return Status()
      .set_code(StatusCode::kError)
      .set_description("ValueError('boom')")
      .set_exception(ExceptionInfo()
                         .set_name("ValueError")
                         .set_args({"boom", "second arg"})
                         .set_stacks({"Traceback (most recent call last):\n", "ValueError: boom\n"})
                         .set_executor("MyExecutor"));
}

// A response with every part of the message set.
DataRequest full_response() {
  DataRequest req;
  req.header()
      .set_request_id("0123456789abcdef0123456789abcdef")
      .set_exec_endpoint("/search")
      .set_target_executor("exec.*")
      .set_timeout(5000)
      .set_status(failure());
  req.parameters() = {{"top_k", 5.0}, {"__results__", {{"exec", {{"n", 1.0}}}}}, {"s", "x"}};
  req.routes().push_back(Route("gateway")
                             .set_start_time(at_ns(1795303749490264000))
                             .set_end_time(at_ns(1795303749503980000)));
  req.routes().push_back(Route("exec")
                             .set_start_time(at_ns(1795303749490630001))
                             .set_end_time(at_ns(1795303749503639999))
                             .set_status(failure()));
  req.set_docs({common_document("a"), Document("b").set_text("second")});
  return req;
}

TEST(RequestCodec, FullResponseRoundTripsInBothFormats) {
  const DataRequest req = full_response();
  EXPECT_EQ(DataRequest::parse(req.serialize()), req);
  EXPECT_EQ(DataRequest::parse(req.serialize(DocFormat::kV2), DocFormat::kV2), req);
  EXPECT_EQ(DataRequest::parse(req.serialize(DocFormat::kV1), DocFormat::kV1), req);
}

TEST(RequestCodec, HeaderFields) {
  jina::DataRequestProto proto;
  wire::encode(full_response(), &proto);
  const auto& h = proto.header();
  EXPECT_EQ(h.request_id(), "0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(h.has_exec_endpoint());
  EXPECT_EQ(h.exec_endpoint(), "/search");
  EXPECT_TRUE(h.has_target_executor());
  EXPECT_EQ(h.target_executor(), "exec.*");
  EXPECT_TRUE(h.has_timeout());
  EXPECT_EQ(h.timeout(), 5000u);
  EXPECT_EQ(h.status().code(), jina::StatusProto::ERROR);
  EXPECT_EQ(h.status().description(), "ValueError('boom')");
  EXPECT_EQ(h.status().exception().name(), "ValueError");
  EXPECT_EQ(h.status().exception().args_size(), 2);
  EXPECT_EQ(h.status().exception().stacks(1), "ValueError: boom\n");
  EXPECT_EQ(h.status().exception().executor(), "MyExecutor");
}

TEST(RequestCodec, OptionalHeaderFieldsKeepTheirPresence) {
  Header absent;
  jina::HeaderProto p;
  wire::encode(absent, &p);
  EXPECT_FALSE(p.has_exec_endpoint());
  EXPECT_FALSE(p.has_target_executor());
  EXPECT_FALSE(p.has_timeout());
  EXPECT_FALSE(p.has_status());
  EXPECT_EQ(wire::decode(p), absent);

  // The gateway answers target_executor: "" explicitly; that is not absence.
  Header empty;
  empty.set_exec_endpoint("").set_target_executor("").set_timeout(0);
  jina::HeaderProto q;
  wire::encode(empty, &q);
  EXPECT_TRUE(q.has_exec_endpoint());
  EXPECT_TRUE(q.has_target_executor());
  EXPECT_TRUE(q.has_timeout());
  const Header back = wire::decode(q);
  EXPECT_TRUE(back.has_exec_endpoint());
  EXPECT_TRUE(back.has_target_executor());
  EXPECT_EQ(back.timeout(), 0u);
  EXPECT_EQ(back, empty);
}

TEST(RequestCodec, StatusRoundTrip) {
  jina::StatusProto p;
  wire::encode(failure(), &p);
  EXPECT_EQ(wire::decode(p), failure());
  jina::StatusProto ok;
  wire::encode(Status(), &ok);
  EXPECT_EQ(ok.code(), jina::StatusProto::SUCCESS);
  EXPECT_FALSE(ok.has_exception());
  EXPECT_TRUE(wire::decode(ok).ok());
}

TEST(RequestCodec, UnknownStatusCodeIsAnError) {
  jina::StatusProto p;
  p.set_code(static_cast<jina::StatusProto::StatusCode>(7));
  jina::StatusProto parsed;
  ASSERT_TRUE(parsed.ParseFromString(p.SerializeAsString()));
  EXPECT_FALSE(wire::decode(parsed).ok());
}

// Timestamps to the nanosecond, including before 1970 (negative seconds,
// nanos still in [0, 1e9) as google.protobuf.Timestamp requires).
class RouteTimeTest : public testing::TestWithParam<std::int64_t> {};

TEST_P(RouteTimeTest, RoundTripsToTheNanosecond) {
  const Route route =
      Route("r").set_start_time(at_ns(GetParam())).set_end_time(at_ns(GetParam() + 1));
  jina::RouteProto p;
  wire::encode(route, &p);
  EXPECT_GE(p.start_time().nanos(), 0);
  EXPECT_LT(p.start_time().nanos(), 1'000'000'000);
  EXPECT_EQ(p.start_time().seconds() * 1'000'000'000 + p.start_time().nanos(), GetParam());
  const Route back = wire::decode(p);
  EXPECT_EQ(back.start_time().time_since_epoch().count(), GetParam());
  EXPECT_EQ(back.end_time().time_since_epoch().count(), GetParam() + 1);
  EXPECT_EQ(back, route);
}

INSTANTIATE_TEST_SUITE_P(Instants, RouteTimeTest,
                         testing::Values(0, 1, 999'999'999, 1'000'000'000, 1795303749490264000,
                                         1795303749999999999, -1, -999'999'999, -1'000'000'001));

TEST(RequestCodec, RouteWithoutTimesOrStatus) {
  jina::RouteProto p;
  wire::encode(Route("gateway"), &p);
  EXPECT_FALSE(p.has_start_time());
  EXPECT_FALSE(p.has_end_time());
  EXPECT_FALSE(p.has_status());
  const Route back = wire::decode(p);
  EXPECT_EQ(back.executor(), "gateway");
  EXPECT_FALSE(back.has_start_time());
  EXPECT_FALSE(back.has_end_time());
  EXPECT_TRUE(back.status().ok());
}

TEST(RequestCodec, ParametersNumbersBecomeDoubles) {
  DataRequest req;
  req.parameters() = {{"top_k", 5}, {"flag", true}, {"list", {1, 2}}};
  const DataRequest back = DataRequest::parse(req.serialize());
  EXPECT_TRUE(back.parameters()["top_k"].is_number_float());
  EXPECT_EQ(back.parameters()["top_k"], 5.0);
  EXPECT_EQ(back.parameters()["flag"], true);
  EXPECT_EQ(back.parameters()["list"], (json{1.0, 2.0}));
}

TEST(RequestCodec, NullParametersAreAbsentAndEmptyOnesPresent) {
  DataRequest none;
  jina::DataRequestProto p;
  wire::encode(none, &p);
  EXPECT_FALSE(p.has_parameters());
  EXPECT_TRUE(DataRequest::parse(none.serialize()).parameters().is_null());

  DataRequest empty;
  empty.parameters() = json::object();
  jina::DataRequestProto q;
  wire::encode(empty, &q);
  EXPECT_TRUE(q.has_parameters());
  const json back = DataRequest::parse(empty.serialize()).parameters();
  EXPECT_TRUE(back.is_object());
  EXPECT_TRUE(back.empty());
}

TEST(RequestCodec, ParametersMustBeAnObject) {
  DataRequest req;
  req.parameters() = json::array({1});
  EXPECT_THROW(req.serialize(), InvalidArgument);
  req.parameters() = "top_k=5";
  EXPECT_THROW(req.serialize(DocFormat::kV1), InvalidArgument);
}

TEST(RequestCodec, InvalidUtf8InParametersIsRejected) {
  DataRequest req;
  req.parameters() = {{"k", "bad \xff"}};
  EXPECT_THROW(req.serialize(), InvalidArgument);
  req.parameters() = {{"bad \xff", 1}};
  EXPECT_THROW(req.serialize(), InvalidArgument);
}

TEST(RequestCodec, NanAndInfParametersTravel) {
  DataRequest req;
  req.parameters() = {{"nan", std::nan("")}, {"inf", std::numeric_limits<double>::infinity()}};
  const DataRequest back = DataRequest::parse(req.serialize());
  EXPECT_TRUE(std::isnan(back.parameters()["nan"].get<double>()));
  EXPECT_TRUE(std::isinf(back.parameters()["inf"].get<double>()));
}

TEST(RequestCodec, InvalidUtf8InHeaderIsRejected) {
  DataRequest req;
  req.header().set_exec_endpoint("/\xff");
  EXPECT_THROW(req.serialize(), InvalidArgument);
  DataRequest id;
  id.header().set_request_id("\xc0\xaf");
  EXPECT_THROW(id.serialize(), InvalidArgument);
  DataRequest status;
  status.header().mutable_status().set_description("\x80");
  EXPECT_THROW(status.serialize(), InvalidArgument);
  DataRequest route;
  route.routes().push_back(Route("\xff"));
  EXPECT_THROW(route.serialize(), InvalidArgument);
}

// --- the data field --------------------------------------------------------------------------

TEST(RequestCodec, ParametersOnlyRequestHasNoData) {
  DataRequest req;
  req.header().set_exec_endpoint("/");
  req.parameters() = {{"hello", "world"}};
  EXPECT_FALSE(req.has_data());
  for (DocFormat format : {DocFormat::kV2, DocFormat::kV1}) {
    jina::DataRequestProto p;
    ASSERT_TRUE(p.ParseFromString(req.serialize(format)));
    EXPECT_FALSE(p.has_data());
    const DataRequest back = DataRequest::parse(req.serialize(format), format);
    EXPECT_FALSE(back.has_data());
    EXPECT_EQ(back, req);
  }
}

TEST(RequestCodec, EmptyDocsCanStillBeSent) {
  DataRequest req;
  req.set_docs({});
  EXPECT_TRUE(req.has_data());
  jina::DataRequestProto p;
  ASSERT_TRUE(p.ParseFromString(req.serialize()));
  EXPECT_TRUE(p.has_data());
  EXPECT_TRUE(p.data().has_docs());
  const DataRequest back = DataRequest::parse(req.serialize());
  EXPECT_TRUE(back.has_data());
  EXPECT_TRUE(back.docs().empty());
}

TEST(RequestCodec, DocsBytesAreASerializedDocList) {
  docarray::DocListProto docs;
  wire::encode_v2(DocumentArray{nested_document(), Document("x")}, &docs);
  jina::DataRequestProto p;
  p.mutable_data()->set_docs_bytes(docs.SerializeAsString());
  const DataRequest req = DataRequest::parse(p.SerializeAsString());
  EXPECT_EQ(req.docs(), (DocumentArray{nested_document(), Document("x")}));

  p.mutable_data()->set_docs_bytes("\xff\xff\xff garbage");
  EXPECT_THROW(DataRequest::parse(p.SerializeAsString()), InvalidArgument);
}

TEST(RequestCodec, ManyDocumentsKeepTheirOrder) {
  DocumentArray docs;
  for (int i = 0; i < 1000; ++i)
    docs.push_back(Document("doc-" + std::to_string(i)).set_text(std::to_string(i)));
  const DataRequest back = DataRequest::parse(DataRequest().set_docs(docs).serialize());
  EXPECT_EQ(back.docs(), docs);
}

// --- bad bytes -------------------------------------------------------------------------------

TEST(RequestCodec, EmptyBytesAreAnEmptyRequest) {
  const DataRequest req = DataRequest::parse("");
  EXPECT_EQ(req, DataRequest());
  EXPECT_FALSE(req.has_data());
}

TEST(RequestCodec, GarbageThrowsInvalidArgument) {
  for (const std::string& bad :
       {std::string("\xff\xff\xff\xff"), std::string("\x0a\xff\x01", 3),
        std::string("\x0a\x05"
                    "ab",
                    4),
        std::string("\x07"), std::string("\x0f\x00", 2), std::string("not a protobuf at all")}) {
    EXPECT_THROW(DataRequest::parse(bad), InvalidArgument) << testing::PrintToString(bad);
    EXPECT_THROW(DataRequest::parse(bad, DocFormat::kV1), InvalidArgument);
  }
}

TEST(RequestCodec, EveryTruncationIsAnErrorOrAValidPrefix) {
  for (DocFormat format : {DocFormat::kV2, DocFormat::kV1}) {
    const std::string bytes = full_response().serialize(format);
    int rejected = 0;
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      try {
        (void)DataRequest::parse(std::string_view(bytes).substr(0, n), format);
      } catch (const InvalidArgument&) {
        ++rejected;
      }
    }
    // Most cuts fall inside a length-delimited field.
    EXPECT_GT(rejected, static_cast<int>(bytes.size()) / 2);
  }
  // Cutting the docs off in the middle is an error, never a shorter DocList.
  const std::string bytes = full_response().serialize();
  EXPECT_THROW(DataRequest::parse(std::string_view(bytes).substr(0, bytes.size() - 1)),
               InvalidArgument);
}

TEST(RequestCodec, UnknownFieldsAreIgnored) {
  const DataRequest req = full_response();
  // Unknown top-level field 99 (varint) and field 100 (length-delimited).
  const std::string extra = std::string("\x98\x06\x2a", 3) + std::string("\xa2\x06\x03xyz", 6);
  EXPECT_EQ(DataRequest::parse(req.serialize() + extra), req);
  EXPECT_EQ(DataRequest::parse(extra + req.serialize(DocFormat::kV1), DocFormat::kV1), req);

  // An unknown field inside the header.
  jina::DataRequestProto p;
  wire::encode(req, &p);
  p.mutable_header()->GetReflection()->MutableUnknownFields(p.mutable_header())->AddVarint(77, 1);
  EXPECT_EQ(DataRequest::parse(p.SerializeAsString()), req);
}

TEST(RequestCodec, WrongFormatDoesNotCrash) {
  // v2 bytes read as v1 (and back) are a different schema: an error or odd
  // Documents, never a crash.
  for (auto [write, read] :
       {std::pair{DocFormat::kV2, DocFormat::kV1}, std::pair{DocFormat::kV1, DocFormat::kV2}}) {
    try {
      (void)DataRequest::parse(full_response().serialize(write), read);
    } catch (const Error&) {
    }
  }
}

}  // namespace
}  // namespace jina
