// The docarray field names that map onto Document's own fields.
#ifndef JINA_SRC_DOCUMENTS_DOCUMENT_FIELDS_H_
#define JINA_SRC_DOCUMENTS_DOCUMENT_FIELDS_H_

#include <string_view>

#include "jina/document.h"

namespace jina::fields {

inline constexpr std::string_view kId = "id";
inline constexpr std::string_view kText = "text";
inline constexpr std::string_view kBytes = "bytes_";  // v2 (TextDoc, ImageDoc, ...)
inline constexpr std::string_view kBlob = "blob";     // v1, and v2 LegacyDocument
inline constexpr std::string_view kUrl = "url";       // v2
inline constexpr std::string_view kUri = "uri";       // v1
inline constexpr std::string_view kTensor = "tensor";
inline constexpr std::string_view kEmbedding = "embedding";
inline constexpr std::string_view kTags = "tags";
inline constexpr std::string_view kScores = "scores";
inline constexpr std::string_view kEvaluations = "evaluations";
inline constexpr std::string_view kChunks = "chunks";
inline constexpr std::string_view kMatches = "matches";
inline constexpr std::string_view kParentId = "parent_id";
inline constexpr std::string_view kGranularity = "granularity";
inline constexpr std::string_view kAdjacency = "adjacency";
inline constexpr std::string_view kWeight = "weight";
inline constexpr std::string_view kModality = "modality";
inline constexpr std::string_view kMimeType = "mime_type";
inline constexpr std::string_view kOffset = "offset";
inline constexpr std::string_view kLocation = "location";
inline constexpr std::string_view kMetadata = "_metadata";

inline constexpr std::string_view kAll[] = {
    kId,     kText,     kBytes,       kBlob,   kUrl,      kUri,      kTensor,      kEmbedding,
    kTags,   kScores,   kEvaluations, kChunks, kMatches,  kParentId, kGranularity, kAdjacency,
    kWeight, kModality, kMimeType,    kOffset, kLocation, kMetadata};

inline bool is_document_field(std::string_view key) {
  for (std::string_view f : kAll)
    if (f == key) return true;
  return false;
}

// docarray's tag for ids and for plain numpy tensors.
inline constexpr std::string_view kIdType = "id";
inline constexpr std::string_view kNdArrayType = "ndarray";

}  // namespace jina::fields

namespace jina::detail {
struct DocumentAccess {
  static Value::Dict& extras(Document& doc) { return doc.extras_; }
};
}  // namespace jina::detail

#endif  // JINA_SRC_DOCUMENTS_DOCUMENT_FIELDS_H_
