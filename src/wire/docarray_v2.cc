// Document <-> docarray v2 DocProto. The mapping is the table in
// include/jina/document.h.
#include <algorithm>
#include <cmath>
#include <limits>

#include "common/utf8.h"
#include "documents/document_fields.h"
#include "wire/docarray_codec.h"
#include "wire/ndarray_wire.h"
#include "wire/struct_json.h"

namespace jina::wire {

using internal::require_utf8;

namespace {

using docarray::NodeProto;
namespace f = jina::fields;

// A hostile shape with an empty buffer must not make us allocate gigabytes.
constexpr std::size_t kMaxZeroFillBytes = 64u << 20;

void set_text(NodeProto& node, const std::string& s, std::string_view what) {
  require_utf8(s, what);
  node.set_text(s);
}

void encode_value(const Value& v, NodeProto* node);

void encode_list(const Value::List& items, docarray::ListOfAnyProto* out) {
  out->mutable_data()->Reserve(static_cast<int>(items.size()));
  for (const auto& item : items) encode_value(item, out->add_data());
}

void encode_integer(std::int64_t i, NodeProto* node) {
  if (i < std::numeric_limits<std::int32_t>::min() || i > std::numeric_limits<std::int32_t>::max())
    throw InvalidArgument("integer " + std::to_string(i) + " does not fit docarray v2's int32");
  node->set_integer(static_cast<std::int32_t>(i));
}

void encode_value(const Value& v, NodeProto* node) {
  switch (v.kind()) {
    case Value::Kind::kNull:
      break;
    case Value::Kind::kText:
      set_text(*node, v.as_text(), "a text field");
      break;
    case Value::Kind::kInteger:
      encode_integer(v.as_integer(), node);
      break;
    case Value::Kind::kFloat:
      node->set_float_(v.as_float());
      break;
    case Value::Kind::kBoolean:
      node->set_boolean(v.as_boolean());
      break;
    case Value::Kind::kBlob:
      node->set_blob(v.as_blob());
      break;
    case Value::Kind::kNdArray:
      encode_v2(v.as_ndarray(), node->mutable_ndarray());
      break;
    case Value::Kind::kDocument:
      encode_v2(v.as_document(), node->mutable_doc());
      break;
    case Value::Kind::kDocumentArray:
      encode_v2(v.as_document_array(), node->mutable_doc_array());
      break;
    case Value::Kind::kList:
      encode_list(v.as_list(), node->mutable_list());
      break;
    case Value::Kind::kSet:
      encode_list(v.as_list(), node->mutable_set());
      break;
    case Value::Kind::kTuple:
      encode_list(v.as_list(), node->mutable_tuple());
      break;
    case Value::Kind::kDict: {
      auto& data = *node->mutable_dict()->mutable_data();
      for (const auto& [key, item] : v.as_dict()) {
        require_utf8(key, "a dict key");
        encode_value(item, &data[key]);
      }
      break;
    }
  }
  if (!v.type().empty()) node->set_type(v.type());
}

void encode_json(const nlohmann::json& j, NodeProto* node) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      break;
    case nlohmann::json::value_t::boolean:
      node->set_boolean(j.get<bool>());
      break;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: {
      // Python ints beyond int32 cannot be an `integer` node; a float keeps their value.
      if (j.is_number_unsigned() &&
          j.get<std::uint64_t>() > std::numeric_limits<std::int32_t>::max()) {
        node->set_float_(j.get<double>());
      } else {
        std::int64_t i = j.get<std::int64_t>();
        if (i < std::numeric_limits<std::int32_t>::min() ||
            i > std::numeric_limits<std::int32_t>::max())
          node->set_float_(static_cast<double>(i));
        else
          node->set_integer(static_cast<std::int32_t>(i));
      }
      break;
    }
    case nlohmann::json::value_t::number_float:
      node->set_float_(j.get<double>());
      break;
    case nlohmann::json::value_t::string:
      set_text(*node, j.get_ref<const std::string&>(), "a tag");
      break;
    case nlohmann::json::value_t::array: {
      auto* list = node->mutable_list();
      for (const auto& item : j) encode_json(item, list->add_data());
      break;
    }
    case nlohmann::json::value_t::object: {
      auto& data = *node->mutable_dict()->mutable_data();
      for (const auto& [key, item] : j.items()) {
        require_utf8(key, "a tag name");
        encode_json(item, &data[key]);
      }
      break;
    }
    case nlohmann::json::value_t::binary:
      throw InvalidArgument("binary JSON cannot be encoded as a tag");
  }
}

void encode_scores(const std::map<std::string, NamedScore>& scores, NodeProto* node) {
  auto& data = *node->mutable_dict()->mutable_data();
  for (const auto& [name, score] : scores) {
    require_utf8(name, "a score name");
    NodeProto& entry = data[name];
    if (score.op_name.empty() && score.description.empty() && score.ref_id.empty()) {
      entry.set_float_(score.value);
      continue;
    }
    auto& fields = *entry.mutable_dict()->mutable_data();
    fields["value"].set_float_(score.value);
    if (!score.op_name.empty()) set_text(fields["op_name"], score.op_name, "a score op_name");
    if (!score.description.empty())
      set_text(fields["description"], score.description, "a score description");
    if (!score.ref_id.empty()) set_text(fields["ref_id"], score.ref_id, "a score ref_id");
  }
}

// --- decoding ------------------------------------------------------------

std::optional<nlohmann::json> node_to_json(const NodeProto& node);

std::optional<nlohmann::json> list_to_json(const docarray::ListOfAnyProto& list) {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& item : list.data()) {
    auto j = node_to_json(item);
    if (!j) return std::nullopt;
    arr.push_back(std::move(*j));
  }
  return arr;
}

// Plain JSON for the kinds JSON can hold exactly; nullopt otherwise (blob,
// ndarray, documents, sets, tuples and typed nodes are not JSON).
std::optional<nlohmann::json> node_to_json(const NodeProto& node) {
  if (node.has_type()) return std::nullopt;
  switch (node.content_case()) {
    case NodeProto::CONTENT_NOT_SET:
      return nlohmann::json(nullptr);
    case NodeProto::kText:
      return nlohmann::json(node.text());
    case NodeProto::kInteger:
      return nlohmann::json(node.integer());
    case NodeProto::kFloat:
      return nlohmann::json(node.float_());
    case NodeProto::kBoolean:
      return nlohmann::json(node.boolean());
    case NodeProto::kList:
      return list_to_json(node.list());
    case NodeProto::kDict: {
      nlohmann::json obj = nlohmann::json::object();
      for (const auto& [key, item] : node.dict().data()) {
        auto j = node_to_json(item);
        if (!j) return std::nullopt;
        obj[key] = std::move(*j);
      }
      return obj;
    }
    default:
      return std::nullopt;
  }
}

Value decode_value(const NodeProto& node);

Value::List decode_list(const docarray::ListOfAnyProto& list) {
  Value::List items;
  items.reserve(list.data_size());
  for (const auto& item : list.data()) items.push_back(decode_value(item));
  return items;
}

Value decode_value(const NodeProto& node) {
  Value v;
  switch (node.content_case()) {
    case NodeProto::CONTENT_NOT_SET:
      break;
    case NodeProto::kText:
      v = Value::text(node.text());
      break;
    case NodeProto::kInteger:
      v = Value::integer(node.integer());
      break;
    case NodeProto::kFloat:
      v = Value::floating(node.float_());
      break;
    case NodeProto::kBoolean:
      v = Value::boolean(node.boolean());
      break;
    case NodeProto::kBlob:
      v = Value::blob(node.blob());
      break;
    case NodeProto::kNdarray:
      v = Value::ndarray(decode_v2(node.ndarray()), "");
      break;
    case NodeProto::kDoc:
      v = Value::document(decode_v2(node.doc()));
      break;
    case NodeProto::kDocArray:
      v = Value::document_array(decode_v2(node.doc_array()));
      break;
    case NodeProto::kList:
      v = Value::list(decode_list(node.list()), Value::Kind::kList);
      break;
    case NodeProto::kSet:
      v = Value::list(decode_list(node.set()), Value::Kind::kSet);
      break;
    case NodeProto::kTuple:
      v = Value::list(decode_list(node.tuple()), Value::Kind::kTuple);
      break;
    case NodeProto::kDict: {
      Value::Dict dict;
      for (const auto& [key, item] : node.dict().data()) dict.emplace(key, decode_value(item));
      v = Value::dict(std::move(dict));
      break;
    }
  }
  if (node.has_type()) v.set_type(node.type());
  return v;
}

// Scores as written by encode_scores: {name: float} or {name: {value, op_name, ...}}.
std::optional<std::map<std::string, NamedScore>> decode_scores(const NodeProto& node) {
  if (node.content_case() != NodeProto::kDict || node.has_type()) return std::nullopt;
  std::map<std::string, NamedScore> out;
  for (const auto& [name, entry] : node.dict().data()) {
    NamedScore score;
    if (entry.content_case() == NodeProto::kFloat && !entry.has_type()) {
      score.value = static_cast<float>(entry.float_());
    } else if (entry.content_case() == NodeProto::kInteger && !entry.has_type()) {
      score.value = static_cast<float>(entry.integer());
    } else if (entry.content_case() == NodeProto::kDict && !entry.has_type()) {
      for (const auto& [key, field] : entry.dict().data()) {
        if (key == "value" && field.content_case() == NodeProto::kFloat) {
          score.value = static_cast<float>(field.float_());
        } else if (key == "value" && field.content_case() == NodeProto::kInteger) {
          score.value = static_cast<float>(field.integer());
        } else if (field.content_case() == NodeProto::kText && key == "op_name") {
          score.op_name = field.text();
        } else if (field.content_case() == NodeProto::kText && key == "description") {
          score.description = field.text();
        } else if (field.content_case() == NodeProto::kText && key == "ref_id") {
          score.ref_id = field.text();
        } else {
          return std::nullopt;
        }
      }
    } else {
      return std::nullopt;
    }
    out.emplace(name, std::move(score));
  }
  return out;
}

bool is_plain(const NodeProto& node, NodeProto::ContentCase kind) {
  return node.content_case() == kind && !node.has_type();
}

// Maps one DocProto entry onto a Document field; false if the node's kind
// does not fit that field (the caller then keeps it as an extra).
bool decode_field(const std::string& key, const NodeProto& node, Document& doc) {
  const auto kind = node.content_case();
  if (key == f::kId) {
    if (kind != NodeProto::kText) return false;
    doc.set_id(node.text());
  } else if (key == f::kText) {
    if (!is_plain(node, NodeProto::kText)) return false;
    doc.set_text(node.text());
  } else if (key == f::kBytes || key == f::kBlob) {
    if (kind != NodeProto::kBlob || !doc.blob().empty()) return false;
    doc.set_blob(node.blob());
  } else if (key == f::kUrl || key == f::kUri) {
    if (kind != NodeProto::kText || !doc.uri().empty()) return false;
    doc.set_uri(node.text());
  } else if (key == f::kTensor) {
    if (kind != NodeProto::kNdarray) return false;
    doc.set_tensor(decode_v2(node.ndarray()));
  } else if (key == f::kEmbedding) {
    if (kind != NodeProto::kNdarray) return false;
    doc.set_embedding(decode_v2(node.ndarray()));
  } else if (key == f::kTags || key == f::kMetadata) {
    if (!is_plain(node, NodeProto::kDict)) return false;
    auto j = node_to_json(node);
    if (!j) return false;
    (key == f::kTags ? doc.tags() : doc.metadata()) = std::move(*j);
  } else if (key == f::kScores || key == f::kEvaluations) {
    auto scores = decode_scores(node);
    if (!scores) return false;
    (key == f::kScores ? doc.scores() : doc.evaluations()) = std::move(*scores);
  } else if (key == f::kChunks || key == f::kMatches) {
    if (kind != NodeProto::kDocArray) return false;
    (key == f::kChunks ? doc.chunks() : doc.matches()) = decode_v2(node.doc_array());
  } else if (key == f::kParentId || key == f::kModality || key == f::kMimeType) {
    if (!is_plain(node, NodeProto::kText)) return false;
    if (key == f::kParentId)
      doc.set_parent_id(node.text());
    else if (key == f::kModality)
      doc.set_modality(node.text());
    else
      doc.set_mime_type(node.text());
  } else if (key == f::kGranularity || key == f::kAdjacency) {
    if (!is_plain(node, NodeProto::kInteger) || node.integer() < 0) return false;
    if (key == f::kGranularity)
      doc.set_granularity(static_cast<std::uint32_t>(node.integer()));
    else
      doc.set_adjacency(static_cast<std::uint32_t>(node.integer()));
  } else if (key == f::kWeight || key == f::kOffset) {
    if (!is_plain(node, NodeProto::kFloat)) return false;
    if (key == f::kWeight)
      doc.set_weight(static_cast<float>(node.float_()));
    else
      doc.set_offset(static_cast<float>(node.float_()));
  } else if (key == f::kLocation) {
    if (!is_plain(node, NodeProto::kList)) return false;
    std::vector<float> location;
    for (const auto& item : node.list().data()) {
      if (!is_plain(item, NodeProto::kFloat)) return false;
      location.push_back(static_cast<float>(item.float_()));
    }
    doc.set_location(std::move(location));
  } else {
    return false;
  }
  return true;
}

}  // namespace

NdArray decode_dense(const std::string& buffer,
                     const google::protobuf::RepeatedField<uint32_t>& shape,
                     const std::string& dtype) {
  auto parsed = parse_dtype(dtype);
  if (!parsed) throw InvalidArgument("unsupported ndarray dtype '" + dtype + "'");
  std::vector<std::int64_t> dims(shape.begin(), shape.end());
  const std::size_t item = dtype_size(*parsed);
  if (buffer.empty() && !dims.empty()) {
    // docarray reads an empty buffer with a shape as zeros.
    std::size_t n = item;
    for (auto d : dims) {
      if (d != 0 && n > kMaxZeroFillBytes / static_cast<std::size_t>(d))
        throw InvalidArgument(
            "ndarray with an empty buffer has a shape too large to fill with zeros");
      n *= static_cast<std::size_t>(d);
    }
    return NdArray(*parsed, std::move(dims), std::string(n, '\0'));
  }
  if (!dtype.empty() && dtype[0] == '>' && item > 1) {
    std::string swapped = buffer;
    for (std::size_t i = 0; i + item <= swapped.size(); i += item)
      std::reverse(swapped.begin() + static_cast<std::ptrdiff_t>(i),
                   swapped.begin() + static_cast<std::ptrdiff_t>(i + item));
    return NdArray(*parsed, std::move(dims), std::move(swapped));
  }
  return NdArray(*parsed, std::move(dims), buffer);
}

void encode_v2(const NdArray& array, docarray::NdArrayProto* out) {
  encode_dense(array, out->mutable_dense());
}

NdArray decode_v2(const docarray::NdArrayProto& in) {
  if (!in.has_dense()) return NdArray();
  return decode_dense(in.dense().buffer(), in.dense().shape(), in.dense().dtype());
}

void encode_v2(const Document& doc, docarray::DocProto* out) {
  auto& m = *out->mutable_data();
  {
    NodeProto& id = m[std::string(f::kId)];
    set_text(id, doc.id(), "a Document id");
    id.set_type(std::string(f::kIdType));
  }
  if (!doc.text().empty()) set_text(m[std::string(f::kText)], doc.text(), "a Document text");
  if (!doc.blob().empty()) m[std::string(f::kBytes)].set_blob(doc.blob());
  if (!doc.uri().empty()) set_text(m[std::string(f::kUrl)], doc.uri(), "a Document url");
  for (auto [key, array] :
       {std::pair{f::kTensor, &doc.tensor()}, std::pair{f::kEmbedding, &doc.embedding_array()}}) {
    if (array->empty()) continue;
    NodeProto& node = m[std::string(key)];
    encode_v2(*array, node.mutable_ndarray());
    node.set_type(std::string(f::kNdArrayType));
  }
  for (auto [key, json] :
       {std::pair{f::kTags, &doc.tags()}, std::pair{f::kMetadata, &doc.metadata()}}) {
    if (json->is_null()) continue;
    if (!json->is_object())
      throw InvalidArgument("Document " + std::string(key) + " must be a JSON object, got " +
                            json->type_name());
    encode_json(*json, &m[std::string(key)]);
  }
  if (!doc.scores().empty()) encode_scores(doc.scores(), &m[std::string(f::kScores)]);
  if (!doc.evaluations().empty())
    encode_scores(doc.evaluations(), &m[std::string(f::kEvaluations)]);
  if (!doc.chunks().empty())
    encode_v2(doc.chunks(), m[std::string(f::kChunks)].mutable_doc_array());
  if (!doc.matches().empty())
    encode_v2(doc.matches(), m[std::string(f::kMatches)].mutable_doc_array());
  if (!doc.parent_id().empty())
    set_text(m[std::string(f::kParentId)], doc.parent_id(), "a parent_id");
  if (!doc.modality().empty()) set_text(m[std::string(f::kModality)], doc.modality(), "a modality");
  if (!doc.mime_type().empty())
    set_text(m[std::string(f::kMimeType)], doc.mime_type(), "a mime_type");
  if (doc.granularity() != 0) encode_integer(doc.granularity(), &m[std::string(f::kGranularity)]);
  if (doc.adjacency() != 0) encode_integer(doc.adjacency(), &m[std::string(f::kAdjacency)]);
  if (doc.weight() != 0) m[std::string(f::kWeight)].set_float_(doc.weight());
  if (doc.offset() != 0) m[std::string(f::kOffset)].set_float_(doc.offset());
  if (!doc.location().empty()) {
    auto* list = m[std::string(f::kLocation)].mutable_list();
    for (float x : doc.location()) list->add_data()->set_float_(x);
  }
  for (const auto& [key, value] : doc.extras()) {
    require_utf8(key, "an extra field name");
    auto [it, inserted] = m.try_emplace(key);
    if (inserted) encode_value(value, &it->second);  // a set field wins over a same-named extra
  }
}

void encode_v2(const DocumentArray& docs, docarray::DocListProto* out) {
  out->mutable_docs()->Reserve(static_cast<int>(docs.size()));
  for (const auto& doc : docs) encode_v2(doc, out->add_docs());
}

Document decode_v2(const docarray::DocProto& in) {
  Document doc{std::string()};
  for (const auto& [key, node] : in.data()) {
    // An empty node is docarray's None: the field is unset.
    if (node.content_case() == NodeProto::CONTENT_NOT_SET && f::is_document_field(key)) continue;
    if (!decode_field(key, node, doc)) {
      detail::DocumentAccess::extras(doc).insert_or_assign(key, decode_value(node));
    }
  }
  // docarray gives a document without an id a fresh one; so do we.
  if (doc.id().empty() && !in.data().contains(std::string(f::kId))) doc.set_id(new_id());
  return doc;
}

DocumentArray decode_v2(const docarray::DocListProto& in) {
  DocumentArray docs;
  docs.reserve(static_cast<std::size_t>(in.docs_size()));
  for (const auto& d : in.docs()) docs.push_back(decode_v2(d));
  return docs;
}

}  // namespace jina::wire
