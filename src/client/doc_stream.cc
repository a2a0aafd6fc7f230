// Client::stream_doc: one call of a streaming endpoint, driven by the thread
// that reads its DocStream. Over gRPC that thread also runs the call's I/O
// (the transport's StreamPump), so an item reaches it with no thread
// hand-off; other transports call the observer on their I/O thread.
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "client/client_core.h"
#include "client/errors.h"
#include "client/post_call.h"
#include "client/retry.h"
#include "jina/client.h"
#include "jina/error.h"

namespace jina {
namespace internal {

class DocStreamCall final : public StreamObserver {
 public:
  DocStreamCall(std::shared_ptr<ClientCore> core, std::string_view endpoint, Document document,
                const StreamDocOptions& options)
      : core_(std::move(core)),
        endpoint_(endpoint),
        options_(options),
        backoff_(settings(options), core_->random()),
        started_(Clock::now()),
        pump_(core_->transport().make_pump()) {
    if (!std::isfinite(options.timeout) || options.timeout < 0 ||
        !std::isfinite(options.item_timeout) || options.item_timeout < 0) {
      throw InvalidArgument("stream_doc timeouts must be finite numbers of seconds >= 0");
    }
    check_metadata(options.metadata);
    request_.header().set_request_id(new_id());
    request_.header().set_exec_endpoint(std::string(endpoint));
    if (!options.parameters.is_null())
      request_.parameters() = request_parameters(options.parameters);
    DocumentArray docs;
    docs.push_back(std::move(document));
    request_.set_docs(std::move(docs));
    if (options.timeout > 0) deadline_ = started_ + to_duration(options.timeout);
    if (options.cancel) {
      cancel_handle_ = options.cancel->add_listener([this] { cancel(); });
    }
  }

  ~DocStreamCall() override {
    if (options_.cancel) options_.cancel->remove_listener(cancel_handle_);
    stream_.reset();  // cancels it if open, and waits for its end
  }

  std::optional<Document> next() {
    if (ended_) {
      if (ending_) std::rethrow_exception(ending_);
      return std::nullopt;
    }
    try {
      return take_next();
    } catch (...) {
      ended_ = true;
      ending_ = std::current_exception();
      stream_.reset();
      throw;
    }
  }

  void cancel() {
    cancelled_.store(true);
    wake();
  }

  std::size_t items() const { return taken_; }

  void on_response(Response response, std::size_t) override {
    std::lock_guard lock(mu_);
    if (!response.status().ok()) {
      const Status& status = response.status();
      std::string message = "Executor error in the stream of " + endpoint_ + " after " +
                            std::to_string(arrived_) + " item" + (arrived_ == 1 ? "" : "s");
      if (!status.exception().executor().empty()) message += " in " + status.exception().executor();
      message += ": " + status.description();
      failure_ = std::make_exception_ptr(BadServer(message));
    } else if (response.docs().empty()) {
      failure_ = std::make_exception_ptr(
          Error(absl::StatusCode::kDataLoss, "the Flow sent an item of the stream of " + endpoint_ +
                                                 " without a Document (after " +
                                                 std::to_string(arrived_) + " items)"));
    } else {
      ++arrived_;
      items_.push_back(std::move(response.docs()[0]));
    }
    notify();
  }

  void on_bad_response(absl::Status status, std::size_t) override {
    std::lock_guard lock(mu_);
    failure_ = std::make_exception_ptr(Error(status));
    notify();
  }

  void on_done(absl::Status status) override {
    std::lock_guard lock(mu_);
    done_ = std::move(status);
    notify();
  }

 private:
  static RetrySettings settings(const StreamDocOptions& o) {
    RetrySettings s{o.max_attempts, o.initial_backoff, o.max_backoff, o.backoff_multiplier};
    s.validate();
    return s;
  }

  static Clock::duration to_duration(double seconds) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  }

  std::optional<Document> take_next() {
    if (!opened_) open();
    for (;;) {
      std::optional<Document> item;
      std::exception_ptr failure;
      std::optional<absl::Status> done;
      {
        std::lock_guard lock(mu_);
        if (!items_.empty()) {
          item = std::move(items_.front());
          items_.pop_front();
        } else if (failure_) {
          failure = failure_;
        } else if (done_) {
          done = std::exchange(done_, std::nullopt);
        }
      }
      if (item) {
        ++taken_;
        // Time the consumer spends on this item is not the Flow's silence.
        silent_since_.reset();
        if (stream_) stream_->read_next();
        return item;
      }
      if (failure) std::rethrow_exception(failure);
      if (done) {
        if (on_stream_end(*done)) return std::nullopt;
        continue;
      }
      if (cancelled_.load()) {
        throw Cancelled("stream_doc of " + endpoint_ + " was cancelled after " +
                        std::to_string(taken_) + " items");
      }
      const Clock::time_point now = Clock::now();
      if (!silent_since_) silent_since_ = now;
      if (deadline_ && now >= *deadline_) {
        throw Timeout("stream_doc of " + endpoint_ + " at " + core_->transport().target() +
                      " passed its timeout of " + format(options_.timeout) + " s after " +
                      std::to_string(taken_) + " items");
      }
      std::optional<Clock::time_point> item_deadline;
      if (options_.item_timeout > 0 && stream_) {
        item_deadline = *silent_since_ + to_duration(options_.item_timeout);
        if (now >= *item_deadline) {
          throw Timeout("stream_doc of " + endpoint_ + " at " + core_->transport().target() +
                        ": no item for " + format(options_.item_timeout) +
                        " s (item_timeout) after " + std::to_string(taken_) + " items");
        }
      }
      if (retry_at_ && now >= *retry_at_) {
        retry_at_.reset();
        open();
        continue;
      }
      Clock::time_point until = Clock::time_point::max();
      for (const auto& t : {deadline_, item_deadline, retry_at_}) {
        if (t && *t < until) until = *t;
      }
      wait(until);
    }
  }

  // Whether the call is over (true) or a retry is scheduled (false).
  bool on_stream_end(const absl::Status& status) {
    stream_.reset();
    if (status.ok()) {
      ended_ = true;
      return true;
    }
    const std::string why = core_->transport().protocol_name() +
                            " error: " + std::string(absl::StatusCodeToString(status.code())) +
                            " " + std::string(status.message());
    if (status.code() == absl::StatusCode::kCancelled && cancelled_.load()) {
      throw Cancelled("stream_doc of " + endpoint_ + " was cancelled after " +
                      std::to_string(taken_) + " items");
    }
    if (arrived_ == 0 && is_retryable(status.code())) {
      if (auto delay = backoff_.delay_before(attempt_ + 1)) {
        ++attempt_;
        retry_at_ = Clock::now() + *delay;
        return false;
      }
    }
    throw_error_for(status.code(), "stream_doc of " + endpoint_ + " at " +
                                       core_->transport().target() + " failed after " +
                                       std::to_string(arrived_) + " items (attempt " +
                                       std::to_string(attempt_) + "): " + why);
  }

  void open() {
    opened_ = true;
    StreamOptions options;
    options.metadata = options_.metadata;
    options.doc_format = DocFormat::kV2;  // jina's streaming endpoints are docarray v2 only
    options.pump = pump_.get();
    stream_ = core_->transport().open_doc_stream(request_, options, this);
    if (!stream_) {
      throw InvalidArgument(
          "stream_doc needs a gRPC or HTTP gateway: " + core_->transport().protocol_name() +
          " gateways (" + core_->transport().target() + ") have no streaming endpoints");
    }
  }

  void wait(Clock::time_point until) {
    if (pump_) return pump_->wait(until);
    std::unique_lock lock(mu_);
    auto ready = [this] { return !items_.empty() || failure_ || done_ || cancelled_.load(); };
    if (until == Clock::time_point::max()) {
      cv_.wait(lock, ready);
    } else {
      cv_.wait_until(lock, until, ready);
    }
  }

  // Under mu_, or for cancel(): wakes wait().
  void notify() {
    if (pump_) {
      pump_->wake();
    } else {
      cv_.notify_all();
    }
  }

  void wake() {
    std::lock_guard lock(mu_);
    notify();
  }

  static std::string format(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", s);
    return buf;
  }

  std::shared_ptr<ClientCore> core_;
  std::string endpoint_;
  StreamDocOptions options_;
  Backoff backoff_;
  Clock::time_point started_;
  std::unique_ptr<StreamPump> pump_;  // set once: cancel() reads it from any thread
  DataRequest request_;
  std::optional<Clock::time_point> deadline_;
  std::optional<Clock::time_point> retry_at_;
  std::optional<Clock::time_point> silent_since_;  // waiting for an item since
  int cancel_handle_ = 0;
  int attempt_ = 1;
  bool opened_ = false;
  bool ended_ = false;
  std::exception_ptr ending_;
  std::size_t taken_ = 0;
  std::atomic<bool> cancelled_{false};

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Document> items_;        // under mu_
  std::exception_ptr failure_;        // under mu_: an item that was an error
  std::optional<absl::Status> done_;  // under mu_: how the stream ended
  std::size_t arrived_ = 0;           // under mu_

  std::unique_ptr<ItemStream> stream_;  // after pump_ and mu_: goes first
};

}  // namespace internal

DocStream::DocStream(std::unique_ptr<internal::DocStreamCall> call) : call_(std::move(call)) {}
DocStream::DocStream(DocStream&&) noexcept = default;
DocStream& DocStream::operator=(DocStream&&) noexcept = default;
DocStream::~DocStream() = default;

std::optional<Document> DocStream::next() {
  if (!call_) throw Error(absl::StatusCode::kFailedPrecondition, "a moved-from DocStream");
  return call_->next();
}

void DocStream::cancel() {
  if (call_) call_->cancel();
}

std::size_t DocStream::items() const { return call_ ? call_->items() : 0; }

DocStream Client::stream_doc_on(std::shared_ptr<internal::ClientCore> core,
                                std::string_view endpoint, Document document,
                                const StreamDocOptions& options) {
  return DocStream(std::make_unique<internal::DocStreamCall>(std::move(core), endpoint,
                                                             std::move(document), options));
}

DocStream Client::stream_doc(std::string_view endpoint, Document document,
                             const StreamDocOptions& options) {
  return stream_doc_on(core_, endpoint, std::move(document), options);
}

}  // namespace jina
