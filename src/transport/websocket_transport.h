// The WebSocket Transport: Jina's WebSocket gateway (ws:// or wss://), one
// socket per stream, one binary frame per serialized request.
#ifndef JINA_SRC_TRANSPORT_WEBSOCKET_TRANSPORT_H_
#define JINA_SRC_TRANSPORT_WEBSOCKET_TRANSPORT_H_

#include <memory>

#include "jina/options.h"
#include "transport/target.h"
#include "transport/transport.h"

namespace jina::internal {

// A transport to the WebSocket gateway at `target` (path "/", subprotocol
// "bytes"); dry run, status and endpoints use the gateway's plain HTTP
// routes on the same port. TLS from `options` when target.tls. Throws
// InvalidArgument when a TLS file cannot be read. Streams must be destroyed
// before their transport.
std::shared_ptr<Transport> make_websocket_transport(const Target& target,
                                                    const ClientOptions& options);

}  // namespace jina::internal

#endif  // JINA_SRC_TRANSPORT_WEBSOCKET_TRANSPORT_H_
