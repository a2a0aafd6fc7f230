#include <utility>

#include "jina/client.h"

namespace jina {

std::optional<std::size_t> Inputs::size() const {
  if (none()) return 0;
  if (auto* span = std::get_if<Span>(&source_)) return span->size;
  if (auto* owned = std::get_if<std::vector<Document>>(&source_)) return owned->size();
  return std::nullopt;
}

bool Inputs::next_batch(int n, DocumentArray& out) {
  if (exhausted_) return false;
  auto wanted = [&](std::size_t taken) { return n <= 0 || taken < static_cast<std::size_t>(n); };
  std::size_t taken = 0;
  if (auto* span = std::get_if<Span>(&source_)) {
    for (; position_ < span->size && wanted(taken); ++position_, ++taken) {
      out.push_back(span->data[position_]);
    }
    exhausted_ = position_ == span->size;
  } else if (auto* owned = std::get_if<std::vector<Document>>(&source_)) {
    for (; position_ < owned->size() && wanted(taken); ++position_, ++taken) {
      out.push_back(std::move((*owned)[position_]));
    }
    exhausted_ = position_ == owned->size();
  } else if (auto* generator = std::get_if<Generator>(&source_)) {
    while (wanted(taken)) {
      std::optional<Document> doc = (*generator)();
      if (!doc) {
        exhausted_ = true;
        break;
      }
      out.push_back(std::move(*doc));
      ++taken;
    }
  } else {
    exhausted_ = true;
  }
  return taken > 0;
}

}  // namespace jina
