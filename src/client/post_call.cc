#include "client/post_call.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>

#include "absl/status/status.h"
#include "client/errors.h"
#include "client/progress.h"
#include "common/log.h"
#include "jina/error.h"

namespace jina::internal {
namespace {

// Posts running in this process (any Client), to decide whether spinning pays.
std::atomic<int> active_posts{0};

// What the transport threads (and a cancelling thread) tell the caller's thread.
struct Event {
  // kDelivered: an outcome run elsewhere (Offload) is over; kInputs: an
  // InputSource may have a batch.
  enum class Kind { kResponse, kBadResponse, kDone, kCancel, kFormat, kDelivered, kInputs };
  Kind kind;
  int stream = 0;  // the stream's number; a format lookup's, for kFormat
  Response response{};
  absl::Status status{};
  DocFormat format = DocFormat::kV2;  // kFormat
  std::exception_ptr thrown{};        // kDelivered: what a callback threw
};

class EventQueue {
 public:
  void push(Event event) {
    {
      std::lock_guard lock(mu_);
      events_.push_back(std::move(event));
      size_.store(events_.size(), std::memory_order_release);
    }
    if (pump_) {
      pump_->wake();
    } else {
      cv_.notify_one();
    }
    if (wake_) wake_();
  }

  // take() then waits in `pump`, which must outlive the queue's use: set
  // before the first push.
  void set_pump(StreamPump* pump) { pump_ = pump; }

  // Called after every push (PostDriver): set before the first push.
  void set_wake(std::function<void()> wake) { wake_ = std::move(wake); }

  // Moves every queued event into `out`, without waiting.
  void take_now(std::deque<Event>& out) {
    std::lock_guard lock(mu_);
    out.swap(events_);
    size_.store(0, std::memory_order_relaxed);
  }

  // Moves every queued event into `out`, waiting until there is one or
  // `time` reaches `deadline`.
  void take(std::deque<Event>& out, std::optional<Clock::time_point> deadline, TimeSource& time) {
    const Clock::duration slice = time.poll_interval();
    if (pump_) {
      take_pumped(out, deadline, time, slice);
      return;
    }
    // A response usually follows within microseconds: a short spin saves a
    // sleep and a wake-up, which dominate the latency of small requests. With
    // other posts running the spin only takes CPU from them (and the Flow),
    // and against a slow Flow (a Python one answers in milliseconds) it
    // burns a core for nothing: after a spin that found nothing, the next
    // spins are skipped, twice as many each time it happens again.
    if (size_.load(std::memory_order_acquire) == 0 &&
        active_posts.load(std::memory_order_relaxed) <= 1) {
      if (spins_to_skip_ > 0) {
        --spins_to_skip_;
      } else {
        int i = 0;
        while (i < kSpins && size_.load(std::memory_order_acquire) == 0) {
          std::this_thread::yield();
          ++i;
        }
        if (i < kSpins) {
          skip_after_miss_ = 0;
        } else {
          skip_after_miss_ = std::min(kMaxSkips, std::max(1, skip_after_miss_ * 2));
          spins_to_skip_ = skip_after_miss_;
        }
      }
    }
    std::unique_lock lock(mu_);
    while (events_.empty()) {
      if (!deadline) {
        cv_.wait(lock);
        continue;
      }
      auto left = *deadline - time.now();
      if (left <= Clock::duration::zero()) break;
      cv_.wait_for(lock, std::min(left, slice));
    }
    out.swap(events_);
    size_.store(0, std::memory_order_relaxed);
  }

 private:
  // take() on the pump: the streams' completions run here until one pushes
  // an event (or another thread does, and wakes the pump).
  void take_pumped(std::deque<Event>& out, std::optional<Clock::time_point> deadline,
                   TimeSource& time, Clock::duration slice) {
    while (size_.load(std::memory_order_acquire) == 0) {
      Clock::time_point until = Clock::time_point::max();
      if (deadline) {
        const auto left = *deadline - time.now();
        if (left <= Clock::duration::zero()) break;
        until = Clock::now() + std::min(left, slice);
      }
      pump_->wait(until);
    }
    take_now(out);
  }

  static constexpr int kSpins = 200;
  static constexpr int kMaxSkips = 64;
  int skip_after_miss_ = 0;  // spins skipped after the last miss; take()'s thread only
  int spins_to_skip_ = 0;
  std::atomic<std::size_t> size_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Event> events_;
  std::function<void()> wake_;
  StreamPump* pump_ = nullptr;
};

// Takes what a stream reads (decoded where it arrived, so that decoding
// overlaps with the engine's work of encoding the next requests) into the
// engine's queue.
class StreamSink final : public StreamObserver {
 public:
  StreamSink(EventQueue& queue, int stream, StatsRecorder* stats)
      : queue_(queue), stream_(stream), stats_(stats) {}

  void on_response(Response response, std::size_t wire_bytes) override {
    if (stats_) stats_->bytes_received(wire_bytes);
    Event event{Event::Kind::kResponse, stream_};
    event.response = std::move(response);
    queue_.push(std::move(event));
  }

  void on_bad_response(absl::Status status, std::size_t wire_bytes) override {
    if (stats_) stats_->bytes_received(wire_bytes);
    Event event{Event::Kind::kBadResponse, stream_};
    event.status = std::move(status);
    queue_.push(std::move(event));
  }

  void on_done(absl::Status status) override {
    queue_.push(Event{Event::Kind::kDone, stream_, {}, std::move(status)});
  }

 private:
  EventQueue& queue_;
  int stream_;
  StatsRecorder* stats_;
};

// Removes the cancel listener on every way out of run().
class CancelRegistration {
 public:
  CancelRegistration(const std::optional<CancelToken>& token, EventQueue& queue) : token_(token) {
    if (token_) {
      handle_ = token_->add_listener([&queue] {
        queue.push(Event{Event::Kind::kCancel, 0, {}, {}});
      });
    }
  }
  ~CancelRegistration() {
    if (token_) token_->remove_listener(handle_);
  }
  CancelRegistration(const CancelRegistration&) = delete;
  CancelRegistration& operator=(const CancelRegistration&) = delete;

 private:
  const std::optional<CancelToken>& token_;
  int handle_ = 0;
};

// For the progress bar: known for every input but a generator.
std::optional<std::uint64_t> expected_requests(const Inputs& inputs, int request_size) {
  std::optional<std::size_t> docs = inputs.size();
  if (!docs) return std::nullopt;
  if (*docs == 0 || request_size <= 0) return 1;
  return (*docs + request_size - 1) / request_size;
}

std::string format_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}

// Protobuf parsers (Jina's gateway included) stop at 100 nested messages;
// each JSON level costs up to 3 of them (Struct, map entry, Value).
constexpr int kMaxParameterDepth = 32;

int json_depth(const nlohmann::json& j, int limit) {
  if (!j.is_structured() || limit < 0) return 0;
  int deepest = 0;
  for (const auto& item : j) deepest = std::max(deepest, json_depth(item, limit - 1));
  return deepest + 1;
}

std::string what_of(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "a non-standard exception";
  }
}

class PostCall {
 public:
  PostCall(Transport& transport, FormatLookup& formats, std::string_view endpoint, Inputs& inputs,
           const PostOptions& options, const RandomSource& random, TimeSource& time,
           PostResults results, Offload offload = {})
      : transport_(transport),
        formats_(formats),
        time_(time),
        endpoint_(endpoint),
        inputs_(inputs),
        options_(options),
        backoff_(RetrySettings::from(options), random),
        results_(std::move(results)),
        offload_(std::move(offload)),
        parameters_(request_parameters(options.parameters)),
        collect_docs_(results_.docs != nullptr && !options.on_done && !options.on_always),
        progress_(options.show_progress, options.force_progress,
                  expected_requests(inputs, options.request_size)) {
    if (options.prefetch < 0) throw InvalidArgument("prefetch must be >= 0 (0: no bound)");
    if (options.max_docs_in_flight < 0) {
      throw InvalidArgument("max_docs_in_flight must be >= 0 (0: no bound)");
    }
    if (!std::isfinite(options.timeout) || options.timeout < 0) {
      throw InvalidArgument("timeout must be a finite number of seconds >= 0 (0: none)");
    }
    check_metadata(options.metadata);
    if (options.timeout > 0) {
      timeout_ = std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>(options.timeout));
    }
    active_posts.fetch_add(1, std::memory_order_relaxed);
  }

  ~PostCall() {
    if (offload_.inputs) offload_.inputs->on_ready(nullptr);
    stop_lookup();
    // The stream reports to queue_ until it is gone.
    stream_.reset();
    active_posts.fetch_sub(1, std::memory_order_relaxed);
  }

  void run() {
    // This thread waits for the post's events: let the transport run its
    // streams on it while it does.
    pump_ = transport_.make_pump();
    queue_.set_pump(pump_.get());
    CancelRegistration cancel_registration(options_.cancel, queue_);
    start();
    std::deque<Event> events;
    while (!turn(events)) queue_.take(events, next_deadline(), time_);
    finish_stream();
    // Handed over, not kept: the exception's last owner is then the caller
    // (libstdc++ counts its owners where TSan cannot see).
    if (ending_.thrown) std::rethrow_exception(std::exchange(ending_.thrown, nullptr));
  }

  // run() one turn at a time, never waiting (PostDriver): true once over.
  bool poll(const std::function<void()>& wake, std::optional<Clock::time_point>& deadline) {
    std::deque<Event> events;
    if (!polled_) {
      polled_ = true;
      queue_.set_wake(wake);
      if (offload_.inputs) {
        offload_.inputs->on_ready([this] { queue_.push(Event{Event::Kind::kInputs}); });
      }
      cancel_registration_.emplace(options_.cancel, queue_);
      start();
    } else {
      queue_.take_now(events);
    }
    if (!finish_by_) {
      if (!turn(events)) {
        deadline = next_deadline();
        return false;
      }
      // As finish_stream(): half-close, give the Flow a moment to end the stream.
      if (stream_ && !half_closed_) {
        stream_->writes_done();
        half_closed_ = true;
      }
      finish_by_ = Clock::now() + kFinishGrace;
    }
    for (Event& event : events) {
      if (event.kind == Event::Kind::kDone && event.stream == stream_id_) stream_.reset();
    }
    if (!stream_ || Clock::now() >= *finish_by_) {
      stream_.reset();
      if (ending_.thrown) std::rethrow_exception(std::exchange(ending_.thrown, nullptr));
      return true;
    }
    deadline = finish_by_;
    return false;
  }

 private:
  // A request without an answer yet. Only its bytes are kept (for a re-send,
  // or to hand the request back with an error): far smaller than the
  // Documents, which keeps memory flat however many requests are in flight.
  struct Pending {
    std::string request_id;
    std::shared_ptr<const std::string> bytes;
    Clock::time_point sent_at;
    std::size_t docs = 0;
    int attempts = 0;
  };

  // The phases of a post: learning the docarray format (skipped when known),
  // then streaming requests (with backoff and re-sends after a broken
  // stream), then over. Any phase may end early (end()): the post is then
  // cut short at the end of the turn.
  enum class Phase { kFormat, kStreaming, kOver };

  // Room for one more request: fewer than `prefetch` requests and fewer than
  // `max_docs_in_flight` Documents out (one request always fits).
  bool window_open() const {
    if (offload_.accepting && !offload_.accepting()) return false;
    if (options_.prefetch > 0 && in_flight() >= static_cast<std::size_t>(options_.prefetch)) {
      return false;
    }
    return options_.max_docs_in_flight <= 0 || docs_in_flight_ == 0 ||
           docs_in_flight_ < static_cast<std::size_t>(options_.max_docs_in_flight);
  }

  std::size_t in_flight() const { return pending_.size() + ready_.size() + delivering_; }

  void start() {
    if (timeout_) deadline_ = time_.now() + *timeout_;
    if (options_.cancel && options_.cancel->cancelled()) {
      return end(
          Cancelled("post to " + std::string(endpoint_) + " was cancelled before it started"));
    }
    if (std::optional<DocFormat> format = formats_.known()) return start_streaming(*format);
    ask_format();
  }

  // One turn of the engine: handles `events` (and clears them), then does
  // what is due. Returns whether the post is over.
  bool turn(std::deque<Event>& events) {
    for (Event& event : events) handle(event);
    events.clear();
    if (!ending_.thrown) {
      auto now = time_.now();
      if (deadline_ && now >= *deadline_) {
        end(out_of_time());
      } else if (retry_at_ && now >= *retry_at_) {
        retry_at_.reset();
        if (phase_ == Phase::kFormat) {
          ask_format();
        } else {
          open_stream();
        }
      }
    }
    if (!ending_.thrown && phase_ == Phase::kStreaming && stream_ && !retry_at_) send_more();
    if (ending_.thrown) cut_short();
    if (delivering_ > 0) return false;
    return phase_ == Phase::kOver ||
           (phase_ == Phase::kStreaming && inputs_done_ && pending_.empty() && ready_.empty());
  }

  // --- the format phase ----------------------------------------------------

  void ask_format() {
    // The status call's usual 5 s, whatever the post has left: other posts
    // may wait for the same lookup, and the post's own deadline ends it.
    const Clock::duration budget = std::chrono::seconds(5);
    stop_lookup();
    int asked = ++lookups_;
    lookup_handle_ = formats_.ask(budget, [this, asked](const FormatLookup::Result& result) {
      Event event{Event::Kind::kFormat, asked, {}, result.status()};
      if (result.ok()) event.format = *result;
      queue_.push(std::move(event));
    });
  }

  // Also after its answer arrived: the listener may still be returning.
  void stop_lookup() {
    if (lookup_handle_) formats_.forget(std::exchange(lookup_handle_, 0));
  }

  void on_format(const Event& event) {
    if (phase_ != Phase::kFormat || event.stream != lookups_) return;
    // A lookup that ran out of the post's time: the turn ends it (Timeout).
    if (deadline_ && time_.now() >= *deadline_) return;
    if (event.status.ok()) return start_streaming(event.format);
    unreachable_ = event.status;
    // The Flow is unreachable: ask again on the post's retry schedule (a Flow
    // that starts late may speak v1, and a v2 request would reach it garbled).
    if (auto delay = backoff_.delay_before(lookups_ + 1)) {
      retry_at_ = time_.now() + *delay;
      if (log_enabled(LogLevel::kInfo)) {
        log(LogLevel::kInfo, "client",
            "the Flow at " + transport_.target() +
                " is unreachable; asking for its format again in " +
                format_seconds(std::chrono::duration<double>(*delay).count()) + " s (attempt " +
                std::to_string(lookups_ + 1) + ")");
      }
      return;
    }
    // Every attempt went to reaching the Flow: one last try in the default
    // format, whose error counts every attempt.
    prior_attempts_ = lookups_ - 1;
    last_try_ = true;
    start_streaming(DocFormat::kV2);
  }

  // --- the streaming phase -------------------------------------------------

  void start_streaming(DocFormat format) {
    format_ = format;
    phase_ = Phase::kStreaming;
    open_stream();
  }

  // Opens a stream and (after a failure) re-sends the requests still
  // unanswered.
  void open_stream() {
    stream_.reset();  // before its sink goes
    StreamOptions stream_options{options_.compression, options_.results_in_order, options_.prefetch,
                                 options_.metadata};
    stream_options.doc_format = format_;
    stream_options.pump = pump_.get();
    ++stream_id_;
    sink_ = std::make_unique<StreamSink>(queue_, stream_id_, results_.stats);
    stream_ = transport_.open_stream(stream_options, sink_.get());
    half_closed_ = false;
    for (auto& [seq, pending] : pending_) write(pending);
  }

  // `last`: no request follows on this stream (it half-closes with it).
  void write(Pending& pending, bool last = false) {
    stream_->send(pending.request_id, pending.bytes, last);
    if (last) half_closed_ = true;
    if (results_.stats) {
      if (pending.attempts == 0) {
        results_.stats->request_sent(pending.docs, pending.bytes->size());
      } else {
        results_.stats->request_resent(pending.bytes->size());
      }
    }
    ++pending.attempts;
  }

  // Sends requests while the in-flight bound allows; pulls inputs lazily. A
  // generator that throws, or a Document that cannot be encoded, ends the
  // post (the requests already sent still get their outcomes).
  void send_more() {
    try {
      while (!inputs_done_ && window_open()) {
        DocumentArray batch;
        bool has_docs = false;
        if (offload_.inputs) {
          InputSource::Take got = offload_.inputs->take(options_.request_size, batch);
          if (got == InputSource::Take::kLater) break;  // a kInputs event comes
          has_docs = got == InputSource::Take::kBatch;
        } else {
          has_docs = !inputs_.none() && inputs_.next_batch(options_.request_size, batch);
        }
        if (!has_docs && next_seq_ > 0) {
          inputs_done_ = true;
          break;
        }
        // No inputs at all (or none left on the first pull): one request with
        // parameters only, as Jina's client sends.
        if (!has_docs) inputs_done_ = true;
        DataRequest request;
        request.header().set_request_id(new_id());
        request.header().set_exec_endpoint(std::string(endpoint_));
        if (!options_.target_executor.empty()) {
          request.header().set_target_executor(options_.target_executor);
        }
        request.parameters() = parameters_;
        std::size_t docs = batch.size();
        if (has_docs) request.set_docs(std::move(batch));
        auto bytes = std::make_shared<const std::string>(transport_.encode(request, format_));
        std::uint64_t seq = next_seq_++;
        seq_of_.emplace(request.header().request_id(), seq);
        Pending& pending = pending_
                               .emplace(seq, Pending{request.header().request_id(),
                                                     std::move(bytes), time_.now(), docs, 0})
                               .first->second;
        docs_in_flight_ += docs;
        // Known to be the last request: one write with the half-close, which
        // spares the Flow and the client a frame and a wake-up per post.
        if (offload_.inputs ? offload_.inputs->exhausted() : inputs_.exhausted()) {
          inputs_done_ = true;
        }
        write(pending, inputs_done_);
      }
    } catch (...) {
      inputs_done_ = true;
      std::exception_ptr thrown = std::current_exception();
      return end(thrown, "its inputs could not be sent (" + what_of(thrown) + ")");
    }
    if (inputs_done_ && !half_closed_) {
      stream_->writes_done();
      half_closed_ = true;
    }
  }

  std::optional<Clock::time_point> next_deadline() const {
    // Ending: only outcomes run elsewhere are awaited, and they report back.
    if (ending_.thrown) return std::nullopt;
    std::optional<Clock::time_point> deadline = retry_at_;
    if (deadline_ && (!deadline || *deadline_ < *deadline)) deadline = deadline_;
    return deadline;
  }

  // The post's deadline passed. While the Flow is unreachable (backing off
  // after a connection failure) that is what the post ends with, as Jina's
  // client does: a ConnectionError, whatever the timeout. Otherwise a
  // Timeout saying what was being waited for.
  TypedError out_of_time() const {
    if (unreachable_ && (retry_at_ || phase_ == Phase::kFormat)) {
      std::string why(unreachable_->message());
      int attempts = std::max(1, lookups_ + prior_attempts_);
      for (const auto& [seq, p] : pending_) attempts = std::max(attempts, p.attempts);
      return typed(ConnectionError(
          transport_.protocol_name() + " error: UNAVAILABLE " + why + " (Flow at " +
          transport_.target() + ", unreachable until the post's timeout of " +
          format_seconds(options_.timeout) + " s passed, " + std::to_string(attempts) + " attempt" +
          (attempts == 1 ? "" : "s") + ")"));
    }
    return typed(timed_out());
  }

  Timeout timed_out() const {
    std::string what = "post to " + std::string(endpoint_) + " did not finish within " +
                       format_seconds(options_.timeout) + " s (Flow at " + transport_.target() +
                       "): ";
    if (phase_ == Phase::kFormat) {
      what += retry_at_ ? "the Flow was unreachable" : "the Flow did not tell its docarray format";
    } else if (retry_at_) {
      what += "waiting to retry after the stream broke";
    } else if (!pending_.empty()) {
      what += "request " + pending_.begin()->second.request_id + " got no response";
    } else if (delivering_ > 0) {
      what += "its callbacks were still running";
    } else {
      what += "the inputs were not exhausted";
    }
    return Timeout(what);
  }

  void handle(Event& event) {
    switch (event.kind) {
      case Event::Kind::kResponse:
        return on_response(std::move(event.response));
      case Event::Kind::kBadResponse:
        return end(Error(event.status));
      case Event::Kind::kCancel:
        return end(Cancelled("post to " + std::string(endpoint_) + " was cancelled"));
      case Event::Kind::kFormat:
        if (!ending_.thrown) on_format(event);  // no stream for a post that is over
        return;
      case Event::Kind::kDone:
        if (event.stream == stream_id_ && phase_ == Phase::kStreaming && !ending_.thrown) {
          on_stream_done(event.status);
        }
        return;
      case Event::Kind::kDelivered:
        --delivering_;
        if (event.thrown) callback_threw(event.thrown);
        return;
      case Event::Kind::kInputs:
        return;  // the turn sends what the source has
    }
  }

  void on_response(Response response) {
    unreachable_.reset();
    auto it = seq_of_.find(response.header().request_id());
    if (it == seq_of_.end()) return;  // a duplicate after a re-send, or not ours
    std::uint64_t seq = it->second;
    seq_of_.erase(it);
    auto pending = pending_.find(seq);
    if (results_.stats) {
      results_.stats->response(response.status().ok(), response.docs().size(),
                               time_.now() - pending->second.sent_at);
    }
    docs_in_flight_ -= pending->second.docs;
    pending_.erase(pending);
    if (!options_.results_in_order) return deliver(std::move(response));
    ready_.emplace(seq, std::move(response));
    while (!ready_.empty() && ready_.begin()->first == next_delivery_) {
      Response next = std::move(ready_.begin()->second);
      ready_.erase(ready_.begin());
      ++next_delivery_;
      deliver(std::move(next));
    }
  }

  // Runs a user callback: one that throws ends the post (its exception is
  // what the post throws), and the other requests still get their outcomes.
  template <class F, class... Args>
  void call(const F& callback, Args&&... args) {
    if (!callback) return;
    try {
      callback(std::forward<Args>(args)...);
    } catch (...) {
      callback_threw(std::current_exception());
    }
  }

  void callback_threw(std::exception_ptr thrown) {
    if (ending_.thrown) {
      log(LogLevel::kWarning, "client",
          "a callback threw while the post was ending (ignored): " + what_of(thrown));
      return;
    }
    end(thrown, "a callback threw (" + what_of(thrown) + ")");
  }

  // Gives one request its outcome: on_error with `error` (on_done without
  // one), on_always, then (`collect`) the response goes to the results. On
  // the engine's thread, or as one job handed to Offload::deliver.
  void outcome(Response response, std::shared_ptr<const Error> error, bool collect) {
    if (!offload_.deliver) {
      run_callbacks(response, error.get(),
                    [this](std::exception_ptr thrown) { callback_threw(std::move(thrown)); });
      if (collect) this->collect(std::move(response));
      return;
    }
    ++delivering_;
    // The job may outlive neither the engine nor its queue: the post is over
    // only once every job reported back (kDelivered).
    offload_.deliver(
        [this, response = std::move(response), error = std::move(error), collect]() mutable {
          Event done{Event::Kind::kDelivered};
          auto keep_first = [&done](std::exception_ptr thrown) {
            if (!done.thrown) done.thrown = std::move(thrown);
          };
          run_callbacks(response, error.get(), keep_first);
          if (collect && results_.each) {
            try {
              results_.each(std::move(response));
            } catch (...) {
              keep_first(std::current_exception());
            }
          }
          queue_.push(std::move(done));
        });
  }

  // on_error with `error` (on_done without one), then on_always; what one
  // throws goes to `threw`. Reads only the options: callable on any thread.
  template <class Threw>
  void run_callbacks(const Response& response, const Error* error, const Threw& threw) const {
    auto run = [&threw](const auto& callback, const auto&... args) {
      if (!callback) return;
      try {
        callback(args...);
      } catch (...) {
        threw(std::current_exception());
      }
    };
    if (error) {
      run(options_.on_error, response, *error);
    } else {
      run(options_.on_done, response);
    }
    run(options_.on_always, response);
  }

  // The outcome of one answered request.
  void deliver(Response response) {
    progress_.add(1, response.docs().size());
    if (!response.status().ok()) {
      const Status& status = response.status();
      std::string message = "Executor error on request " + response.header().request_id();
      if (!status.exception().executor().empty()) message += " in " + status.exception().executor();
      message += ": " + status.description();
      auto error = std::make_shared<const BadServer>(message);
      if (!options_.on_error && !options_.continue_on_error) {
        // Nobody handles it: the post ends with it once every other request
        // has its outcome; this one gets its own below, and reaches `each`.
        end(std::make_exception_ptr(*error), message);
      }
      return outcome(std::move(response), std::move(error), /*collect=*/true);
    }
    outcome(std::move(response), nullptr, /*collect=*/true);
  }

  void collect(Response response) {
    if (collect_docs_) results_.docs->extend(std::move(response.docs()));
    if (results_.responses) {
      results_.responses->push_back(std::move(response));
    } else if (results_.each) {
      call(results_.each, std::move(response));
    }
  }

  void on_stream_done(const absl::Status& status) {
    stream_.reset();
    if (status.ok() && pending_.empty() && inputs_done_) return;  // finished normally
    absl::Status failure = status;
    if (status.ok()) {
      failure = absl::UnavailableError(
          pending_.empty() ? std::string("the Flow closed the stream before all requests were sent")
                           : "the Flow closed the stream with " + std::to_string(pending_.size()) +
                                 " request(s) unanswered");
    }
    int attempts = 1;
    for (const auto& [seq, p] : pending_) attempts = std::max(attempts, p.attempts);
    attempts += prior_attempts_;
    if (!last_try_ && is_retryable(failure.code())) {
      if (failure.code() == absl::StatusCode::kUnavailable) unreachable_ = failure;
      if (auto delay = backoff_.delay_before(attempts + 1)) {
        retry_at_ = time_.now() + *delay;
        if (log_enabled(LogLevel::kInfo)) {
          log(LogLevel::kInfo, "client",
              "retrying " + std::to_string(pending_.size()) + " request(s) to " +
                  transport_.target() + " in " +
                  format_seconds(std::chrono::duration<double>(*delay).count()) + " s after " +
                  absl::StatusCodeToString(failure.code()) + " (attempt " +
                  std::to_string(attempts + 1) + ")");
        }
        return;
      }
    }
    std::string message =
        transport_.protocol_name() + " error: " + absl::StatusCodeToString(failure.code()) + " " +
        std::string(failure.message()) + " (Flow at " + transport_.target() + ", " +
        std::to_string(attempts) + " attempt" + (attempts == 1 ? "" : "s") + ")";
    end(error_for(failure.code(), message));
  }

  // Decides how the post ends (the first decision stands): the post stops
  // sending, and at the end of this turn cut_short() gives every request
  // still without an outcome one. `error` is what the post throws and what
  // the requests cut short get.
  template <class E>
  void end(const E& error) {
    end(typed(error));
  }
  // `ending.thrown` is what the post throws; the requests cut short get
  // `ending.error`.
  void end(TypedError ending) {
    if (ending_.thrown) return;
    ending_ = std::move(ending);
    inputs_done_ = true;
    retry_at_.reset();
  }
  // Ends with `thrown` (a callback's or a generator's exception); the
  // requests cut short get an ABORTED error saying why.
  void end(std::exception_ptr thrown, const std::string& why) {
    end(TypedError{
        std::move(thrown),
        std::make_shared<Error>(absl::StatusCode::kAborted,
                                "the post ended before this request was answered: " + why)});
  }

  // The post's ending: stops the stream (no answer is awaited any more),
  // then, in input order, delivers the answers held back for ordering and
  // gives every request still unanswered on_error (the ending's error, on
  // the request itself with a status saying why) and on_always.
  void cut_short() {
    phase_ = Phase::kOver;
    stop_lookup();
    stream_.reset();
    std::map<std::uint64_t, Pending> unanswered;
    unanswered.swap(pending_);
    if (results_.stats && !unanswered.empty()) results_.stats->failed(unanswered.size());
    docs_in_flight_ = 0;
    seq_of_.clear();
    const std::shared_ptr<const Error> error = ending_.error;
    for (auto& [seq, p] : unanswered) {
      while (!ready_.empty() && ready_.begin()->first < seq) deliver_first_ready();
      // The request as sent (its own bytes: they decode), or its id alone.
      Response response;
      try {
        response = transport_.decode(*p.bytes, format_);
      } catch (const std::exception&) {
        response.header().set_request_id(p.request_id);
      }
      Status& status = response.header().mutable_status();
      status.set_code(StatusCode::kError).set_description(error->what());
      status.mutable_exception().set_name(error_name(*error)).set_args({error->what()});
      progress_.add(1, 0);
      outcome(std::move(response), error, /*collect=*/false);
    }
    while (!ready_.empty()) deliver_first_ready();
  }

  void deliver_first_ready() {
    Response response = std::move(ready_.begin()->second);
    ready_.erase(ready_.begin());
    deliver(std::move(response));
  }

  static const char* error_name(const Error& error) {
    if (dynamic_cast<const ConnectionError*>(&error)) return "ConnectionError";
    if (dynamic_cast<const Timeout*>(&error)) return "Timeout";
    if (dynamic_cast<const Cancelled*>(&error)) return "Cancelled";
    if (error.code() == absl::StatusCode::kAborted) return "Aborted";
    return "Error";
  }

  // Everything is answered: let the server end the stream (it does right
  // after our half-close), so it sees a clean finish rather than a cancel.
  void finish_stream() {
    if (!stream_) return;
    if (!half_closed_) {
      stream_->writes_done();
      half_closed_ = true;
    }
    auto deadline = Clock::now() + kFinishGrace;
    std::deque<Event> events;
    while (stream_ && Clock::now() < deadline) {
      queue_.take(events, deadline, TimeSource::real());
      for (Event& event : events) {
        if (event.kind == Event::Kind::kDone && event.stream == stream_id_) stream_.reset();
      }
      events.clear();
    }
    stream_.reset();
  }

  Transport& transport_;
  FormatLookup& formats_;
  TimeSource& time_;
  std::string_view endpoint_;
  Inputs& inputs_;
  const PostOptions& options_;
  Backoff backoff_;
  PostResults results_;
  Offload offload_;
  std::size_t delivering_ = 0;  // outcomes handed to Offload::deliver, not yet run
  nlohmann::json parameters_;
  bool collect_docs_;
  std::optional<Clock::duration> timeout_;
  Progress progress_;

  Phase phase_ = Phase::kFormat;
  DocFormat format_ = DocFormat::kV2;
  std::optional<Clock::time_point> deadline_;  // the whole post's (`timeout`)
  TypedError ending_;                          // set once the post's end is decided

  std::unique_ptr<StreamPump> pump_;  // run(): the stream's I/O runs in queue_.take()
  EventQueue queue_;                  // before the stream and the lookup: they report here
  std::uint64_t lookup_handle_ = 0;
  int lookups_ = 0;         // format lookups asked
  int prior_attempts_ = 0;  // attempts spent on lookups before the last try
  bool last_try_ = false;   // no retry after this stream
  std::unique_ptr<StreamSink> sink_;
  std::unique_ptr<RequestStream> stream_;
  int stream_id_ = 0;
  bool half_closed_ = false;
  std::optional<Clock::time_point> retry_at_;
  std::optional<absl::Status> unreachable_;  // the last connection failure, until an answer

  bool inputs_done_ = false;
  std::uint64_t next_seq_ = 0;
  std::uint64_t next_delivery_ = 0;
  std::map<std::uint64_t, Pending> pending_;  // sent, unanswered
  std::size_t docs_in_flight_ = 0;            // in pending_
  std::unordered_map<std::string, std::uint64_t> seq_of_;
  std::map<std::uint64_t, Response> ready_;  // answered, held for input order

  static constexpr Clock::duration kFinishGrace = std::chrono::milliseconds(250);
  bool polled_ = false;                         // poll() started the post
  std::optional<Clock::time_point> finish_by_;  // poll(): answered, waiting for the stream's end
  std::optional<CancelRegistration> cancel_registration_;  // poll(); last: goes first
};

}  // namespace

nlohmann::json request_parameters(const nlohmann::json& parameters) {
  if (!parameters.is_null() && !parameters.is_object()) {
    throw InvalidArgument("parameters must be a JSON object, got " +
                          std::string(parameters.type_name()));
  }
  // Bounded recursion: a hostile depth must not overflow the stack.
  if (json_depth(parameters, kMaxParameterDepth + 1) > kMaxParameterDepth) {
    throw InvalidArgument("parameters nest deeper than " + std::to_string(kMaxParameterDepth) +
                          " levels (the protobuf limit of the gateway)");
  }
  nlohmann::json out = parameters.is_null() ? nlohmann::json::object() : parameters;
  auto it = out.find("__results__");
  if (it == out.end() || !it->is_object()) out["__results__"] = nlohmann::json::object();
  return out;
}

void check_metadata(const std::vector<std::pair<std::string, std::string>>& metadata) {
  for (const auto& [key, value] : metadata) {
    bool key_ok = !key.empty() && std::all_of(key.begin(), key.end(), [](unsigned char c) {
      return std::islower(c) || std::isdigit(c) || c == '-' || c == '_' || c == '.';
    });
    if (!key_ok) {
      throw InvalidArgument("metadata key '" + key +
                            "' must be non-empty lowercase letters, digits, '-', '_' or '.'");
    }
    bool binary = key.size() > 4 && key.ends_with("-bin");
    if (!binary && !std::all_of(value.begin(), value.end(),
                                [](unsigned char c) { return c >= 0x20 && c < 0x7f; })) {
      throw InvalidArgument("metadata value of '" + key +
                            "' must be printable ASCII (binary values need a key ending in -bin)");
    }
  }
}

struct PostDriver::Impl {
  PostCall call;
  std::function<void()> wake;
};

PostDriver::PostDriver(Transport& transport, FormatLookup& formats, std::string_view endpoint,
                       Inputs& inputs, const PostOptions& options, const RandomSource& random,
                       PostResults results, std::function<void()> wake, Offload offload,
                       TimeSource& time)
    : impl_(new Impl{PostCall(transport, formats, endpoint, inputs, options, random, time,
                              std::move(results), std::move(offload)),
                     std::move(wake)}) {}

PostDriver::~PostDriver() = default;

bool PostDriver::poll(std::optional<Clock::time_point>& deadline) {
  deadline.reset();
  return impl_->call.poll(impl_->wake, deadline);
}

void run_post(Transport& transport, FormatLookup& formats, std::string_view endpoint,
              Inputs& inputs, const PostOptions& options, const RandomSource& random,
              PostResults results, TimeSource& time) {
  PostCall call(transport, formats, endpoint, inputs, options, random, time, results);
  call.run();
}

void run_post(Transport& transport, DocFormat format, std::string_view endpoint, Inputs& inputs,
              const PostOptions& options, const RandomSource& random, PostResults results,
              TimeSource& time) {
  run_post(transport, *FormatLookup::fixed(format), endpoint, inputs, options, random, results,
           time);
}

}  // namespace jina::internal
