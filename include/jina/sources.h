// Document sources: lazy generators of Documents read from CSV, NDJSON,
// files matched by a glob, a directory of images or the rows of an array,
// like Jina's `from_csv`, `from_ndjson`, `from_files` and `from_ndarray`.
//
//   jina::Client client("grpc://localhost:54321");
//   client.post("/index", jina::from_csv("faq.csv", {.field_resolver = {{"question", "text"}}}));
//   for (jina::Document& doc : jina::from_ndjson("docs.jsonl")) { ... }
//
// A DocumentSource reads its input only as Documents are asked for (one CSV
// row, one NDJSON line, one file at a time), so memory stays bounded by one
// Document whatever the input's size; files are opened on the first call.
// Each call returns the next Document, or std::nullopt at the end (and from
// then on). It can be passed directly as the inputs of Client::post().
//
// Errors: malformed input throws jina::InvalidArgument naming the file and
// line ("faq.csv:12: ..."), a file that cannot be read throws
// InvalidArgument naming the file; both when the Document is asked for (so
// from inside post(), which then ends). After an error the source is at its
// end.
//
// Thread-safety: a source is not thread-safe; copies share one position (a
// Document taken through one copy is not seen by the others).
#ifndef JINA_SOURCES_H_
#define JINA_SOURCES_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jina/document.h"
#include "jina/ndarray.h"

namespace jina {

// A lazy sequence of Documents: a callable (for Client::post) and a single
// pass input range (for range-for).
class DocumentSource {
 public:
  using Next = std::function<std::optional<Document>()>;

  DocumentSource() = default;  // empty
  explicit DocumentSource(Next next) : state_(std::make_shared<State>(State{std::move(next)})) {}

  // The next Document, or nullopt at the end. Throws InvalidArgument (see
  // above).
  std::optional<Document> operator()();

  // Reads every remaining Document into an array.
  DocumentArray collect();

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Document;
    using difference_type = std::ptrdiff_t;
    using pointer = Document*;
    using reference = Document&;

    iterator() = default;
    Document& operator*() { return *current_; }
    Document* operator->() { return &*current_; }
    iterator& operator++() {
      current_ = (*source_)();
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& a, const iterator& b) {
      return a.current_.has_value() == b.current_.has_value();
    }

   private:
    friend class DocumentSource;
    explicit iterator(DocumentSource* source) : source_(source), current_((*source)()) {}
    DocumentSource* source_ = nullptr;
    std::optional<Document> current_;
  };
  // Reads the first Document (so begin() may throw).
  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

 private:
  struct State {
    Next next;
    bool done = false;
  };
  std::shared_ptr<State> state_;
};

// What to do with the rows/lines/files of a source; shared by every reader.
//   size          : at most this many Documents (unset: all).
//   sampling_rate : keep each Document with this probability, in (0, 1];
//                   `size` counts the kept ones.
//   seed          : seed of the sampling, for a repeatable choice (unset:
//                   random).

// CSV (RFC 4180: quoted fields may hold the delimiter, "" and line breaks;
// LF or CRLF line ends; blank lines are skipped). Each row becomes one
// Document. A column goes to the field `field_resolver` maps it to, else to
// the field of its own name when it names one, else to tags.<column>.
// Fields: "id", "text", "uri" (or "url"), "blob", "mime_type", "modality",
// "parent_id", "weight" (a number), "tags.<key>" (a string), "tags" (a JSON
// object, merged into the tags) and "-" (drop the column). Without a header
// the columns are named by their position: "0", "1", ...
// A row with another number of fields than the header, an unterminated
// quote, a character after a closing quote or a bad "weight" or "tags"
// value throws InvalidArgument naming the file and line.
struct CsvOptions {
  std::map<std::string, std::string, std::less<>> field_resolver{};
  char delimiter = ',';
  bool header = true;
  std::optional<std::size_t> size{};
  double sampling_rate = 1.0;
  std::optional<std::uint64_t> seed{};
};

// NDJSON: each non-blank line is one Document in the library's JSON form
// (Document::from_json; both docarray flavours). `field_resolver` renames
// top-level keys before decoding ({"question": "text"}). A line that is not
// a JSON object, or whose values have the wrong JSON types, throws
// InvalidArgument naming the file and line.
struct NdjsonOptions {
  std::map<std::string, std::string, std::less<>> field_resolver{};
  std::optional<std::size_t> size{};
  double sampling_rate = 1.0;
  std::optional<std::uint64_t> seed{};
};

// How from_files() reads a file: into `blob` (bytes), into `text` (must be
// UTF-8, else InvalidArgument), or not at all (only `uri`).
enum class FileRead { kBlob, kText, kUri };

// Files matched by a glob. Every Document gets uri = the file's path (as
// matched) and mime_type from the file's extension (or content, for
// images), empty when unknown.
struct FilesOptions {
  FileRead read = FileRead::kBlob;
  // Whether "**" matches any number of directories (else it is like "*").
  bool recursive = true;
  // Largest file read, in bytes; a larger file throws InvalidArgument
  // naming it. 0: no limit.
  std::uint64_t max_file_bytes = 0;
  std::optional<std::size_t> size{};
  double sampling_rate = 1.0;
  std::optional<std::uint64_t> seed{};
};

// Images in a directory: files whose content is PNG, JPEG, GIF, WebP, BMP or
// TIFF (by their magic bytes), read into `blob` with their mime type and uri
// = path; other files are skipped.
struct ImagesOptions {
  // Also look into subdirectories.
  bool recursive = true;
  // As FilesOptions::max_file_bytes.
  std::uint64_t max_file_bytes = 0;
  std::optional<std::size_t> size{};
  double sampling_rate = 1.0;
  std::optional<std::uint64_t> seed{};
};

// Rows of the CSV file at `path`. Throws InvalidArgument at once for options
// out of range; the file is opened on the first call.
DocumentSource from_csv(std::string path, CsvOptions options = {});
// Rows of `in`, which must outlive the source; `name` is used in errors.
DocumentSource from_csv(std::istream& in, CsvOptions options = {}, std::string name = "<stream>");

// Lines of the NDJSON file at `path` ("-" is not special).
DocumentSource from_ndjson(std::string path, NdjsonOptions options = {});
DocumentSource from_ndjson(std::istream& in, NdjsonOptions options = {},
                           std::string name = "<stream>");

// Regular files matching `pattern`, in sorted order (directory by
// directory, depth first). The pattern is a path whose components may use
// `*`, `?`, `[...]` (as fnmatch; a leading "." must be matched explicitly)
// and `**` (any number of directories, including none). Directories are
// read only as the walk reaches them; symbolic links to directories are not
// followed. A pattern without wildcards matches that one file, if it
// exists. No match yields no Documents.
DocumentSource from_files(std::string pattern, FilesOptions options = {});
// The union of several patterns, in the given order (a file matched by two
// patterns is read twice).
DocumentSource from_files(std::vector<std::string> patterns, FilesOptions options = {});

// The images under `directory` (see ImagesOptions). Throws InvalidArgument
// on the first call when `directory` is not a readable directory.
DocumentSource from_images(std::string directory, ImagesOptions options = {});

// The slices of `array` along `axis` (the rows of a matrix for axis 0, its
// columns for axis 1), one Document each with `tensor` set to the slice: an
// array of the same dtype whose shape is the array's without that axis (a
// 1-D array gives 0-d tensors of one element). Like numpy, a negative axis
// counts from the end (-1: the last). `size`: at most this many Documents
// (-1: all). `shuffle`: in a random order (with `size`, a random subset);
// `seed` makes that order repeatable. Documents get fresh ids. The source
// holds the array (pass an rvalue to move it in) and copies one slice per
// Document as it is asked for.
// Throws InvalidArgument at once for an empty or 0-d array, an axis out of
// range, or a size below -1.
DocumentSource from_ndarray(NdArray array, int axis = 0, int size = -1, bool shuffle = false,
                            std::optional<std::uint64_t> seed = {});

// The mime type of a file, from the first bytes of its content when they
// are an image's magic bytes, else from the extension of `path` (a small
// built-in table: text, JSON, CSV, HTML, images, audio, video, PDF ...);
// empty when unknown.
std::string guess_mime_type(std::string_view path, std::string_view head = {});

}  // namespace jina

#endif  // JINA_SOURCES_H_
