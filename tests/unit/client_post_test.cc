// post() over a mock Transport: the request pipeline without any network.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/client_access.h"
#include "client/post_call.h"
#include "client/progress.h"
#include "jina/client.h"
#include "jina/error.h"
#include "transport/transport.h"
#include "unit/mock_transport.h"

namespace jina {
namespace {

using internal::RequestStream;
using internal::StreamObserver;
using internal::StreamOptions;
using internal::Transport;

using testing::MockTransport;

DocumentArray docs(int n) {
  DocumentArray out;
  for (int i = 0; i < n; ++i) out.push_back(Document().set_text(std::to_string(i)));
  return out;
}

// A clock that moves 5 ms each time it is read: waits end after a number of
// polls, whatever the machine's load, so the schedule is checked exactly.
class SteppingTime : public internal::TimeSource {
 public:
  internal::Clock::time_point now() override {
    return internal::Clock::time_point(std::chrono::nanoseconds(ns_.fetch_add(kStep)));
  }
  internal::Clock::duration poll_interval() const override { return std::chrono::microseconds(50); }
  double seconds() { return std::chrono::duration<double>(now().time_since_epoch()).count(); }

  static constexpr std::int64_t kStep = 5'000'000;

 private:
  std::atomic<std::int64_t> ns_{0};
};

// Every stream fails at once with UNAVAILABLE; records when (on `time`) each
// was opened.
class UnavailableTransport : public internal::ProtobufTransport {
 public:
  explicit UnavailableTransport(SteppingTime* time) : time_(time) {}
  std::unique_ptr<RequestStream> open_stream(const StreamOptions&,
                                             StreamObserver* observer) override {
    {
      std::lock_guard lock(mu);
      opened_at.push_back(time_->seconds());
    }
    observer->on_done(absl::UnavailableError("connection refused"));
    return std::make_unique<DeadStream>();
  }
  absl::Status dry_run(Duration) override { return absl::UnavailableError("down"); }
  absl::StatusOr<std::vector<std::string>> endpoints(Duration) override {
    return absl::UnavailableError("down");
  }
  absl::StatusOr<nlohmann::json> info(Duration) override { return absl::UnavailableError("down"); }
  std::string target() const override { return "nowhere:1"; }

  std::mutex mu;
  std::vector<double> opened_at;

 private:
  struct DeadStream : RequestStream {
    void write(std::shared_ptr<const std::string>) override {}
    void writes_done() override {}
    void cancel() override {}
  };
  SteppingTime* time_;
};

TEST(ClientPostTest, RetryScheduleOnAnInjectedClock) {
  SteppingTime time;
  UnavailableTransport transport(&time);
  std::vector<double> bounds;
  internal::RandomSource at_ceiling = [&bounds](double, double hi) {
    bounds.push_back(hi);
    return hi;
  };
  int errors = 0;
  PostOptions options{.on_error = [&](const Response&, const Error&) { ++errors; },
                      .max_attempts = 5,
                      .initial_backoff = 1.0,
                      .max_backoff = 3.0,
                      .backoff_multiplier = 2.0};
  Inputs inputs(docs(2));
  EXPECT_THAT(
      [&] {
        internal::run_post(transport, DocFormat::kV2, "/", inputs, options, at_ceiling, {}, time);
      },
      ::testing::ThrowsMessage<ConnectionError>(::testing::HasSubstr("5 attempts")));
  EXPECT_EQ(bounds, (std::vector<double>{1, 2, 3, 3}));  // min(1 * 2^(n-2), 3)
  // Each attempt waits its ceiling (plus the few clock reads in between).
  std::vector<double> waits{1, 2, 3, 3};
  ASSERT_EQ(transport.opened_at.size(), waits.size() + 1);
  for (std::size_t i = 0; i < waits.size(); ++i) {
    double waited = transport.opened_at[i + 1] - transport.opened_at[i];
    EXPECT_GE(waited, waits[i]) << "before attempt " << i + 2;
    EXPECT_LT(waited, waits[i] + 0.05) << "before attempt " << i + 2;
  }
  EXPECT_EQ(errors, 1);  // one request (2 docs), one outcome
}

TEST(ClientPostTest, NeverMoreThanPrefetchInFlight) {
  auto transport = std::make_shared<MockTransport>();
  Client client = internal::ClientAccess::client(transport, {});
  DocumentArray out = client.post("/", docs(200), {.request_size = 2, .prefetch = 3});
  EXPECT_EQ(out.size(), 200u);
  EXPECT_LE(transport->max_outstanding.load(), 3);
  EXPECT_EQ(transport->last_options.prefetch, 3);
  EXPECT_EQ(transport->streams, 1);
}

TEST(ClientPostTest, RequestSizeZeroSendsEverythingInOneRequest) {
  auto transport = std::make_shared<MockTransport>();
  Client client = internal::ClientAccess::client(transport, {});
  client.post("/", docs(250), {.request_size = 0});
  ASSERT_EQ(transport->seen.size(), 1u);
  EXPECT_EQ(transport->seen[0].docs().size(), 250u);
}

TEST(ClientPostTest, StreamOptionsComeFromPostOptions) {
  auto transport = std::make_shared<MockTransport>();
  Client client = internal::ClientAccess::client(transport, {});
  client.post("/", docs(1),
              {.compression = Compression::kDeflate,
               .results_in_order = true,
               .metadata = {{"authorization", "token"}}});
  EXPECT_EQ(transport->last_options.compression, Compression::kDeflate);
  EXPECT_TRUE(transport->last_options.results_in_order);
  ASSERT_EQ(transport->last_options.metadata.size(), 1u);
  EXPECT_EQ(transport->last_options.metadata[0].first, "authorization");
}

TEST(ClientPostTest, MalformedResponseFailsThePostWithOutcomes) {
  auto transport = std::make_shared<MockTransport>(
      [](const DataRequest&) { return std::optional<std::string>("\xff\xff garbage"); });
  Client client = internal::ClientAccess::client(transport, {});
  int errors = 0;
  try {
    client.post("/", docs(3),
                {.request_size = 1, .on_error = [&](const Response&, const Error&) { ++errors; }});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(e.what(), ::testing::HasSubstr("malformed response"));
  }
  EXPECT_EQ(errors, 3);
}

// Jina's on_error makes the exception optional: a callback of the response
// alone is called for the same requests (issue 19).
TEST(ClientPostTest, OnErrorMayTakeTheResponseAlone) {
  auto transport = std::make_shared<MockTransport>(
      [](const DataRequest&) { return std::optional<std::string>("\xff\xff garbage"); });
  Client client = internal::ClientAccess::client(transport, {});
  std::vector<std::string> failed;
  PostOptions options{.request_size = 1};
  options.on_error = [&](const Response& r) { failed.push_back(r.header().request_id()); };
  ASSERT_TRUE(options.on_error);
  EXPECT_THROW(client.post("/", docs(3), options), Error);
  EXPECT_EQ(failed.size(), 3u);
  options.on_error = nullptr;
  EXPECT_FALSE(options.on_error);
}

TEST(ClientPostTest, UnknownResponseIdsAreIgnored) {
  auto transport = std::make_shared<MockTransport>([](const DataRequest& r) {
    DataRequest copy = r;
    copy.header().set_request_id("not-a-request-of-ours");
    return std::optional<std::string>(copy.serialize());
  });
  Client client = internal::ClientAccess::client(transport, {});
  // The stream ends with the real request unanswered: a failure, not a
  // silently lost Document.
  EXPECT_THAT(
      [&] { client.post("/", docs(1)); },
      ::testing::ThrowsMessage<ConnectionError>(::testing::HasSubstr("1 request(s) unanswered")));
}

TEST(ClientPostTest, GeneratorExceptionPropagates) {
  auto transport = std::make_shared<MockTransport>();
  Client client = internal::ClientAccess::client(transport, {});
  int n = 0;
  auto generator = [&]() -> std::optional<Document> {
    if (++n == 5) throw std::runtime_error("input broke");
    return Document();
  };
  EXPECT_THROW(client.post("/", generator, {.request_size = 1}), std::runtime_error);
}

TEST(ClientPostTest, ResultsParameterHelper) {
  EXPECT_EQ(internal::request_parameters(nullptr),
            nlohmann::json({{"__results__", nlohmann::json::object()}}));
  EXPECT_EQ(internal::request_parameters({{"a", 1}})["a"], 1);
  EXPECT_THROW(internal::request_parameters("text"), InvalidArgument);
  EXPECT_THROW(internal::request_parameters(nlohmann::json::array()), InvalidArgument);
}

TEST(ClientPostTest, InputsBatching) {
  DocumentArray source = docs(5);
  Inputs borrowed(source);
  DocumentArray batch;
  EXPECT_TRUE(borrowed.next_batch(2, batch));
  EXPECT_TRUE(borrowed.next_batch(2, batch));
  EXPECT_FALSE(borrowed.exhausted());
  EXPECT_TRUE(borrowed.next_batch(2, batch));
  EXPECT_TRUE(borrowed.exhausted());  // known without another pull: the last request half-closes
  EXPECT_FALSE(borrowed.next_batch(2, batch));
  EXPECT_EQ(batch.size(), 5u);
  EXPECT_EQ(source.size(), 5u);  // borrowed, not consumed

  int left = 1;
  Inputs generated([&]() -> std::optional<Document> {
    if (left == 0) return std::nullopt;
    --left;
    return Document();
  });
  EXPECT_TRUE(generated.next_batch(1, batch));
  EXPECT_FALSE(generated.exhausted());  // a generator is over only once it said so
  EXPECT_FALSE(generated.next_batch(1, batch));
  EXPECT_TRUE(generated.exhausted());

  Inputs none;
  EXPECT_TRUE(none.none());
  EXPECT_TRUE(none.exhausted());
  EXPECT_FALSE(none.next_batch(2, batch));
}

}  // namespace
}  // namespace jina

namespace jina::internal {
namespace {

std::string drawn(std::optional<std::uint64_t> total, bool show, bool force) {
  std::FILE* f = std::tmpfile();
  {
    Progress progress(show, force, total, f);
    progress.add(1, 100);
    progress.add(1, 100);
  }
  std::rewind(f);
  std::string out;
  char buf[256];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, f)) out.append(buf, n);
  std::fclose(f);
  return out;
}

TEST(ProgressTest, DrawsRequestsDocsRateAndElapsedWhenForced) {
  std::string line = drawn(4, true, true);
  EXPECT_THAT(line, ::testing::HasSubstr("docs/s"));
  EXPECT_THAT(line, ::testing::HasSubstr("[############............]"));
  // With a total: the share done and, while running, the time left.
  EXPECT_THAT(line, ::testing::HasSubstr("1/4 requests (25 %)"));
  EXPECT_THAT(line, ::testing::ContainsRegex("ETA [0-9]+ s"));
  EXPECT_THAT(line, ::testing::HasSubstr("2/4 requests (50 %), 200 docs"));
  EXPECT_THAT(line, ::testing::Not(::testing::HasSubstr("ETA 0 s done")));
  // A file (force_progress) gets no terminal escape codes.
  EXPECT_THAT(line, ::testing::Not(::testing::HasSubstr("\x1b")));
  EXPECT_THAT(drawn(std::nullopt, true, true), ::testing::HasSubstr("2 requests"));
}

TEST(ProgressTest, SilentWhenNotATerminalOrNotAsked) {
  EXPECT_EQ(drawn(4, true, false), "");  // a temp file is no terminal
  EXPECT_EQ(drawn(4, false, true), "");
}

}  // namespace
}  // namespace jina::internal

namespace jina {
namespace {

TEST(ClientPostWindowTest, DocsInFlightAreBoundedToo) {
  auto transport = std::make_shared<MockTransport>();
  Client client = internal::ClientAccess::client(transport, {});
  // 10 docs per request, at most 25 docs out: 3 requests (the third crosses
  // the bound, none after it), whatever prefetch allows.
  client.post("/", docs(300), {.request_size = 10, .prefetch = 1000, .max_docs_in_flight = 25});
  EXPECT_LE(transport->max_outstanding.load(), 3);
  EXPECT_EQ(transport->seen.size(), 30u);
  // A request larger than the bound still goes, alone.
  EXPECT_EQ(client.post("/", docs(50), {.request_size = 50, .max_docs_in_flight = 5}).size(), 50u);
  EXPECT_THROW(client.post("/", docs(1), {.max_docs_in_flight = -1}), InvalidArgument);
}

}  // namespace
}  // namespace jina
