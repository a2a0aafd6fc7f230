// A Transport without any network: the engine of jina::testing::FakeGateway
// (jina/testing.h) and of the library's own unit tests. Each stream answers
// its requests from a thread of its own, as real transports do, and records
// what it saw.
#ifndef JINA_SRC_TESTING_FAKE_TRANSPORT_H_
#define JINA_SRC_TESTING_FAKE_TRANSPORT_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "jina/request.h"
#include "transport/transport.h"

namespace jina::internal {

// Answers each request on its own thread, `answer` deciding the bytes (or
// nullopt: no answer), `answer_delay` after taking it. Records what it saw.
// While hold(true), answers wait (a post "during receive"). fail_next(n, s)
// makes the next n streams end at once with `s` (a Flow that is down).
//
// Thread-safe.
class FakeTransport : public ProtobufTransport {
 public:
  using Answer = std::function<std::optional<std::string>(const DataRequest&)>;

  explicit FakeTransport(Answer answer = nullptr)
      : answer_(answer ? std::move(answer) : [](const DataRequest& r) {
          return std::optional<std::string>(r.serialize());
        }) {}

  std::unique_ptr<RequestStream> open_stream(const StreamOptions& options,
                                             StreamObserver* observer) override {
    {
      std::lock_guard lock(mu);
      last_options = options;
      opened_on.insert(std::this_thread::get_id());
    }
    ++streams;
    absl::Status failure;
    {
      std::lock_guard lock(mu);
      if (failures_left_ > 0) {
        --failures_left_;
        failure = failure_;
      }
    }
    if (!failure.ok()) {
      observer->on_done(failure);
      return std::make_unique<FailedStream>();
    }
    return std::make_unique<Stream>(this, observer, options.doc_format);
  }
  absl::Status dry_run(Duration) override { return absl::OkStatus(); }
  absl::StatusOr<std::vector<std::string>> endpoints(Duration) override {
    return std::vector<std::string>{"/"};
  }
  absl::StatusOr<nlohmann::json> info(Duration) override {
    {
      std::lock_guard lock(mu);
      if (failures_left_ > 0) return failure_;
    }
    return nlohmann::json{{"jina", {{"docarray", "0.40.1"}}}};
  }
  std::string target() const override { return "mock:1"; }

  void fail_next(int streams_to_fail, absl::Status status) {
    std::lock_guard lock(mu);
    failures_left_ = streams_to_fail;
    failure_ = std::move(status);
  }

  void hold(bool on) {
    std::lock_guard lock(mu);
    held_ = on;
    released_.notify_all();
  }

  // A copy of `seen`, taken under the lock.
  std::vector<DataRequest> requests() {
    std::lock_guard lock(mu);
    return seen;
  }

  // The threads that opened streams (the threads the posts ran on).
  std::size_t threads_that_opened() {
    std::lock_guard lock(mu);
    return opened_on.size();
  }

  std::chrono::microseconds answer_delay{200};
  std::atomic<int> streams{0};
  std::atomic<int> received{0};  // requests taken by the "server"
  std::atomic<int> max_outstanding{0};
  std::mutex mu;
  StreamOptions last_options;           // under mu
  std::vector<DataRequest> seen;        // under mu
  std::set<std::thread::id> opened_on;  // under mu

 private:
  struct FailedStream : RequestStream {
    void write(std::shared_ptr<const std::string>) override {}
    void writes_done() override {}
    void cancel() override {}
  };

  class Stream : public RequestStream {
   public:
    Stream(FakeTransport* transport, StreamObserver* observer, DocFormat format)
        : transport_(transport),
          observer_(observer),
          format_(format),
          worker_([this] { serve(); }) {}
    ~Stream() override {
      cancel();
      worker_.join();
    }
    void write(std::shared_ptr<const std::string> bytes) override {
      std::lock_guard lock(mu_);
      if (closed_) return;
      queue_.push_back(*bytes);
      ++outstanding_;
      int seen = transport_->max_outstanding.load();
      while (outstanding_ > seen &&
             !transport_->max_outstanding.compare_exchange_weak(seen, outstanding_)) {
      }
      cv_.notify_all();
    }
    void writes_done() override {
      std::lock_guard lock(mu_);
      half_closed_ = true;
      cv_.notify_all();
    }
    void cancel() override {
      {
        std::lock_guard lock(mu_);
        closed_ = true;
        cv_.notify_all();
      }
      std::lock_guard lock(transport_->mu);
      transport_->released_.notify_all();
    }

   private:
    bool closed() {
      std::lock_guard lock(mu_);
      return closed_;
    }

    void serve() {
      absl::Status end = absl::OkStatus();
      while (true) {
        std::string bytes;
        {
          std::unique_lock lock(mu_);
          cv_.wait(lock, [this] { return closed_ || !queue_.empty() || half_closed_; });
          if (closed_) {
            end = absl::CancelledError("cancelled");
            break;
          }
          if (queue_.empty()) break;  // half-closed and drained
          bytes = std::move(queue_.front());
          queue_.pop_front();
        }
        ++transport_->received;
        if (transport_->answer_delay.count() > 0)
          std::this_thread::sleep_for(transport_->answer_delay);
        {
          std::unique_lock lock(transport_->mu);
          transport_->released_.wait(lock, [&] { return !transport_->held_ || closed(); });
        }
        if (closed()) {
          end = absl::CancelledError("cancelled");
          break;
        }
        DataRequest request = DataRequest::parse(bytes);
        {
          std::lock_guard lock(transport_->mu);
          transport_->seen.push_back(request);
        }
        {
          std::lock_guard lock(mu_);
          --outstanding_;
        }
        if (auto answer = transport_->answer_(request)) {
          deliver_serialized(*observer_, *answer, format_);
        }
      }
      observer_->on_done(end);
    }

    FakeTransport* transport_;
    StreamObserver* observer_;
    DocFormat format_;  // of the answers
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::string> queue_;
    int outstanding_ = 0;
    bool half_closed_ = false;
    bool closed_ = false;
    std::thread worker_;  // last: starts once the rest is built
  };

  Answer answer_;
  std::condition_variable released_;
  bool held_ = false;      // under mu
  int failures_left_ = 0;  // under mu
  absl::Status failure_;   // under mu
};

}  // namespace jina::internal

#endif  // JINA_SRC_TESTING_FAKE_TRANSPORT_H_
