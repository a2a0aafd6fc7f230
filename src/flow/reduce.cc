#include "flow/reduce.h"

#include <string>
#include <unordered_map>
#include <utility>

namespace jina::flow {
namespace {

void merge_json_object(nlohmann::json& into, const nlohmann::json& from) {
  if (!from.is_object() || from.empty()) return;
  if (!into.is_object()) into = nlohmann::json::object();
  into.update(from);
}

template <class Scores>
void merge_scores(Scores& into, Scores&& from) {
  for (auto& [key, score] : from) into.insert_or_assign(key, std::move(score));
}

void merge_into(DocumentArray& into, DocumentArray&& from) {
  std::unordered_map<std::string, std::size_t> position;
  position.reserve(into.size() + from.size());
  for (std::size_t i = 0; i < into.size(); ++i) position.emplace(into[i].id(), i);
  for (Document& doc : from) {
    auto [it, inserted] = position.emplace(doc.id(), into.size());
    if (inserted) {
      into.push_back(std::move(doc));
    } else {
      merge_document(into[it->second], std::move(doc));
    }
  }
}

}  // namespace

void merge_document(Document& into, Document&& from) {
  if (!from.text().empty()) into.set_text(from.text());
  if (!from.blob().empty()) into.set_blob(from.blob());
  if (!from.uri().empty()) into.set_uri(from.uri());
  if (!from.tensor().empty()) into.set_tensor(from.tensor());
  if (!from.embedding_array().empty()) into.set_embedding(from.embedding_array());
  if (!from.parent_id().empty()) into.set_parent_id(from.parent_id());
  if (from.granularity() != 0) into.set_granularity(from.granularity());
  if (from.adjacency() != 0) into.set_adjacency(from.adjacency());
  if (from.weight() != 0) into.set_weight(from.weight());
  if (!from.modality().empty()) into.set_modality(from.modality());
  if (!from.mime_type().empty()) into.set_mime_type(from.mime_type());
  if (from.offset() != 0) into.set_offset(from.offset());
  if (!from.location().empty()) into.set_location(from.location());
  merge_json_object(into.tags(), from.tags());
  merge_json_object(into.metadata(), from.metadata());
  merge_scores(into.scores(), std::move(from.scores()));
  merge_scores(into.evaluations(), std::move(from.evaluations()));
  for (const auto& [key, value] : from.extras()) {
    if (!value.is_null()) into.set_extra(key, value);
  }
  // Only touch chunks/matches when `from` has some: reading the mutable
  // accessors materializes an empty array.
  const Document& source = from;
  if (!source.chunks().empty()) merge_into(into.chunks(), std::move(from.chunks()));
  if (!source.matches().empty()) merge_into(into.matches(), std::move(from.matches()));
}

DocumentArray reduce_docs(std::vector<DocumentArray> matrix) {
  if (matrix.empty()) return {};
  DocumentArray merged = std::move(matrix.front());
  for (std::size_t i = 1; i < matrix.size(); ++i) merge_into(merged, std::move(matrix[i]));
  return merged;
}

}  // namespace jina::flow
