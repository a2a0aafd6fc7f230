#include "jina/document.h"

#include <array>

#include "absl/random/random.h"
#include "documents/document_fields.h"

namespace jina {

std::string new_id() {
  // One generator per thread: no lock on the hot path of building Documents.
  thread_local absl::BitGen gen;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int i = 0; i < 4; ++i) {
    std::uint64_t bits = absl::Uniform<std::uint64_t>(gen);
    for (int j = 0; j < 8; ++j) {
      id[i * 8 + j] = kHex[bits & 0xf];
      bits >>= 4;
    }
  }
  return id;
}

Document::Document() : id_(new_id()) {}
Document::Document(std::string id) : id_(std::move(id)) {}
Document::Document(const Document&) = default;
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(const Document&) = default;
Document& Document::operator=(Document&&) noexcept = default;
Document::~Document() = default;

namespace {
const DocumentArray& empty_array() {
  static const DocumentArray kEmpty;
  return kEmpty;
}
}  // namespace

DocumentArray& Document::chunks() { return chunks_.emplace(); }
const DocumentArray& Document::chunks() const {
  return chunks_.has_value() ? *chunks_.get() : empty_array();
}
DocumentArray& Document::matches() { return matches_.emplace(); }
const DocumentArray& Document::matches() const {
  return matches_.has_value() ? *matches_.get() : empty_array();
}

Document& Document::set_embedding(const std::vector<float>& values) {
  embedding_ = values.empty() ? NdArray() : NdArray::from(values);
  return *this;
}
Document& Document::set_embedding(std::initializer_list<float> values) {
  return set_embedding(std::vector<float>(values));
}

const Value* Document::extra(std::string_view key) const {
  auto it = extras_.find(key);
  return it == extras_.end() ? nullptr : &it->second;
}

Document& Document::set_extra(std::string key, Value value) {
  if (fields::is_document_field(key)) {
    throw InvalidArgument("'" + key + "' is a Document field; set it with its own setter");
  }
  if (key.empty()) throw InvalidArgument("an extra field needs a non-empty name");
  extras_.insert_or_assign(std::move(key), std::move(value));
  return *this;
}

Document& Document::erase_extra(std::string_view key) {
  auto it = extras_.find(key);
  if (it != extras_.end()) extras_.erase(it);
  return *this;
}

bool operator==(const Document& a, const Document& b) {
  return a.id_ == b.id_ && a.text_ == b.text_ && a.blob_ == b.blob_ && a.uri_ == b.uri_ &&
         a.tensor_ == b.tensor_ && a.embedding_ == b.embedding_ && a.tags_ == b.tags_ &&
         a.scores_ == b.scores_ && a.evaluations_ == b.evaluations_ && a.chunks() == b.chunks() &&
         a.matches() == b.matches() && a.parent_id_ == b.parent_id_ &&
         a.granularity_ == b.granularity_ && a.adjacency_ == b.adjacency_ &&
         a.weight_ == b.weight_ && a.modality_ == b.modality_ && a.mime_type_ == b.mime_type_ &&
         a.offset_ == b.offset_ && a.location_ == b.location_ && a.metadata_ == b.metadata_ &&
         a.extras_ == b.extras_;
}

Document& DocumentArray::at(std::size_t i) {
  if (i >= docs_.size())
    throw InvalidArgument("index " + std::to_string(i) + " out of range for " +
                          std::to_string(docs_.size()) + " Documents");
  return docs_[i];
}
const Document& DocumentArray::at(std::size_t i) const {
  return const_cast<DocumentArray*>(this)->at(i);
}

DocumentArray& DocumentArray::extend(DocumentArray other) {
  if (docs_.empty()) {
    docs_ = std::move(other.docs_);
  } else {
    docs_.reserve(docs_.size() + other.docs_.size());
    for (auto& d : other.docs_) docs_.push_back(std::move(d));
  }
  return *this;
}

std::vector<std::string> DocumentArray::texts() const {
  std::vector<std::string> out;
  out.reserve(docs_.size());
  for (const auto& d : docs_) out.push_back(d.text());
  return out;
}

std::vector<std::string> DocumentArray::ids() const {
  std::vector<std::string> out;
  out.reserve(docs_.size());
  for (const auto& d : docs_) out.push_back(d.id());
  return out;
}

}  // namespace jina
