// What the fault-injection tests share: a watchdog, a Flow that records
// which Documents it processed, and a post that counts each request's
// outcomes, so that "every request exactly one outcome" is checked the same
// way everywhere.
#ifndef JINA_TESTS_INTEGRATION_FAULT_TESTING_H_
#define JINA_TESTS_INTEGRATION_FAULT_TESTING_H_

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "jina/client.h"
#include "jina/error.h"
#include "jina/flow.h"

namespace jina::fault_testing {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// Aborts the test binary when a scenario outlives its bound: a hang must fail.
class Watchdog {
 public:
  explicit Watchdog(seconds limit, std::string what = "scenario")
      : thread_([this, limit, what] {
          std::unique_lock lock(mu_);
          if (!cv_.wait_for(lock, limit, [this] { return done_; })) {
            std::fprintf(stderr, "watchdog: %s did not finish within %lld s\n", what.c_str(),
                         static_cast<long long>(limit.count()));
            std::abort();
          }
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

// What the Flow side saw: how often each doc id was processed.
class Ledger {
 public:
  void record(const std::string& id) {
    std::lock_guard lock(mu_);
    ++seen_[id];
    ++total_;
    cv_.notify_all();
  }
  bool wait_for_total(int n, milliseconds limit) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return total_ >= n; });
  }
  std::map<std::string, int> seen() const {
    std::lock_guard lock(mu_);
    return seen_;
  }
  int total() const {
    std::lock_guard lock(mu_);
    return total_;
  }
  // Lets "/hang" requests return.
  void release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  void wait_released() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return released_; });
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> seen_;
  int total_ = 0;
  bool released_ = false;
};

// "/record": records each doc id (after `delay_ms`); "/big": records them and
// answers docs of 6 MiB of text; "/hang": waits for Ledger::release().
class Recorder : public Executor {
 public:
  Recorder(std::shared_ptr<Ledger> ledger, int delay_ms) : ledger_(std::move(ledger)) {
    on("/record", [this, delay_ms](ExecutorRequest& req) {
      if (delay_ms > 0) std::this_thread::sleep_for(milliseconds(delay_ms));
      for (const Document& d : req.docs) ledger_->record(d.id());
    });
    on("/big", [this](ExecutorRequest& req) {
      for (Document& d : req.docs) {
        ledger_->record(d.id());
        d.set_text(std::string(6 << 20, 'x'));  // 6 MiB > 4 MiB
      }
    });
    on("/hang", [this](ExecutorRequest&) { ledger_->wait_released(); });
  }

 private:
  std::shared_ptr<Ledger> ledger_;
};

inline std::string scheme(Protocol p) {
  switch (p) {
    case Protocol::kHttp:
      return "http";
    case Protocol::kWebsocket:
      return "ws";
    case Protocol::kGrpc:
      break;
  }
  return "grpc";
}

inline std::unique_ptr<Flow> start_flow(Protocol protocol, const std::shared_ptr<Ledger>& ledger,
                                        int delay_ms = 0, int max_message_bytes = -1) {
  auto flow = std::make_unique<Flow>(FlowOptions{.port = 0,
                                                 .host = "127.0.0.1",
                                                 .protocols = {protocol},
                                                 .workers = 4,
                                                 .max_message_bytes = max_message_bytes,
                                                 .shutdown_grace = milliseconds(100)});
  flow->add(std::make_shared<Recorder>(ledger, delay_ms), {.name = "recorder"});
  flow->start();
  return flow;
}

inline Client client_for(Protocol protocol, int port, double keepalive = 10) {
  // The format is given so that no status probe runs through the faults.
  return Client(
      scheme(protocol) + "://127.0.0.1:" + std::to_string(port),
      ClientOptions{
          .keepalive = keepalive, .doc_format = DocFormat::kV2, .http_api = HttpApi::kPerEndpoint});
}

inline std::vector<Document> numbered_docs(int n, const std::string& prefix = "d") {
  std::vector<Document> docs;
  for (int i = 0; i < n; ++i) docs.push_back(Document().set_id(prefix + std::to_string(i)));
  return docs;
}

// The outcomes one post delivered to its caller, per doc id.
struct Outcomes {
  std::map<std::string, int> done;
  std::map<std::string, int> failed;
  std::optional<std::string> exception;  // what post() threw, if anything
  std::string exception_type;
  absl::StatusCode code = absl::StatusCode::kOk;
  double seconds = 0;

  int done_count() const { return count(done); }
  int failed_count() const { return count(failed); }
  static int count(const std::map<std::string, int>& m) {
    int n = 0;
    for (const auto& [id, k] : m) n += k;
    return n;
  }
};

// Posts one doc per request, counting outcomes by doc id.
inline Outcomes post_counted(Client& client, const std::string& endpoint, int n,
                             PostOptions options) {
  Outcomes out;
  options.request_size = 1;
  options.on_done = [&](const Response& r) {
    for (const Document& d : r.docs()) ++out.done[d.id()];
  };
  options.on_error = [&](const Response& r, const Error&) {
    for (const Document& d : r.docs()) ++out.failed[d.id()];
  };
  auto start = Clock::now();
  try {
    client.post(endpoint, numbered_docs(n), options);
  } catch (const Timeout& e) {
    out.exception = e.what();
    out.exception_type = "Timeout";
    out.code = e.code();
  } catch (const ConnectionError& e) {
    out.exception = e.what();
    out.exception_type = "ConnectionError";
    out.code = e.code();
  } catch (const Error& e) {
    out.exception = e.what();
    out.exception_type = "Error";
    out.code = e.code();
  }
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return out;
}

// Every request got exactly one outcome.
inline void expect_each_request_once(const Outcomes& out, int n) {
  EXPECT_EQ(out.done_count() + out.failed_count(), n);
  for (int i = 0; i < n; ++i) {
    std::string id = "d" + std::to_string(i);
    int done = out.done.count(id) ? out.done.at(id) : 0;
    int failed = out.failed.count(id) ? out.failed.at(id) : 0;
    EXPECT_EQ(done + failed, 1) << id << " done " << done << " failed " << failed;
  }
}

}  // namespace jina::fault_testing

#endif  // JINA_TESTS_INTEGRATION_FAULT_TESTING_H_
