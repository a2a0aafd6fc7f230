// Document <-> docarray-style JSON (the HTTP and WebSocket-json payloads).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "jina/document.h"
#include "unit/sample_documents.h"

namespace jina {
namespace {

using json = nlohmann::json;
using testing_samples::common_document;
using testing_samples::kInvalidUtf8;
using testing_samples::nested_document;

// What goes over HTTP: the JSON text, parsed back.
Document through_text(const Document& d, DocFormat format) {
  return Document::from_json(json::parse(d.to_json(format).dump()));
}

TEST(DocumentJson, V2Keys) {
  Document d = nested_document();
  d.set_blob("utf-8 bytes ✓").set_tensor(NdArray::from<std::int64_t>({1, 2, 3, 4}, {2, 2}));
  d.set_extra("label", Value::text("cat"));
  const json j = d.to_json();
  EXPECT_EQ(j["id"], "root");
  EXPECT_EQ(j["text"], "héllo wörld ✓");
  EXPECT_EQ(j["bytes_"], "utf-8 bytes ✓");
  EXPECT_EQ(j["url"], "https://example.com/doc.txt");
  EXPECT_FALSE(j.contains("uri"));
  EXPECT_FALSE(j.contains("blob"));
  EXPECT_EQ(j["tensor"], (json{{1, 2}, {3, 4}}));
  EXPECT_EQ(j["embedding"], (json{0.5, -1.25, 3.0}));
  EXPECT_EQ(j["tags"]["nested"]["k"], -3);
  EXPECT_EQ(j["scores"]["full"], (json{{"value", 0.5},
                                       {"op_name", "cosine"},
                                       {"description", "a description"},
                                       {"ref_id", "ref-1"}}));
  EXPECT_EQ(j["scores"]["plain"]["value"], 0.25);
  EXPECT_EQ(j["evaluations"]["precision"]["value"], 1.0);
  ASSERT_TRUE(j["chunks"].is_array());
  EXPECT_EQ(j["chunks"].size(), 2u);
  EXPECT_EQ(j["chunks"][0]["chunks"][0]["text"], "deep");
  EXPECT_EQ(j["matches"][0]["id"], "match-0");
  EXPECT_EQ(j["parent_id"], "parent");
  EXPECT_EQ(j["granularity"], 2);
  EXPECT_EQ(j["adjacency"], 3);
  EXPECT_EQ(j["weight"], 0.75);
  EXPECT_EQ(j["modality"], "text");
  EXPECT_EQ(j["mime_type"], "text/plain");
  EXPECT_EQ(j["offset"], 1.5);
  EXPECT_EQ(j["location"], (json{1.0, 2.5}));
  EXPECT_EQ(j["_metadata"]["m"], "x");
  EXPECT_EQ(j["label"], "cat");
}

TEST(DocumentJson, V1KeysUseUriAndBase64Blob) {
  const json j = Document("b")
                     .set_blob(std::string("\x00\x01\xff", 3))
                     .set_uri("https://u")
                     .to_json(DocFormat::kV1);
  EXPECT_EQ(j["uri"], "https://u");
  EXPECT_EQ(j["blob"], "AAH/");
  EXPECT_FALSE(j.contains("url"));
  EXPECT_FALSE(j.contains("bytes_"));
  EXPECT_EQ(
      through_text(Document("b").set_blob(std::string("\x00\x01\xff", 3)), DocFormat::kV1).blob(),
      std::string("\x00\x01\xff", 3));
}

TEST(DocumentJson, UnsetFieldsAreNotWritten) {
  EXPECT_EQ(Document("only").to_json(), (json{{"id", "only"}}));
  EXPECT_EQ(Document("only").to_json(DocFormat::kV1), (json{{"id", "only"}}));
}

TEST(DocumentJson, EveryFieldRoundTripsInBothFlavours) {
  const Document d = nested_document();  // float32 embeddings, no tensor
  EXPECT_EQ(Document::from_json(d.to_json()), d);
  EXPECT_EQ(through_text(d, DocFormat::kV2), d);
  EXPECT_EQ(through_text(d, DocFormat::kV1), d);
}

TEST(DocumentJson, ExtrasOfJsonKindsRoundTrip) {
  const Document d = Document("x")
                         .set_extra("label", Value::text("t"))
                         .set_extra("int", Value::integer(-3))
                         .set_extra("float", Value::floating(0.5))
                         .set_extra("bool", Value::boolean(true))
                         .set_extra("list", Value::list({Value::integer(1), Value::text("a")}))
                         .set_extra("dict", Value::dict({{"k", Value::floating(2.5)}}));
  EXPECT_EQ(through_text(d, DocFormat::kV2), d);
}

TEST(DocumentJson, ExtrasCannotBeV1) {
  EXPECT_THROW(Document("x").set_extra("k", Value::integer(1)).to_json(DocFormat::kV1),
               InvalidArgument);
}

TEST(DocumentJson, ReadsBothKeySpellings) {
  const Document v1 = Document::from_json({{"id", "a"}, {"uri", "https://1"}, {"blob", "aGk="}});
  EXPECT_EQ(v1.uri(), "https://1");
  EXPECT_EQ(v1.blob(), "hi");
  const Document v2 = Document::from_json({{"id", "a"}, {"url", "https://2"}, {"bytes_", "hi"}});
  EXPECT_EQ(v2.url(), "https://2");
  EXPECT_EQ(v2.blob(), "hi");
  EXPECT_TRUE(v1.extras().empty());
  EXPECT_TRUE(v2.extras().empty());
}

TEST(DocumentJson, NullsAreUnsetFields) {
  // A TextDoc as the v2 HTTP gateway answered it (http_examples.txt).
  const Document d = Document::from_json(
      json::parse(R"({"id":"d1","embedding":null,"bytes_":null,"text":"HELLO HTTP","url":null})"));
  EXPECT_EQ(d, Document("d1").set_text("HELLO HTTP"));
  EXPECT_TRUE(d.extras().empty());
}

TEST(DocumentJson, MissingIdGetsANewOne) {
  const Document d = Document::from_json({{"text", "no id"}});
  EXPECT_EQ(d.id().size(), 32u);
  EXPECT_NE(d.id(), Document::from_json({{"text", "no id"}}).id());
}

// --- dtypes: JSON has none -------------------------------------------------------------------

TEST(DocumentJson, EmbeddingReadsAsFloat32) {
  const Document d = Document::from_json({{"id", "e"}, {"embedding", {1, 2.5, -3}}});
  EXPECT_EQ(d.embedding_array(), NdArray::from({1.0f, 2.5f, -3.0f}));
  const Document nested = Document::from_json({{"id", "e"}, {"embedding", {{1, 2}, {3, 4}}}});
  EXPECT_EQ(nested.embedding_array(), NdArray::from({1.0f, 2.0f, 3.0f, 4.0f}, {2, 2}));
}

TEST(DocumentJson, TensorOfWholeNumbersReadsAsInt64) {
  const Document d = Document::from_json({{"id", "t"}, {"tensor", {{1, 2, 3}, {4, 5, 6}}}});
  EXPECT_EQ(d.tensor(), NdArray::from<std::int64_t>({1, 2, 3, 4, 5, 6}, {2, 3}));
  // Any dtype of whole numbers comes back as int64.
  const Document from_int32 =
      through_text(Document("t").set_tensor(NdArray::from({7, 8})), DocFormat::kV2);
  EXPECT_EQ(from_int32.tensor(), NdArray::from<std::int64_t>({7, 8}));
  const Document from_u8 = through_text(
      Document("t").set_tensor(NdArray::from<std::uint8_t>({255, 0}, {1, 2})), DocFormat::kV2);
  EXPECT_EQ(from_u8.tensor(), NdArray::from<std::int64_t>({255, 0}, {1, 2}));
}

TEST(DocumentJson, OtherTensorsReadAsFloat64) {
  const Document d = Document::from_json({{"id", "t"}, {"tensor", {1, 2.5}}});
  EXPECT_EQ(d.tensor(), NdArray::from({1.0, 2.5}));
  const NdArray f64 = NdArray::from({0.1, 1e-300, -7.25, 3.0}, {2, 2});
  EXPECT_EQ(through_text(Document("t").set_tensor(f64), DocFormat::kV2).tensor(), f64);
}

TEST(DocumentJson, Float32EmbeddingSurvivesTheText) {
  const Document d = Document("e").set_embedding({0.1f, 1.0f / 3.0f, 1e-30f, 3.4e38f});
  EXPECT_EQ(through_text(d, DocFormat::kV2).embedding_array(), d.embedding_array());
}

TEST(DocumentJson, ScalarTensorKeepsItsShape) {
  const Document back = Document::from_json(nlohmann::json{{"id", "s"}, {"tensor", 2.5}});
  EXPECT_TRUE(back.tensor().shape().empty());
  EXPECT_EQ(back.tensor().values<double>(), std::vector<double>{2.5});
}

TEST(DocumentJson, Float16CannotBeWritten) {
  const Document d =
      Document("h").set_tensor(NdArray(DType::kFloat16, {1}, std::string("\x00\x3c", 2)));
  EXPECT_THROW(d.to_json(), InvalidArgument);
}

TEST(DocumentJson, NanAndInfAreWrittenAsNullAndReadAsNan) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const Document d = Document("n").set_embedding({1.0f, nan, inf, -inf});
  const std::string text = d.to_json().dump();
  const json parsed = json::parse(text);
  EXPECT_EQ(parsed["embedding"][0], 1.0);
  EXPECT_TRUE(parsed["embedding"][1].is_null()) << text;
  EXPECT_TRUE(parsed["embedding"][2].is_null()) << text;
  EXPECT_TRUE(parsed["embedding"][3].is_null()) << text;

  const std::vector<float> back = Document::from_json(parsed).embedding();
  ASSERT_EQ(back.size(), 4u);
  EXPECT_EQ(back[0], 1.0f);
  EXPECT_TRUE(std::isnan(back[1]));
  EXPECT_TRUE(std::isnan(back[2]));
  EXPECT_TRUE(std::isnan(back[3]));

  const Document tensor =
      Document::from_json(json::parse(R"({"id":"t","tensor":[[1,null],[2,3]]})"));
  EXPECT_EQ(tensor.tensor().dtype(), DType::kFloat64);
  const std::vector<double> values = tensor.tensor().values<double>();
  EXPECT_TRUE(std::isnan(values[1]));
  EXPECT_EQ(values[2], 2.0);
}

// --- wrong JSON ------------------------------------------------------------------------------

struct BadJsonCase {
  std::string name;
  json doc;
};

class BadDocumentJsonTest : public testing::TestWithParam<BadJsonCase> {};

TEST_P(BadDocumentJsonTest, ThrowsInvalidArgument) {
  EXPECT_THROW(Document::from_json(GetParam().doc), InvalidArgument) << GetParam().doc.dump();
}

INSTANTIATE_TEST_SUITE_P(
    WrongTypes, BadDocumentJsonTest,
    testing::Values(
        BadJsonCase{"not_an_object", json::array({1})}, BadJsonCase{"a_string", "text"},
        BadJsonCase{"id_number", {{"id", 5}}}, BadJsonCase{"id_object", {{"id", json::object()}}},
        BadJsonCase{"text_number", {{"text", 1}}}, BadJsonCase{"text_array", {{"text", {"a"}}}},
        BadJsonCase{"url_bool", {{"url", true}}},
        BadJsonCase{"blob_not_base64", {{"blob", "not base64!"}}},
        BadJsonCase{"bytes_number", {{"bytes_", 3}}},
        BadJsonCase{"embedding_string", {{"embedding", "0.1,0.2"}}},
        BadJsonCase{"embedding_ragged", {{"embedding", {{1, 2}, {3}}}}},
        BadJsonCase{"embedding_strings", {{"embedding", {"a", "b"}}}},
        BadJsonCase{"tensor_ragged", {{"tensor", {{1}, {2, 3}}}}},
        BadJsonCase{"tensor_mixed_depth", {{"tensor", {{1, 2}, 3}}}},
        BadJsonCase{"tensor_object", {{"tensor", {{"a", 1}}}}},
        BadJsonCase{"tags_array", {{"tags", {1, 2}}}}, BadJsonCase{"tags_string", {{"tags", "t"}}},
        BadJsonCase{"metadata_number", {{"_metadata", 1}}},
        BadJsonCase{"scores_number", {{"scores", 1}}},
        BadJsonCase{"score_string", {{"scores", {{"s", "high"}}}}},
        BadJsonCase{"score_value_string", {{"scores", {{"s", {{"value", "x"}}}}}}},
        BadJsonCase{"chunks_object", {{"chunks", {{"id", "c"}}}}},
        BadJsonCase{"chunks_of_numbers", {{"chunks", {1, 2}}}},
        BadJsonCase{"matches_string", {{"matches", "m"}}},
        BadJsonCase{"granularity_negative", {{"granularity", -1}}},
        BadJsonCase{"granularity_fraction", {{"granularity", 1.5}}},
        BadJsonCase{"adjacency_too_big", {{"adjacency", 1LL << 33}}},
        BadJsonCase{"weight_string", {{"weight", "heavy"}}},
        BadJsonCase{"location_string", {{"location", "here"}}},
        BadJsonCase{"location_strings", {{"location", {"x"}}}}),
    [](const testing::TestParamInfo<BadJsonCase>& info) { return info.param.name; });

class JsonInvalidUtf8Test : public testing::TestWithParam<std::string> {};

// JSON text is UTF-8: a Document that cannot be written says so, naming
// the problem, instead of failing later inside the JSON library.
TEST_P(JsonInvalidUtf8Test, WritingThrowsInvalidArgument) {
  const std::string& bad = GetParam();
  EXPECT_THROW(Document("x").set_text(bad).to_json(), InvalidArgument);
  EXPECT_THROW(Document(bad).to_json(), InvalidArgument);
  EXPECT_THROW(Document("x").set_uri(bad).to_json(DocFormat::kV1), InvalidArgument);
  // v2 JSON carries bytes_ as text; v1 JSON base64-encodes the blob.
  EXPECT_THROW(Document("x").set_blob(bad).to_json(), InvalidArgument);
  EXPECT_NO_THROW(Document("x").set_blob(bad).to_json(DocFormat::kV1).dump());
  Document chunk("x");
  chunk.chunks().push_back(Document("c").set_text(bad));
  EXPECT_THROW(chunk.to_json(), InvalidArgument);
}

// Strings inside tags, _metadata, scores and extras too. Disabled: today
// to_json() returns them and nlohmann's dump() throws json::type_error (316).
TEST_P(JsonInvalidUtf8Test, WritingTagsAndExtrasThrowsInvalidArgument) {
  const std::string& bad = GetParam();
  Document tags("x");
  tags.tags()["k"] = bad;
  EXPECT_THROW(tags.to_json(), InvalidArgument);
  Document tag_key("x");
  tag_key.tags()[bad] = 1;
  EXPECT_THROW(tag_key.to_json(), InvalidArgument);
  Document metadata("x");
  metadata.metadata()["m"] = bad;
  EXPECT_THROW(metadata.to_json(), InvalidArgument);
  Document score("x");
  score.scores()["s"].op_name = bad;
  EXPECT_THROW(score.to_json(), InvalidArgument);
  EXPECT_THROW(Document("x").set_extra("k", Value::text(bad)).to_json(), InvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Samples, JsonInvalidUtf8Test, testing::ValuesIn(kInvalidUtf8));

TEST(DocumentJson, InvalidUtf8JsonTextIsRejectedByTheParser) {
  EXPECT_THROW(json::parse(std::string("{\"text\":\"bad \xff\"}")), json::parse_error);
}

// --- DocumentArray ---------------------------------------------------------------------------

TEST(DocumentArrayJson, ArrayAndDocsObject) {
  const DocumentArray da{common_document("a"), Document("b").set_text("t")};
  const json arr = da.to_json();
  ASSERT_TRUE(arr.is_array());
  EXPECT_EQ(arr.size(), 2u);
  EXPECT_EQ(DocumentArray::from_json(arr), da);
  EXPECT_EQ(DocumentArray::from_json(json{{"docs", arr}}), da);
  EXPECT_EQ(DocumentArray::from_json(json::array()), DocumentArray{});
  EXPECT_THROW(DocumentArray::from_json("docs"), InvalidArgument);
  EXPECT_THROW(DocumentArray::from_json(json{{"docs", 1}}), InvalidArgument);
  EXPECT_THROW(DocumentArray::from_json(json::array({1})), InvalidArgument);
}

}  // namespace
}  // namespace jina
