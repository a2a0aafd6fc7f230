// jina::Client over gRPC, HTTP and WebSocket (plain and TLS) against REAL
// Python jina 3.34 Flows (tests/interop/jina_flow.py, docarray v2), started
// and stopped here; TLS through tls_proxy.py in front of them.
// Needs JINA_INTEROP_PYTHON (a venv's python with jina) and
// JINA_INTEROP_FLOW_SCRIPT; the TLS tests append
// `CELL <protocol> cpp-client->python-flow <feature> v2 PASS|FAIL` lines to
// JINA_INTEROP_CELLS for docs/interop.md. Run by run_client_to_python_flow.sh.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "jina/jina.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

fs::path scratch_dir() {
  static fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("jina-interop-" + std::to_string(::getpid()));
    fs::create_directories(d);
    return d;
  }();
  return dir;
}

void run(const std::string& command) {
  std::string full = "cd " + scratch_dir().string() + " && " + command + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(full.c_str()), 0) << full;
}

// A CA and a server certificate for localhost/127.0.0.1, made by openssl.
void make_certificates() {
  if (fs::exists(scratch_dir() / "server.pem")) return;
  std::ofstream(scratch_dir() / "san.cnf") << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
  run("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=jina-test-ca -keyout ca.key "
      "-out ca.pem");
  run("openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key -out "
      "server.csr");
  run("openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
      "-extfile san.cnf -out server.pem");
  run("openssl req -newkey rsa:2048 -nodes -subj /CN=jina-client -keyout client.key -out "
      "client.csr");
  run("openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
      "-out client.pem");
}

// One Python process (its own process group, so that a Flow's Executor and
// gateway processes go with it) that writes its port to a file when ready.
class PythonProcess {
 public:
  PythonProcess(const std::string& name, std::vector<std::string> script_args) {
    fs::path port_file = scratch_dir() / (name + ".port");
    fs::remove(port_file);
    std::vector<std::string> args = {env("JINA_INTEROP_PYTHON")};
    for (auto& a : script_args) args.push_back(a == "{port-file}" ? port_file.string() : a);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    int rc = posix_spawn(&pid_, argv[0], nullptr, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
      pid_ = -1;
      return;
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (std::chrono::steady_clock::now() < deadline) {
      std::ifstream in(port_file);
      if (in >> port_) return;
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  ~PythonProcess() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        ::kill(-pid_, SIGKILL);  // stragglers of its group, if any
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }

  int port() const { return port_; }

  // SIGKILL to the whole group, as when a pod dies: no goodbye on any
  // connection.
  void kill_now() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

// Processes are slow to start: one per role, shared by the tests, stopped
// at the end (proxies before the Flows behind them).
std::map<std::string, std::unique_ptr<PythonProcess>>& processes() {
  static auto* all = new std::map<std::string, std::unique_ptr<PythonProcess>>;
  return *all;
}

// A real jina server of `kind` ("flow" or "deployment", jina_flow.py)
// serving `protocol`, started on first use.
PythonProcess& jina_server(const std::string& kind, const std::string& protocol) {
  auto& server = processes()[kind + "-" + protocol];
  if (!server) {
    std::vector<std::string> args = {env("JINA_INTEROP_FLOW_SCRIPT"), protocol, "{port-file}"};
    if (kind != "flow") args.push_back(kind);
    server = std::make_unique<PythonProcess>(kind + "-" + protocol, args);
  }
  return *server;
}

// The port of a real jina Flow serving `protocol`; with `tls`, of a TLS
// proxy in front of it (`mutual`: one that requires a client certificate).
int flow_port(const std::string& protocol, bool tls, bool mutual = false) {
  PythonProcess& flow = jina_server("flow", protocol);
  if (!tls || flow.port() == 0) return flow.port();
  std::string name = std::string(mutual ? "mtls-" : "tls-") + protocol;
  auto& proxy = processes()[name];
  if (!proxy) {
    make_certificates();
    fs::path script = fs::path(env("JINA_INTEROP_FLOW_SCRIPT")).parent_path() / "tls_proxy.py";
    std::vector<std::string> args = {script.string(), std::to_string(flow.port()), "{port-file}",
                                     (scratch_dir() / "server.pem").string(),
                                     (scratch_dir() / "server.key").string()};
    // gRPC clients insist on ALPN h2; HTTP/1.1 clients must not get it.
    if (protocol == "grpc") args.push_back("--h2");
    if (mutual) args.push_back((scratch_dir() / "ca.pem").string());
    proxy = std::make_unique<PythonProcess>(name, args);
  }
  return proxy->port();
}

class Environment : public ::testing::Environment {
 public:
  void TearDown() override {
    for (const char* kind : {"tls-", "mtls-"}) {
      for (const char* protocol : {"grpc", "http", "websocket"})
        processes().erase(std::string(kind) + protocol);
    }
    processes().clear();
    std::error_code ignored;
    fs::remove_all(scratch_dir(), ignored);
  }
};

struct Case {
  std::string protocol;  // "grpc", "http" or "websocket"
  bool tls;
};

class PythonFlowTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    if (env("JINA_INTEROP_PYTHON").empty()) GTEST_SKIP() << "JINA_INTEROP_PYTHON not set";
    port_ = flow_port(GetParam().protocol, GetParam().tls);
    ASSERT_GT(port_, 0) << "the Python Flow (or its TLS proxy) did not start";
  }

  static std::string scheme(const std::string& protocol, bool tls) {
    std::string s = protocol == "websocket" ? "ws" : protocol;
    return tls ? s + "s" : s;
  }

  std::string uri() const {
    return scheme(GetParam().protocol, GetParam().tls) + "://127.0.0.1:" + std::to_string(port_);
  }

  jina::ClientOptions options() const {
    jina::ClientOptions o;
    if (GetParam().tls) o.tls_root_certificates_file = (scratch_dir() / "ca.pem").string();
    return o;
  }

  jina::Client client() const { return jina::Client(uri(), options()); }

  static jina::DocumentArray texts(int n) {
    jina::DocumentArray docs;
    for (int i = 0; i < n; ++i)
      docs.push_back(
          jina::Document().set_id("d" + std::to_string(i)).set_text("doc " + std::to_string(i)));
    return docs;
  }

  int port_ = 0;
};

TEST_P(PythonFlowTest, ReadyAndStatus) {
  jina::Client c = client();
  EXPECT_TRUE(c.is_flow_ready());
  nlohmann::json info = c.status();
  EXPECT_EQ(info["jina"]["jina"], "3.34.0");
  EXPECT_EQ(c.doc_format(), jina::DocFormat::kV2);
}

// endpoint_discovery (gRPC) or the OpenAPI paths (HTTP).
TEST_P(PythonFlowTest, Endpoints) {
  if (GetParam().protocol == "websocket") GTEST_SKIP() << "WebSocket gateways list no endpoints";
  EXPECT_THAT(client().endpoints(), ::testing::IsSupersetOf({"/default", "/fail", "/params"}));
}

TEST_P(PythonFlowTest, UpperCasesInBatches) {
  jina::DocumentArray out = client().post("/", texts(10), {.request_size = 3});
  ASSERT_EQ(out.size(), 10u);
  std::map<std::string, std::string> by_id;
  for (const auto& d : out) by_id[d.id()] = d.text();
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(by_id["d" + std::to_string(i)], "DOC " + std::to_string(i));
}

TEST_P(PythonFlowTest, ManyRequestsInFlightInOrder) {
  std::vector<jina::Response> responses = client().post_responses(
      "/default", texts(60), {.request_size = 1, .prefetch = 8, .results_in_order = true});
  ASSERT_EQ(responses.size(), 60u);
  for (int i = 0; i < 60; ++i) {
    ASSERT_EQ(responses[i].docs().size(), 1u);
    EXPECT_EQ(responses[i].docs()[0].id(), "d" + std::to_string(i));
    EXPECT_EQ(responses[i].docs()[0].text(), "DOC " + std::to_string(i));
  }
}

TEST_P(PythonFlowTest, ExecutorErrorReachesOnError) {
  int errors = 0;
  int always = 0;
  client().post("/fail", texts(4),
                {.request_size = 2,
                 .on_error =
                     [&](const jina::Response& r, const jina::Error& e) {
                       ++errors;
                       EXPECT_EQ(r.status().code(), jina::StatusCode::kError);
                       EXPECT_THAT(r.status().description(), HasSubstr("intentional failure"));
                       EXPECT_THAT(e.what(), HasSubstr("intentional failure"));
                     },
                 .on_always = [&](const jina::Response&) { ++always; }});
  EXPECT_EQ(errors, 2);
  EXPECT_EQ(always, 2);
  EXPECT_THROW(client().post("/fail", texts(1)), jina::BadServer);
}

TEST_P(PythonFlowTest, ParametersComeBack) {
  std::vector<jina::Response> responses =
      client().post_responses("/params", texts(1), {.parameters = {{"top_k", 5}}});
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].parameters()["top_k"], 5.0);
}

TEST_P(PythonFlowTest, ParametersOnlyRequest) {
  std::vector<jina::Response> responses =
      client().post_responses("/", {}, {.parameters = {{"hello", "world"}}});
  ASSERT_EQ(responses.size(), 1u);
  EXPECT_EQ(responses[0].parameters()["hello"], "world");
}

// Issue 19: one request of 200 Documents with 4096-float embeddings. jina's
// docarray-v2 HTTP gateway answers a POST for its first 100 Documents only
// (HTTP 200, no error): the client POSTs such a request in pieces of 100 and
// joins the answers. gRPC and WebSocket carry it whole.
TEST_P(PythonFlowTest, TwoHundredDocsInOneRequestAllComeBack) {
  if (GetParam().tls) GTEST_SKIP() << "the plain gateways suffice";
  constexpr int kDocs = 200;
  constexpr int kDim = 4096;
  jina::DocumentArray docs = texts(kDocs);
  for (int i = 0; i < kDocs; ++i) {
    std::vector<float> embedding(kDim, static_cast<float>(i));
    embedding[0] = 0.5f;
    docs[i].set_embedding(embedding);
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<jina::Response> responses =
      client().post_responses("/default", docs, {.request_size = 0, .timeout = 120});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << GetParam().protocol << ": " << kDocs << " docs x " << kDim
            << " floats in one request: " << seconds << " s\n";
  ASSERT_EQ(responses.size(), 1u);  // one request, one outcome
  const jina::DocumentArray& out = responses[0].docs();
  ASSERT_EQ(out.size(), static_cast<std::size_t>(kDocs));
  std::map<std::string, int> seen;
  for (const auto& d : out) {
    ++seen[d.id()];
    EXPECT_EQ(d.text(), "DOC " + d.id().substr(1));
    const std::vector<float> embedding = d.embedding();
    ASSERT_EQ(embedding.size(), static_cast<std::size_t>(kDim)) << d.id();
    EXPECT_EQ(embedding[0], 0.5f);
    EXPECT_EQ(embedding[kDim - 1], std::stof(d.id().substr(1))) << d.id();
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kDocs));
  // One request, so its answer comes back in input order.
  for (int i = 0; i < kDocs; ++i) EXPECT_EQ(out[i].id(), "d" + std::to_string(i));
}

// jina_flow.py's generator endpoint /stream through `c`: its 3 items, as
// they are produced; an ordinary endpoint is an error.
void expect_streamed_tokens(jina::Client& c, const std::string& uri) {
  jina::Document prompt("d1");
  prompt.set_text("hello");
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> items;
  std::vector<double> arrivals;
  c.stream_doc(
      "/stream", prompt,
      [&](jina::Document&& d) {
        arrivals.push_back(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        items.push_back(d.id() + " " + d.text());
      },
      {.timeout = 30});
  EXPECT_THAT(items,
              ::testing::ElementsAre("d1-0 hello:tok0", "d1-1 hello:tok1", "d1-2 hello:tok2"));
  ASSERT_EQ(arrivals.size(), 3u);
  std::cout << "stream_doc over " << uri << ": items at " << arrivals[0] << ", " << arrivals[1]
            << ", " << arrivals[2] << " s\n";
  EXPECT_LT(arrivals[0], arrivals[2] - 0.3);  // as produced, 0.2 s apart: not all at the end
  // An ordinary endpoint is no stream: over HTTP jina answers 405; over
  // gRPC it sends the request back with "endpoint must be generator".
  try {
    c.stream_doc("/params", prompt, [](jina::Document&&) {}, {.timeout = 30});
    FAIL() << "expected an error";
  } catch (const jina::Error& e) {
    EXPECT_THAT(e.what(), ::testing::AnyOf(HasSubstr("not a streaming endpoint"),
                                           HasSubstr("endpoint must be generator")));
  }
}

// A generator endpoint: gRPC stream_doc, HTTP Server-Sent Events (GET).
TEST_P(PythonFlowTest, StreamDoc) {
  jina::Client c = client();
  if (GetParam().protocol == "websocket") {
    EXPECT_THROW(c.stream_doc("/stream", jina::Document("d1"), [](jina::Document&&) {}),
                 jina::InvalidArgument);
    return;
  }
  expect_streamed_tokens(c, uri());
}

// The same Executor served by a jina Deployment: over gRPC it has a gateway
// of its own; over HTTP its gateway is a proxy to the Executor's own app,
// which answers posts and streams itself (docs/streaming-protocol.md).
class PythonDeploymentTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (env("JINA_INTEROP_PYTHON").empty()) GTEST_SKIP() << "JINA_INTEROP_PYTHON not set";
    int port = jina_server("deployment", GetParam()).port();
    ASSERT_GT(port, 0) << "the Python Deployment did not start";
    uri_ = GetParam() + "://127.0.0.1:" + std::to_string(port);
  }
  std::string uri_;
};

TEST_P(PythonDeploymentTest, Posts) {
  jina::DocumentArray docs;
  for (int i = 0; i < 5; ++i) docs.push_back(jina::Document("d" + std::to_string(i)).set_text("x"));
  jina::DocumentArray out = jina::Client(uri_).post("/default", docs, {.request_size = 2});
  ASSERT_EQ(out.size(), 5u);
  for (const auto& d : out) EXPECT_EQ(d.text(), "X") << d.id();
}

TEST_P(PythonDeploymentTest, StreamDoc) {
  jina::Client c(uri_);
  expect_streamed_tokens(c, uri_);
}

INSTANTIATE_TEST_SUITE_P(Protocols, PythonDeploymentTest, ::testing::Values("grpc", "http"),
                         [](const auto& info) { return info.param; });

// Issue 17: one Client over two real jina gRPC Flows, one of them killed
// (SIGKILL) mid-post: its unanswered requests go to the other, every
// request ends done exactly once, with one attempt.
TEST(PythonGatewaysTest, OneOfTwoFlowsKilledMidPost) {
  if (env("JINA_INTEROP_PYTHON").empty()) GTEST_SKIP() << "JINA_INTEROP_PYTHON not set";
  PythonProcess a("gateways-a", {env("JINA_INTEROP_FLOW_SCRIPT"), "grpc", "{port-file}"});
  PythonProcess b("gateways-b", {env("JINA_INTEROP_FLOW_SCRIPT"), "grpc", "{port-file}"});
  ASSERT_GT(a.port(), 0);
  ASSERT_GT(b.port(), 0);
  jina::Client client("grpc://127.0.0.1:" + std::to_string(a.port()) +
                      ",127.0.0.1:" + std::to_string(b.port()));
  constexpr int kRequests = 200;
  std::map<std::string, int> done;
  std::map<std::string, int> failed;
  int answered = 0;
  std::thread killer;
  jina::PostOptions options{.request_size = 1};
  options.on_done = [&](const jina::Response& r) {
    for (const auto& d : r.docs()) {
      ++done[d.id()];
      EXPECT_EQ(d.text(), "DOC " + d.id().substr(1));
    }
    if (++answered == 40) killer = std::thread([&b] { b.kill_now(); });
  };
  options.on_error = [&](const jina::Response& r, const jina::Error&) {
    for (const auto& d : r.docs()) ++failed[d.id()];
  };
  jina::DocumentArray docs;
  for (int i = 0; i < kRequests; ++i) {
    docs.push_back(jina::Document("d" + std::to_string(i)).set_text("doc " + std::to_string(i)));
  }
  client.post("/slow", std::move(docs), options);
  if (killer.joinable()) killer.join();
  EXPECT_TRUE(failed.empty());
  ASSERT_EQ(done.size(), static_cast<std::size_t>(kRequests));
  for (const auto& [id, n] : done) EXPECT_EQ(n, 1) << id;
  jina::ClientStats stats = client.stats();
  ASSERT_EQ(stats.gateways.size(), 2u);
  EXPECT_GT(stats.gateways[0].responses, stats.gateways[1].responses);
  std::printf("two jina Flows, one killed after 40 answers: %llu + %llu answers, %llu re-sent\n",
              static_cast<unsigned long long>(stats.gateways[0].responses),
              static_cast<unsigned long long>(stats.gateways[1].responses),
              static_cast<unsigned long long>(stats.retries));
}

TEST_P(PythonFlowTest, GraphqlIsAbsentOnDocarrayV2) {
  if (GetParam().protocol != "http") GTEST_SKIP() << "HTTP only";
  try {
    client().mutate("mutation { docs(data: {text: \"x\"}) { id } }");
    FAIL() << "expected jina::Error";
  } catch (const jina::ConnectionError& e) {
    FAIL() << e.what();
  } catch (const jina::Error& e) {
    EXPECT_THAT(e.what(), ::testing::AnyOf(HasSubstr("/graphql"), HasSubstr("GraphQL")));
  }
}

TEST_P(PythonFlowTest, UntrustedCertificateFails) {
  if (!GetParam().tls) GTEST_SKIP() << "TLS only";
  jina::Client c(uri());  // system roots: the test CA is unknown
  EXPECT_FALSE(c.is_flow_ready());
  EXPECT_THROW(c.post("/", texts(1)), jina::ConnectionError);
}

TEST_P(PythonFlowTest, MutualTls) {
  if (!GetParam().tls) GTEST_SKIP() << "TLS only";
  int port = flow_port(GetParam().protocol, true, /*mutual=*/true);
  ASSERT_GT(port, 0);
  std::string uri = scheme(GetParam().protocol, true) + "://localhost:" + std::to_string(port);
  jina::ClientOptions with_cert = options();
  with_cert.tls_certificate_chain_file = (scratch_dir() / "client.pem").string();
  with_cert.tls_private_key_file = (scratch_dir() / "client.key").string();
  jina::DocumentArray out = jina::Client(uri, with_cert).post("/", texts(2));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].text(), "DOC 0");
  EXPECT_THROW(jina::Client(uri, options()).post("/", texts(1)), jina::ConnectionError);
}

INSTANTIATE_TEST_SUITE_P(Protocols, PythonFlowTest,
                         ::testing::Values(Case{"grpc", false}, Case{"http", false},
                                           Case{"websocket", false}, Case{"grpc", true},
                                           Case{"http", true}, Case{"websocket", true}),
                         [](const auto& info) {
                           return info.param.protocol + (info.param.tls ? "_tls" : "");
                         });

TEST(PythonFlowDownTest, NothingListeningIsAConnectionError) {
  for (const char* scheme : {"http", "ws"}) {
    // A port that was free a moment ago.
    jina::Client c(std::string(scheme) + "://127.0.0.1:1");
    EXPECT_FALSE(c.is_flow_ready());
    EXPECT_THROW(
        c.post("/", jina::Document().set_text("x"), {.max_attempts = 2, .initial_backoff = 0.01}),
        jina::ConnectionError);
  }
}

// CELL lines of the tests that the matrix does not cover: feature `tls` for
// the checks over TLS with the test CA (one cell per protocol: it passes only
// if all of them passed), `tls_untrusted_ca` and `tls_mutual` for their own
// tests; `stream_doc`, and `deployment_post` / `deployment_stream_doc` for a
// jina Deployment instead of a Flow. Skipped tests write nothing.
class CellWriter : public ::testing::EmptyTestEventListener {
  void OnTestEnd(const ::testing::TestInfo& info) override {
    if (info.result()->Skipped()) return;
    std::string name = info.name();  // "<test>/<protocol>" or "<test>/<protocol>_tls"
    auto slash = name.find('/');
    if (slash == std::string::npos) return;
    std::string test = name.substr(0, slash);
    std::string protocol = name.substr(slash + 1);
    const std::string suffix = "_tls";
    bool tls = protocol.size() > suffix.size() &&
               protocol.compare(protocol.size() - suffix.size(), suffix.size(), suffix) == 0;
    if (tls) protocol.resize(protocol.size() - suffix.size());
    bool deployment = std::string(info.test_suite_name()).ends_with("PythonDeploymentTest");
    std::string feature;
    if (tls) {
      feature = test == "UntrustedCertificateFails" ? "tls_untrusted_ca"
                : test == "MutualTls"               ? "tls_mutual"
                                                    : "tls";
    } else if (deployment) {
      feature = test == "Posts" ? "deployment_post" : "deployment_stream_doc";
    } else if (test == "StreamDoc") {
      feature = "stream_doc";
    } else {
      return;
    }
    std::string line = "CELL " + protocol + " cpp-client->python-flow " + feature + " v2" +
                       (info.result()->Passed() ? " PASS" : " FAIL");
    std::cout << line << std::endl;
    if (!env("JINA_INTEROP_CELLS").empty())
      std::ofstream(env("JINA_INTEROP_CELLS"), std::ios::app) << line << "\n";
  }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new Environment);
  ::testing::UnitTest::GetInstance()->listeners().Append(new CellWriter);
  return RUN_ALL_TESTS();
}
