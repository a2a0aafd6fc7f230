// Document <-> docarray v2 DocProto (the default wire format).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "docarray.pb.h"
#include "jina.pb.h"
#include "jina/request.h"
#include "unit/sample_documents.h"
#include "wire/docarray_codec.h"

namespace jina {
namespace {

using docarray::NodeProto;
using testing_samples::common_document;
using testing_samples::kBinaryBlob;
using testing_samples::kInvalidUtf8;
using testing_samples::nested_document;

docarray::DocProto encode(const Document& d) {
  docarray::DocProto proto;
  wire::encode_v2(d, &proto);
  return proto;
}

// Through the wire bytes, as a gateway would see them.
Document round_trip_bytes(const Document& d) {
  docarray::DocProto proto = encode(d);
  docarray::DocProto parsed;
  EXPECT_TRUE(parsed.ParseFromString(proto.SerializeAsString()));
  return wire::decode_v2(parsed);
}

// The v2-only parts: bytes_, a tensor next to text, extras of every kind.
Document v2_document() {
  Document d = nested_document();
  d.set_blob(kBinaryBlob).set_tensor(NdArray::from<std::int32_t>({1, 2, 3, 4, 5, 6}, {2, 3}));
  d.set_extra("label", Value::text("cat"))
      .set_extra("count", Value::integer(-42))
      .set_extra("ratio", Value::floating(0.125))
      .set_extra("flag", Value::boolean(false))
      .set_extra("nothing", Value())
      .set_extra("image", Value::blob(kBinaryBlob, "image_bytes"))
      .set_extra("pixels", Value::ndarray(NdArray::from<std::uint8_t>({0, 255, 7, 9}, {2, 2}),
                                          "image_ndarray"))
      .set_extra("link", Value::text("https://x.org/a.png", "image_url"))
      .set_extra("sub", Value::document(common_document("sub")))
      .set_extra("subs", Value::document_array(DocumentArray{Document("s1"), Document("s2")}))
      .set_extra("list", Value::list({Value::integer(1), Value::text("two")}))
      .set_extra("set", Value::list({Value::integer(3)}, Value::Kind::kSet))
      .set_extra("tuple",
                 Value::list({Value::floating(1.5), Value::boolean(true)}, Value::Kind::kTuple))
      .set_extra("dict", Value::dict({{"a", Value::integer(1)},
                                      {"b", Value::dict({{"c", Value::text("d")}})}}));
  return d;
}

TEST(DocArrayV2, EveryFieldRoundTrips) {
  const Document d = v2_document();
  EXPECT_EQ(wire::decode_v2(encode(d)), d);
  EXPECT_EQ(round_trip_bytes(d), d);
}

TEST(DocArrayV2, MinimalDocumentWritesOnlyItsId) {
  const docarray::DocProto proto = encode(Document("only-id"));
  ASSERT_EQ(proto.data().size(), 1u);
  const NodeProto& id = proto.data().at("id");
  EXPECT_EQ(id.text(), "only-id");
  EXPECT_EQ(id.type(), "id");
  EXPECT_EQ(wire::decode_v2(proto), Document("only-id"));
}

// The keys and node kinds of the table in document.h.
TEST(DocArrayV2, FieldsGoToDocarrayKeysAndKinds) {
  const docarray::DocProto proto = encode(v2_document());
  const auto& m = proto.data();
  EXPECT_EQ(m.at("id").text(), "root");
  EXPECT_EQ(m.at("id").type(), "id");
  EXPECT_EQ(m.at("text").text(), "héllo wörld ✓");
  EXPECT_FALSE(m.at("text").has_type());
  EXPECT_EQ(m.at("bytes_").blob(), kBinaryBlob);
  EXPECT_EQ(m.at("url").text(), "https://example.com/doc.txt");

  const NodeProto& tensor = m.at("tensor");
  ASSERT_TRUE(tensor.has_ndarray());
  EXPECT_EQ(tensor.type(), "ndarray");
  EXPECT_EQ(tensor.ndarray().dense().dtype(), "<i4");
  EXPECT_EQ(std::vector<std::uint32_t>(tensor.ndarray().dense().shape().begin(),
                                       tensor.ndarray().dense().shape().end()),
            (std::vector<std::uint32_t>{2, 3}));
  EXPECT_EQ(tensor.ndarray().dense().buffer().size(), 24u);

  const NodeProto& embedding = m.at("embedding");
  ASSERT_TRUE(embedding.has_ndarray());
  EXPECT_EQ(embedding.type(), "ndarray");
  EXPECT_EQ(embedding.ndarray().dense().dtype(), "<f4");
  EXPECT_EQ(embedding.ndarray().dense().buffer(), NdArray::from({0.5f, -1.25f, 3.0f}).bytes());

  ASSERT_TRUE(m.at("tags").has_dict());
  const auto& tags = m.at("tags").dict().data();
  EXPECT_EQ(tags.at("s").text(), "v");
  EXPECT_EQ(tags.at("i").integer(), 7);
  EXPECT_EQ(tags.at("f").float_(), 0.5);
  EXPECT_TRUE(tags.at("b").boolean());
  EXPECT_EQ(tags.at("list").list().data_size(), 3);
  EXPECT_EQ(tags.at("nested").dict().data().at("k").integer(), -3);

  // A score with only a value is a float; otherwise a dict of its fields.
  const auto& scores = m.at("scores").dict().data();
  EXPECT_EQ(scores.at("plain").float_(), 0.25);
  const auto& full = scores.at("full").dict().data();
  EXPECT_EQ(full.at("value").float_(), 0.5);
  EXPECT_EQ(full.at("op_name").text(), "cosine");
  EXPECT_EQ(full.at("description").text(), "a description");
  EXPECT_EQ(full.at("ref_id").text(), "ref-1");
  EXPECT_EQ(m.at("evaluations").dict().data().at("precision").dict().data().at("op_name").text(),
            "eval");

  ASSERT_TRUE(m.at("chunks").has_doc_array());
  EXPECT_EQ(m.at("chunks").doc_array().docs_size(), 2);
  EXPECT_EQ(m.at("chunks").doc_array().docs(0).data().at("id").text(), "chunk-0");
  EXPECT_EQ(m.at("chunks").doc_array().docs(0).data().at("chunks").doc_array().docs_size(), 1);
  EXPECT_EQ(m.at("matches").doc_array().docs_size(), 1);

  EXPECT_EQ(m.at("parent_id").text(), "parent");
  EXPECT_EQ(m.at("granularity").integer(), 2);
  EXPECT_EQ(m.at("adjacency").integer(), 3);
  EXPECT_EQ(m.at("weight").float_(), 0.75);
  EXPECT_EQ(m.at("modality").text(), "text");
  EXPECT_EQ(m.at("mime_type").text(), "text/plain");
  EXPECT_EQ(m.at("offset").float_(), 1.5);
  ASSERT_EQ(m.at("location").list().data_size(), 2);
  EXPECT_EQ(m.at("location").list().data(1).float_(), 2.5);
  EXPECT_EQ(m.at("_metadata").dict().data().at("m").text(), "x");

  // Extras under their own keys, with docarray's type tags.
  EXPECT_EQ(m.at("label").text(), "cat");
  EXPECT_EQ(m.at("count").integer(), -42);
  EXPECT_EQ(m.at("ratio").float_(), 0.125);
  EXPECT_TRUE(m.at("flag").has_boolean());
  EXPECT_EQ(m.at("nothing").content_case(), NodeProto::CONTENT_NOT_SET);
  EXPECT_EQ(m.at("image").blob(), kBinaryBlob);
  EXPECT_EQ(m.at("image").type(), "image_bytes");
  EXPECT_EQ(m.at("pixels").type(), "image_ndarray");
  EXPECT_EQ(m.at("pixels").ndarray().dense().dtype(), "|u1");
  EXPECT_EQ(m.at("link").type(), "image_url");
  EXPECT_EQ(m.at("sub").doc().data().at("id").text(), "sub");
  EXPECT_EQ(m.at("subs").doc_array().docs_size(), 2);
  EXPECT_EQ(m.at("list").list().data(1).text(), "two");
  EXPECT_EQ(m.at("set").set().data(0).integer(), 3);
  EXPECT_TRUE(m.at("tuple").tuple().data(1).boolean());
  EXPECT_EQ(m.at("dict").dict().data().at("b").dict().data().at("c").text(), "d");
}

struct ExtraCase {
  std::string name;
  Value value;
};

class ExtraKindTest : public testing::TestWithParam<ExtraCase> {};

TEST_P(ExtraKindTest, RoundTrips) {
  const Document d = Document("e").set_extra("x", GetParam().value);
  const Document back = round_trip_bytes(d);
  ASSERT_NE(back.extra("x"), nullptr);
  EXPECT_EQ(*back.extra("x"), GetParam().value);
  EXPECT_EQ(back, d);
}

INSTANTIATE_TEST_SUITE_P(
    AllKinds, ExtraKindTest,
    testing::Values(
        ExtraCase{"null", Value()}, ExtraCase{"text", Value::text("t")},
        ExtraCase{"empty_text", Value::text("")},
        ExtraCase{"typed_text", Value::text("https://a/b.mp3", "audio_url")},
        ExtraCase{"integer", Value::integer(-5)},
        ExtraCase{"int32_max", Value::integer(std::numeric_limits<std::int32_t>::max())},
        ExtraCase{"int32_min", Value::integer(std::numeric_limits<std::int32_t>::min())},
        ExtraCase{"float", Value::floating(-2.75)},
        ExtraCase{"float_inf", Value::floating(std::numeric_limits<double>::infinity())},
        ExtraCase{"boolean", Value::boolean(true)}, ExtraCase{"blob", Value::blob(kBinaryBlob)},
        ExtraCase{"typed_blob", Value::blob("\x89PNG", "image_bytes")},
        ExtraCase{"ndarray", Value::ndarray(NdArray::from({1.0, 2.0}))},
        ExtraCase{"typed_ndarray", Value::ndarray(NdArray::from({1.0f}), "ndarray_embedding")},
        ExtraCase{"document", Value::document(nested_document())},
        ExtraCase{"document_array",
                  Value::document_array(DocumentArray{common_document("a"), Document("b")})},
        ExtraCase{"empty_list", Value::list({})},
        ExtraCase{"list",
                  Value::list({Value::integer(1), Value(), Value::list({Value::text("n")})})},
        ExtraCase{"set", Value::list({Value::text("a"), Value::text("b")}, Value::Kind::kSet)},
        ExtraCase{"tuple",
                  Value::list({Value::integer(1), Value::floating(2)}, Value::Kind::kTuple)},
        ExtraCase{"empty_dict", Value::dict({})},
        ExtraCase{"dict", Value::dict({{"k", Value::blob("b")},
                                       {"nested",
                                        Value::dict({{"doc", Value::document(Document("d"))}})}})}),
    [](const testing::TestParamInfo<ExtraCase>& info) { return info.param.name; });

// --- ndarrays --------------------------------------------------------------------------------

class V2DTypeTest : public testing::TestWithParam<NdArray> {};

TEST_P(V2DTypeTest, TensorAndEmbeddingRoundTrip) {
  const Document d = Document("t").set_tensor(GetParam()).set_embedding(GetParam());
  const Document back = round_trip_bytes(d);
  EXPECT_EQ(back.tensor(), GetParam());
  EXPECT_EQ(back.embedding_array(), GetParam());
  EXPECT_EQ(encode(d).data().at("tensor").ndarray().dense().dtype(),
            dtype_name(GetParam().dtype()));
}

INSTANTIATE_TEST_SUITE_P(
    AllDTypes, V2DTypeTest,
    testing::Values(NdArray::from({1.5f, -2.0f, 3.0f, 4.0f}, {2, 2}), NdArray::from({1e300, -0.5}),
                    NdArray::from<std::int32_t>({-1, 2, 3}),
                    NdArray::from<std::int64_t>({1LL << 40}),
                    NdArray::from<std::uint8_t>({0, 128, 255}), NdArray::from<std::int8_t>({-128}),
                    NdArray::from<std::int16_t>({-300}), NdArray::from<std::uint16_t>({65535}),
                    NdArray::from<std::uint32_t>({4000000000u}),
                    NdArray::from<std::uint64_t>({~0ull}), NdArray::from({true, false}),
                    NdArray(DType::kFloat16, {1}, std::string("\x00\x3c", 2)),
                    NdArray(DType::kFloat32, {0}, ""),
                    NdArray(DType::kFloat32, {}, std::string("\0\0\x80\x3f", 4)),  // 0-d scalar
                    NdArray(DType::kFloat64, {2, 0, 3}, ""),
                    NdArray::from({1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f}, {2, 2, 2})));

docarray::NdArrayProto dense(const std::string& buffer, std::vector<std::uint32_t> shape,
                             const std::string& dtype) {
  docarray::NdArrayProto proto;
  proto.mutable_dense()->set_buffer(buffer);
  for (auto d : shape) proto.mutable_dense()->add_shape(d);
  proto.mutable_dense()->set_dtype(dtype);
  return proto;
}

TEST(DocArrayV2NdArray, BigEndianIsByteSwapped) {
  EXPECT_EQ(wire::decode_v2(dense(std::string("\x3f\x80\x00\x00\x40\x00\x00\x00", 8), {2}, ">f4")),
            NdArray::from({1.0f, 2.0f}));
  EXPECT_EQ(wire::decode_v2(dense(std::string("\x00\x00\x00\x00\x00\x00\x01\x02", 8), {1}, ">i8")),
            NdArray::from<std::int64_t>({258}));
  EXPECT_EQ(wire::decode_v2(dense(std::string("\x3f\xf0\0\0\0\0\0\0", 8), {1}, ">f8")),
            NdArray::from({1.0}));
  EXPECT_EQ(wire::decode_v2(dense(std::string("\x01\x02", 2), {2}, "|u1")),
            NdArray::from<std::uint8_t>({1, 2}));
  EXPECT_EQ(wire::decode_v2(dense(std::string("\x00\x00\x80\x3f", 4), {1}, "=f4")),
            NdArray::from({1.0f}));
  EXPECT_EQ(wire::decode_v2(dense(std::string("\x00\x00\x80\x3f", 4), {1}, "float32")),
            NdArray::from({1.0f}));
}

TEST(DocArrayV2NdArray, EmptyBufferWithAShapeIsZeros) {
  EXPECT_EQ(wire::decode_v2(dense("", {2, 2}, "<f4")),
            NdArray::from({0.0f, 0.0f, 0.0f, 0.0f}, {2, 2}));
}

TEST(DocArrayV2NdArray, NoDenseIsAnEmptyArray) {
  EXPECT_TRUE(wire::decode_v2(docarray::NdArrayProto()).empty());
}

struct BadArrayCase {
  std::string name;
  docarray::NdArrayProto proto;
};

class BadNdArrayTest : public testing::TestWithParam<BadArrayCase> {};

TEST_P(BadNdArrayTest, ThrowsInvalidArgument) {
  EXPECT_THROW(wire::decode_v2(GetParam().proto), InvalidArgument);
  // Also inside a request off the wire.
  jina::DataRequestProto req;
  auto& node = (*req.mutable_data()->mutable_docs()->add_docs()->mutable_data())["tensor"];
  *node.mutable_ndarray() = GetParam().proto;
  node.set_type("ndarray");
  EXPECT_THROW(DataRequest::parse(req.SerializeAsString()), InvalidArgument);
}

const std::uint32_t kMaxDim = std::numeric_limits<std::uint32_t>::max();

INSTANTIATE_TEST_SUITE_P(
    Hostile, BadNdArrayTest,
    testing::Values(BadArrayCase{"too_few_bytes", dense(std::string(7, 'x'), {2}, "<f4")},
                    BadArrayCase{"too_many_bytes", dense(std::string(9, 'x'), {2}, "<f4")},
                    BadArrayCase{"not_a_multiple", dense(std::string(3, 'x'), {}, "<f4")},
                    BadArrayCase{"shape_product_mismatch",
                                 dense(std::string(16, 'x'), {3, 2}, "<f4")},
                    BadArrayCase{"unknown_dtype", dense(std::string(8, 'x'), {1}, "<c8")},
                    BadArrayCase{"object_dtype", dense(std::string(8, 'x'), {1}, "|O")},
                    BadArrayCase{"empty_dtype", dense(std::string(4, 'x'), {1}, "")},
                    BadArrayCase{"overflowing_shape",
                                 dense(std::string(4, 'x'), {kMaxDim, kMaxDim, kMaxDim}, "<f8")},
                    BadArrayCase{"huge_shape_empty_buffer", dense("", {kMaxDim, kMaxDim}, "<f4")},
                    BadArrayCase{"huge_shape_empty_buffer_1d", dense("", {kMaxDim}, "<f8")}),
    [](const testing::TestParamInfo<BadArrayCase>& info) { return info.param.name; });

TEST(DocArrayV2NdArray, NodeWithoutTypeStillDecodes) {
  // docarray refuses an ndarray node without `type`; we read it anyway.
  docarray::DocProto proto;
  auto& data = *proto.mutable_data();
  data["id"].set_text("x");
  *data["tensor"].mutable_ndarray() = dense(NdArray::from({1.0f}).bytes(), {1}, "<f4");
  *data["other"].mutable_ndarray() = dense(NdArray::from({2.0f}).bytes(), {1}, "<f4");
  const Document d = wire::decode_v2(proto);
  EXPECT_EQ(d.tensor(), NdArray::from({1.0f}));
  ASSERT_NE(d.extra("other"), nullptr);
  EXPECT_EQ(d.extra("other")->as_ndarray(), NdArray::from({2.0f}));
  EXPECT_EQ(d.extra("other")->type(), "");
}

// --- what the format cannot carry ------------------------------------------------------------

TEST(DocArrayV2Encode, IntegersOutsideInt32Throw) {
  for (std::int64_t i :
       {std::int64_t{1} << 31, -(std::int64_t{1} << 31) - 1, std::int64_t{1} << 40}) {
    EXPECT_THROW(encode(Document("x").set_extra("n", Value::integer(i))), InvalidArgument) << i;
    EXPECT_THROW(encode(Document("x").set_extra("l", Value::list({Value::integer(i)}))),
                 InvalidArgument);
  }
}

TEST(DocArrayV2Encode, LargeTagIntegersKeepTheirValue) {
  Document d("x");
  d.tags()["big"] = std::int64_t{1} << 40;
  const Document back = round_trip_bytes(d);
  EXPECT_EQ(back.tags()["big"].get<double>(), std::ldexp(1.0, 40));
}

TEST(DocArrayV2Encode, TagsMustBeAnObject) {
  Document d("x");
  d.tags() = nlohmann::json::array({1, 2});
  EXPECT_THROW(encode(d), InvalidArgument);
}

class InvalidUtf8Test : public testing::TestWithParam<std::string> {};

TEST_P(InvalidUtf8Test, EveryTextFieldIsChecked) {
  const std::string& bad = GetParam();
  std::vector<std::pair<std::string, Document>> cases;
  cases.emplace_back("id", Document(bad));
  cases.emplace_back("text", Document("x").set_text(bad));
  cases.emplace_back("url", Document("x").set_uri(bad));
  cases.emplace_back("parent_id", Document("x").set_parent_id(bad));
  cases.emplace_back("modality", Document("x").set_modality(bad));
  cases.emplace_back("mime_type", Document("x").set_mime_type(bad));
  cases.emplace_back("extra text", Document("x").set_extra("k", Value::text(bad)));
  cases.emplace_back("extra key", Document("x").set_extra(bad, Value::integer(1)));
  cases.emplace_back("dict key", Document("x").set_extra("k", Value::dict({{bad, Value()}})));
  Document tag_value("x");
  tag_value.tags()["k"] = bad;
  cases.emplace_back("tag value", tag_value);
  Document tag_key("x");
  tag_key.tags()[bad] = 1;
  cases.emplace_back("tag key", tag_key);
  Document score_name("x");
  score_name.scores()[bad].value = 1;
  cases.emplace_back("score name", score_name);
  Document score_op("x");
  score_op.scores()["s"].op_name = bad;
  cases.emplace_back("score op_name", score_op);
  Document chunk("x");
  chunk.chunks().push_back(Document("c").set_text(bad));
  cases.emplace_back("chunk text", chunk);
  for (const auto& [what, doc] : cases) {
    EXPECT_THROW(encode(doc), InvalidArgument) << what;
    EXPECT_THROW(DataRequest().set_docs({doc}).serialize(), InvalidArgument) << what;
  }
  // Blobs are bytes: anything goes.
  EXPECT_NO_THROW(encode(Document("x").set_blob(bad)));
}

INSTANTIATE_TEST_SUITE_P(Samples, InvalidUtf8Test, testing::ValuesIn(kInvalidUtf8));

// --- decoding what other peers may send ------------------------------------------------------

TEST(DocArrayV2Decode, EmptyNodesOfKnownFieldsAreUnset) {
  docarray::DocProto proto;
  auto& data = *proto.mutable_data();
  data["id"].set_text("x");
  data["id"].set_type("id");
  for (const char* key : {"text", "bytes_", "url", "embedding", "tensor", "tags", "chunks"})
    data[key];
  const Document d = wire::decode_v2(proto);
  EXPECT_EQ(d, Document("x"));
  EXPECT_TRUE(d.extras().empty());
}

TEST(DocArrayV2Decode, LegacyKeysBlobAndUri) {
  docarray::DocProto proto;
  auto& data = *proto.mutable_data();
  data["id"].set_text("x");
  data["blob"].set_blob("raw");
  data["uri"].set_text("https://u");
  const Document d = wire::decode_v2(proto);
  EXPECT_EQ(d.blob(), "raw");
  EXPECT_EQ(d.uri(), "https://u");
  EXPECT_TRUE(d.extras().empty());
}

TEST(DocArrayV2Decode, KnownKeyOfAnotherKindIsKeptAsExtra) {
  docarray::DocProto proto;
  auto& data = *proto.mutable_data();
  data["id"].set_text("x");
  data["weight"].set_text("heavy");
  data["chunks"].set_integer(3);
  const Document d = wire::decode_v2(proto);
  EXPECT_EQ(d.weight(), 0.0f);
  ASSERT_NE(d.extra("weight"), nullptr);
  EXPECT_EQ(d.extra("weight")->as_text(), "heavy");
  ASSERT_NE(d.extra("chunks"), nullptr);
  EXPECT_EQ(d.extra("chunks")->as_integer(), 3);
  // And re-encoding gives the same nodes back.
  EXPECT_EQ(encode(d).data().at("weight").text(), "heavy");
  EXPECT_EQ(encode(d).data().at("chunks").integer(), 3);
}

TEST(DocArrayV2Decode, UnknownFieldsAreIgnored) {
  docarray::DocProto proto = encode(common_document("u"));
  // Field 99 (varint) appended to the DocProto and to a NodeProto.
  std::string bytes = proto.SerializeAsString() + std::string("\x98\x06\x01", 3);
  docarray::DocProto parsed;
  ASSERT_TRUE(parsed.ParseFromString(bytes));
  EXPECT_EQ(wire::decode_v2(parsed), common_document("u"));

  docarray::NodeProto node;
  node.set_text("t");
  std::string node_bytes = node.SerializeAsString() + std::string("\x98\x06\x01", 3);
  docarray::NodeProto parsed_node;
  ASSERT_TRUE(parsed_node.ParseFromString(node_bytes));
  docarray::DocProto with_node;
  (*with_node.mutable_data())["id"].set_text("n");
  (*with_node.mutable_data())["text"] = parsed_node;
  EXPECT_EQ(wire::decode_v2(with_node).text(), "t");
}

TEST(DocArrayV2Decode, InvalidUtf8OnTheWireIsRejected) {
  DataRequest req;
  req.set_docs({Document("d").set_text("hello")});
  std::string bytes = req.serialize();
  const auto at = bytes.find("hello");
  ASSERT_NE(at, std::string::npos);
  bytes[at + 4] = '\xff';
  EXPECT_THROW(DataRequest::parse(bytes), InvalidArgument);
}

TEST(DocArrayV2Decode, ExcessiveNestingIsRejectedNotACrash) {
  Document root("level-0");
  Document* cursor = &root;
  for (int i = 1; i < 200; ++i) {
    cursor->chunks().push_back(Document("level-" + std::to_string(i)));
    cursor = &cursor->chunks()[0];
  }
  std::string bytes;
  try {
    bytes = DataRequest().set_docs({root}).serialize();
  } catch (const InvalidArgument&) {
    return;  // refusing to encode it is fine too
  }
  EXPECT_THROW(DataRequest::parse(bytes), InvalidArgument);
}

TEST(DocArrayV2Decode, RandomGarbageNeverCrashes) {
  std::mt19937 rng(1234);
  const std::string valid = DataRequest().set_docs({v2_document()}).serialize();
  for (int i = 0; i < 2000; ++i) {
    std::string bytes = valid;
    // Flip a few bytes of a valid request: mostly still framed, semantically odd.
    for (int k = 0; k < 3; ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng());
    try {
      (void)DataRequest::parse(bytes);
    } catch (const Error&) {
    }
  }
  for (int i = 0; i < 500; ++i) {
    std::string bytes(rng() % 64, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    try {
      (void)DataRequest::parse(bytes);
    } catch (const Error&) {
    }
  }
}

TEST(DocArrayV2, DocumentArrayRoundTrip) {
  const DocumentArray docs{common_document("a"), Document("b"), nested_document()};
  docarray::DocListProto proto;
  wire::encode_v2(docs, &proto);
  EXPECT_EQ(proto.docs_size(), 3);
  EXPECT_EQ(wire::decode_v2(proto), docs);
  EXPECT_TRUE(wire::decode_v2(docarray::DocListProto()).empty());
}

TEST(DocarrayV2Codec, DocumentWithoutIdGetsAFreshOne) {
  docarray::DocProto proto;
  (*proto.mutable_data())["text"].set_text("no id");
  const Document a = wire::decode_v2(proto);
  const Document b = wire::decode_v2(proto);
  EXPECT_EQ(a.id().size(), 32u);
  EXPECT_NE(a.id(), b.id());
  EXPECT_EQ(a.text(), "no id");
}

}  // namespace
}  // namespace jina
