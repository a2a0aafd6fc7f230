// The command-line tools, run as processes: jina-post against a local Flow
// started in the test (NDJSON, CSV and files in, NDJSON out, parameters,
// target executor, --ready/--status/--endpoints, exit codes), and jina-flow
// serving until SIGTERM.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "jina/jina.h"

// Paths of the built tools, from tests/CMakeLists.txt (unset when the tools
// are not built: JINA_BUILD_TOOLS=OFF).
#ifndef JINA_POST_BIN
#define JINA_POST_BIN ""
#define JINA_FLOW_BIN ""
#endif

namespace jina {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

constexpr auto kProcessTimeout = std::chrono::seconds(30);

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Starts `argv` with stdout (and stderr) redirected to the given fds.
pid_t spawn(const std::vector<std::string>& args, int out_fd, int err_fd) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, STDIN_FILENO);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// Waits for `pid` up to the timeout; kills it (and fails) past it.
int wait_exit(pid_t pid) {
  auto deadline = std::chrono::steady_clock::now() + kProcessTimeout;
  for (;;) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      ADD_FAILURE() << "process " << pid << " timed out";
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string(JINA_POST_BIN).empty()) GTEST_SKIP() << "the tools are not built";
    dir_ = fs::temp_directory_path() /
           ("jina_cli_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (flow_) flow_->stop();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::string write(const std::string& rel, const std::string& content) {
    fs::path p = dir_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  std::string path(const std::string& rel) const { return (dir_ / rel).string(); }

  Result run(const std::string& binary, std::vector<std::string> args) {
    args.insert(args.begin(), binary);
    int out_fd = open(path("stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err_fd = open(path("stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = spawn(args, out_fd, err_fd);
    close(out_fd);
    close(err_fd);
    Result r;
    r.exit_code = wait_exit(pid);
    r.out = slurp(path("stdout"));
    r.err = slurp(path("stderr"));
    return r;
  }
  Result post(std::vector<std::string> args) { return run(JINA_POST_BIN, std::move(args)); }

  // A Flow: "upper" upper-cases texts, then "params" records the
  // parameters it got; "fail" (when asked) fails every request.
  std::string start_flow(bool with_fail = false) {
    flow_ = std::make_unique<Flow>(FlowOptions{.port = 0, .host = "127.0.0.1"});
    auto upper = std::make_shared<Executor>();
    upper->on({"/index", "/search"}, [](ExecutorRequest& req) {
      for (Document& d : req.docs) {
        std::string t = d.text();
        for (char& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        d.set_text(t);
      }
    });
    auto params = std::make_shared<Executor>();
    params->on({"/index", "/search"}, [](ExecutorRequest& req) {
      nlohmann::json p = req.parameters;
      p.erase("__results__");
      for (Document& d : req.docs) d.tags()["parameters"] = p;
    });
    flow_->add(upper, {.name = "upper"});
    flow_->add(params, {.name = "params"});
    if (with_fail) {
      auto fail = std::make_shared<Executor>();
      fail->on("/index", [](ExecutorRequest&) { throw std::runtime_error("boom"); });
      flow_->add(fail, {.name = "fail"});
    }
    flow_->start();
    return "grpc://127.0.0.1:" + std::to_string(flow_->port());
  }

  std::vector<Document> read_results(const std::string& file) {
    std::vector<Document> docs;
    for (const std::string& line : lines_of(slurp(file))) {
      docs.push_back(Document::from_json(nlohmann::json::parse(line)));
    }
    return docs;
  }

  fs::path dir_;
  std::unique_ptr<Flow> flow_;
};

TEST_F(CliTest, NdjsonInResultsOutWithParameters) {
  std::string host = start_flow();
  std::string in;
  for (int i = 0; i < 5; ++i) {
    in += R"({"id": "d)" + std::to_string(i) + R"(", "text": "doc )" + std::to_string(i) + "\"}\n";
  }
  write("in.jsonl", in);
  Result r = post({host, "/index", "--ndjson", path("in.jsonl"), "--request-size", "2", "--param",
                   "k=v", "--param", "top_k=3", "--parameters", R"({"nested": {"a": true}})",
                   "--in-order", "--out", path("results.jsonl")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<Document> docs = read_results(path("results.jsonl"));
  ASSERT_EQ(docs.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(docs[i].id(), "d" + std::to_string(i));
    EXPECT_EQ(docs[i].text(), "DOC " + std::to_string(i));
    EXPECT_EQ(docs[i].tags()["parameters"],
              nlohmann::json({{"k", "v"}, {"top_k", 3}, {"nested", {{"a", true}}}}));
  }
  EXPECT_TRUE(r.out.empty()) << "results went to --out, not stdout";
}

TEST_F(CliTest, ResultsGoToStdoutByDefaultAndTargetExecutorFilters) {
  std::string host = start_flow();
  Result r = post({host, "/search", "--text", "abc", "--target-executor", "^params$"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 1u);
  Document doc = Document::from_json(nlohmann::json::parse(lines[0]));
  EXPECT_EQ(doc.text(), "abc");  // "upper" did not run
  EXPECT_TRUE(doc.tags().contains("parameters"));
}

TEST_F(CliTest, CsvInput) {
  std::string host = start_flow();
  write("faq.csv", "question,answer\nwhat is it?,a test\n\"two, lines\",x\n");
  Result r = post({host, "/index", "--csv", path("faq.csv"), "--csv-field", "question=text",
                   "--in-order", "-o", path("out.jsonl")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<Document> docs = read_results(path("out.jsonl"));
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].text(), "WHAT IS IT?");
  EXPECT_EQ(docs[0].tags()["answer"], "a test");
  EXPECT_EQ(docs[1].text(), "TWO, LINES");
}

TEST_F(CliTest, FilesInputAsTextAndAsBlob) {
  std::string host = start_flow();
  write("data/a.txt", "alpha");
  write("data/sub/b.txt", "beta");
  write("data/skip.md", "no");
  Result r = post({host, "/index", "--files", path("data") + "/**/*.txt", "--files-text",
                   "--in-order", "-o", path("out.jsonl")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<Document> docs = read_results(path("out.jsonl"));
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].text(), "ALPHA");
  EXPECT_EQ(docs[0].uri(), path("data/a.txt"));
  EXPECT_EQ(docs[1].text(), "BETA");

  r = post({host, "/index", "--files", path("data/a.txt"), "-o", path("blob.jsonl")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  docs = read_results(path("blob.jsonl"));
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].blob(), "alpha");
  EXPECT_EQ(docs[0].mime_type(), "text/plain");

  // Binary bytes survive the NDJSON output (as base64, which reads back).
  const std::string png("\x89PNG\r\n\x1a\n\0\xff\x00\x80", 12);
  write("img/x.png", png);
  r = post({host, "/index", "--images", path("img"), "-o", path("img.jsonl")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  docs = read_results(path("img.jsonl"));
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].blob(), png);
  EXPECT_EQ(docs[0].mime_type(), "image/png");
}

TEST_F(CliTest, ReadyExitCodes) {
  std::string host = start_flow();
  Result up = post({host, "--ready"});
  EXPECT_EQ(up.exit_code, 0) << up.err;
  flow_->stop();
  Result down = post({host, "--ready", "--timeout", "1"});
  EXPECT_EQ(down.exit_code, 1) << down.err;
}

TEST_F(CliTest, EndpointsAndStatus) {
  std::string host = start_flow();
  Result r = post({host, "--endpoints"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = lines_of(r.out);
  EXPECT_THAT(lines, ::testing::Contains("/index"));
  EXPECT_THAT(lines, ::testing::Contains("/search"));

  r = post({host, "--status"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(nlohmann::json::parse(r.out).contains("jina")) << r.out;
}

TEST_F(CliTest, ExecutorErrorExitsOneAndKeepsGoodResults) {
  std::string host = start_flow(/*with_fail=*/true);
  Result r = post({host, "/index", "--text", "x", "-o", path("out.jsonl")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("boom"));
  // /search does not reach the failing Executor.
  r = post({host, "/search", "--text", "x", "-o", path("out.jsonl")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(CliTest, ConnectionErrorExitsThree) {
  std::string host = start_flow();
  flow_->stop();
  Result r = post({host, "/index", "--text", "x"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, HasSubstr("cannot reach the Flow"));
  // Said once: by the request that failed, not again by the post it ended.
  EXPECT_EQ(count(r.err, "cannot reach the Flow"), 1u) << r.err;
  // Many requests that fail alike: one line, then a count.
  r = post({host, "/index", "--text", "a", "--text", "b", "--text", "c", "--request-size", "1",
            "--max-attempts", "1"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(count(r.err, "cannot reach the Flow"), 1u) << r.err;
  r = post({host, "--endpoints", "--timeout", "1"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
}

TEST_F(CliTest, UsageErrorsExitTwoWithAMessage) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  std::vector<Case> cases = {
      {{}, "missing HOST"},
      {{"grpc://127.0.0.1:1"}, "missing ENDPOINT"},
      {{"grpc://127.0.0.1:1", "/index", "--bogus"}, "unknown option '--bogus'\n"},
      {{"grpc://127.0.0.1:1", "/index", "--txt", "a"},
       "unknown option '--txt'; did you mean '--text'?"},
      {{"grpc://127.0.0.1:1", "/index", "--timout=3"}, "did you mean '--timeout'?"},
      {{"grpc://127.0.0.1:1", "/index", "--request-size", "abc"}, "--request-size: expected"},
      {{"grpc://127.0.0.1:1", "/index", "--request-size"}, "needs a value"},
      {{"grpc://127.0.0.1:1", "/index", "--param", "novalue"}, "expected KEY=VALUE"},
      {{"grpc://127.0.0.1:1", "/index", "--text", "a", "--csv", "x.csv"}, "one kind of input"},
      {{"grpc://127.0.0.1:1", "--ready", "--status"}, "at most one of"},
      {{"grpc://127.0.0.1:1", "/index", "--ready=yes"}, "takes no value"},
      {{"grpc://127.0.0.1:1", "/a", "/b"}, "unexpected argument '/b'"},
      {{"grpc://127.0.0.1:1", "/index", "--tls-ca", "ca.pem"}, "--tls-ca needs a TLS scheme"},
      {{"nonsense://h", "/index"}, ""},
  };
  for (const Case& c : cases) {
    Result r = post(c.args);
    EXPECT_EQ(r.exit_code, 2) << ::testing::PrintToString(c.args) << "\n" << r.err;
    EXPECT_THAT(r.err, HasSubstr(c.message)) << ::testing::PrintToString(c.args);
    EXPECT_THAT(r.err, HasSubstr("jina-post: "));
  }
}

TEST_F(CliTest, BadInputFileExitsTwoNamingFileAndLine) {
  std::string host = start_flow();
  write("bad.jsonl", "{\"text\": \"ok\"}\nnot json\n");
  Result r = post({host, "/index", "--ndjson", path("bad.jsonl"), "-o", path("out.jsonl")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(path("bad.jsonl") + ":2: invalid JSON"));
  r = post({host, "/index", "--ndjson", path("missing.jsonl")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("missing.jsonl"));
}

TEST_F(CliTest, HelpAndVersion) {
  Result r = post({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("Usage: jina-post"));
  EXPECT_THAT(r.out, HasSubstr("Exit status:"));
  EXPECT_THAT(r.out, HasSubstr("3  connection error"));
  EXPECT_TRUE(r.err.empty());
  r = post({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("jina-post (jina-cpp) "));
  r = run(JINA_FLOW_BIN, {"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("Usage: jina-flow"));
  r = run(JINA_FLOW_BIN, {"--executor", "nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown executor 'nope'"));
}

// jina-flow prints its address when ready, serves jina-post, and exits 0
// on SIGTERM.
TEST_F(CliTest, JinaFlowServesUntilSigterm) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  int err_fd = open(path("flow.err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t flow = spawn({JINA_FLOW_BIN, "--port", "0", "--executor", "params", "--executor",
                      "upper-case:up", "--verbose"},
                     pipe_fds[1], err_fd);
  close(pipe_fds[1]);
  close(err_fd);

  // The first line of stdout is the address, written once the Flow serves.
  std::string address;
  auto deadline = std::chrono::steady_clock::now() + kProcessTimeout;
  while (address.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{pipe_fds[0], POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[256];
    ssize_t n = read(pipe_fds[0], buf, sizeof buf);
    if (n <= 0) break;
    address.append(buf, static_cast<std::size_t>(n));
  }
  close(pipe_fds[0]);
  ASSERT_NE(address.find('\n'), std::string::npos) << slurp(path("flow.err"));
  address.resize(address.find('\n'));
  EXPECT_THAT(address, ::testing::StartsWith("grpc://127.0.0.1:"));

  EXPECT_EQ(post({address, "--ready"}).exit_code, 0);
  Result r = post({address, "/anything", "--text", "hello", "--param", "x=1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Document doc = Document::from_json(nlohmann::json::parse(lines_of(r.out).at(0)));
  EXPECT_EQ(doc.text(), "HELLO");
  EXPECT_EQ(doc.tags()["parameters"], nlohmann::json({{"x", 1}}));
  EXPECT_EQ(doc.tags()["endpoint"], "/anything");

  kill(flow, SIGTERM);
  EXPECT_EQ(wait_exit(flow), 0) << slurp(path("flow.err"));
  // --verbose: the request, not the readiness probe (a dry run).
  EXPECT_THAT(slurp(path("flow.err")),
              ::testing::ContainsRegex("jina-flow: /anything 1 docs [0-9.]+ ms ok\n"));
  EXPECT_THAT(slurp(path("flow.err")), ::testing::Not(HasSubstr("_jina_dry_run_")));
  EXPECT_EQ(post({address, "--ready", "--timeout", "1"}).exit_code, 1);
}

}  // namespace
}  // namespace jina
