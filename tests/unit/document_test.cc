#include "jina/document.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace jina {
namespace {

bool is_lower_hex(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

TEST(Document, DefaultIdIs32LowercaseHex) {
  const Document d;
  EXPECT_EQ(d.id().size(), 32u);
  EXPECT_TRUE(is_lower_hex(d.id())) << d.id();
}

TEST(Document, IdsAreUnique) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(Document().id());
  EXPECT_EQ(ids.size(), 1000u);
}

TEST(NewId, IsThreadSafeAndUnique) {
  std::vector<std::vector<std::string>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& out : per_thread)
    threads.emplace_back([&out] {
      for (int i = 0; i < 500; ++i) out.push_back(new_id());
    });
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& ids : per_thread)
    for (const auto& id : ids) {
      EXPECT_EQ(id.size(), 32u);
      EXPECT_TRUE(is_lower_hex(id));
      all.insert(id);
    }
  EXPECT_EQ(all.size(), 2000u);
}

TEST(Document, DefaultFieldsAreUnset) {
  const Document d;
  EXPECT_EQ(d.text(), "");
  EXPECT_EQ(d.blob(), "");
  EXPECT_EQ(d.uri(), "");
  EXPECT_TRUE(d.tensor().empty());
  EXPECT_TRUE(d.embedding().empty());
  EXPECT_TRUE(d.embedding_array().empty());
  EXPECT_TRUE(d.tags().is_null());
  EXPECT_TRUE(d.metadata().is_null());
  EXPECT_TRUE(d.scores().empty());
  EXPECT_TRUE(d.evaluations().empty());
  EXPECT_TRUE(d.chunks().empty());
  EXPECT_TRUE(d.matches().empty());
  EXPECT_TRUE(d.extras().empty());
  EXPECT_EQ(d.extra("anything"), nullptr);
  EXPECT_EQ(d.granularity(), 0u);
  EXPECT_EQ(d.adjacency(), 0u);
  EXPECT_EQ(d.weight(), 0.0f);
  EXPECT_EQ(d.offset(), 0.0f);
  EXPECT_TRUE(d.location().empty());
}

TEST(Document, SettersChain) {
  const Document d = Document()
                         .set_id("x")
                         .set_text("hello")
                         .set_blob(std::string("\x00\x01", 2))
                         .set_uri("https://example.com/a.txt")
                         .set_tensor(NdArray::from({1, 2, 3, 4}, {2, 2}))
                         .set_embedding({0.5f, 1.5f})
                         .set_parent_id("p")
                         .set_granularity(2)
                         .set_adjacency(3)
                         .set_weight(0.25f)
                         .set_modality("text")
                         .set_mime_type("text/plain")
                         .set_offset(1.5f)
                         .set_location({1.0f, 2.0f})
                         .set_extra("label", Value::text("cat"));
  EXPECT_EQ(d.id(), "x");
  EXPECT_EQ(d.text(), "hello");
  EXPECT_EQ(d.blob(), std::string("\x00\x01", 2));
  EXPECT_EQ(d.uri(), "https://example.com/a.txt");
  EXPECT_EQ(d.tensor().values<std::int32_t>(), (std::vector<std::int32_t>{1, 2, 3, 4}));
  EXPECT_EQ(d.embedding(), (std::vector<float>{0.5f, 1.5f}));
  EXPECT_EQ(d.parent_id(), "p");
  EXPECT_EQ(d.granularity(), 2u);
  EXPECT_EQ(d.adjacency(), 3u);
  EXPECT_EQ(d.weight(), 0.25f);
  EXPECT_EQ(d.modality(), "text");
  EXPECT_EQ(d.mime_type(), "text/plain");
  EXPECT_EQ(d.offset(), 1.5f);
  EXPECT_EQ(d.location(), (std::vector<float>{1.0f, 2.0f}));
  ASSERT_NE(d.extra("label"), nullptr);
  EXPECT_EQ(d.extra("label")->as_text(), "cat");
}

TEST(Document, UriAndUrlAreOneField) {
  Document d;
  d.set_url("https://a");
  EXPECT_EQ(d.uri(), "https://a");
  d.set_uri("https://b");
  EXPECT_EQ(d.url(), "https://b");
}

TEST(Document, EmbeddingSetters) {
  Document d;
  d.set_embedding(std::vector<float>{1, 2, 3});
  EXPECT_EQ(d.embedding_array(), NdArray::from({1.0f, 2.0f, 3.0f}));
  EXPECT_EQ(d.embedding_array().shape(), (std::vector<std::int64_t>{3}));
  d.set_embedding(NdArray::from({0.5, 0.25}));
  EXPECT_EQ(d.embedding_array().dtype(), DType::kFloat64);
  EXPECT_EQ(d.embedding(), (std::vector<float>{0.5f, 0.25f}));
  d.set_embedding(NdArray());
  EXPECT_TRUE(d.embedding().empty());
}

TEST(Document, TagsScoresAndMetadata) {
  Document d;
  d.tags()["k"] = 1;
  d.tags()["nested"] = {{"a", {1, 2}}, {"b", nullptr}};
  d.scores()["cosine"] = NamedScore{0.5f, "cos", "desc", "ref"};
  d.evaluations()["precision"].value = 1.0f;
  d.metadata()["m"] = "x";
  EXPECT_EQ(d.tags()["k"], 1);
  EXPECT_EQ(d.tags()["nested"]["a"][1], 2);
  EXPECT_EQ(d.scores().at("cosine"), (NamedScore{0.5f, "cos", "desc", "ref"}));
  EXPECT_EQ(d.evaluations().at("precision").value, 1.0f);
  EXPECT_EQ(d.metadata()["m"], "x");
}

TEST(Document, CopiesAreDeepIncludingNestedDocuments) {
  Document original = Document().set_text("root");
  original.tags()["k"] = "v";
  original.chunks().push_back(Document().set_text("chunk"));
  original.matches().push_back(Document().set_text("match"));
  original.chunks()[0].chunks().push_back(Document().set_text("grandchild"));

  Document copy = original;
  EXPECT_EQ(copy, original);
  copy.chunks()[0].set_text("changed");
  copy.chunks()[0].chunks()[0].set_text("changed too");
  copy.matches().clear();
  copy.tags()["k"] = "w";
  EXPECT_EQ(original.chunks()[0].text(), "chunk");
  EXPECT_EQ(original.chunks()[0].chunks()[0].text(), "grandchild");
  EXPECT_EQ(original.matches().size(), 1u);
  EXPECT_EQ(original.tags()["k"], "v");
  EXPECT_NE(copy, original);

  Document assigned;
  assigned = original;
  EXPECT_EQ(assigned, original);
  assigned.matches()[0].set_text("m2");
  EXPECT_EQ(original.matches()[0].text(), "match");
}

TEST(Document, MovesKeepContent) {
  Document a = Document().set_text("a");
  a.chunks().push_back(Document().set_text("c"));
  const std::string id = a.id();
  Document b = std::move(a);
  EXPECT_EQ(b.id(), id);
  EXPECT_EQ(b.chunks()[0].text(), "c");
  Document c;
  c = std::move(b);
  EXPECT_EQ(c.id(), id);
  EXPECT_EQ(c.text(), "a");
}

TEST(Document, ConstAccessToEmptyChunksAndMatches) {
  const Document d;
  EXPECT_TRUE(d.chunks().empty());
  EXPECT_EQ(d.matches().size(), 0u);
}

TEST(Document, EqualityComparesEveryField) {
  const Document base = Document().set_id("same").set_text("t");
  auto differs = [&](auto mutate) {
    Document other = base;
    mutate(other);
    return !(other == base);
  };
  EXPECT_EQ(base, Document(base));
  EXPECT_TRUE(differs([](Document& d) { d.set_id("other"); }));
  EXPECT_TRUE(differs([](Document& d) { d.set_text("u"); }));
  EXPECT_TRUE(differs([](Document& d) { d.set_blob("b"); }));
  EXPECT_TRUE(differs([](Document& d) { d.set_uri("u"); }));
  EXPECT_TRUE(differs([](Document& d) { d.set_tensor(NdArray::from({1})); }));
  EXPECT_TRUE(differs([](Document& d) { d.set_embedding({1.0f}); }));
  EXPECT_TRUE(differs([](Document& d) { d.tags()["a"] = 1; }));
  EXPECT_TRUE(differs([](Document& d) { d.scores()["s"].value = 1; }));
  EXPECT_TRUE(differs([](Document& d) { d.evaluations()["e"].value = 1; }));
  EXPECT_TRUE(differs([](Document& d) { d.chunks().push_back(Document().set_id("c")); }));
  EXPECT_TRUE(differs([](Document& d) { d.matches().push_back(Document().set_id("m")); }));
  EXPECT_TRUE(differs([](Document& d) { d.set_parent_id("p"); }));
  EXPECT_TRUE(differs([](Document& d) { d.set_granularity(1); }));
  EXPECT_TRUE(differs([](Document& d) { d.set_adjacency(1); }));
  EXPECT_TRUE(differs([](Document& d) { d.set_weight(1); }));
  EXPECT_TRUE(differs([](Document& d) { d.set_modality("m"); }));
  EXPECT_TRUE(differs([](Document& d) { d.set_mime_type("m"); }));
  EXPECT_TRUE(differs([](Document& d) { d.set_offset(1); }));
  EXPECT_TRUE(differs([](Document& d) { d.set_location({1}); }));
  EXPECT_TRUE(differs([](Document& d) { d.metadata()["m"] = 1; }));
  EXPECT_TRUE(differs([](Document& d) { d.set_extra("x", Value::integer(1)); }));
}

TEST(Document, ExtrasSetReplaceAndErase) {
  Document d;
  d.set_extra("a", Value::integer(1)).set_extra("b", Value::boolean(true));
  EXPECT_EQ(d.extras().size(), 2u);
  d.set_extra("a", Value::text("replaced"));
  EXPECT_EQ(d.extra("a")->as_text(), "replaced");
  d.erase_extra("a");
  EXPECT_EQ(d.extra("a"), nullptr);
  d.erase_extra("not there");
  EXPECT_EQ(d.extras().size(), 1u);
}

class ReservedExtraKeyTest : public testing::TestWithParam<std::string> {};

TEST_P(ReservedExtraKeyTest, IsRejected) {
  Document d;
  EXPECT_THROW(d.set_extra(GetParam(), Value::text("x")), InvalidArgument);
  EXPECT_TRUE(d.extras().empty());
}

// The v2 keys of the fields Document has accessors for.
INSTANTIATE_TEST_SUITE_P(DocumentFields, ReservedExtraKeyTest,
                         testing::Values("id", "text", "bytes_", "url", "tensor", "embedding",
                                         "tags", "scores", "evaluations", "chunks", "matches",
                                         "parent_id", "granularity", "adjacency", "weight",
                                         "modality", "mime_type", "offset", "location",
                                         "_metadata"));

TEST(DocumentArray, BasicsAndBoundsChecking) {
  DocumentArray da{Document().set_id("a").set_text("x"), Document().set_id("b").set_text("y")};
  EXPECT_EQ(da.size(), 2u);
  EXPECT_FALSE(da.empty());
  EXPECT_EQ(da.ids(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(da.texts(), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(da.at(1).id(), "b");
  EXPECT_THROW(da.at(2), InvalidArgument);
  const DocumentArray& cda = da;
  EXPECT_THROW(cda.at(100), InvalidArgument);
  da.append(Document().set_id("c")).push_back(Document().set_id("d"));
  EXPECT_EQ(da.back().id(), "d");
  EXPECT_EQ(da.front().id(), "a");
  da.extend(DocumentArray{Document().set_id("e")});
  EXPECT_EQ(da.size(), 5u);
  int n = 0;
  for (const Document& d : cda) n += d.id().size() == 1;
  EXPECT_EQ(n, 5);
  da.clear();
  EXPECT_TRUE(da.empty());
}

TEST(DocumentArray, EqualityIsElementwise) {
  const DocumentArray a{Document().set_id("a")};
  EXPECT_EQ(a, (DocumentArray{Document().set_id("a")}));
  EXPECT_NE(a, (DocumentArray{Document().set_id("b")}));
  EXPECT_NE(a, DocumentArray{});
}

}  // namespace
}  // namespace jina
