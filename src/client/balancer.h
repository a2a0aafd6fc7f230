// A Client over several gateways of one Flow (ClientOptions::hosts): one
// Transport that spreads the requests of each post over the healthy
// gateways, leaves out one that fails until a dry run says it is back, and
// sends what it left unanswered to the others. docs/scaling.md tells the
// user's side; docs/architecture.md where it sits.
#ifndef JINA_SRC_CLIENT_BALANCER_H_
#define JINA_SRC_CLIENT_BALANCER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "client/stats.h"
#include "jina/options.h"
#include "jina/stats.h"
#include "transport/target.h"
#include "transport/transport.h"

namespace jina::internal {

// Makes the transport of one gateway.
using TransportFactory =
    std::function<std::shared_ptr<Transport>(const Target&, const ClientOptions&)>;
// The addresses (IP literals) a host name resolves to, or why none.
using Resolver = std::function<absl::StatusOr<std::vector<std::string>>(const std::string& name)>;
// getaddrinfo(), IPv4 and IPv6, each address once.
Resolver system_resolver();

// The transport of a Client over `targets` (several, or one with
// `resolve_all`), all of one protocol. Per request: the usable gateway
// with the fewest requests in flight (of every post), at most
// `gateway_window` of one post's at each; ties go round. A gateway whose
// stream breaks, that refuses, or that answers UNAVAILABLE is left out for a
// backoff (0.5 s doubling to 30 s), then dry-run on a thread of the
// transport's own until it answers; the requests it had not answered go to
// the other gateways of the post's stream at once, and the stream ends
// (for the post to retry them after its backoff, within max_attempts) only
// when none is left. When every gateway is left out, a new stream tries
// them all anyway. `client_stats` (may be null; set before any post) counts
// those re-sends as retries.
std::shared_ptr<Transport> make_balanced_transport(std::vector<Target> targets,
                                                   const ClientOptions& options,
                                                   TransportFactory factory,
                                                   Resolver resolver = system_resolver());

// For a transport from make_balanced_transport: sets where re-sends count
// (ClientStats::retries). No-op for others.
void set_balancer_stats(Transport& transport, StatsRecorder* client_stats);
// Per-gateway figures of a transport from make_balanced_transport, in the
// order of its targets (then as DNS added them); empty for other transports.
std::vector<GatewayStats> gateway_stats(const Transport& transport);

}  // namespace jina::internal

#endif  // JINA_SRC_CLIENT_BALANCER_H_
