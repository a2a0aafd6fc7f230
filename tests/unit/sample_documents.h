// Documents that exercise every field, shared by the codec tests.
#ifndef JINA_TESTS_UNIT_SAMPLE_DOCUMENTS_H_
#define JINA_TESTS_UNIT_SAMPLE_DOCUMENTS_H_

#include <string>

#include "jina/document.h"

namespace jina::testing_samples {

// Not UTF-8: a lone continuation byte, an overlong encoding and a surrogate.
inline const std::string kInvalidUtf8[] = {"bad \x80 byte", "\xc0\xaf", "\xed\xa0\x80", "\xff"};

inline const std::string kBinaryBlob = std::string("\x00\x01\xfe\xff raw", 8);

// Every field that both formats carry; `text` is the only content so that
// docarray v1 accepts it. Values are exact in float32 and in JSON.
inline Document common_document(const std::string& id = "root") {
  Document d(id);
  d.set_text("héllo wörld ✓")
      .set_uri("https://example.com/doc.txt")
      .set_embedding({0.5f, -1.25f, 3.0f})
      .set_parent_id("parent")
      .set_granularity(2)
      .set_adjacency(3)
      .set_weight(0.75f)
      .set_modality("text")
      .set_mime_type("text/plain")
      .set_offset(1.5f)
      .set_location({1.0f, 2.5f});
  d.tags() = {{"s", "v"},
              {"i", 7},
              {"f", 0.5},
              {"b", true},
              {"list", {1, "two", false}},
              {"nested", {{"k", -3}, {"deeper", {{"z", "end"}}}}}};
  d.scores()["plain"] = NamedScore{0.25f, "", "", ""};
  d.scores()["full"] = NamedScore{0.5f, "cosine", "a description", "ref-1"};
  d.evaluations()["precision"] = NamedScore{1.0f, "eval", "", ""};
  d.metadata() = {{"m", "x"}, {"n", 2.5}};
  return d;
}

// common_document with two levels of chunks and matches.
inline Document nested_document() {
  Document d = common_document("root");
  Document chunk = common_document("chunk-0");
  chunk.chunks().push_back(Document("grandchunk").set_text("deep"));
  chunk.matches().push_back(Document("chunk-match").set_text("m"));
  d.chunks().push_back(chunk);
  d.chunks().push_back(Document("chunk-1").set_text("second chunk"));
  d.matches().push_back(Document("match-0").set_text("a match").set_embedding({1.0f}));
  return d;
}

}  // namespace jina::testing_samples

#endif  // JINA_TESTS_UNIT_SAMPLE_DOCUMENTS_H_
