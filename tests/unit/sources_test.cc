// Document sources: CSV, NDJSON, glob files and images, read lazily with
// errors naming file and line. Every input is written by the test into its
// own temporary directory.
#include "jina/sources.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "jina/client.h"
#include "jina/error.h"

namespace jina {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class SourcesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("jina_sources_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& rel, const std::string& content) {
    fs::path p = dir_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  std::string path(const std::string& rel) const { return (dir_ / rel).string(); }

  fs::path dir_;
};

// Asserts that reading `source` to its end throws InvalidArgument whose
// message contains `what`.
void expect_error(DocumentSource source, const std::string& what) {
  try {
    source.collect();
    ADD_FAILURE() << "no error; expected one containing: " << what;
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr(what));
  }
}

std::vector<std::string> uris(const DocumentArray& docs) {
  std::vector<std::string> out;
  for (const Document& d : docs) out.push_back(d.uri());
  return out;
}

// ---- CSV

TEST_F(SourcesTest, CsvMapsColumnsByResolverByNameAndToTags) {
  std::string file = write("faq.csv",
                           "question,answer,id,lang\n"
                           "What?,This.,q1,en\n"
                           "\"Why, then?\",\"Because \"\"so\"\"\nreally\",q2,de\n");
  DocumentArray docs =
      from_csv(file, {.field_resolver = {{"question", "text"}, {"answer", "tags.a"}}}).collect();
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].text(), "What?");
  EXPECT_EQ(docs[0].id(), "q1");
  EXPECT_EQ(docs[0].tags(), nlohmann::json({{"a", "This."}, {"lang", "en"}}));
  EXPECT_EQ(docs[1].text(), "Why, then?");
  EXPECT_EQ(docs[1].tags()["a"], "Because \"so\"\nreally");
  EXPECT_EQ(docs[1].id(), "q2");
}

TEST_F(SourcesTest, CsvHandlesCrlfBlankLinesBomDelimiterAndNoHeader) {
  std::istringstream in("\xEF\xBB\xBFtext;weight\r\nhello;0.5\r\n\r\nworld;2\r\n");
  DocumentArray docs = from_csv(in, {.delimiter = ';'}).collect();
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].text(), "hello");
  EXPECT_FLOAT_EQ(docs[0].weight(), 0.5f);
  EXPECT_EQ(docs[1].text(), "world");

  std::istringstream plain("a,x\nb,y\n");
  docs =
      from_csv(plain, {.field_resolver = {{"0", "text"}, {"1", "-"}}, .header = false}).collect();
  EXPECT_THAT(docs.texts(), ElementsAre("a", "b"));
  EXPECT_TRUE(docs[0].tags().is_null());
}

TEST_F(SourcesTest, CsvTagsColumnAndSizeAndSampling) {
  std::string csv = "text,tags\n";
  for (int i = 0; i < 100; ++i)
    csv += "t" + std::to_string(i) + ",\"{\"\"i\"\": " + std::to_string(i) + "}\"\n";
  std::string file = write("many.csv", csv);
  DocumentArray first = from_csv(file, {.size = 3}).collect();
  EXPECT_THAT(first.texts(), ElementsAre("t0", "t1", "t2"));
  EXPECT_EQ(first[2].tags()["i"], 2);

  DocumentArray a = from_csv(file, {.sampling_rate = 0.3, .seed = 7}).collect();
  DocumentArray b = from_csv(file, {.sampling_rate = 0.3, .seed = 7}).collect();
  EXPECT_EQ(a.texts(), b.texts());  // same seed, same choice
  EXPECT_GT(a.size(), 10u);
  EXPECT_LT(a.size(), 60u);
  EXPECT_THROW(from_csv(file, {.sampling_rate = 0}), InvalidArgument);
  EXPECT_THROW(from_csv(file, {.field_resolver = {{"text", "nonsense"}}}), InvalidArgument);
}

TEST_F(SourcesTest, CsvErrorsNameFileAndLine) {
  expect_error(from_csv(write("a.csv", "text,x\nok,1\nbad\n")),
               "a.csv:3: row has 1 fields, expected 2");
  expect_error(from_csv(write("b.csv", "text\nok\n\"never closed\nstill\n")),
               "b.csv:3: unterminated quoted field");
  expect_error(from_csv(write("c.csv", "text\n\"x\"y\n")), "c.csv:2: unexpected character 'y'");
  expect_error(from_csv(write("d.csv", "text,weight\nx,heavy\n")),
               "d.csv:2: weight 'heavy' is not a number");
  expect_error(from_csv(write("e.csv", "text\nx\n"), {.field_resolver = {{"q", "text"}}}),
               "e.csv:1: field_resolver names column 'q'");
  expect_error(from_csv(path("missing.csv")), "cannot open CSV file '" + path("missing.csv"));
}

TEST_F(SourcesTest, CsvIsLazyAndStopsAfterAnError) {
  // The bad row comes after the good ones: they are delivered first.
  std::istringstream in("text\none\ntwo\n\"broken\n");
  DocumentSource source = from_csv(in, {}, "mem.csv");
  EXPECT_EQ(source()->text(), "one");
  EXPECT_EQ(source()->text(), "two");
  EXPECT_THROW(source(), InvalidArgument);
  EXPECT_FALSE(source().has_value());
}

// ---- NDJSON

TEST_F(SourcesTest, NdjsonReadsDocumentsWithResolverAndSkipsBlankLines) {
  std::string file = write("docs.jsonl",
                           "{\"id\": \"a\", \"text\": \"hello\", \"tags\": {\"k\": 1}}\n"
                           "\n"
                           "{\"question\": \"why\", \"embedding\": [1, 2]}\r\n");
  DocumentArray docs = from_ndjson(file, {.field_resolver = {{"question", "text"}}}).collect();
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].id(), "a");
  EXPECT_EQ(docs[0].tags()["k"], 1);
  EXPECT_EQ(docs[1].text(), "why");
  EXPECT_EQ(docs[1].embedding(), (std::vector<float>{1, 2}));
  EXPECT_EQ(from_ndjson(file, {.size = 1}).collect().size(), 1u);
}

TEST_F(SourcesTest, NdjsonErrorsNameFileAndLine) {
  expect_error(from_ndjson(write("a.jsonl", "{\"text\": \"x\"}\n{\"text\": \n")),
               "a.jsonl:2: invalid JSON");
  expect_error(from_ndjson(write("b.jsonl", "\n\n[1, 2]\n")),
               "b.jsonl:3: expected a JSON object (one Document), got array");
  expect_error(from_ndjson(write("c.jsonl", "{\"text\": 5}\n")), "c.jsonl:1: ");
  expect_error(from_ndjson(path("none.jsonl")), "cannot open NDJSON file");
}

TEST_F(SourcesTest, NdjsonRangeForAndClientInputs) {
  std::istringstream in("{\"text\": \"a\"}\n{\"text\": \"b\"}\n");
  std::vector<std::string> texts;
  for (Document& doc : from_ndjson(in)) texts.push_back(doc.text());
  EXPECT_THAT(texts, ElementsAre("a", "b"));

  // A source is accepted as Client::post inputs and read in batches.
  std::istringstream again("{\"text\": \"a\"}\n{\"text\": \"b\"}\n{\"text\": \"c\"}\n");
  Inputs inputs(from_ndjson(again));
  EXPECT_FALSE(inputs.size().has_value());
  DocumentArray batch;
  EXPECT_TRUE(inputs.next_batch(2, batch));
  EXPECT_THAT(batch.texts(), ElementsAre("a", "b"));
  batch.clear();
  EXPECT_TRUE(inputs.next_batch(2, batch));
  EXPECT_THAT(batch.texts(), ElementsAre("c"));
  EXPECT_FALSE(inputs.next_batch(2, batch));
}

// ---- files

TEST_F(SourcesTest, FilesGlobWithDoubleStarIsSortedAndRecursive) {
  write("b.txt", "B");
  write("a.txt", "A");
  write("notes.md", "M");
  write("sub/c.txt", "C");
  write("sub/deep/d.txt", "D");
  write(".hidden/e.txt", "E");
  write("sub/.f.txt", "F");
  std::string base = dir_.string();

  EXPECT_THAT(uris(from_files(base + "/*.txt").collect()),
              ElementsAre(base + "/a.txt", base + "/b.txt"));
  EXPECT_THAT(
      uris(from_files(base + "/**/*.txt").collect()),
      ElementsAre(base + "/a.txt", base + "/b.txt", base + "/sub/c.txt", base + "/sub/deep/d.txt"));
  EXPECT_THAT(uris(from_files(base + "/**/*.txt", {.recursive = false}).collect()),
              ElementsAre(base + "/sub/c.txt"));
  EXPECT_THAT(uris(from_files(base + "/s?b/*").collect()), ElementsAre(base + "/sub/c.txt"));
  EXPECT_THAT(uris(from_files(base + "/notes.md").collect()), ElementsAre(base + "/notes.md"));
  EXPECT_TRUE(from_files(base + "/nothing/**/*.txt").collect().empty());
  EXPECT_EQ(from_files(base + "/**/*.txt", {.size = 2}).collect().size(), 2u);
  EXPECT_EQ(from_files(std::vector<std::string>{base + "/a.txt", base + "/*.md"}).collect().size(),
            2u);
}

TEST_F(SourcesTest, FilesReadAsBlobTextOrUri) {
  std::string file = write("hello.txt", "hi there");
  Document blob = *from_files(file)();
  EXPECT_EQ(blob.blob(), "hi there");
  EXPECT_EQ(blob.mime_type(), "text/plain");
  EXPECT_EQ(blob.uri(), file);
  Document text = *from_files(file, {.read = FileRead::kText})();
  EXPECT_EQ(text.text(), "hi there");
  EXPECT_TRUE(text.blob().empty());
  Document uri = *from_files(file, {.read = FileRead::kUri})();
  EXPECT_TRUE(uri.blob().empty() && uri.text().empty());

  std::string binary = write("bin.dat", std::string("\xff\xfe\x00", 3));
  expect_error(from_files(binary, {.read = FileRead::kText}), "bin.dat' is not UTF-8");
  expect_error(from_files(file, {.max_file_bytes = 4}), "hello.txt' has 8 bytes, more than");
}

TEST_F(SourcesTest, FilesWalkIsLazyAndADirectoryThatCannotBeReadIsAnError) {
  write("a.txt", "A");
  write("sub/b.txt", "B");
  DocumentSource source = from_files(dir_.string() + "/**/*.txt");
  EXPECT_EQ(source()->blob(), "A");
  // "sub" was listed with the top directory but is read only now: it is gone.
  fs::remove_all(dir_ / "sub");
  try {
    source();
    ADD_FAILURE() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot read directory '" + dir_.string() + "/sub'"));
  }
  EXPECT_FALSE(source().has_value());
}

// ---- images

TEST_F(SourcesTest, ImagesByMagicBytesWithMimeTypes) {
  const std::string png("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
  const std::string jpeg("\xff\xd8\xff\xe0\0\x10JFIF", 10);
  const std::string gif = "GIF89a\x01\x00\x01\x00";
  write("img/b.png", png);
  write("img/a.photo", jpeg);  // the content decides, not the extension
  write("img/nested/c.gif", gif);
  write("img/readme.txt", "not an image");
  std::string base = path("img");

  DocumentArray docs = from_images(base).collect();
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_EQ(docs[0].uri(), base + "/a.photo");
  EXPECT_EQ(docs[0].mime_type(), "image/jpeg");
  EXPECT_EQ(docs[0].blob(), jpeg);
  EXPECT_EQ(docs[1].mime_type(), "image/png");
  EXPECT_EQ(docs[2].uri(), base + "/nested/c.gif");
  EXPECT_EQ(docs[2].mime_type(), "image/gif");
  EXPECT_EQ(from_images(base, {.recursive = false}).collect().size(), 2u);
  expect_error(from_images(path("nope")), "is not a directory");
}

TEST(GuessMimeType, ExtensionAndMagic) {
  EXPECT_EQ(guess_mime_type("a/b.JSON"), "application/json");
  EXPECT_EQ(guess_mime_type("x.jpeg"), "image/jpeg");
  EXPECT_EQ(guess_mime_type("noext"), "");
  EXPECT_EQ(guess_mime_type(".bashrc"), "");
  EXPECT_EQ(guess_mime_type("x.bin", std::string("RIFF\x10\0\0\0WEBPVP8 ", 16)), "image/webp");
}

}  // namespace
}  // namespace jina
