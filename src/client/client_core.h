// What a Client's copies (and an AsyncClient) share: the transport, the
// random source of the retry schedule, the statistics, and the docarray
// format once known.
#ifndef JINA_SRC_CLIENT_CLIENT_CORE_H_
#define JINA_SRC_CLIENT_CLIENT_CORE_H_

#include <charconv>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "client/post_call.h"
#include "client/retry.h"
#include "client/stats.h"
#include "common/log.h"
#include "jina/options.h"
#include "transport/transport.h"

namespace jina::internal {

// What all copies of a Client's state share; post() itself keeps its state
// on the caller's stack, so only the format cache needs a lock.
class ClientCore {
 public:
  ClientCore(std::shared_ptr<Transport> transport, ClientOptions options)
      : transport_(std::move(transport)), options_(std::move(options)) {}

  Transport& transport() const { return *transport_; }
  const RandomSource& random() const { return random_; }
  StatsRecorder& stats() { return stats_; }

  DocFormat doc_format() {
    if (options_.doc_format) return *options_.doc_format;
    std::lock_guard lock(mu_);
    if (detected_) return *detected_;
    auto info = transport_->info(std::chrono::seconds(5));
    // Unreachable now: assume the default install (v2) and ask again next time.
    if (!info.ok()) return DocFormat::kV2;
    detected_ = format_of(*info);
    return *detected_;
  }

  // The format if known without asking the Flow (AsyncClient: a post that
  // would have to ask gets a thread of its own).
  std::optional<DocFormat> known_doc_format() {
    if (options_.doc_format) return options_.doc_format;
    std::unique_lock lock(mu_, std::try_to_lock);  // never waits for a detection
    if (!lock) return std::nullopt;
    return detected_;
  }

  // The format for one post. While the Flow is unreachable, asks again on
  // the post's retry schedule: a Flow that starts late may speak v1, and a
  // request encoded as v2 would reach it garbled. When every attempt failed,
  // returns v2 and sets `asked` to the number of attempts made (the post
  // then fails once, without a second round of waits: see post()).
  DocFormat doc_format_for_post(const PostOptions& options, int& asked) {
    asked = 0;
    if (options_.doc_format || options.max_attempts <= 1) return doc_format();
    Backoff backoff(RetrySettings::from(options), random_);
    for (int attempt = 2;; ++attempt) {
      {
        std::lock_guard lock(mu_);
        if (detected_) return *detected_;
        auto info = transport_->info(std::chrono::seconds(5));
        if (info.ok()) return *(detected_ = format_of(*info));
        // A Flow without the info call (not a connection failure): as doc_format().
        if (!is_retryable(info.status().code())) return DocFormat::kV2;
      }
      auto delay = backoff.delay_before(attempt);
      if (!delay) {
        asked = attempt - 1;
        break;
      }
      if (log_enabled(LogLevel::kInfo)) {
        log(LogLevel::kInfo, "client",
            "the Flow at " + transport_->target() +
                " is unreachable; asking for its format again in " +
                std::to_string(std::chrono::duration<double>(*delay).count()) + " s (attempt " +
                std::to_string(attempt) + ")");
      }
      std::this_thread::sleep_for(*delay);
    }
    return DocFormat::kV2;
  }

  // Runs one post as Client::post does, in the format doc_format_for_post
  // finds; throws as Client::post does.
  void post(std::string_view endpoint, Inputs& inputs, const PostOptions& options,
            PostResults results) {
    int asked = 0;
    DocFormat format = doc_format_for_post(options, asked);
    if (asked == 0) {
      run_post(*transport_, format, endpoint, inputs, options, random_, std::move(results));
      return;
    }
    // The retry budget went to reaching the Flow: one last try, and an error
    // that counts every attempt.
    PostOptions last = options;
    last.max_attempts = 1;
    results.prior_attempts = asked - 1;
    run_post(*transport_, format, endpoint, inputs, last, random_, std::move(results));
  }

 private:
  // docarray < 0.30 is the v1 wire format.
  static DocFormat format_of(const nlohmann::json& info) {
    auto jina = info.find("jina");
    if (jina == info.end() || !jina->contains("docarray") || !(*jina)["docarray"].is_string()) {
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

  std::shared_ptr<Transport> transport_;
  ClientOptions options_;
  RandomSource random_ = default_random();
  StatsRecorder stats_;
  std::mutex mu_;
  std::optional<DocFormat> detected_;
};

// The core of a Client for `host` (see Client's constructors). Throws
// InvalidArgument as they do.
std::shared_ptr<ClientCore> make_core(std::string_view host, ClientOptions options);

}  // namespace jina::internal

#endif  // JINA_SRC_CLIENT_CLIENT_CORE_H_
