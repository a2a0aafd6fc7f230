// Counters of a Client's traffic, read with Client::stats().
//
// Copies of a Client share one set of counters (they share the connection);
// AsyncClient's posts count in the same way. Reading is cheap and lock-free
// (relaxed atomics): a snapshot taken while posts run may be a few events
// out of step between fields, never torn within one.
#ifndef JINA_STATS_H_
#define JINA_STATS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace jina {

// Latencies in exponential buckets: bucket i counts latencies <= upper_bounds[i]
// seconds (and above the previous bound); the last bucket has no upper bound.
struct LatencyHistogram {
  std::vector<double> upper_bounds{};  // seconds, increasing; one fewer than counts
  std::vector<std::uint64_t> counts{};

  std::uint64_t count() const;
  // The upper bound of the bucket holding the q-quantile (0 < q <= 1); 0 when
  // empty; the last finite bound when it falls in the unbounded bucket.
  double quantile(double q) const;
};

// One gateway of a Client over several (ClientOptions::hosts).
struct GatewayStats {
  std::string address{};       // "host:port" as dialled
  bool healthy = true;         // false while left out after a failure
  std::uint64_t requests = 0;  // requests sent to it, re-sends included
  std::uint64_t responses = 0;
  // Requests it took and did not answer (its stream broke, it refused):
  // sent to another gateway, or failed with the post.
  std::uint64_t failures = 0;
  std::uint64_t in_flight = 0;  // sent to it and unanswered now
  LatencyHistogram latency{};   // from sending to it to its response
};

struct ClientStats {
  std::uint64_t requests = 0;  // requests sent (first attempts)
  // Requests sent again after a failure (each re-send counts, and a request
  // may be re-sent more than once): not posts, and not attempts.
  std::uint64_t retries = 0;
  std::uint64_t responses = 0;        // responses received and delivered
  std::uint64_t error_responses = 0;  // of which carried an Executor error
  std::uint64_t failed = 0;           // requests ended without a response
  std::uint64_t docs_sent = 0;        // Documents in first attempts
  std::uint64_t docs_received = 0;    // Documents in responses
  std::uint64_t bytes_sent = 0;       // serialized requests, re-sends included
  std::uint64_t bytes_received = 0;   // serialized responses
  // From a request's first send to its response.
  LatencyHistogram latency{};
  // With several gateways, one entry each (in ClientOptions::hosts order,
  // then as DNS added them); empty for a Client of one gateway.
  std::vector<GatewayStats> gateways{};
};

}  // namespace jina

#endif  // JINA_STATS_H_
