#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>
#include <utility>

#include "jina/sources.h"

namespace jina {

std::optional<Document> DocumentSource::operator()() {
  if (!state_ || state_->done) return std::nullopt;
  try {
    std::optional<Document> doc = state_->next();
    if (!doc) state_->done = true;
    return doc;
  } catch (...) {
    // A source that failed once stays at its end: reading on could only
    // produce Documents out of place.
    state_->done = true;
    throw;
  }
}

DocumentArray DocumentSource::collect() {
  DocumentArray out;
  while (std::optional<Document> doc = (*this)()) out.push_back(std::move(*doc));
  return out;
}

namespace {

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

std::string image_type_of(std::string_view head) {
  using namespace std::string_view_literals;
  if (starts_with(head, "\x89PNG\r\n\x1a\n"sv)) return "image/png";
  if (starts_with(head, "\xff\xd8\xff"sv)) return "image/jpeg";
  if (starts_with(head, "GIF87a"sv) || starts_with(head, "GIF89a"sv)) return "image/gif";
  if (head.size() >= 12 && starts_with(head, "RIFF"sv) && head.substr(8, 4) == "WEBP"sv)
    return "image/webp";
  if (starts_with(head, "BM"sv) && head.size() >= 14) return "image/bmp";
  if (starts_with(head, "II*\0"sv) || starts_with(head, "MM\0*"sv)) return "image/tiff";
  return {};
}

}  // namespace

std::string guess_mime_type(std::string_view path, std::string_view head) {
  if (std::string image = image_type_of(head); !image.empty()) return image;
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 34> kTypes{{
      {"txt", "text/plain"},
      {"md", "text/markdown"},
      {"csv", "text/csv"},
      {"tsv", "text/tab-separated-values"},
      {"html", "text/html"},
      {"htm", "text/html"},
      {"css", "text/css"},
      {"xml", "application/xml"},
      {"json", "application/json"},
      {"jsonl", "application/x-ndjson"},
      {"ndjson", "application/x-ndjson"},
      {"pdf", "application/pdf"},
      {"zip", "application/zip"},
      {"gz", "application/gzip"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"bmp", "image/bmp"},
      {"tif", "image/tiff"},
      {"tiff", "image/tiff"},
      {"svg", "image/svg+xml"},
      {"mp3", "audio/mpeg"},
      {"wav", "audio/wav"},
      {"ogg", "audio/ogg"},
      {"flac", "audio/flac"},
      {"mp4", "video/mp4"},
      {"webm", "video/webm"},
      {"avi", "video/x-msvideo"},
      {"mov", "video/quicktime"},
      {"py", "text/x-python"},
      {"cc", "text/x-c++"},
      {"npy", "application/octet-stream"},
  }};
  std::size_t slash = path.find_last_of('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  std::size_t dot = base.find_last_of('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  std::string ext(base.substr(dot + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& [e, type] : kTypes) {
    if (e == ext) return std::string(type);
  }
  return {};
}

}  // namespace jina
