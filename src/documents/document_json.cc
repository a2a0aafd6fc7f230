// Document <-> docarray-style JSON (see the table in include/jina/document.h).
#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/escaping.h"
#include "common/utf8.h"
#include "documents/document_fields.h"
#include "jina/document.h"

namespace jina {

namespace {

namespace f = fields;
using json = nlohmann::json;

template <class T>
json element_to_json(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  if constexpr (std::is_same_v<T, bool>)
    return json(v);
  else
    return json(v);
}

json element_at(const NdArray& a, std::size_t index) {
  const char* p = a.bytes().data() + index * dtype_size(a.dtype());
  switch (a.dtype()) {
    case DType::kBool:
      return json(*p != 0);
    case DType::kInt8:
      return element_to_json<std::int8_t>(p);
    case DType::kInt16:
      return element_to_json<std::int16_t>(p);
    case DType::kInt32:
      return element_to_json<std::int32_t>(p);
    case DType::kInt64:
      return element_to_json<std::int64_t>(p);
    case DType::kUint8:
      return element_to_json<std::uint8_t>(p);
    case DType::kUint16:
      return element_to_json<std::uint16_t>(p);
    case DType::kUint32:
      return element_to_json<std::uint32_t>(p);
    case DType::kUint64:
      return element_to_json<std::uint64_t>(p);
    case DType::kFloat32:
      return json(static_cast<double>(*reinterpret_cast<const float*>(p)));
    case DType::kFloat64:
      return element_to_json<double>(p);
    case DType::kFloat16:
      break;
  }
  throw InvalidArgument("float16 NdArrays cannot be written as JSON");
}

json nested(const NdArray& a, std::size_t dim, std::size_t& index) {
  json arr = json::array();
  const auto n = static_cast<std::size_t>(a.shape()[dim]);
  for (std::size_t i = 0; i < n; ++i) {
    if (dim + 1 == a.ndim())
      arr.push_back(element_at(a, index++));
    else
      arr.push_back(nested(a, dim + 1, index));
  }
  return arr;
}

json ndarray_to_json(const NdArray& a) {
  if (a.dtype() == DType::kFloat16)
    throw InvalidArgument("float16 NdArrays cannot be written as JSON");
  std::size_t index = 0;
  if (a.ndim() == 0) return a.num_elements() ? element_at(a, 0) : json(nullptr);
  return nested(a, 0, index);
}

// Nested lists -> NdArray. Whole numbers make int64 unless `as_float32`;
// null elements are NaN.
NdArray ndarray_from_json(const json& j, std::string_view key, bool as_float32) {
  std::vector<std::int64_t> shape;
  const json* probe = &j;
  while (probe->is_array()) {
    shape.push_back(static_cast<std::int64_t>(probe->size()));
    if (probe->empty()) break;
    probe = &(*probe)[0];
  }
  std::vector<const json*> leaves;
  bool all_integers = true;
  // Walk depth-first, checking that every sub-list has the shape's length.
  auto walk = [&](auto&& self, const json& node, std::size_t dim) -> void {
    if (dim == shape.size()) {
      if (node.is_number_integer() || node.is_number_unsigned() || node.is_boolean()) {
      } else if (node.is_number_float() || node.is_null()) {
        all_integers = false;
      } else {
        throw InvalidArgument("'" + std::string(key) + "' holds a " + node.type_name() +
                              ", not a number");
      }
      leaves.push_back(&node);
      return;
    }
    if (!node.is_array() || static_cast<std::int64_t>(node.size()) != shape[dim])
      throw InvalidArgument("'" + std::string(key) + "' is not a rectangular array of numbers");
    for (const auto& child : node) self(self, child, dim + 1);
  };
  walk(walk, j, 0);
  auto number = [](const json* leaf) {
    return leaf->is_null() ? std::numeric_limits<double>::quiet_NaN() : leaf->get<double>();
  };
  // NdArray::from would turn shape () into (n); a JSON scalar is a 0-d array.
  auto make = [&](const auto& values) {
    using T = typename std::decay_t<decltype(values)>::value_type;
    std::string bytes(values.size() * sizeof(T), '\0');
    if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    return NdArray(dtype_of<T>(), shape, std::move(bytes));
  };
  if (as_float32) {
    std::vector<float> values;
    values.reserve(leaves.size());
    for (const json* leaf : leaves) values.push_back(static_cast<float>(number(leaf)));
    return make(values);
  }
  if (all_integers && !leaves.empty()) {
    std::vector<std::int64_t> values;
    values.reserve(leaves.size());
    for (const json* leaf : leaves)
      values.push_back(leaf->is_boolean() ? leaf->get<bool>() : leaf->get<std::int64_t>());
    return make(values);
  }
  std::vector<double> values;
  values.reserve(leaves.size());
  for (const json* leaf : leaves) values.push_back(number(leaf));
  return make(values);
}

json scores_to_json(const std::map<std::string, NamedScore>& scores) {
  json out = json::object();
  for (const auto& [name, s] : scores)
    out[name] = {{"value", s.value},
                 {"op_name", s.op_name},
                 {"description", s.description},
                 {"ref_id", s.ref_id}};
  return out;
}

const std::string& string_field(const json& v, std::string_view key) {
  if (!v.is_string())
    throw InvalidArgument("'" + std::string(key) + "' must be a string, got " + v.type_name());
  return v.get_ref<const std::string&>();
}

double number_field(const json& v, std::string_view key) {
  if (!v.is_number())
    throw InvalidArgument("'" + std::string(key) + "' must be a number, got " + v.type_name());
  return v.get<double>();
}

std::uint32_t uint32_field(const json& v, std::string_view key) {
  if (!v.is_number_integer() || v.get<std::int64_t>() < 0 ||
      v.get<std::int64_t>() > std::numeric_limits<std::uint32_t>::max())
    throw InvalidArgument("'" + std::string(key) + "' must be an integer in 0..4294967295");
  return static_cast<std::uint32_t>(v.get<std::int64_t>());
}

std::map<std::string, NamedScore> scores_from_json(const json& j, std::string_view key) {
  if (!j.is_object()) throw InvalidArgument("'" + std::string(key) + "' must be an object");
  std::map<std::string, NamedScore> out;
  for (const auto& [name, v] : j.items()) {
    NamedScore s;
    if (v.is_number()) {
      s.value = static_cast<float>(v.get<double>());
    } else if (v.is_object()) {
      for (const auto& [k, field] : v.items()) {
        if (field.is_null()) continue;
        if (k == "value")
          s.value = static_cast<float>(number_field(field, "value"));
        else if (k == "op_name")
          s.op_name = string_field(field, k);
        else if (k == "description")
          s.description = string_field(field, k);
        else if (k == "ref_id")
          s.ref_id = string_field(field, k);
      }
    } else {
      throw InvalidArgument("score '" + name + "' must be a number or an object");
    }
    out.emplace(name, std::move(s));
  }
  return out;
}

// nlohmann's dump() throws its own type_error on invalid UTF-8, long after
// the Document is gone; check every key and string now instead.
bool json_is_valid_utf8(const json& j) {
  switch (j.type()) {
    case json::value_t::string:
      return internal::is_valid_utf8(j.get_ref<const std::string&>());
    case json::value_t::array:
      for (const auto& item : j)
        if (!json_is_valid_utf8(item)) return false;
      return true;
    case json::value_t::object:
      for (const auto& [key, item] : j.items())
        if (!internal::is_valid_utf8(key) || !json_is_valid_utf8(item)) return false;
      return true;
    default:
      return true;
  }
}

// Parsing recurses (chunks, matches, nested lists): a hostile gateway's
// deeply nested JSON must not overflow the stack. Checked once per call
// from outside (nested calls are covered by their caller's check).
constexpr int kMaxJsonDepth = 100;
thread_local int from_json_calls = 0;

int bounded_depth(const json& j, int limit) {
  if (!j.is_structured() || limit < 0) return 0;
  int deepest = 0;
  for (const auto& item : j) deepest = std::max(deepest, bounded_depth(item, limit - 1));
  return deepest + 1;
}

class DepthCheck {
 public:
  explicit DepthCheck(const json& j) {
    if (from_json_calls == 0 && bounded_depth(j, kMaxJsonDepth + 1) > kMaxJsonDepth) {
      throw InvalidArgument("Document JSON nests deeper than " + std::to_string(kMaxJsonDepth) +
                            " levels");
    }
    ++from_json_calls;
  }
  ~DepthCheck() { --from_json_calls; }
  DepthCheck(const DepthCheck&) = delete;
  DepthCheck& operator=(const DepthCheck&) = delete;
};

DocumentArray docs_from_json(const json& j, std::string_view key) {
  if (!j.is_array())
    throw InvalidArgument("'" + std::string(key) + "' must be an array of Documents");
  DocumentArray out;
  out.reserve(j.size());
  for (const auto& d : j) out.push_back(Document::from_json(d));
  return out;
}

}  // namespace

json Value::to_json() const {
  switch (kind_) {
    case Kind::kNull:
      return nullptr;
    case Kind::kText:
      return str_;
    case Kind::kInteger:
      return int_;
    case Kind::kFloat:
      return float_;
    case Kind::kBoolean:
      return bool_;
    case Kind::kBlob:
      return internal::is_valid_utf8(str_) ? json(str_) : json(absl::Base64Escape(str_));
    case Kind::kNdArray:
      return ndarray_to_json(array_);
    case Kind::kDocument:
      return doc_.get()->to_json();
    case Kind::kDocumentArray:
      return docs_.get()->to_json();
    case Kind::kList:
    case Kind::kSet:
    case Kind::kTuple: {
      json arr = json::array();
      for (const auto& v : list_) arr.push_back(v.to_json());
      return arr;
    }
    case Kind::kDict: {
      json obj = json::object();
      for (const auto& [k, v] : dict_) obj[k] = v.to_json();
      return obj;
    }
  }
  return nullptr;
}

Value Value::from_json(const json& j) {
  switch (j.type()) {
    case json::value_t::null:
    case json::value_t::discarded:
      return Value();
    case json::value_t::boolean:
      return boolean(j.get<bool>());
    case json::value_t::number_integer:
      return integer(j.get<std::int64_t>());
    case json::value_t::number_unsigned:
      if (j.get<std::uint64_t>() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return floating(j.get<double>());
      return integer(j.get<std::int64_t>());
    case json::value_t::number_float:
      return floating(j.get<double>());
    case json::value_t::string:
      return text(j.get<std::string>());
    case json::value_t::array: {
      List items;
      for (const auto& item : j) items.push_back(from_json(item));
      return list(std::move(items));
    }
    case json::value_t::object: {
      Dict items;
      for (const auto& [k, v] : j.items()) items.emplace(k, from_json(v));
      return dict(std::move(items));
    }
    case json::value_t::binary:
      return blob(std::string(j.get_binary().begin(), j.get_binary().end()));
  }
  return Value();
}

json Document::to_json(DocFormat format) const {
  const bool v1 = format == DocFormat::kV1;
  json j = json::object();
  j[f::kId] = id_;
  if (!text_.empty()) j[f::kText] = text_;
  if (!blob_.empty()) {
    if (v1) {
      j[f::kBlob] = absl::Base64Escape(blob_);
    } else {
      // docarray v2 gateways read JSON bytes as UTF-8 text.
      if (!internal::is_valid_utf8(blob_))
        throw InvalidArgument("Document '" + id_ +
                              "' has binary bytes_, which docarray v2 JSON cannot carry (it reads "
                              "them as UTF-8 text); use gRPC or WebSocket");
      j[f::kBytes] = blob_;
    }
  }
  if (!uri_.empty()) j[v1 ? f::kUri : f::kUrl] = uri_;
  if (!tensor_.empty()) j[f::kTensor] = ndarray_to_json(tensor_);
  if (!embedding_.empty()) j[f::kEmbedding] = ndarray_to_json(embedding_);
  if (!tags_.is_null()) j[f::kTags] = tags_;
  if (!scores_.empty()) j[f::kScores] = scores_to_json(scores_);
  if (!evaluations_.empty()) j[f::kEvaluations] = scores_to_json(evaluations_);
  if (!chunks().empty()) j[f::kChunks] = chunks().to_json(format);
  if (!matches().empty()) j[f::kMatches] = matches().to_json(format);
  if (!parent_id_.empty()) j[f::kParentId] = parent_id_;
  if (granularity_ != 0) j[f::kGranularity] = granularity_;
  if (adjacency_ != 0) j[f::kAdjacency] = adjacency_;
  if (weight_ != 0) j[f::kWeight] = weight_;
  if (!modality_.empty()) j[f::kModality] = modality_;
  if (!mime_type_.empty()) j[f::kMimeType] = mime_type_;
  if (offset_ != 0) j[f::kOffset] = offset_;
  if (!location_.empty()) j[f::kLocation] = location_;
  if (!metadata_.is_null()) j[f::kMetadata] = metadata_;
  if (!extras_.empty() && v1)
    throw InvalidArgument("docarray v1 has no room for extra field '" + extras_.begin()->first +
                          "'");
  for (const auto& [k, v] : extras_)
    if (!j.contains(k)) j[k] = v.to_json();
  if (!json_is_valid_utf8(j))
    throw InvalidArgument("Document '" + (internal::is_valid_utf8(id_) ? id_ : std::string("?")) +
                          "' has a string that is not valid UTF-8");
  return j;
}

Document Document::from_json(const json& j) {
  DepthCheck depth(j);
  if (!j.is_object())
    throw InvalidArgument(std::string("a Document must be a JSON object, got ") + j.type_name());
  Document doc{std::string()};
  bool has_id = false;
  for (const auto& [key, v] : j.items()) {
    if (v.is_null()) continue;  // pydantic writes unset fields as null
    if (key == f::kId) {
      doc.id_ = string_field(v, key);
      has_id = true;
    } else if (key == f::kText) {
      doc.text_ = string_field(v, key);
    } else if (key == f::kBytes) {
      doc.blob_ = string_field(v, key);
    } else if (key == f::kBlob) {
      if (!absl::Base64Unescape(string_field(v, key), &doc.blob_))
        throw InvalidArgument("'blob' must be base64 text");
    } else if (key == f::kUrl || key == f::kUri) {
      doc.uri_ = string_field(v, key);
    } else if (key == f::kTensor) {
      doc.tensor_ = ndarray_from_json(v, key, /*as_float32=*/false);
    } else if (key == f::kEmbedding) {
      doc.embedding_ = ndarray_from_json(v, key, /*as_float32=*/true);
    } else if (key == f::kTags || key == f::kMetadata) {
      if (!v.is_object()) throw InvalidArgument("'" + key + "' must be an object");
      (key == f::kTags ? doc.tags_ : doc.metadata_) = v;
    } else if (key == f::kScores) {
      doc.scores_ = scores_from_json(v, key);
    } else if (key == f::kEvaluations) {
      doc.evaluations_ = scores_from_json(v, key);
    } else if (key == f::kChunks) {
      doc.chunks() = docs_from_json(v, key);
    } else if (key == f::kMatches) {
      doc.matches() = docs_from_json(v, key);
    } else if (key == f::kParentId) {
      doc.parent_id_ = string_field(v, key);
    } else if (key == f::kGranularity) {
      doc.granularity_ = uint32_field(v, key);
    } else if (key == f::kAdjacency) {
      doc.adjacency_ = uint32_field(v, key);
    } else if (key == f::kWeight) {
      doc.weight_ = static_cast<float>(number_field(v, key));
    } else if (key == f::kModality) {
      doc.modality_ = string_field(v, key);
    } else if (key == f::kMimeType) {
      doc.mime_type_ = string_field(v, key);
    } else if (key == f::kOffset) {
      doc.offset_ = static_cast<float>(number_field(v, key));
    } else if (key == f::kLocation) {
      if (!v.is_array()) throw InvalidArgument("'location' must be an array of numbers");
      for (const auto& x : v) doc.location_.push_back(static_cast<float>(number_field(x, key)));
    } else {
      doc.extras_.insert_or_assign(key, Value::from_json(v));
    }
  }
  if (!has_id) doc.id_ = new_id();  // as docarray does for a Document without one
  return doc;
}

json DocumentArray::to_json(DocFormat format) const {
  json arr = json::array();
  for (const auto& d : docs_) arr.push_back(d.to_json(format));
  return arr;
}

DocumentArray DocumentArray::from_json(const json& j) {
  DepthCheck depth(j);
  if (j.is_object() && j.contains("docs")) return docs_from_json(j["docs"], "docs");
  return docs_from_json(j, "DocumentArray");
}

}  // namespace jina
