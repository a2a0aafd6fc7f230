// The post engine's contracts (src/client/post_call.h), each at an edge: every
// request sent gets exactly one outcome however the post ends; `timeout`
// bounds the whole post; cancel ends it within milliseconds in every phase;
// the format lookup holds no lock that other posts wait on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "client/client_access.h"
#include "jina/async_client.h"
#include "jina/client.h"
#include "jina/error.h"
#include "unit/mock_transport.h"

namespace jina {
namespace {

using ::testing::HasSubstr;
using testing::MockTransport;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr double kSlack = 5.0;
#else
constexpr double kSlack = 1.0;
#endif

using Seconds = std::chrono::duration<double>;

double since(std::chrono::steady_clock::time_point start) {
  return Seconds(std::chrono::steady_clock::now() - start).count();
}

DocumentArray docs(int n) {
  DocumentArray out;
  for (int i = 0; i < n; ++i) out.push_back(Document().set_text(std::to_string(i)));
  return out;
}

// Answers every request, but the one whose first Document has text `fail`
// carries an Executor error.
std::shared_ptr<MockTransport> failing_at(const std::string& fail) {
  return std::make_shared<MockTransport>([fail](const DataRequest& r) {
    DataRequest answer = r;
    if (!answer.docs().empty() && answer.docs()[0].text() == fail) {
      answer.header().mutable_status().set_code(StatusCode::kError).set_description("boom");
    }
    return std::optional<std::string>(answer.serialize());
  });
}

// Every request's outcomes, by request id, as the callbacks saw them.
struct Ledger {
  std::mutex mu;
  std::map<std::string, int> done, error, always;
  std::map<std::string, absl::StatusCode> error_code;

  PostOptions options(PostOptions o) {
    o.on_done = [this](const Response& r) {
      std::lock_guard lock(mu);
      ++done[r.header().request_id()];
    };
    o.on_error = [this](const Response& r, const Error& e) {
      std::lock_guard lock(mu);
      ++error[r.header().request_id()];
      error_code[r.header().request_id()] = e.code();
    };
    o.on_always = [this](const Response& r) {
      std::lock_guard lock(mu);
      ++always[r.header().request_id()];
    };
    return o;
  }

  // Each of `sent` got on_done or on_error once, then on_always once.
  void expect_one_outcome_each(const std::vector<DataRequest>& sent) {
    std::lock_guard lock(mu);
    auto count = [](const std::map<std::string, int>& m, const std::string& id) {
      auto it = m.find(id);
      return it == m.end() ? 0 : it->second;
    };
    for (const DataRequest& r : sent) {
      const std::string& id = r.header().request_id();
      EXPECT_EQ(count(done, id) + count(error, id), 1) << id;
      EXPECT_EQ(count(always, id), 1) << id;
    }
  }
};

// The acceptance case of issue 15: 50 requests, one fails, no on_error.
TEST(PostEngineTest, ExecutorErrorWithoutOnErrorGivesEveryRequestAnOutcome) {
  for (int prefetch : {0, 8}) {
    SCOPED_TRACE("prefetch " + std::to_string(prefetch));
    auto transport = failing_at("7");
    transport->answer_delay = std::chrono::microseconds(2000);
    Client client = internal::ClientAccess::client(transport, {.doc_format = DocFormat::kV2});
    std::atomic<int> always{0};
    std::set<std::string> ids;
    std::mutex mu;
    PostOptions options{.request_size = 1,
                        .on_always =
                            [&](const Response& r) {
                              ++always;
                              std::lock_guard lock(mu);
                              EXPECT_TRUE(ids.insert(r.header().request_id()).second)
                                  << "two outcomes for " << r.header().request_id();
                            },
                        .prefetch = prefetch};
    EXPECT_THAT([&] { client.post("/", docs(50), options); },
                ::testing::ThrowsMessage<BadServer>(HasSubstr("boom")));
    ClientStats stats = client.stats();
    // Every request sent got one on_always; those not answered count as failed.
    EXPECT_EQ(static_cast<std::uint64_t>(always.load()), stats.requests);
    EXPECT_EQ(stats.responses + stats.failed, stats.requests);
    EXPECT_GE(stats.responses, 8u);
  }
}

TEST(PostEngineTest, RequestsCutShortByAnExecutorErrorGetAbortedErrors) {
  auto transport = failing_at("3");
  transport->hold(false);
  Client client = internal::ClientAccess::client(transport, {.doc_format = DocFormat::kV2});
  Ledger ledger;
  // on_error is given for every request, so the Executor error does not end
  // the post: all 20 are answered.
  client.post("/", docs(20), ledger.options({.request_size = 1, .prefetch = 4}));
  ledger.expect_one_outcome_each(transport->requests());
  EXPECT_EQ(ledger.error.size(), 1u);
  EXPECT_EQ(ledger.done.size(), 19u);
}

TEST(PostEngineTest, ThrowingCallbackEndsThePostAfterEveryOtherOutcome) {
  auto transport = std::make_shared<MockTransport>();
  transport->answer_delay = std::chrono::microseconds(1000);
  Client client = internal::ClientAccess::client(transport, {.doc_format = DocFormat::kV2});
  Ledger ledger;
  PostOptions options = ledger.options({.request_size = 1, .prefetch = 6});
  int calls = 0;
  auto record = options.on_done;
  options.on_done = [&](const Response& r) {
    record(r);
    if (++calls == 3) throw std::logic_error("callback failed");
  };
  EXPECT_THAT([&] { client.post("/", docs(30), options); },
              ::testing::ThrowsMessage<std::logic_error>(HasSubstr("callback failed")));
  std::vector<DataRequest> sent = transport->requests();
  ledger.expect_one_outcome_each(sent);
  // The ones cut short say why, with ABORTED.
  std::lock_guard lock(ledger.mu);
  for (const auto& [id, code] : ledger.error_code) EXPECT_EQ(code, absl::StatusCode::kAborted);
  EXPECT_EQ(client.stats().failed, ledger.error.size());
}

TEST(PostEngineTest, GeneratorThatThrowsLeavesNoRequestWithoutOutcome) {
  auto transport = std::make_shared<MockTransport>();
  transport->hold(true);  // nothing is answered before the generator throws
  Client client = internal::ClientAccess::client(transport, {.doc_format = DocFormat::kV2});
  Ledger ledger;
  int n = 0;
  auto generator = [&]() -> std::optional<Document> {
    if (++n == 5) throw std::runtime_error("input broke");
    return Document().set_text("g");
  };
  EXPECT_THAT([&] { client.post("/", generator, ledger.options({.request_size = 1})); },
              ::testing::ThrowsMessage<std::runtime_error>(HasSubstr("input broke")));
  std::lock_guard lock(ledger.mu);
  EXPECT_EQ(ledger.error.size(), 4u);  // the 4 requests sent, none answered
  EXPECT_EQ(ledger.always.size(), 4u);
  EXPECT_EQ(client.stats().failed, 4u);
}

// A Flow that accepts the status call and never answers it (within `timeout`
// the call gives up, as a real transport's deadline does).
class SilentStatusTransport : public MockTransport {
 public:
  absl::StatusOr<nlohmann::json> info(Duration timeout) override {
    ++asked;
    std::unique_lock lock(silent_mu_);
    silent_cv_.wait_for(lock, timeout, [&] { return answer_; });
    if (!answer_) return absl::DeadlineExceededError("no answer");
    return nlohmann::json{{"jina", {{"docarray", "0.39.1"}}}};
  }
  void answer() {
    std::lock_guard lock(silent_mu_);
    answer_ = true;
    silent_cv_.notify_all();
  }
  std::atomic<int> asked{0};

 private:
  std::mutex silent_mu_;
  std::condition_variable silent_cv_;
  bool answer_ = false;
};

TEST(PostEngineTest, TimeoutBoundsTheFormatLookup) {
  auto transport = std::make_shared<SilentStatusTransport>();
  Client client = internal::ClientAccess::client(transport, {});
  auto start = std::chrono::steady_clock::now();
  EXPECT_THAT([&] { client.post("/", docs(1), {.timeout = 0.3}); },
              ::testing::ThrowsMessage<Timeout>(HasSubstr("docarray format")));
  EXPECT_GE(since(start), 0.29);
  EXPECT_LT(since(start), 0.8 * kSlack);
  EXPECT_EQ(transport->streams, 0);  // nothing was sent, so no outcome is owed
  transport->answer();               // the lookup goes on after the post: end it
}

TEST(PostEngineTest, CancelDuringTheFormatLookupEndsThePostAtOnce) {
  auto transport = std::make_shared<SilentStatusTransport>();
  Client client = internal::ClientAccess::client(transport, {});
  CancelToken token;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    token.cancel();
  });
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(client.post("/", docs(1), {.cancel = token}), Cancelled);
  canceller.join();
  EXPECT_LT(since(start), 0.1 + 0.05 * kSlack);
  transport->answer();
}

TEST(PostEngineTest, DocFormatNeverHoldsOtherPostsBack) {
  auto transport = std::make_shared<SilentStatusTransport>();
  Client client = internal::ClientAccess::client(transport, {});
  // One thread asks the (silent) Flow for its format: up to 5 s.
  std::thread asker([&] { EXPECT_EQ(client.doc_format(), DocFormat::kV2); });
  while (transport->asked == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // A post meanwhile keeps its own deadline.
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(client.post("/", docs(1), {.timeout = 0.2}), Timeout);
  EXPECT_LT(since(start), 0.6 * kSlack);
  // Both share the one lookup: its answer serves the next post at once.
  transport->answer();
  asker.join();
  EXPECT_EQ(transport->asked, 1);
  DocumentArray out = client.post("/", docs(2));
  EXPECT_EQ(out.size(), 2u);
  EXPECT_EQ(transport->asked, 1);  // a failed lookup is not kept: this one answered
}

// Every stream and status call fails at once: the Flow is down.
class DownTransport : public MockTransport {
 public:
  std::unique_ptr<internal::RequestStream> open_stream(
      const internal::StreamOptions&, internal::StreamObserver* observer) override {
    ++streams;
    observer->on_done(absl::UnavailableError("connection refused"));
    return std::make_unique<Dead>();
  }
  absl::StatusOr<nlohmann::json> info(Duration) override {
    ++asked;
    return absl::UnavailableError("connection refused");
  }
  std::atomic<int> asked{0};

 private:
  struct Dead : internal::RequestStream {
    void write(std::shared_ptr<const std::string>) override {}
    void writes_done() override {}
    void cancel() override {}
  };
};

TEST(PostEngineTest, CancelDuringBackoffEndsThePostAtOnce) {
  for (bool format_known : {false, true}) {
    SCOPED_TRACE(format_known ? "backoff between streams" : "backoff between format lookups");
    auto transport = std::make_shared<DownTransport>();
    ClientOptions client_options;
    if (format_known) client_options.doc_format = DocFormat::kV2;
    Client client = internal::ClientAccess::client(transport, client_options);
    CancelToken token;
    Ledger ledger;
    std::thread canceller([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      token.cancel();
    });
    auto start = std::chrono::steady_clock::now();
    EXPECT_THROW(
        client.post(
            "/", docs(3),
            ledger.options(
                {.max_attempts = 5, .initial_backoff = 30, .max_backoff = 30, .cancel = token})),
        Cancelled);
    canceller.join();
    EXPECT_LT(since(start), 0.1 + 0.05 * kSlack);
    std::lock_guard lock(ledger.mu);
    // Requests sent (one, of 3 Documents, when the format was known) got
    // their outcome; during the lookup nothing was sent.
    EXPECT_EQ(ledger.always.size(), format_known ? 1u : 0u);
  }
}

TEST(PostEngineTest, UnreachableFlowIsAskedForItsFormatOnTheRetrySchedule) {
  auto transport = std::make_shared<DownTransport>();
  Client client = internal::ClientAccess::client(transport, {});
  EXPECT_THAT(
      [&] {
        client.post("/", docs(1),
                    {.max_attempts = 3, .initial_backoff = 0.01, .max_backoff = 0.01});
      },
      ::testing::ThrowsMessage<ConnectionError>(HasSubstr("3 attempts")));
  EXPECT_EQ(transport->asked, 3);
  EXPECT_EQ(transport->streams, 1);  // the last try, in the default format
}

TEST(PostEngineTest, AsyncClientLooksTheFormatUpWithoutAThreadPerPost) {
  auto transport = std::make_shared<SilentStatusTransport>();
  AsyncClient client = internal::ClientAccess::async_client(transport, {});
  std::vector<PostTask> tasks;
  for (int i = 0; i < 20; ++i) tasks.push_back(client.post("/", docs(1)));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  transport->answer();
  for (PostTask& task : tasks) EXPECT_EQ(task.get().size(), 1u);
  EXPECT_EQ(transport->asked, 1);  // one lookup for all 20 posts
  // Every post ran on the loop's threads (two), none on a thread of its own.
  EXPECT_LE(transport->threads_that_opened(), 3u);
}

}  // namespace
}  // namespace jina
