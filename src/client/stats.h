// Lock-free counters behind Client::stats(): updated by posts on any thread.
#ifndef JINA_SRC_CLIENT_STATS_H_
#define JINA_SRC_CLIENT_STATS_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "jina/stats.h"

namespace jina::internal {

class StatsRecorder {
 public:
  void request_sent(std::size_t docs, std::size_t bytes) {
    add(requests_, 1);
    add(docs_sent_, docs);
    add(bytes_sent_, bytes);
  }
  void request_resent(std::size_t bytes) {
    add(retries_, 1);
    add(bytes_sent_, bytes);
  }
  void bytes_received(std::size_t bytes) { add(bytes_received_, bytes); }
  void response(bool ok, std::size_t docs, std::chrono::steady_clock::duration latency);
  void failed(std::size_t requests) { add(failed_, requests); }

  ClientStats snapshot() const;

  // Bucket i holds latencies up to 100 µs * 2^i; the last has no bound.
  static constexpr std::size_t kBuckets = 22;

 private:
  static void add(std::atomic<std::uint64_t>& counter, std::uint64_t n) {
    counter.fetch_add(n, std::memory_order_relaxed);
  }

  std::atomic<std::uint64_t> requests_{0}, retries_{0}, responses_{0}, error_responses_{0},
      failed_{0}, docs_sent_{0}, docs_received_{0}, bytes_sent_{0}, bytes_received_{0};
  std::array<std::atomic<std::uint64_t>, kBuckets> latency_{};
};

}  // namespace jina::internal

#endif  // JINA_SRC_CLIENT_STATS_H_
