// Document <-> docarray v1 DocumentProto. The mapping is the table in
// include/jina/document.h.
#include "common/utf8.h"
#include "wire/docarray_codec.h"
#include "wire/ndarray_wire.h"
#include "wire/struct_json.h"

namespace jina::wire {

using internal::require_utf8;

namespace {

// v1 readers ignore a dense tensor unless cls_name names a framework.
constexpr char kNumpyClass[] = "numpy";

void encode_scores(const std::map<std::string, NamedScore>& scores,
                   google::protobuf::Map<std::string, docarray::v1::NamedScoreProto>* out) {
  for (const auto& [name, score] : scores) {
    require_utf8(name, "a score name");
    require_utf8(score.op_name, "a score op_name");
    require_utf8(score.description, "a score description");
    require_utf8(score.ref_id, "a score ref_id");
    auto& s = (*out)[name];
    s.set_value(score.value);
    s.set_op_name(score.op_name);
    s.set_description(score.description);
    s.set_ref_id(score.ref_id);
  }
}

std::map<std::string, NamedScore> decode_scores(
    const google::protobuf::Map<std::string, docarray::v1::NamedScoreProto>& in) {
  std::map<std::string, NamedScore> out;
  for (const auto& [name, s] : in)
    out.emplace(name, NamedScore{s.value(), s.op_name(), s.description(), s.ref_id()});
  return out;
}

void encode_object(const nlohmann::json& j, std::string_view what, google::protobuf::Struct* out) {
  if (!j.is_object())
    throw InvalidArgument("Document " + std::string(what) + " must be a JSON object, got " +
                          j.type_name());
  json_to_struct(j, out);
}

}  // namespace

void encode_v1(const NdArray& array, docarray::v1::NdArrayProto* out) {
  encode_dense(array, out->mutable_dense());
  out->set_cls_name(kNumpyClass);
}

NdArray decode_v1(const docarray::v1::NdArrayProto& in) {
  switch (in.content_case()) {
    case docarray::v1::NdArrayProto::kDense:
      return decode_dense(in.dense().buffer(), in.dense().shape(), in.dense().dtype());
    case docarray::v1::NdArrayProto::kSparse:
      throw InvalidArgument("sparse ndarrays (cls_name '" + in.cls_name() + "') are not supported");
    case docarray::v1::NdArrayProto::CONTENT_NOT_SET:
      break;
  }
  return NdArray();
}

void encode_v1(const Document& doc, docarray::v1::DocumentProto* out) {
  const int contents = !doc.text().empty() + !doc.blob().empty() + !doc.tensor().empty();
  if (contents > 1)
    throw InvalidArgument(
        "docarray v1 allows one of text, blob and tensor per Document; Document '" + doc.id() +
        "' has " + std::to_string(contents));
  if (!doc.extras().empty())
    throw InvalidArgument("docarray v1 has no room for extra field '" +
                          doc.extras().begin()->first + "' of Document '" + doc.id() + "'");
  require_utf8(doc.id(), "a Document id");
  out->set_id(doc.id());
  if (!doc.text().empty()) {
    require_utf8(doc.text(), "a Document text");
    out->set_text(doc.text());
  } else if (!doc.blob().empty()) {
    out->set_blob(doc.blob());
  } else if (!doc.tensor().empty()) {
    encode_v1(doc.tensor(), out->mutable_tensor());
  }
  out->set_granularity(doc.granularity());
  out->set_adjacency(doc.adjacency());
  require_utf8(doc.parent_id(), "a parent_id");
  out->set_parent_id(doc.parent_id());
  out->set_weight(doc.weight());
  require_utf8(doc.uri(), "a Document uri");
  out->set_uri(doc.uri());
  require_utf8(doc.modality(), "a modality");
  out->set_modality(doc.modality());
  require_utf8(doc.mime_type(), "a mime_type");
  out->set_mime_type(doc.mime_type());
  out->set_offset(doc.offset());
  out->mutable_location()->Add(doc.location().begin(), doc.location().end());
  for (const auto& c : doc.chunks()) encode_v1(c, out->add_chunks());
  for (const auto& m : doc.matches()) encode_v1(m, out->add_matches());
  if (!doc.embedding_array().empty()) encode_v1(doc.embedding_array(), out->mutable_embedding());
  if (!doc.tags().is_null()) encode_object(doc.tags(), "tags", out->mutable_tags());
  encode_scores(doc.scores(), out->mutable_scores());
  encode_scores(doc.evaluations(), out->mutable_evaluations());
  if (!doc.metadata().is_null())
    encode_object(doc.metadata(), "metadata", out->mutable__metadata());
}

void encode_v1(const DocumentArray& docs, docarray::v1::DocumentArrayProto* out) {
  out->mutable_docs()->Reserve(static_cast<int>(docs.size()));
  for (const auto& doc : docs) encode_v1(doc, out->add_docs());
}

Document decode_v1(const docarray::v1::DocumentProto& in) {
  Document doc{in.id()};
  switch (in.content_case()) {
    case docarray::v1::DocumentProto::kText:
      doc.set_text(in.text());
      break;
    case docarray::v1::DocumentProto::kBlob:
      doc.set_blob(in.blob());
      break;
    case docarray::v1::DocumentProto::kTensor:
      doc.set_tensor(decode_v1(in.tensor()));
      break;
    case docarray::v1::DocumentProto::CONTENT_NOT_SET:
      break;
  }
  doc.set_granularity(in.granularity())
      .set_adjacency(in.adjacency())
      .set_parent_id(in.parent_id())
      .set_weight(in.weight())
      .set_uri(in.uri())
      .set_modality(in.modality())
      .set_mime_type(in.mime_type())
      .set_offset(in.offset())
      .set_location({in.location().begin(), in.location().end()});
  if (in.chunks_size() > 0) {
    auto& chunks = doc.chunks();
    chunks.reserve(static_cast<std::size_t>(in.chunks_size()));
    for (const auto& c : in.chunks()) chunks.push_back(decode_v1(c));
  }
  if (in.matches_size() > 0) {
    auto& matches = doc.matches();
    matches.reserve(static_cast<std::size_t>(in.matches_size()));
    for (const auto& m : in.matches()) matches.push_back(decode_v1(m));
  }
  if (in.has_embedding()) doc.set_embedding(decode_v1(in.embedding()));
  if (in.has_tags()) doc.tags() = struct_to_json(in.tags());
  doc.scores() = decode_scores(in.scores());
  doc.evaluations() = decode_scores(in.evaluations());
  if (in.has__metadata()) doc.metadata() = struct_to_json(in._metadata());
  return doc;
}

DocumentArray decode_v1(const docarray::v1::DocumentArrayProto& in) {
  DocumentArray docs;
  docs.reserve(static_cast<std::size_t>(in.docs_size()));
  for (const auto& d : in.docs()) docs.push_back(decode_v1(d));
  return docs;
}

}  // namespace jina::wire
