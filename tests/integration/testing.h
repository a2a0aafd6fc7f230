// What the integration tests against the local Flow share: the Executor of
// the live Flow the golden captures come from (plus slow, hanging and
// result-returning endpoints), test documents, loopback Flow options, the
// address of a Flow per protocol and a free port. Library headers only: the
// wire-level helpers are in flow_testing.h (gRPC) and web_testing.h (Beast).
#ifndef JINA_TESTS_INTEGRATION_TESTING_H_
#define JINA_TESTS_INTEGRATION_TESTING_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "jina/document.h"
#include "jina/executor.h"
#include "jina/flow.h"
#include "jina/protocol.h"

// The Flow reports an Executor's exception by its demangled type name, and
// jina's captures say "ValueError": so it lives in the global namespace.
struct ValueError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

namespace jina::testing {

// Wall-clock bounds in tests stretch by this much under the sanitizers (2-15x
// slower, on CI's two shared cores); what they bound must still be bounded.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr double kTimingSlack = 5.0;
#else
inline constexpr double kTimingSlack = 1.0;
#endif

// The live Flow's Executor: the default endpoint upper-cases texts, "/fail"
// throws ValueError. Plus:
//   "/slow"   sleeps the first doc's tags.sleep_ms (200 when absent) and
//             records how many calls overlap (max_running());
//   "/hang"   waits until release() (or 10 s), for timeouts and cancels;
//   "/stats"  returns {docs, hello} (hello from the parameters);
//   "/params" returns {seen: parameters}.
class UpperExecutor : public Executor {
 public:
  UpperExecutor() {
    on("/fail", [](ExecutorRequest&) { throw ValueError("intentional failure from /fail"); });
    on("/slow", &UpperExecutor::slow);
    on("/hang", &UpperExecutor::hang);
    on("/stats", [](ExecutorRequest& req) {
      return nlohmann::json{{"docs", req.docs.size()},
                            {"hello", req.parameters.value("hello", "")}};
    });
    on("/params", [](ExecutorRequest& req) { return nlohmann::json{{"seen", req.parameters}}; });
    on_default(&UpperExecutor::upper);
  }

  void upper(ExecutorRequest& req) {
    for (Document& d : req.docs) {
      std::string t = d.text();
      for (char& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      d.set_text(std::move(t));
    }
  }

  void slow(ExecutorRequest& req) {
    int now = ++running_;
    for (int seen = max_running_.load();
         now > seen && !max_running_.compare_exchange_weak(seen, now);) {
    }
    int ms = 200;
    if (!req.docs.empty() && req.docs[0].tags().is_object()) {
      ms = req.docs[0].tags().value("sleep_ms", 200);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    --running_;
  }

  void hang(ExecutorRequest&) {
    std::unique_lock lock(mu_);
    released_cv_.wait_for(lock, std::chrono::seconds(10), [this] { return released_; });
  }
  // Lets every "/hang" call (and later ones) return: call before stopping
  // the Flow, so that stop() does not wait for them.
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    released_cv_.notify_all();
  }

  int max_running() const { return max_running_.load(); }

 private:
  std::atomic<int> running_{0};
  std::atomic<int> max_running_{0};
  std::mutex mu_;
  std::condition_variable released_cv_;
  bool released_ = false;
};

// Marks each doc with tags.tagger = true: a second Executor, to see which
// ran (target_executor).
class TaggerExecutor : public Executor {
 public:
  TaggerExecutor() {
    on_default([](ExecutorRequest& req) {
      for (Document& d : req.docs) d.tags()["tagger"] = true;
    });
  }
};

// `n` docs with texts prefix0, prefix1, ...
inline DocumentArray texts(int n, const std::string& prefix = "doc") {
  DocumentArray docs;
  for (int i = 0; i < n; ++i) docs.push_back(Document().set_text(prefix + std::to_string(i)));
  return docs;
}

// A doc for "/slow" that sleeps `ms`.
inline Document sleeper(int ms, const std::string& id = "") {
  Document d;
  if (!id.empty()) d.set_id(id);
  d.tags()["sleep_ms"] = ms;
  return d;
}

// Loopback-only options on a free port, serving `protocols`.
inline FlowOptions local(FlowOptions o = {}) {
  o.host = "127.0.0.1";
  return o;
}
inline FlowOptions local(Protocol protocol, FlowOptions o = {}) {
  o.protocols = {protocol};
  return local(std::move(o));
}

inline std::string scheme(Protocol protocol) {
  switch (protocol) {
    case Protocol::kHttp:
      return "http";
    case Protocol::kWebsocket:
      return "ws";
    default:
      return "grpc";
  }
}

// For test names and messages: "grpc", "http", "websocket".
inline std::string protocol_name(Protocol protocol) {
  return protocol == Protocol::kWebsocket ? "websocket" : scheme(protocol);
}

// The client address of a local Flow serving `protocol` on `port`.
inline std::string address(Protocol protocol, int port) {
  return scheme(protocol) + "://127.0.0.1:" + std::to_string(port);
}

// A loopback port that was free a moment ago (for a Flow started later).
inline int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("bind() failed");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace jina::testing

#endif  // JINA_TESTS_INTEGRATION_TESTING_H_
