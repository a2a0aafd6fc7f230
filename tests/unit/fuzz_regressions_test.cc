// Replays every input under tests/unit/fuzz_regressions/<target>/ through the
// fuzz target of that name (fuzz/targets.h), so an input that once crashed a
// fuzzer (scripts/fuzz) stays fixed in the ordinary test run.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>

#include "../../fuzz/targets.h"

namespace jina {
namespace {

namespace fs = std::filesystem;
using Target = std::function<void(const std::uint8_t*, std::size_t)>;

const std::map<std::string, Target>& targets() {
  static const auto* t = new std::map<std::string, Target>{
      {"fuzz_uri", fuzz::uri},
      {"fuzz_document_json", fuzz::document_json},
      {"fuzz_response_v2",
       [](const std::uint8_t* d, std::size_t n) { fuzz::response(d, n, DocFormat::kV2); }},
      {"fuzz_response_v1",
       [](const std::uint8_t* d, std::size_t n) { fuzz::response(d, n, DocFormat::kV1); }},
      {"fuzz_http_response", fuzz::http_response},
      {"fuzz_websocket", fuzz::websocket},
      {"fuzz_sse", fuzz::sse},
  };
  return *t;
}

const fs::path kDir = fs::path(JINA_SOURCE_DIR) / "tests/unit/fuzz_regressions";

TEST(FuzzRegressionsTest, EveryDirectoryNamesATarget) {
  for (const auto& entry : fs::directory_iterator(kDir)) {
    if (!entry.is_directory()) continue;
    EXPECT_TRUE(targets().contains(entry.path().filename().string())) << entry.path();
  }
}

TEST(FuzzRegressionsTest, InputsReplayWithoutCrashing) {
  int replayed = 0;
  for (const auto& [name, target] : targets()) {
    if (!fs::is_directory(kDir / name)) continue;
    for (const auto& entry : fs::directory_iterator(kDir / name)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::ostringstream bytes;
      bytes << in.rdbuf();
      std::string input = bytes.str();
      SCOPED_TRACE(entry.path().string());
      EXPECT_NO_THROW(target(reinterpret_cast<const std::uint8_t*>(input.data()), input.size()));
      ++replayed;
    }
  }
  EXPECT_GT(replayed, 0);
}

// The seeds scripts/fuzz builds from the golden captures pass too (a cheap
// smoke test of the targets in every build, fuzzers or not).
TEST(FuzzRegressionsTest, GoldenCapturesReplay) {
  for (const auto& entry : fs::directory_iterator(JINA_CAPTURES_DIR)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    std::string input = bytes.str();
    auto* data = reinterpret_cast<const std::uint8_t*>(input.data());
    for (const auto& [name, target] : targets()) {
      SCOPED_TRACE(name + " <- " + entry.path().string());
      EXPECT_NO_THROW(target(data, input.size()));
    }
  }
}

}  // namespace
}  // namespace jina
