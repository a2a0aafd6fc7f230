// The gRPC Transport: one long-lived channel to a Jina gateway.
#ifndef JINA_SRC_TRANSPORT_GRPC_TRANSPORT_H_
#define JINA_SRC_TRANSPORT_GRPC_TRANSPORT_H_

#include <memory>

#include "jina/options.h"
#include "transport/target.h"
#include "transport/transport.h"

namespace jina::internal {

// A channel to `target` with Jina's channel settings (keepalive 10 s, no
// send limit, receive limit ClientOptions::max_response_bytes) and TLS from
// `options` when
// target.tls. Throws InvalidArgument when a TLS file cannot be read.
std::shared_ptr<Transport> make_grpc_transport(const Target& target, const ClientOptions& options);

}  // namespace jina::internal

#endif  // JINA_SRC_TRANSPORT_GRPC_TRANSPORT_H_
