#include "client/stats.h"

#include <algorithm>
#include <cmath>

namespace jina {

std::uint64_t LatencyHistogram::count() const {
  std::uint64_t n = 0;
  for (std::uint64_t c : counts) n += c;
  return n;
}

double LatencyHistogram::quantile(double q) const {
  std::uint64_t total = count();
  if (total == 0 || upper_bounds.empty()) return 0;
  q = std::clamp(q, 0.0, 1.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(total)));
  rank = std::max<std::uint64_t>(rank, 1);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    seen += counts[i];
    if (seen >= rank) return upper_bounds[std::min(i, upper_bounds.size() - 1)];
  }
  return upper_bounds.back();
}

namespace internal {

void StatsRecorder::response(bool ok, std::size_t docs,
                             std::chrono::steady_clock::duration latency) {
  add(responses_, 1);
  if (!ok) add(error_responses_, 1);
  add(docs_received_, docs);
  double micros = std::chrono::duration<double, std::micro>(latency).count();
  std::size_t bucket = 0;
  for (double bound = 100; bucket + 1 < kBuckets && micros > bound; bound *= 2) ++bucket;
  add(latency_[bucket], 1);
}

ClientStats StatsRecorder::snapshot() const {
  auto get = [](const std::atomic<std::uint64_t>& c) { return c.load(std::memory_order_relaxed); };
  ClientStats s;
  s.requests = get(requests_);
  s.retries = get(retries_);
  s.responses = get(responses_);
  s.error_responses = get(error_responses_);
  s.failed = get(failed_);
  s.docs_sent = get(docs_sent_);
  s.docs_received = get(docs_received_);
  s.bytes_sent = get(bytes_sent_);
  s.bytes_received = get(bytes_received_);
  double bound = 100e-6;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    if (i + 1 < kBuckets) s.latency.upper_bounds.push_back(bound);
    bound *= 2;
    s.latency.counts.push_back(get(latency_[i]));
  }
  return s;
}

}  // namespace internal
}  // namespace jina
