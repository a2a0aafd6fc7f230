// from_ndjson: one Document per line, decoded by Document::from_json.
#include <cerrno>
#include <cstring>
#include <fstream>
#include <istream>
#include <memory>
#include <string>
#include <utility>

#include "jina/error.h"
#include "jina/sources.h"
#include "sources/sources_internal.h"

namespace jina {
namespace {

class NdjsonReader {
 public:
  NdjsonReader(std::istream* in, std::string path, std::string name, NdjsonOptions options)
      : in_(in),
        path_(std::move(path)),
        name_(std::move(name)),
        options_(std::move(options)),
        limiter_(options_.size, options_.sampling_rate, options_.seed) {}

  std::optional<Document> next() {
    open();
    std::string line;
    while (!limiter_.full() && std::getline(*in_, line)) {
      ++line_;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      // Sampling first: a line left out is not even parsed.
      if (!limiter_.keep()) continue;
      return decode(line);
    }
    if (in_->bad()) throw sources::at_line(name_, line_ + 1, "read error");
    return std::nullopt;
  }

 private:
  void open() {
    if (in_ != nullptr) return;
    owned_ = std::make_unique<std::ifstream>(path_, std::ios::binary);
    if (!*owned_) {
      throw InvalidArgument("cannot open NDJSON file '" + path_ + "': " + std::strerror(errno));
    }
    in_ = owned_.get();
  }

  Document decode(const std::string& line) {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      throw sources::at_line(name_, line_, std::string("invalid JSON: ") + e.what());
    }
    if (!j.is_object()) {
      throw sources::at_line(
          name_, line_, std::string("expected a JSON object (one Document), got ") + j.type_name());
    }
    for (const auto& [from, to] : options_.field_resolver) {
      auto it = j.find(from);
      if (it == j.end()) continue;
      nlohmann::json value = std::move(*it);
      j.erase(it);
      j[to] = std::move(value);
    }
    try {
      return Document::from_json(j);
    } catch (const std::exception& e) {
      throw sources::at_line(name_, line_, e.what());
    }
  }

  std::unique_ptr<std::ifstream> owned_;
  std::istream* in_;
  std::string path_;
  std::string name_;
  NdjsonOptions options_;
  sources::Limiter limiter_;
  std::size_t line_ = 0;  // number of the last line read
};

DocumentSource make_source(std::shared_ptr<NdjsonReader> reader) {
  return DocumentSource([reader = std::move(reader)] { return reader->next(); });
}

}  // namespace

DocumentSource from_ndjson(std::string path, NdjsonOptions options) {
  std::string name = path;
  return make_source(std::make_shared<NdjsonReader>(nullptr, std::move(path), std::move(name),
                                                    std::move(options)));
}

DocumentSource from_ndjson(std::istream& in, NdjsonOptions options, std::string name) {
  return make_source(
      std::make_shared<NdjsonReader>(&in, std::string(), std::move(name), std::move(options)));
}

}  // namespace jina
