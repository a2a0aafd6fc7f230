// Retry decisions for the Client: which failures are retried, and how long
// to wait before each attempt. Time and randomness are injected so that the
// schedule can be tested without sleeping.
#ifndef JINA_SRC_CLIENT_RETRY_H_
#define JINA_SRC_CLIENT_RETRY_H_

#include <chrono>
#include <functional>
#include <optional>

#include "absl/status/status.h"
#include "jina/options.h"

namespace jina::internal {

using Clock = std::chrono::steady_clock;

// Time as post() sees it, for deadlines and the waits between attempts.
// Tests substitute a clock they move by hand.
class TimeSource {
 public:
  virtual ~TimeSource() = default;
  virtual Clock::time_point now() = 0;
  // How often a waiter re-reads now(): never for the real clock (a wait ends
  // exactly at its deadline), often for a clock moved from another thread.
  virtual Clock::duration poll_interval() const { return Clock::duration::max(); }
  // The process's steady clock.
  static TimeSource& real();
};

// A uniform random number in [lo, hi]; thread-safe in the default one.
using RandomSource = std::function<double(double lo, double hi)>;
RandomSource default_random();

// Jina's retry settings, validated.
struct RetrySettings {
  int max_attempts = 1;
  double initial_backoff = 0.5;  // seconds
  double max_backoff = 2.0;      // seconds
  double backoff_multiplier = 1.5;

  static RetrySettings from(const PostOptions& options);
  // Throws InvalidArgument: max_attempts < 1, negative or non-finite
  // backoffs, multiplier < 1.
  void validate() const;
};

// Whether a failed attempt may be retried: UNAVAILABLE, DEADLINE_EXCEEDED
// and INTERNAL, as Jina's gRPC retry policy (a stream that breaks mid-way
// shows up as one of these, or as an OK end with requests unanswered, which
// the caller reports as UNAVAILABLE).
bool is_retryable(absl::StatusCode code);

// The waits between attempts. Attempt n > 1 waits
// random(0, min(initial_backoff * multiplier^(n-2), max_backoff)).
class Backoff {
 public:
  Backoff(RetrySettings settings, RandomSource random);

  // The upper bound of the wait before attempt `attempt` (2-based).
  double ceiling(int attempt) const;
  // The wait before attempt `attempt`, or nullopt when attempts are used up
  // (`attempt` > max_attempts).
  std::optional<Clock::duration> delay_before(int attempt) const;

  int max_attempts() const { return settings_.max_attempts; }

 private:
  RetrySettings settings_;
  RandomSource random_;
};

}  // namespace jina::internal

#endif  // JINA_SRC_CLIENT_RETRY_H_
