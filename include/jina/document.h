// Document and DocumentArray: the payload of every Jina request.
//
// A Document carries the fields of docarray's `LegacyDocument` / `TextDoc`
// (v2) and of docarray v1's `Document`, and keeps any other field of a v2
// schema as a free "extra" field, so that decoding and re-encoding is
// lossless in both formats.
//
// What maps to what (C++ accessor: docarray v2 DocProto key [node kind] /
// docarray v1 DocumentProto field / JSON key):
//   id          : "id" [text, type "id"]        / id          / "id"
//   text        : "text" [text]                  / text        / "text"
//   blob        : "bytes_" [blob] ("blob" read)  / blob        / v2 "bytes_" (UTF-8 text), v1
//   "blob" (base64) uri         : "url" [text] ("uri" read)      / uri         / v2 "url", v1 "uri"
//   tensor      : "tensor" [ndarray, "ndarray"]  / tensor      / "tensor" (nested lists)
//   embedding   : "embedding" [ndarray]          / embedding   / "embedding" (nested lists)
//   tags        : "tags" [dict]                  / tags Struct / "tags"
//   scores      : "scores" [dict of float, or of dict when more than `value` is set]
//                                                / scores      / "scores" {name: {value, op_name,
//                                                ...}}
//   evaluations : as scores, key "evaluations"
//   chunks, matches : "chunks"/"matches" [doc_array] / chunks, matches / "chunks"/"matches"
//   parent_id, modality, mime_type [text]; granularity, adjacency [integer];
//   weight, offset [float]; location [list of float]; metadata ("_metadata" [dict])
//               : v1 fields of the same names; in v2 written under the same keys.
//   extras      : every other v2 key, as a Value; v1 has no room for them
//                 (encoding a Document with extras as v1 throws InvalidArgument).
// Unset fields are not written; an empty v2 node (docarray's None) reads as
// unset. A v2 key whose node holds an unexpected kind (e.g. "weight" as
// text) is kept as an extra of that name, not dropped. Reading is lenient
// where docarray is strict: an ndarray node without a `type` tag is
// accepted. A Document without an id (v2 or JSON) gets a fresh random id,
// as docarray does. tensor and embedding are written with type "ndarray".
// docarray v1 allows only one of text / blob / tensor per Document; encoding
// a Document with several of them as v1 throws InvalidArgument.
// JSON carries no dtype: a JSON embedding decodes as float32, a tensor of
// whole numbers as int64, any other tensor as float64; NaN and Inf are
// written as null and a null element of a tensor reads back as NaN.
//
// Thread-safety: value types; const access from several threads is safe.
#ifndef JINA_DOCUMENT_H_
#define JINA_DOCUMENT_H_

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jina/ndarray.h"

namespace jina {

class Document;
class DocumentArray;
class Value;

// Which docarray wire and JSON format to speak. Jina gateways with
// docarray >= 0.30 (the default install) speak v2.
enum class DocFormat { kV2, kV1 };

namespace detail {
struct DocumentAccess;  // lets the wire codecs keep unexpected fields as extras

// A heap-held T with value semantics (deep copy); lets recursive types
// (a Document inside a Document's field) stay cheap when unused.
template <class T>
class Box {
 public:
  Box() = default;
  explicit Box(T value) : ptr_(std::make_unique<T>(std::move(value))) {}
  Box(const Box& other) : ptr_(other.ptr_ ? std::make_unique<T>(*other.ptr_) : nullptr) {}
  Box(Box&&) noexcept = default;
  Box& operator=(const Box& other) {
    if (this != &other) ptr_ = other.ptr_ ? std::make_unique<T>(*other.ptr_) : nullptr;
    return *this;
  }
  Box& operator=(Box&&) noexcept = default;
  ~Box() = default;

  bool has_value() const { return ptr_ != nullptr; }
  T* get() const { return ptr_.get(); }
  T& emplace() {
    if (!ptr_) ptr_ = std::make_unique<T>();
    return *ptr_;
  }
  void reset() { ptr_.reset(); }

 private:
  std::unique_ptr<T> ptr_;
};
}  // namespace detail

// A score as docarray v1's NamedScore.
struct NamedScore {
  float value = 0;
  std::string op_name{};
  std::string description{};
  std::string ref_id{};
  friend bool operator==(const NamedScore&, const NamedScore&) = default;
};

// The value of one field of a docarray v2 document (a NodeProto): null, text,
// integer (int32 on the wire), float, boolean, blob, ndarray, a nested
// Document or DocumentArray, a list/set/tuple of values or a dict. `type()`
// is docarray's type tag ("id", "ndarray", "image_url", ...), often empty.
class Value {
 public:
  enum class Kind {
    kNull,
    kText,
    kInteger,
    kFloat,
    kBoolean,
    kBlob,
    kNdArray,
    kDocument,
    kDocumentArray,
    kList,
    kSet,
    kTuple,
    kDict
  };
  using List = std::vector<Value>;
  using Dict = std::map<std::string, Value, std::less<>>;

  Value();  // null
  Value(const Value&);
  Value(Value&&) noexcept;
  Value& operator=(const Value&);
  Value& operator=(Value&&) noexcept;
  ~Value();
  static Value text(std::string s, std::string type = {});
  static Value integer(std::int64_t v);
  static Value floating(double v);
  static Value boolean(bool v);
  static Value blob(std::string bytes, std::string type = {});
  static Value ndarray(NdArray array, std::string type = "ndarray");
  static Value document(Document doc);
  static Value document_array(DocumentArray docs);
  static Value list(List items, Kind kind = Kind::kList);  // kList, kSet or kTuple
  static Value dict(Dict items);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  const std::string& type() const { return type_; }
  Value& set_type(std::string type) {
    type_ = std::move(type);
    return *this;
  }

  // Accessors; each throws InvalidArgument if the kind differs.
  const std::string& as_text() const;              // kText
  std::int64_t as_integer() const;                 // kInteger
  double as_float() const;                         // kFloat (kInteger converted)
  bool as_boolean() const;                         // kBoolean
  const std::string& as_blob() const;              // kBlob
  const NdArray& as_ndarray() const;               // kNdArray
  const Document& as_document() const;             // kDocument
  const DocumentArray& as_document_array() const;  // kDocumentArray
  const List& as_list() const;                     // kList, kSet, kTuple
  const Dict& as_dict() const;                     // kDict

  // Plain JSON view (blobs as their bytes, ndarrays as nested lists, documents
  // as objects); lossy, for display and for tags.
  nlohmann::json to_json() const;
  // From plain JSON: string/number/bool/null/array(list)/object(dict).
  static Value from_json(const nlohmann::json& j);

  friend bool operator==(const Value& a, const Value& b);

 private:
  Kind kind_ = Kind::kNull;
  std::string type_;
  std::string str_;  // text or blob
  std::int64_t int_ = 0;
  double float_ = 0;
  bool bool_ = false;
  NdArray array_;
  detail::Box<Document> doc_;
  detail::Box<DocumentArray> docs_;
  List list_;
  Dict dict_;
};

class Document {
 public:
  // A Document with a random id of 32 lowercase hex characters.
  Document();
  // A Document with the given id.
  explicit Document(std::string id);
  Document(const Document&);
  Document(Document&&) noexcept;
  Document& operator=(const Document&);
  Document& operator=(Document&&) noexcept;
  ~Document();

  const std::string& id() const { return id_; }
  Document& set_id(std::string id) {
    id_ = std::move(id);
    return *this;
  }

  const std::string& text() const { return text_; }
  Document& set_text(std::string text) {
    text_ = std::move(text);
    return *this;
  }

  // Raw bytes (docarray v1 `blob`, v2 `bytes_`).
  const std::string& blob() const { return blob_; }
  Document& set_blob(std::string bytes) {
    blob_ = std::move(bytes);
    return *this;
  }

  // v1 `uri`, v2 `url`: the same field.
  const std::string& uri() const { return uri_; }
  Document& set_uri(std::string uri) {
    uri_ = std::move(uri);
    return *this;
  }
  const std::string& url() const { return uri_; }
  Document& set_url(std::string url) { return set_uri(std::move(url)); }

  const NdArray& tensor() const { return tensor_; }
  Document& set_tensor(NdArray tensor) {
    tensor_ = std::move(tensor);
    return *this;
  }

  // The embedding as floats (converted from any numeric dtype); empty when unset.
  std::vector<float> embedding() const { return embedding_.as_floats(); }
  // The embedding with its own dtype and shape.
  const NdArray& embedding_array() const { return embedding_; }
  Document& set_embedding(const std::vector<float>& values);
  Document& set_embedding(std::initializer_list<float> values);
  Document& set_embedding(NdArray embedding) {
    embedding_ = std::move(embedding);
    return *this;
  }

  // A JSON object; null until first written.
  nlohmann::json& tags() { return tags_; }
  const nlohmann::json& tags() const { return tags_; }

  std::map<std::string, NamedScore>& scores() { return scores_; }
  const std::map<std::string, NamedScore>& scores() const { return scores_; }
  std::map<std::string, NamedScore>& evaluations() { return evaluations_; }
  const std::map<std::string, NamedScore>& evaluations() const { return evaluations_; }

  DocumentArray& chunks();
  const DocumentArray& chunks() const;
  DocumentArray& matches();
  const DocumentArray& matches() const;

  // docarray v1 fields.
  const std::string& parent_id() const { return parent_id_; }
  Document& set_parent_id(std::string v) {
    parent_id_ = std::move(v);
    return *this;
  }
  std::uint32_t granularity() const { return granularity_; }
  Document& set_granularity(std::uint32_t v) {
    granularity_ = v;
    return *this;
  }
  std::uint32_t adjacency() const { return adjacency_; }
  Document& set_adjacency(std::uint32_t v) {
    adjacency_ = v;
    return *this;
  }
  float weight() const { return weight_; }
  Document& set_weight(float v) {
    weight_ = v;
    return *this;
  }
  const std::string& modality() const { return modality_; }
  Document& set_modality(std::string v) {
    modality_ = std::move(v);
    return *this;
  }
  const std::string& mime_type() const { return mime_type_; }
  Document& set_mime_type(std::string v) {
    mime_type_ = std::move(v);
    return *this;
  }
  float offset() const { return offset_; }
  Document& set_offset(float v) {
    offset_ = v;
    return *this;
  }
  const std::vector<float>& location() const { return location_; }
  Document& set_location(std::vector<float> v) {
    location_ = std::move(v);
    return *this;
  }
  // v1 `_metadata`: a JSON object; null until first written.
  nlohmann::json& metadata() { return metadata_; }
  const nlohmann::json& metadata() const { return metadata_; }

  // Free fields of a docarray v2 schema, by key. set_extra throws
  // InvalidArgument for a key that names one of the fields above. (A
  // decoded Document may still hold such a key, when the peer sent that
  // field with an unexpected kind; the field, when set, wins on encode.)
  const Value::Dict& extras() const { return extras_; }
  const Value* extra(std::string_view key) const;
  Document& set_extra(std::string key, Value value);
  Document& erase_extra(std::string_view key);

  // docarray-style JSON object of this Document (see the table above).
  nlohmann::json to_json(DocFormat format = DocFormat::kV2) const;
  // Reads either JSON flavour (both key spellings are accepted). Throws
  // InvalidArgument on a value of the wrong JSON type and on JSON nested
  // deeper than 100 levels.
  static Document from_json(const nlohmann::json& j);

  friend bool operator==(const Document& a, const Document& b);

 private:
  friend struct detail::DocumentAccess;

  std::string id_;
  std::string text_;
  std::string blob_;
  std::string uri_;
  NdArray tensor_;
  NdArray embedding_;
  nlohmann::json tags_;
  std::map<std::string, NamedScore> scores_;
  std::map<std::string, NamedScore> evaluations_;
  detail::Box<DocumentArray> chunks_;
  detail::Box<DocumentArray> matches_;
  std::string parent_id_;
  std::uint32_t granularity_ = 0;
  std::uint32_t adjacency_ = 0;
  float weight_ = 0;
  std::string modality_;
  std::string mime_type_;
  float offset_ = 0;
  std::vector<float> location_;
  nlohmann::json metadata_;
  Value::Dict extras_;
};

// An ordered sequence of Documents.
class DocumentArray {
 public:
  using iterator = std::vector<Document>::iterator;
  using const_iterator = std::vector<Document>::const_iterator;

  DocumentArray() = default;
  DocumentArray(std::initializer_list<Document> docs) : docs_(docs) {}
  explicit DocumentArray(std::vector<Document> docs) : docs_(std::move(docs)) {}

  std::size_t size() const { return docs_.size(); }
  bool empty() const { return docs_.empty(); }
  Document& operator[](std::size_t i) { return docs_[i]; }
  const Document& operator[](std::size_t i) const { return docs_[i]; }
  // Bounds-checked; throws InvalidArgument.
  Document& at(std::size_t i);
  const Document& at(std::size_t i) const;
  iterator begin() { return docs_.begin(); }
  iterator end() { return docs_.end(); }
  const_iterator begin() const { return docs_.begin(); }
  const_iterator end() const { return docs_.end(); }
  Document& front() { return docs_.front(); }
  Document& back() { return docs_.back(); }

  DocumentArray& push_back(Document doc) {
    docs_.push_back(std::move(doc));
    return *this;
  }
  DocumentArray& append(Document doc) { return push_back(std::move(doc)); }
  // Appends every Document of `other`.
  DocumentArray& extend(DocumentArray other);
  void reserve(std::size_t n) { docs_.reserve(n); }
  void clear() { docs_.clear(); }

  std::vector<std::string> texts() const;
  std::vector<std::string> ids() const;

  std::vector<Document>& docs() { return docs_; }
  const std::vector<Document>& docs() const { return docs_; }

  // A JSON array of Document objects.
  nlohmann::json to_json(DocFormat format = DocFormat::kV2) const;
  // Accepts an array of Document objects or {"docs": [...]}; throws as
  // Document::from_json does.
  static DocumentArray from_json(const nlohmann::json& j);

  friend bool operator==(const DocumentArray& a, const DocumentArray& b) {
    return a.docs_ == b.docs_;
  }

 private:
  std::vector<Document> docs_;
};

// 32 lowercase hex characters from a process-wide random source (thread-safe).
std::string new_id();

}  // namespace jina

#endif  // JINA_DOCUMENT_H_
