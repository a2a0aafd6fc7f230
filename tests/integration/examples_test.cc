// Runs every example (built from examples/) and checks what it prints, so
// that the examples keep working as documented.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

namespace {

using ::testing::HasSubstr;

struct ExampleRun {
  int exit_code = -1;
  std::string output;
};

// Runs examples/<name> with a time limit; stdout and stderr together.
ExampleRun run_example(const std::string& name) {
  std::filesystem::path binary = std::filesystem::path(JINA_BINARY_DIR) / "examples" / name;
  ExampleRun run;
  if (!std::filesystem::exists(binary)) {
    run.output = "missing " + binary.string() + ": build the examples (target " + name + ")";
    return run;
  }
  std::string command = "timeout 60 " + binary.string() + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return run;
  std::array<char, 4096> chunk;
  for (std::size_t n; (n = std::fread(chunk.data(), 1, chunk.size(), pipe.get())) > 0;)
    run.output.append(chunk.data(), n);
  int status = pclose(pipe.release());
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

TEST(ExamplesTest, InPlaceChangeVersusReturnedDocs) {
  ExampleRun r = run_example("flow_in_place");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(
      r.output,
      HasSubstr(
          " ProcessDocuments: received document with text \"request1\"\n"
          " PrintExecutor: received document with text: \"I changed the executor in place\"\n"));
  EXPECT_THAT(
      r.output,
      HasSubstr(
          " ProcessDocuments: received document with text: \"request2\"\n"
          " PrintExecutor: received document with text: \"I returned a different Document\"\n"));
}

TEST(ExamplesTest, JsonResultsUnderResults) {
  ExampleRun r = run_example("flow_results");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output,
              HasSubstr("\"__results__\":{\"my_executor/rep-0\":{\"internal_parameter\":20.0}}"));
}

TEST(ExamplesTest, DefaultBinding) {
  ExampleRun r = run_example("flow_default_binding");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(
      r.output,
      HasSubstr("Calling foo for /blah\nCalling bar for /index\nCalling foo for /search\n"));
  EXPECT_THAT(r.output, HasSubstr("Bystander passed on: untouched\n"));
}

TEST(ExamplesTest, DocsMatrixMerge) {
  ExampleRun r = run_example("flow_docs_matrix");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output,
              HasSubstr("MergeExec processing pairs of Documents \"Exec1\" and \"Exec2\"\n"));
  EXPECT_THAT(r.output,
              HasSubstr("Resulting documents Document merging from \"Exec1\" and \"Exec2\"\n"));
}

TEST(ExamplesTest, ExceptionReachesOnError) {
  ExampleRun r = run_example("flow_exception");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("std::logic_error('no time for it')\nraised by MyExecutor\n"));
  EXPECT_THAT(r.output, HasSubstr("BadServer: "));
}

TEST(ExamplesTest, TargetExecutor) {
  ExampleRun r = run_example("flow_target_executor");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("all:     visited: foo bar baz\n"));
  EXPECT_THAT(r.output, HasSubstr("ba.*:    visited: bar baz\n"));
  EXPECT_THAT(r.output, HasSubstr("foo:     visited: foo\n"));
}

TEST(ExamplesTest, FlowPostIndexesAndSearchesArrayRows) {
  ExampleRun r = run_example("flow_post");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("indexed 4 rows\n"));
  EXPECT_THAT(r.output, HasSubstr("nearest to (2.9, 3.2, 2.8): row 3\n"));
  EXPECT_THAT(r.output, HasSubstr("/other: passes through\n"));
}

TEST(ExamplesTest, TokenStreamingPrintsTokensAsTheyArrive) {
  ExampleRun r = run_example("token_streaming");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("You asked: why stream? -- here is a streamed answer. \n"));
  // 10 tokens, 50 ms apart: the first arrives long before the last is made.
  long first = -1, last = -1;
  ASSERT_EQ(std::sscanf(r.output.substr(r.output.find("first token")).c_str(),
                        "first token after %ld ms, last after %ld ms", &first, &last),
            2)
      << r.output;
  EXPECT_LT(first, 200);
  EXPECT_GE(last, 450);
  EXPECT_LT(first * 3, last);
}

TEST(ExamplesTest, Quickstart) {
  ExampleRun r = run_example("quickstart");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "HELLO\nWORLD\n");
}

TEST(ExamplesTest, ClientCallbacks) {
  ExampleRun r = run_example("client_callbacks");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("done: fine\n"));
  EXPECT_THAT(r.output, HasSubstr("error: std::invalid_argument('empty text in "));
  EXPECT_THAT(r.output, HasSubstr("done: also fine\n"));
  EXPECT_THAT(r.output, HasSubstr("BadServer: Executor error on request "));
}

TEST(ExamplesTest, ClientHttpAndWebsocket) {
  ExampleRun r = run_example("client_http");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("  a: HELLO\n  b: WORLD\n"));
  EXPECT_THAT(r.output, HasSubstr("http://127.0.0.1:"));
  EXPECT_THAT(r.output, HasSubstr("ws://127.0.0.1:"));
  EXPECT_THAT(r.output, HasSubstr("  error: "));
}

TEST(ExamplesTest, ClientGenerator) {
  ExampleRun r = run_example("client_generator");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("100000 of 100000 documents indexed\n"));
}

TEST(ExamplesTest, ClientRetries) {
  ExampleRun r = run_example("client_retries");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("got 1 document back after retries\n"));
  EXPECT_THAT(r.output, HasSubstr("cancelled: "));
}

TEST(ExamplesTest, AsyncCallbacks) {
  ExampleRun r = run_example("async_callbacks");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("on_success: hello ada\n"));
  EXPECT_THAT(r.output, HasSubstr("on_success: hello alan\n"));
  EXPECT_THAT(r.output, HasSubstr("on_success: hello grace\n"));
  EXPECT_THAT(r.output, HasSubstr("on_error: "));
  EXPECT_THAT(r.output, HasSubstr("no greeting today"));
  EXPECT_THAT(r.output, HasSubstr("on_finished: docs, no error\n"
                                  "get() after recovery: fallback\n"
                                  "late on_success: 1 document\n"));
}

TEST(ExamplesTest, AsyncStream) {
  ExampleRun r = run_example("async_stream");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("first response: 9 squared is 81\n"));
  EXPECT_THAT(r.output, HasSubstr("1000 squares received; the sender was never more than "));
}

TEST(ExamplesTest, AsyncQueue) {
  ExampleRun r = run_example("async_queue");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("5000 documents indexed in 100 responses\n"));
}

TEST(ExamplesTest, ClientStatsAndLogging) {
  ExampleRun r = run_example("client_stats_logging");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("requests 20, responses 20, docs sent 1000, docs received 1000, "
                                  "retries 0\n"));
  EXPECT_THAT(r.output, HasSubstr("latency p50 <= "));
}

}  // namespace
