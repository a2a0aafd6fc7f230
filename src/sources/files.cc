// from_files and from_images: a lazy, sorted, depth-first glob walk that
// reads one file per Document.
#include <fnmatch.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "common/utf8.h"
#include "jina/error.h"
#include "jina/sources.h"
#include "sources/sources_internal.h"

namespace jina {
namespace {

namespace fs = std::filesystem;

bool has_wildcard(std::string_view s) { return s.find_first_of("*?[") != std::string_view::npos; }

std::string join(const std::string& base, const std::vector<std::string>& rel) {
  std::string out = base;
  for (const std::string& c : rel) {
    if (!out.empty() && out.back() != '/') out += '/';
    out += c;
  }
  return out;
}

// Walks the regular files matching a glob pattern, in sorted order, reading
// each directory only when the walk reaches it.
class GlobWalker {
 public:
  GlobWalker(std::string_view pattern, bool recursive) : recursive_(recursive) {
    if (pattern.empty()) throw InvalidArgument("from_files: empty pattern");
    std::vector<std::string> comps;
    std::size_t pos = 0;
    while (pos <= pattern.size()) {
      std::size_t slash = pattern.find('/', pos);
      if (slash == std::string_view::npos) slash = pattern.size();
      if (slash > pos) comps.emplace_back(pattern.substr(pos, slash - pos));
      pos = slash + 1;
    }
    auto first_wild = std::find_if(comps.begin(), comps.end(), has_wildcard);
    if (first_wild == comps.end()) {
      literal_ = std::string(pattern);
      return;
    }
    // Built, not assigned from a `? "/" : ""` (GCC 12 -O3 -Wrestrict false positive).
    base_ = join(pattern.front() == '/' ? std::string("/") : std::string(),
                 std::vector<std::string>(comps.begin(), first_wild));
    pattern_.assign(first_wild, comps.end());
  }

  // Starts a walk below `directory` matching `pattern` (no parsing).
  GlobWalker(std::string directory, std::vector<std::string> pattern, bool recursive)
      : recursive_(recursive), base_(std::move(directory)), pattern_(std::move(pattern)) {}

  std::optional<std::string> next() {
    if (!started_) {
      started_ = true;
      if (literal_) {
        std::error_code ec;
        if (fs::is_regular_file(*literal_, ec)) return literal_;
        return std::nullopt;
      }
      push(base_.empty() ? "." : base_, {}, /*root=*/true);
    }
    while (!stack_.empty()) {
      Frame& frame = stack_.back();
      if (frame.index == frame.entries.size()) {
        stack_.pop_back();
        continue;
      }
      const Entry& entry = frame.entries[frame.index++];
      std::vector<std::string> rel = frame.rel;
      rel.push_back(entry.name);
      if (entry.is_dir) {
        if (match(0, rel, 0, /*prefix=*/true)) {
          std::string dir = join(base_, rel);
          push(dir, std::move(rel), false);
        }
      } else if (entry.is_file && match(0, rel, 0, /*prefix=*/false)) {
        return join(base_, rel);
      }
    }
    return std::nullopt;
  }

 private:
  struct Entry {
    std::string name;
    bool is_dir;
    bool is_file;
  };
  struct Frame {
    std::vector<std::string> rel;
    std::vector<Entry> entries;
    std::size_t index = 0;
  };

  void push(const std::string& dir, std::vector<std::string> rel, bool root) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) {
      if (root && (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory))
        return;  // no match, as glob
      throw InvalidArgument("cannot read directory '" + dir + "': " + ec.message());
    }
    Frame frame;
    frame.rel = std::move(rel);
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      // Symbolic links to directories are not followed (no cycles); links
      // to files are.
      std::error_code ignored;
      bool is_dir = it->is_directory(ignored) && !it->is_symlink(ignored);
      bool is_file = it->is_regular_file(ignored);
      frame.entries.push_back({it->path().filename().string(), is_dir, is_file});
    }
    if (ec) throw InvalidArgument("cannot read directory '" + dir + "': " + ec.message());
    std::sort(frame.entries.begin(), frame.entries.end(),
              [](const Entry& a, const Entry& b) { return a.name < b.name; });
    stack_.push_back(std::move(frame));
  }

  // Whether path components s[si..] match pattern_[pi..]; with `prefix`,
  // whether something below s could still match.
  bool match(std::size_t pi, const std::vector<std::string>& s, std::size_t si, bool prefix) const {
    if (pi == pattern_.size()) return si == s.size() && !prefix;
    if (recursive_ && pattern_[pi] == "**") {
      if (match(pi + 1, s, si, prefix)) return true;
      return si < s.size() && s[si].front() != '.' && match(pi, s, si + 1, prefix);
    }
    if (si == s.size()) return prefix;
    if (fnmatch(pattern_[pi].c_str(), s[si].c_str(), FNM_PERIOD) != 0) return false;
    return match(pi + 1, s, si + 1, prefix);
  }

  bool recursive_;
  std::optional<std::string> literal_;
  std::string base_;
  std::vector<std::string> pattern_;
  std::vector<Frame> stack_;
  bool started_ = false;
};

std::string read_file(const std::string& path, std::uint64_t max_bytes) {
  std::error_code ec;
  std::uintmax_t size = fs::file_size(path, ec);
  if (ec) throw InvalidArgument("cannot read '" + path + "': " + ec.message());
  if (max_bytes > 0 && size > max_bytes) {
    throw InvalidArgument("'" + path + "' has " + std::to_string(size) +
                          " bytes, more than the limit of " + std::to_string(max_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidArgument("cannot open '" + path + "': " + std::strerror(errno));
  std::string bytes(size, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  if (in.bad()) throw InvalidArgument("cannot read '" + path + "'");
  return bytes;
}

std::string read_head(const std::string& path, std::size_t n) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidArgument("cannot open '" + path + "': " + std::strerror(errno));
  std::string head(n, '\0');
  in.read(head.data(), static_cast<std::streamsize>(n));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return head;
}

class FilesReader {
 public:
  FilesReader(std::vector<std::string> patterns, FilesOptions options)
      : options_(options), limiter_(options.size, options.sampling_rate, options.seed) {
    for (const std::string& p : patterns) walkers_.emplace_back(p, options.recursive);
  }

  std::optional<Document> next() {
    while (!limiter_.full() && current_ < walkers_.size()) {
      std::optional<std::string> path = walkers_[current_].next();
      if (!path) {
        ++current_;
        continue;
      }
      if (!limiter_.keep()) continue;
      Document doc;
      doc.set_uri(*path);
      if (options_.read == FileRead::kUri) {
        doc.set_mime_type(guess_mime_type(*path));
        return doc;
      }
      std::string bytes = read_file(*path, options_.max_file_bytes);
      doc.set_mime_type(guess_mime_type(*path, std::string_view(bytes).substr(0, 16)));
      if (options_.read == FileRead::kText) {
        if (!internal::is_valid_utf8(bytes)) {
          throw InvalidArgument("'" + *path + "' is not UTF-8 text (read it as a blob instead)");
        }
        doc.set_text(std::move(bytes));
      } else {
        doc.set_blob(std::move(bytes));
      }
      return doc;
    }
    return std::nullopt;
  }

 private:
  FilesOptions options_;
  sources::Limiter limiter_;
  std::vector<GlobWalker> walkers_;
  std::size_t current_ = 0;
};

class ImagesReader {
 public:
  ImagesReader(std::string directory, ImagesOptions options)
      : directory_(std::move(directory)),
        options_(options),
        limiter_(options.size, options.sampling_rate, options.seed),
        walker_(
            directory_,
            options.recursive ? std::vector<std::string>{"**", "*"} : std::vector<std::string>{"*"},
            /*recursive=*/true) {}

  std::optional<Document> next() {
    if (!checked_) {
      std::error_code ec;
      if (!fs::is_directory(directory_, ec)) {
        throw InvalidArgument("from_images: '" + directory_ + "' is not a directory");
      }
      checked_ = true;
    }
    while (!limiter_.full()) {
      std::optional<std::string> path = walker_.next();
      if (!path) return std::nullopt;
      std::string type = guess_mime_type({}, read_head(*path, 16));
      if (type.empty()) continue;  // not an image
      if (!limiter_.keep()) continue;
      Document doc;
      doc.set_uri(*path).set_mime_type(std::move(type));
      doc.set_blob(read_file(*path, options_.max_file_bytes));
      return doc;
    }
    return std::nullopt;
  }

 private:
  std::string directory_;
  ImagesOptions options_;
  sources::Limiter limiter_;
  GlobWalker walker_;
  bool checked_ = false;
};

}  // namespace

DocumentSource from_files(std::string pattern, FilesOptions options) {
  return from_files(std::vector<std::string>{std::move(pattern)}, options);
}

DocumentSource from_files(std::vector<std::string> patterns, FilesOptions options) {
  auto reader = std::make_shared<FilesReader>(std::move(patterns), options);
  return DocumentSource([reader] { return reader->next(); });
}

DocumentSource from_images(std::string directory, ImagesOptions options) {
  auto reader = std::make_shared<ImagesReader>(std::move(directory), options);
  return DocumentSource([reader] { return reader->next(); });
}

}  // namespace jina
