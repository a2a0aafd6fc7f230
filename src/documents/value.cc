#include <cmath>

#include "jina/document.h"

namespace jina {

Value::Value() = default;
Value::Value(const Value&) = default;
Value::Value(Value&&) noexcept = default;
Value& Value::operator=(const Value&) = default;
Value& Value::operator=(Value&&) noexcept = default;
Value::~Value() = default;

Value Value::text(std::string s, std::string type) {
  Value v;
  v.kind_ = Kind::kText;
  v.str_ = std::move(s);
  v.type_ = std::move(type);
  return v;
}
Value Value::integer(std::int64_t i) {
  Value v;
  v.kind_ = Kind::kInteger;
  v.int_ = i;
  return v;
}
Value Value::floating(double d) {
  Value v;
  v.kind_ = Kind::kFloat;
  v.float_ = d;
  return v;
}
Value Value::boolean(bool b) {
  Value v;
  v.kind_ = Kind::kBoolean;
  v.bool_ = b;
  return v;
}
Value Value::blob(std::string bytes, std::string type) {
  Value v;
  v.kind_ = Kind::kBlob;
  v.str_ = std::move(bytes);
  v.type_ = std::move(type);
  return v;
}
Value Value::ndarray(NdArray array, std::string type) {
  Value v;
  v.kind_ = Kind::kNdArray;
  v.array_ = std::move(array);
  v.type_ = std::move(type);
  return v;
}
Value Value::document(Document doc) {
  Value v;
  v.kind_ = Kind::kDocument;
  v.doc_ = detail::Box<Document>(std::move(doc));
  return v;
}
Value Value::document_array(DocumentArray docs) {
  Value v;
  v.kind_ = Kind::kDocumentArray;
  v.docs_ = detail::Box<DocumentArray>(std::move(docs));
  return v;
}
Value Value::list(List items, Kind kind) {
  if (kind != Kind::kList && kind != Kind::kSet && kind != Kind::kTuple)
    throw InvalidArgument("Value::list takes Kind::kList, kSet or kTuple");
  Value v;
  v.kind_ = kind;
  v.list_ = std::move(items);
  return v;
}
Value Value::dict(Dict items) {
  Value v;
  v.kind_ = Kind::kDict;
  v.dict_ = std::move(items);
  return v;
}

namespace {
[[noreturn]] void wrong_kind(const char* wanted) {
  throw InvalidArgument(std::string("Value does not hold ") + wanted);
}
}  // namespace

const std::string& Value::as_text() const {
  if (kind_ != Kind::kText) wrong_kind("text");
  return str_;
}
std::int64_t Value::as_integer() const {
  if (kind_ != Kind::kInteger) wrong_kind("an integer");
  return int_;
}
double Value::as_float() const {
  if (kind_ == Kind::kInteger) return static_cast<double>(int_);
  if (kind_ != Kind::kFloat) wrong_kind("a float");
  return float_;
}
bool Value::as_boolean() const {
  if (kind_ != Kind::kBoolean) wrong_kind("a boolean");
  return bool_;
}
const std::string& Value::as_blob() const {
  if (kind_ != Kind::kBlob) wrong_kind("a blob");
  return str_;
}
const NdArray& Value::as_ndarray() const {
  if (kind_ != Kind::kNdArray) wrong_kind("an ndarray");
  return array_;
}
const Document& Value::as_document() const {
  if (kind_ != Kind::kDocument) wrong_kind("a document");
  return *doc_.get();
}
const DocumentArray& Value::as_document_array() const {
  if (kind_ != Kind::kDocumentArray) wrong_kind("a document array");
  return *docs_.get();
}
const Value::List& Value::as_list() const {
  if (kind_ != Kind::kList && kind_ != Kind::kSet && kind_ != Kind::kTuple) wrong_kind("a list");
  return list_;
}
const Value::Dict& Value::as_dict() const {
  if (kind_ != Kind::kDict) wrong_kind("a dict");
  return dict_;
}

bool operator==(const Value& a, const Value& b) {
  if (a.kind_ != b.kind_ || a.type_ != b.type_) return false;
  switch (a.kind_) {
    case Value::Kind::kNull:
      return true;
    case Value::Kind::kText:
    case Value::Kind::kBlob:
      return a.str_ == b.str_;
    case Value::Kind::kInteger:
      return a.int_ == b.int_;
    case Value::Kind::kFloat:
      return a.float_ == b.float_ || (std::isnan(a.float_) && std::isnan(b.float_));
    case Value::Kind::kBoolean:
      return a.bool_ == b.bool_;
    case Value::Kind::kNdArray:
      return a.array_ == b.array_;
    case Value::Kind::kDocument:
      return *a.doc_.get() == *b.doc_.get();
    case Value::Kind::kDocumentArray:
      return *a.docs_.get() == *b.docs_.get();
    case Value::Kind::kList:
    case Value::Kind::kSet:
    case Value::Kind::kTuple:
      return a.list_ == b.list_;
    case Value::Kind::kDict:
      return a.dict_ == b.dict_;
  }
  return false;
}

}  // namespace jina
