// Document <-> docarray v1 DocumentProto (gateways with docarray < 0.30).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "docarray_v1.pb.h"
#include "jina/request.h"
#include "jina_v1.pb.h"
#include "unit/sample_documents.h"
#include "wire/docarray_codec.h"

namespace jina {
namespace {

using docarray::v1::DocumentProto;
using testing_samples::common_document;
using testing_samples::kBinaryBlob;
using testing_samples::kInvalidUtf8;
using testing_samples::nested_document;

DocumentProto encode(const Document& d) {
  DocumentProto proto;
  wire::encode_v1(d, &proto);
  return proto;
}

Document round_trip_bytes(const Document& d) {
  DocumentProto parsed;
  EXPECT_TRUE(parsed.ParseFromString(encode(d).SerializeAsString()));
  return wire::decode_v1(parsed);
}

TEST(DocArrayV1, EveryFieldRoundTrips) {
  const Document d = nested_document();
  EXPECT_EQ(wire::decode_v1(encode(d)), d);
  EXPECT_EQ(round_trip_bytes(d), d);
}

TEST(DocArrayV1, ThroughARequest) {
  DataRequest req;
  req.header().set_request_id("r").set_exec_endpoint("/index");
  req.set_docs({nested_document(), Document("blob").set_blob(kBinaryBlob),
                Document("tensor").set_tensor(NdArray::from({1.0, 2.0, 3.0, 4.0}, {2, 2}))});
  const DataRequest back = DataRequest::parse(req.serialize(DocFormat::kV1), DocFormat::kV1);
  EXPECT_EQ(back, req);
  EXPECT_EQ(back.docs(), req.docs());
}

TEST(DocArrayV1, FieldsGoToTheirProtoFields) {
  const DocumentProto p = encode(nested_document());
  EXPECT_EQ(p.id(), "root");
  EXPECT_EQ(p.content_case(), DocumentProto::kText);
  EXPECT_EQ(p.text(), "héllo wörld ✓");
  EXPECT_EQ(p.uri(), "https://example.com/doc.txt");
  EXPECT_EQ(p.parent_id(), "parent");
  EXPECT_EQ(p.granularity(), 2u);
  EXPECT_EQ(p.adjacency(), 3u);
  EXPECT_EQ(p.weight(), 0.75f);
  EXPECT_EQ(p.modality(), "text");
  EXPECT_EQ(p.mime_type(), "text/plain");
  EXPECT_EQ(p.offset(), 1.5f);
  EXPECT_EQ(std::vector<float>(p.location().begin(), p.location().end()),
            (std::vector<float>{1.0f, 2.5f}));
  EXPECT_EQ(p.embedding().cls_name(), "numpy");
  EXPECT_EQ(p.embedding().dense().dtype(), "<f4");
  EXPECT_EQ(p.embedding().dense().buffer(), NdArray::from({0.5f, -1.25f, 3.0f}).bytes());
  EXPECT_EQ(p.tags().fields().at("s").string_value(), "v");
  EXPECT_EQ(p.tags().fields().at("i").number_value(), 7.0);
  EXPECT_EQ(p.tags().fields().at("nested").struct_value().fields().at("k").number_value(), -3.0);
  EXPECT_EQ(p.scores().at("full").value(), 0.5f);
  EXPECT_EQ(p.scores().at("full").op_name(), "cosine");
  EXPECT_EQ(p.scores().at("full").description(), "a description");
  EXPECT_EQ(p.scores().at("full").ref_id(), "ref-1");
  EXPECT_EQ(p.scores().at("plain").value(), 0.25f);
  EXPECT_EQ(p.evaluations().at("precision").op_name(), "eval");
  EXPECT_EQ(p._metadata().fields().at("m").string_value(), "x");
  ASSERT_EQ(p.chunks_size(), 2);
  EXPECT_EQ(p.chunks(0).id(), "chunk-0");
  ASSERT_EQ(p.chunks(0).chunks_size(), 1);
  EXPECT_EQ(p.chunks(0).chunks(0).text(), "deep");
  EXPECT_EQ(p.chunks(0).matches(0).id(), "chunk-match");
  ASSERT_EQ(p.matches_size(), 1);
  EXPECT_EQ(p.matches(0).embedding().cls_name(), "numpy");
}

TEST(DocArrayV1, BlobAndTensorContents) {
  const DocumentProto blob = encode(Document("b").set_blob(kBinaryBlob));
  EXPECT_EQ(blob.content_case(), DocumentProto::kBlob);
  EXPECT_EQ(blob.blob(), kBinaryBlob);

  const NdArray t = NdArray::from<std::int64_t>({1, 2, 3, 4, 5, 6}, {3, 2});
  const DocumentProto tensor = encode(Document("t").set_tensor(t));
  ASSERT_EQ(tensor.content_case(), DocumentProto::kTensor);
  EXPECT_EQ(tensor.tensor().cls_name(), "numpy");
  EXPECT_EQ(tensor.tensor().dense().dtype(), "<i8");
  EXPECT_EQ(tensor.tensor().dense().shape_size(), 2);
  EXPECT_EQ(tensor.tensor().dense().shape(0), 3u);
  EXPECT_EQ(round_trip_bytes(Document("t").set_tensor(t)).tensor(), t);
}

class V1DTypeTest : public testing::TestWithParam<NdArray> {};

TEST_P(V1DTypeTest, TensorAndEmbeddingRoundTrip) {
  const Document d = Document("t").set_tensor(GetParam()).set_embedding(GetParam());
  const Document back = round_trip_bytes(d);
  EXPECT_EQ(back.tensor(), GetParam());
  EXPECT_EQ(back.embedding_array(), GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    AllDTypes, V1DTypeTest,
    testing::Values(NdArray::from({1.5f, -2.0f, 3.0f, 4.0f}, {2, 2}), NdArray::from({1e300, -0.5}),
                    NdArray::from<std::int32_t>({-1, 2, 3}),
                    NdArray::from<std::int64_t>({1LL << 40}),
                    NdArray::from<std::uint8_t>({0, 128, 255}), NdArray::from<std::int8_t>({-128}),
                    NdArray::from<std::uint64_t>({~0ull}), NdArray::from({true, false}),
                    NdArray(DType::kFloat16, {1}, std::string("\x00\x3c", 2)),
                    NdArray(DType::kFloat32, {0}, ""),
                    NdArray(DType::kFloat32, {}, std::string("\0\0\x80\x3f", 4)),  // 0-d scalar
                    NdArray::from({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f}, {2, 2, 2})));

TEST(DocArrayV1, BigEndianTensorIsByteSwapped) {
  DocumentProto p;
  p.set_id("be");
  auto* dense = p.mutable_tensor()->mutable_dense();
  dense->set_buffer(std::string("\x3f\x80\x00\x00\x40\x00\x00\x00", 8));
  dense->add_shape(2);
  dense->set_dtype(">f4");
  p.mutable_tensor()->set_cls_name("numpy");
  EXPECT_EQ(wire::decode_v1(p).tensor(), NdArray::from({1.0f, 2.0f}));
}

// --- what v1 cannot carry --------------------------------------------------------------------

TEST(DocArrayV1Encode, ExtrasAreRejected) {
  EXPECT_THROW(encode(Document("x").set_extra("label", Value::text("cat"))), InvalidArgument);
  Document nested("x");
  nested.matches().push_back(Document("m").set_extra("k", Value::integer(1)));
  EXPECT_THROW(encode(nested), InvalidArgument);
  EXPECT_THROW(DataRequest().set_docs({nested}).serialize(DocFormat::kV1), InvalidArgument);
  // The same Document is fine for v2.
  EXPECT_NO_THROW(DataRequest().set_docs({nested}).serialize(DocFormat::kV2));
}

TEST(DocArrayV1Encode, SeveralContentsAreRejected) {
  const NdArray t = NdArray::from({1.0f});
  EXPECT_THROW(encode(Document("x").set_text("t").set_blob("b")), InvalidArgument);
  EXPECT_THROW(encode(Document("x").set_text("t").set_tensor(t)), InvalidArgument);
  EXPECT_THROW(encode(Document("x").set_blob("b").set_tensor(t)), InvalidArgument);
  EXPECT_THROW(encode(Document("x").set_text("t").set_blob("b").set_tensor(t)), InvalidArgument);
  Document chunk_with_two("x");
  chunk_with_two.chunks().push_back(Document("c").set_text("t").set_blob("b"));
  EXPECT_THROW(encode(chunk_with_two), InvalidArgument);
  // Text with an embedding is one content.
  EXPECT_NO_THROW(encode(Document("x").set_text("t").set_embedding(t)));
}

TEST(DocArrayV1Encode, TagsAndMetadataMustBeObjects) {
  Document tags("x");
  tags.tags() = "a string";
  EXPECT_THROW(encode(tags), InvalidArgument);
  Document metadata("x");
  metadata.metadata() = nlohmann::json::array();
  EXPECT_THROW(encode(metadata), InvalidArgument);
}

class V1InvalidUtf8Test : public testing::TestWithParam<std::string> {};

TEST_P(V1InvalidUtf8Test, EveryTextFieldIsChecked) {
  const std::string& bad = GetParam();
  std::vector<std::pair<std::string, Document>> cases;
  cases.emplace_back("id", Document(bad));
  cases.emplace_back("text", Document("x").set_text(bad));
  cases.emplace_back("uri", Document("x").set_uri(bad));
  cases.emplace_back("parent_id", Document("x").set_parent_id(bad));
  cases.emplace_back("modality", Document("x").set_modality(bad));
  cases.emplace_back("mime_type", Document("x").set_mime_type(bad));
  Document tag("x");
  tag.tags()["k"] = bad;
  cases.emplace_back("tag", tag);
  Document tag_key("x");
  tag_key.tags()[bad] = true;
  cases.emplace_back("tag key", tag_key);
  Document score("x");
  score.scores()["s"].description = bad;
  cases.emplace_back("score description", score);
  Document metadata("x");
  metadata.metadata()["m"] = bad;
  cases.emplace_back("metadata", metadata);
  for (const auto& [what, doc] : cases) {
    EXPECT_THROW(encode(doc), InvalidArgument) << what;
  }
  EXPECT_NO_THROW(encode(Document("x").set_blob(bad)));
}

INSTANTIATE_TEST_SUITE_P(Samples, V1InvalidUtf8Test, testing::ValuesIn(kInvalidUtf8));

// --- decoding --------------------------------------------------------------------------------

TEST(DocArrayV1Decode, SparseTensorIsRejected) {
  DocumentProto p;
  p.set_id("s");
  p.mutable_tensor()->mutable_sparse()->add_shape(3);
  p.mutable_tensor()->set_cls_name("scipy");
  EXPECT_THROW(wire::decode_v1(p), InvalidArgument);
}

TEST(DocArrayV1Decode, BadDenseArraysAreRejected) {
  DocumentProto p;
  p.set_id("bad");
  auto* dense = p.mutable_embedding()->mutable_dense();
  dense->set_buffer(std::string(5, 'x'));
  dense->add_shape(2);
  dense->set_dtype("<f4");
  EXPECT_THROW(wire::decode_v1(p), InvalidArgument);
  dense->set_buffer(std::string(8, 'x'));
  dense->set_dtype("<U2");
  EXPECT_THROW(wire::decode_v1(p), InvalidArgument);
  dense->set_dtype("<f4");
  dense->add_shape(0xffffffffu);
  dense->add_shape(0xffffffffu);
  EXPECT_THROW(wire::decode_v1(p), InvalidArgument);
}

TEST(DocArrayV1Decode, EmptyProtoIsADocumentWithAnEmptyId) {
  const Document d = wire::decode_v1(DocumentProto());
  EXPECT_EQ(d.id(), "");
  EXPECT_EQ(d.text(), "");
  EXPECT_TRUE(d.tags().is_null());
}

TEST(DocArrayV1Decode, DocsBytesArePickleAndRejected) {
  jina::v1::DataRequestProto req;
  req.mutable_data()->set_docs_bytes("\x80\x04\x95 pickle");
  EXPECT_THROW(DataRequest::parse(req.SerializeAsString(), DocFormat::kV1), InvalidArgument);
}

TEST(DocArrayV1Decode, UnknownFieldsAreIgnored) {
  const std::string bytes =
      encode(common_document("u")).SerializeAsString() + std::string("\x98\x06\x01", 3);
  DocumentProto parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  EXPECT_EQ(wire::decode_v1(parsed), common_document("u"));
}

TEST(DocArrayV1, DocumentArrayRoundTrip) {
  const DocumentArray docs{common_document("a"), Document("b"), nested_document()};
  docarray::v1::DocumentArrayProto proto;
  wire::encode_v1(docs, &proto);
  EXPECT_EQ(proto.docs_size(), 3);
  EXPECT_EQ(wire::decode_v1(proto), docs);
}

}  // namespace
}  // namespace jina
