#include "client/retry.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "absl/random/random.h"
#include "jina/error.h"

namespace jina::internal {
namespace {

class RealTime : public TimeSource {
 public:
  Clock::time_point now() override { return Clock::now(); }
};

}  // namespace

TimeSource& TimeSource::real() {
  static RealTime* time = new RealTime;
  return *time;
}

RandomSource default_random() {
  return [](double lo, double hi) {
    if (hi <= lo) return lo;
    thread_local absl::BitGen gen;
    return absl::Uniform(absl::IntervalClosedClosed, gen, lo, hi);
  };
}

RetrySettings RetrySettings::from(const PostOptions& options) {
  RetrySettings s{options.max_attempts, options.initial_backoff, options.max_backoff,
                  options.backoff_multiplier};
  s.validate();
  return s;
}

void RetrySettings::validate() const {
  if (max_attempts < 1) {
    throw InvalidArgument("max_attempts must be at least 1 (got " + std::to_string(max_attempts) +
                          ")");
  }
  auto check = [](const char* name, double v) {
    if (!std::isfinite(v) || v < 0) {
      throw InvalidArgument(std::string(name) + " must be a finite number >= 0 (got " +
                            std::to_string(v) + ")");
    }
  };
  check("initial_backoff", initial_backoff);
  check("max_backoff", max_backoff);
  if (!std::isfinite(backoff_multiplier) || backoff_multiplier < 1) {
    throw InvalidArgument("backoff_multiplier must be >= 1 (got " +
                          std::to_string(backoff_multiplier) + ")");
  }
}

bool is_retryable(absl::StatusCode code) {
  return code == absl::StatusCode::kUnavailable || code == absl::StatusCode::kDeadlineExceeded ||
         code == absl::StatusCode::kInternal;
}

Backoff::Backoff(RetrySettings settings, RandomSource random)
    : settings_(settings), random_(random ? std::move(random) : default_random()) {
  settings_.validate();
}

double Backoff::ceiling(int attempt) const {
  if (attempt < 2) return 0;
  double bound = settings_.initial_backoff * std::pow(settings_.backoff_multiplier, attempt - 2);
  return std::min(bound, settings_.max_backoff);
}

std::optional<Clock::duration> Backoff::delay_before(int attempt) const {
  if (attempt > settings_.max_attempts) return std::nullopt;
  if (attempt < 2) return Clock::duration::zero();
  double seconds = std::clamp(random_(0.0, ceiling(attempt)), 0.0, ceiling(attempt));
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

}  // namespace jina::internal
