#include "client/format_lookup.h"

#include <charconv>
#include <future>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "client/retry.h"

namespace jina::internal {

namespace {

// The lookups running in the process. A lookup's thread is detached (a post
// that gave up on it does not wait), so that the process does not exit under
// one, this waits for them at exit: each ends within its timeout.
class RunningLookups {
 public:
  static RunningLookups& get() {
    static RunningLookups running;
    return running;
  }
  ~RunningLookups() {
    std::unique_lock lock(mu_);
    ended_.wait(lock, [&] { return count_ == 0; });
  }
  void started() {
    std::lock_guard lock(mu_);
    ++count_;
  }
  // The thread's last step: after it, it touches nothing of ours.
  void ended() {
    std::lock_guard lock(mu_);
    --count_;
    ended_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable ended_;
  int count_ = 0;
};

}  // namespace

std::shared_ptr<FormatLookup> FormatLookup::fixed(DocFormat format) {
  return std::make_shared<FormatLookup>(nullptr, format);
}

FormatLookup::FormatLookup(std::shared_ptr<Transport> transport, std::optional<DocFormat> given)
    : transport_(std::move(transport)), known_(given) {
  // Built now, after the transport's own statics (gRPC's, the log's): it is
  // destroyed, and waits for the lookups still running, before them.
  if (!known_) RunningLookups::get();
}

std::optional<DocFormat> FormatLookup::known() const {
  std::lock_guard lock(mu_);
  return known_;
}

std::uint64_t FormatLookup::ask(std::chrono::steady_clock::duration timeout, Listener done) {
  std::unique_lock lock(mu_);
  std::uint64_t handle = next_handle_++;
  if (known_) {
    // Answered meanwhile: the listener runs here, as a lookup's would.
    DocFormat format = *known_;
    lock.unlock();
    done(format);
    return handle;
  }
  listeners_.emplace(handle, std::move(done));
  if (running_) return handle;
  running_ = true;
  lock.unlock();
  // A thread of its own, detached: the call may outlive the post that asked
  // (a cancelled post does not wait for it); it keeps this object and the
  // transport alive until `timeout` at most.
  RunningLookups& running = RunningLookups::get();
  running.started();
  try {
    std::thread([self = shared_from_this(), timeout, &running]() mutable {
      auto status = self->transport_->info(timeout);
      if (status.ok()) {
        self->finish(format_of(*status));
      } else if (is_retryable(status.status().code())) {
        self->finish(status.status());
      } else {
        self->finish(DocFormat::kV2);  // a Flow without the status call
      }
      self.reset();  // may be the last owner of the transport
      running.ended();
    }).detach();
  } catch (const std::system_error& e) {
    running.ended();
    // Every listener (this one included) learns that no lookup ran.
    finish(absl::ResourceExhaustedError(std::string("cannot start a thread to ask the Flow: ") +
                                        e.what()));
  }
  return handle;
}

void FormatLookup::finish(const Result& result) {
  std::map<std::uint64_t, Listener> listeners;
  {
    std::lock_guard lock(mu_);
    if (result.ok()) known_ = *result;
    // The listeners of this lookup; one asking from now on starts the next.
    listeners.swap(listeners_);
    for (const auto& [handle, listener] : listeners) calling_.insert(handle);
    running_ = false;
  }
  for (auto& [handle, listener] : listeners) {
    listener(result);
    std::lock_guard lock(mu_);
    calling_.erase(handle);
    called_.notify_all();
  }
}

void FormatLookup::forget(std::uint64_t handle) {
  std::unique_lock lock(mu_);
  listeners_.erase(handle);
  called_.wait(lock, [&] { return !calling_.contains(handle); });
}

FormatLookup::Result FormatLookup::wait(std::chrono::steady_clock::duration timeout) {
  if (auto format = known()) return *format;
  auto promise = std::make_shared<std::promise<Result>>();
  std::future<Result> future = promise->get_future();
  std::uint64_t handle = ask(timeout, [promise](const Result& r) { promise->set_value(r); });
  if (future.wait_for(timeout) == std::future_status::ready) return future.get();
  forget(handle);
  return absl::DeadlineExceededError("the Flow did not tell its format in time");
}

DocFormat FormatLookup::format_of(const nlohmann::json& status) {
  auto jina = status.find("jina");
  if (jina == status.end() || !jina->is_object() || !jina->contains("docarray") ||
      !(*jina)["docarray"].is_string()) {
    return DocFormat::kV2;
  }
  std::string version = (*jina)["docarray"].get<std::string>();
  int major = 0;
  int minor = 0;
  const char* p = version.data();
  const char* end = version.data() + version.size();
  auto r = std::from_chars(p, end, major);
  if (r.ec != std::errc()) return DocFormat::kV2;
  if (r.ptr < end && *r.ptr == '.') std::from_chars(r.ptr + 1, end, minor);
  return (major == 0 && minor < 30) ? DocFormat::kV1 : DocFormat::kV2;
}

}  // namespace jina::internal
