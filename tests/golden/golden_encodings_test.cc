// The golden encodings of the protocol notes (§9), made with `protoc --encode`
// from jina's and docarray's own schemas: one request, in both docarray wire
// formats.
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "jina.pb.h"
#include "jina/request.h"
#include "jina_v1.pb.h"

namespace jina {
namespace {

using google::protobuf::util::MessageDifferencer;

// v2: DocProto map entries in the order id, text, embedding.
constexpr std::string_view kV2Hex =
    "0a280a2030313233343536373839616263646566303132333435363738396162636465661a042f666f6f"
    "12130a110a0b5f5f726573756c74735f5f12022a00"
    "22530a510a4f0a0e0a02696412080a0264316a0269640a0f0a047465787412070a0568656c6c6f"
    "0a2c0a09656d62656464696e67121f32140a120a080000803f000000401201021a033c66346a076e646172726179";

// v1: the embedding's cls_name is "numpy".
constexpr std::string_view kV1Hex =
    "0a280a2030313233343536373839616263646566303132333435363738396162636465661a042f666f6f"
    "12130a110a0b5f5f726573756c74735f5f12022a00"
    "222d0a2b0a290a026431220568656c6c6f82011b0a120a080000803f000000401201021a033c66341a056e756d707"
    "9";

std::string from_hex(std::string_view hex) {
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  return out;
}

DataRequest golden_request() {
  DataRequest req;
  req.header().set_request_id("0123456789abcdef0123456789abcdef").set_exec_endpoint("/foo");
  req.parameters() = {{"__results__", nlohmann::json::object()}};
  req.set_docs({Document().set_id("d1").set_text("hello").set_embedding({1.0f, 2.0f})});
  return req;
}

template <class Proto>
void expect_same_message(std::string_view want_bytes, const std::string& got_bytes) {
  Proto want, got;
  ASSERT_TRUE(want.ParseFromString(std::string(want_bytes)));
  ASSERT_TRUE(got.ParseFromString(got_bytes));
  std::string report;
  MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&report);
  EXPECT_TRUE(differencer.Compare(want, got)) << report;
}

void expect_golden_document(const DataRequest& req) {
  EXPECT_EQ(req.header().request_id(), "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(req.header().exec_endpoint(), "/foo");
  EXPECT_FALSE(req.header().has_target_executor());
  EXPECT_EQ(req.parameters(), (nlohmann::json{{"__results__", nlohmann::json::object()}}));
  ASSERT_EQ(req.docs().size(), 1u);
  const Document& doc = req.docs()[0];
  EXPECT_EQ(doc.id(), "d1");
  EXPECT_EQ(doc.text(), "hello");
  EXPECT_EQ(doc.embedding(), (std::vector<float>{1.0f, 2.0f}));
  EXPECT_EQ(doc.embedding_array(), NdArray::from({1.0f, 2.0f}));
  EXPECT_TRUE(doc.extras().empty());
  EXPECT_EQ(doc, golden_request().docs()[0]);
}

TEST(GoldenEncoding, V2RequestEncodesAsTheGolden) {
  expect_same_message<jina::DataRequestProto>(from_hex(kV2Hex), golden_request().serialize());
  expect_same_message<jina::DataRequestProto>(from_hex(kV2Hex),
                                              golden_request().serialize(DocFormat::kV2));
}

TEST(GoldenEncoding, V1RequestEncodesAsTheGolden) {
  expect_same_message<jina::v1::DataRequestProto>(from_hex(kV1Hex),
                                                  golden_request().serialize(DocFormat::kV1));
}

TEST(GoldenEncoding, V2GoldenParses) {
  expect_golden_document(DataRequest::parse(from_hex(kV2Hex), DocFormat::kV2));
  expect_golden_document(DataRequest::parse(from_hex(kV2Hex)));
}

TEST(GoldenEncoding, V1GoldenParses) {
  expect_golden_document(DataRequest::parse(from_hex(kV1Hex), DocFormat::kV1));
}

TEST(GoldenEncoding, ParsedGoldenEqualsTheBuiltRequest) {
  EXPECT_EQ(DataRequest::parse(from_hex(kV2Hex)), golden_request());
  EXPECT_EQ(DataRequest::parse(from_hex(kV1Hex), DocFormat::kV1), golden_request());
}

}  // namespace
}  // namespace jina
