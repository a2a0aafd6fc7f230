// from_csv: RFC 4180 rows, read one at a time, mapped to Document fields.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <istream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "jina/error.h"
#include "jina/sources.h"
#include "sources/sources_internal.h"

namespace jina {
namespace {

constexpr const char* kFields[] = {"id",        "text",     "uri",       "url",    "blob",
                                   "mime_type", "modality", "parent_id", "weight", "tags"};

bool is_field(std::string_view name) {
  for (const char* f : kFields) {
    if (name == f) return true;
  }
  return false;
}

bool is_target(std::string_view target) {
  return target == "-" || is_field(target) || (target.size() > 5 && target.substr(0, 5) == "tags.");
}

class CsvReader {
 public:
  CsvReader(std::unique_ptr<std::istream> owned, std::istream* in, std::string path,
            std::string name, CsvOptions options)
      : owned_(std::move(owned)),
        in_(in),
        path_(std::move(path)),
        name_(std::move(name)),
        options_(std::move(options)),
        limiter_(options_.size, options_.sampling_rate, options_.seed) {
    if (options_.delimiter == '"' || options_.delimiter == '\n' || options_.delimiter == '\r') {
      throw InvalidArgument("CSV delimiter cannot be a quote or a line break");
    }
    for (const auto& [column, target] : options_.field_resolver) {
      if (!is_target(target)) {
        throw InvalidArgument("field_resolver maps column '" + column + "' to '" + target +
                              "', which is not a Document field (id, text, uri, url, blob, "
                              "mime_type, modality, parent_id, weight, tags, tags.<key>, -)");
      }
    }
  }

  std::optional<Document> next() {
    open();
    std::vector<std::string> row;
    while (!limiter_.full()) {
      std::size_t line = 0;
      if (!read_record(row, line)) return std::nullopt;
      if (targets_.empty()) {
        set_columns(row, line);
        if (options_.header) continue;
      }
      if (row.size() != targets_.size()) {
        throw sources::at_line(name_, line,
                               "row has " + std::to_string(row.size()) + " fields, expected " +
                                   std::to_string(targets_.size()) +
                                   (options_.header ? " (as the header)" : " (as the first row)"));
      }
      if (!limiter_.keep()) continue;
      return to_document(row, line);
    }
    return std::nullopt;
  }

 private:
  void open() {
    if (in_ != nullptr) return;
    auto file = std::make_unique<std::ifstream>(path_, std::ios::binary);
    if (!*file)
      throw InvalidArgument("cannot open CSV file '" + path_ + "': " + std::strerror(errno));
    in_ = file.get();
    owned_ = std::move(file);
  }

  // Column names from the header (or positions), and where each one goes.
  void set_columns(std::vector<std::string>& row, std::size_t line) {
    if (!row.empty() && row[0].rfind("\xEF\xBB\xBF", 0) == 0) row[0].erase(0, 3);  // UTF-8 BOM
    std::vector<std::string> names;
    for (std::size_t i = 0; i < row.size(); ++i) {
      names.push_back(options_.header ? row[i] : std::to_string(i));
    }
    for (const auto& [column, target] : options_.field_resolver) {
      if (std::find(names.begin(), names.end(), column) == names.end()) {
        throw sources::at_line(name_, line,
                               "field_resolver names column '" + column + "', which the " +
                                   (options_.header ? "header" : "first row") + " does not have");
      }
    }
    for (const std::string& column : names) {
      auto it = options_.field_resolver.find(column);
      if (it != options_.field_resolver.end()) {
        targets_.push_back(it->second);
      } else if (options_.header && is_field(column)) {
        targets_.push_back(column);
      } else {
        targets_.push_back("tags." + column);
      }
    }
  }

  Document to_document(std::vector<std::string>& row, std::size_t line) {
    Document doc;
    for (std::size_t i = 0; i < row.size(); ++i) {
      const std::string& target = targets_[i];
      std::string& value = row[i];
      if (target == "-") continue;
      if (target == "id") {
        if (!value.empty()) doc.set_id(std::move(value));
      } else if (target == "text") {
        doc.set_text(std::move(value));
      } else if (target == "uri" || target == "url") {
        doc.set_uri(std::move(value));
      } else if (target == "blob") {
        doc.set_blob(std::move(value));
      } else if (target == "mime_type") {
        doc.set_mime_type(std::move(value));
      } else if (target == "modality") {
        doc.set_modality(std::move(value));
      } else if (target == "parent_id") {
        doc.set_parent_id(std::move(value));
      } else if (target == "weight") {
        if (value.empty()) continue;
        char* end = nullptr;
        errno = 0;
        float weight = std::strtof(value.c_str(), &end);
        if (end != value.c_str() + value.size() || errno == ERANGE) {
          throw sources::at_line(name_, line, "weight '" + value + "' is not a number");
        }
        doc.set_weight(weight);
      } else if (target == "tags") {
        if (value.empty()) continue;
        nlohmann::json tags = nlohmann::json::parse(value, nullptr, false);
        if (!tags.is_object()) {
          throw sources::at_line(name_, line, "tags '" + value + "' is not a JSON object");
        }
        for (auto it = tags.begin(); it != tags.end(); ++it) doc.tags()[it.key()] = it.value();
      } else {
        doc.tags()[target.substr(5)] = std::move(value);
      }
    }
    return doc;
  }

  // Reads one record; false at the end of the input. `line` gets the line
  // the record starts on. Blank lines are skipped.
  bool read_record(std::vector<std::string>& fields, std::size_t& line) {
    std::streambuf* sb = in_->rdbuf();
    fields.clear();
    std::string field;
    bool in_quotes = false;
    bool after_quote = false;  // the field was quoted and its quote closed
    std::size_t quote_line = 0;
    line = line_;
    const char delimiter = options_.delimiter;
    for (;;) {
      int c = sb->sbumpc();
      if (c == std::char_traits<char>::eof()) {
        if (in_quotes) throw sources::at_line(name_, quote_line, "unterminated quoted field");
        if (fields.empty() && field.empty() && !after_quote) return false;
        fields.push_back(std::move(field));
        return true;
      }
      char ch = static_cast<char>(c);
      if (in_quotes) {
        if (ch == '"') {
          if (sb->sgetc() == '"') {
            sb->sbumpc();
            field += '"';
          } else {
            in_quotes = false;
            after_quote = true;
          }
        } else {
          if (ch == '\n') ++line_;
          field += ch;
        }
        continue;
      }
      if (ch == delimiter) {
        fields.push_back(std::move(field));
        field.clear();
        after_quote = false;
        continue;
      }
      if (ch == '\r' && sb->sgetc() == '\n') continue;
      if (ch == '\n') {
        ++line_;
        if (fields.empty() && field.empty() && !after_quote) {  // blank line
          line = line_;
          continue;
        }
        fields.push_back(std::move(field));
        return true;
      }
      if (after_quote) {
        throw sources::at_line(name_, line_,
                               std::string("unexpected character '") + ch +
                                   "' after a closing quote (a quote inside a quoted field is "
                                   "written \"\")");
      }
      if (ch == '"' && field.empty()) {
        in_quotes = true;
        quote_line = line_;
        continue;
      }
      field += ch;
    }
  }

  std::unique_ptr<std::istream> owned_;
  std::istream* in_;
  std::string path_;
  std::string name_;
  CsvOptions options_;
  sources::Limiter limiter_;
  std::vector<std::string> targets_;  // per column: a field, "tags.<k>" or "-"
  std::size_t line_ = 1;              // line of the next character
};

DocumentSource make_source(std::shared_ptr<CsvReader> reader) {
  return DocumentSource([reader = std::move(reader)] { return reader->next(); });
}

}  // namespace

DocumentSource from_csv(std::string path, CsvOptions options) {
  std::string name = path;
  return make_source(std::make_shared<CsvReader>(nullptr, nullptr, std::move(path), std::move(name),
                                                 std::move(options)));
}

DocumentSource from_csv(std::istream& in, CsvOptions options, std::string name) {
  return make_source(std::make_shared<CsvReader>(nullptr, &in, std::string(), std::move(name),
                                                 std::move(options)));
}

}  // namespace jina
