// The gRPC transport's StreamPump: a stream opened with a pump makes progress
// only on the thread in pump->wait(), and calls its observer there, so a
// blocking post spends no thread hand-off per response.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "integration/client_fake_gateway.h"
#include "transport/grpc_transport.h"
#include "transport/target.h"

namespace jina::internal {
namespace {

using testing::FakeGateway;
using Clock = std::chrono::steady_clock;
using Ms = std::chrono::milliseconds;

class Recorder final : public StreamObserver {
 public:
  void on_response(Response response, std::size_t) override {
    threads.push_back(std::this_thread::get_id());
    texts.push_back(response.docs().empty() ? "" : response.docs()[0].text());
  }
  void on_bad_response(absl::Status status, std::size_t) override { bad.push_back(status); }
  void on_done(absl::Status status) override {
    threads.push_back(std::this_thread::get_id());
    done = status;
  }

  std::vector<std::thread::id> threads;
  std::vector<std::string> texts;
  std::vector<absl::Status> bad;
  std::optional<absl::Status> done;
};

class GrpcPumpTest : public ::testing::Test {
 protected:
  std::shared_ptr<const std::string> request(const std::string& endpoint, const std::string& text,
                                             int n) {
    DataRequest r;
    r.header().set_request_id("r" + std::to_string(n));
    r.header().set_exec_endpoint(endpoint);
    DocumentArray docs;
    docs.push_back(Document().set_text(text));
    r.set_docs(std::move(docs));
    return std::make_shared<const std::string>(transport_->encode(r, DocFormat::kV2));
  }

  // Waits in the pump until `done` or `limit` passes.
  void pump_until(StreamPump& pump, const std::function<bool()>& done, Ms limit = Ms(5000)) {
    const auto until = Clock::now() + limit;
    while (!done() && Clock::now() < until) pump.wait(until);
  }

  FakeGateway gateway_;
  std::shared_ptr<Transport> transport_ =
      make_grpc_transport(resolve_target("grpc://" + gateway_.address(), {}), {});
};

TEST_F(GrpcPumpTest, ObserverRunsOnlyOnTheWaitingThread) {
  auto pump = transport_->make_pump();
  ASSERT_NE(pump, nullptr);
  Recorder recorder;
  StreamOptions options;
  options.pump = pump.get();
  auto stream = transport_->open_stream(options, &recorder);
  for (int i = 0; i < 20; ++i) stream->write(request("/upper", "t" + std::to_string(i), i));
  stream->writes_done();

  // Nobody waits: the answers are not read.
  std::this_thread::sleep_for(Ms(200));
  EXPECT_TRUE(recorder.threads.empty());

  pump_until(*pump, [&] { return recorder.done.has_value(); });
  ASSERT_TRUE(recorder.done.has_value());
  EXPECT_TRUE(recorder.done->ok()) << recorder.done->ToString();
  EXPECT_EQ(recorder.texts.size(), 20u);
  EXPECT_EQ(gateway_.requests().size(), 20u);
  for (std::thread::id id : recorder.threads) EXPECT_EQ(id, std::this_thread::get_id());
}

TEST_F(GrpcPumpTest, WakeEndsAWaitFromAnotherThreadAndADeadlineEndsIt) {
  auto pump = transport_->make_pump();
  const auto start = Clock::now();
  pump->wait(Clock::now() + Ms(100));
  EXPECT_GE(Clock::now() - start, Ms(95));

  // A wake before the wait is not lost; one during it ends it at once.
  pump->wake();
  auto t = Clock::now();
  pump->wait(Clock::time_point::max());
  EXPECT_LT(Clock::now() - t, Ms(1000));
  std::thread waker([&] {
    std::this_thread::sleep_for(Ms(50));
    pump->wake();
    pump->wake();  // a second wake while one is pending is one wake
  });
  t = Clock::now();
  pump->wait(Clock::now() + std::chrono::seconds(10));
  waker.join();
  EXPECT_LT(Clock::now() - t, Ms(2000));
  pump->wait(Clock::now() + Ms(1));  // takes the second wake, if it came late
}

TEST_F(GrpcPumpTest, DestroyingAStreamInFlightCancelsItAndWaitsForItsEnd) {
  auto pump = transport_->make_pump();
  Recorder recorder;
  StreamOptions options;
  options.pump = pump.get();
  auto stream = transport_->open_stream(options, &recorder);
  stream->write(request("/hang", "x", 0));
  stream->write(request("/upper", "y", 1));  // queued behind the first write
  pump_until(
      *pump, [&] { return gateway_.streams() > 0; }, Ms(2000));
  const auto t = Clock::now();
  stream.reset();
  EXPECT_LT(Clock::now() - t, Ms(2000));
  ASSERT_TRUE(recorder.done.has_value());
  EXPECT_EQ(recorder.done->code(), absl::StatusCode::kCancelled) << recorder.done->ToString();
}

TEST_F(GrpcPumpTest, WriteLastHalfClosesBehindQueuedWrites) {
  auto pump = transport_->make_pump();
  Recorder recorder;
  StreamOptions options;
  options.pump = pump.get();
  auto stream = transport_->open_stream(options, &recorder);
  for (int i = 0; i < 5; ++i) stream->write(request("/upper", "a", i));
  stream->write_last(request("/upper", "b", 5));
  stream->write(request("/upper", "ignored", 6));  // after the half-close: dropped
  pump_until(*pump, [&] { return recorder.done.has_value(); });
  ASSERT_TRUE(recorder.done.has_value());
  EXPECT_TRUE(recorder.done->ok()) << recorder.done->ToString();
  ASSERT_EQ(recorder.texts.size(), 6u);
  EXPECT_EQ(recorder.texts.back(), "B");
}

TEST_F(GrpcPumpTest, AServerThatIsGoneEndsTheStreamWithUnavailable) {
  const int port = testing::free_port();
  auto transport =
      make_grpc_transport(resolve_target("grpc://127.0.0.1:" + std::to_string(port), {}), {});
  auto pump = transport->make_pump();
  Recorder recorder;
  StreamOptions options;
  options.pump = pump.get();
  auto stream = transport->open_stream(options, &recorder);
  stream->write_last(request("/upper", "a", 0));
  pump_until(*pump, [&] { return recorder.done.has_value(); });
  ASSERT_TRUE(recorder.done.has_value());
  EXPECT_EQ(recorder.done->code(), absl::StatusCode::kUnavailable) << recorder.done->ToString();
  EXPECT_TRUE(recorder.texts.empty());
}

}  // namespace
}  // namespace jina::internal
