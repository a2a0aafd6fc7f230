// The HTTP Transport: Jina's FastAPI gateway over HTTP/1.1 (or HTTPS), one
// POST per request on a pool of keep-alive connections, and one GET with
// Server-Sent Events on a connection of its own per stream_doc call.
#ifndef JINA_SRC_TRANSPORT_HTTP_TRANSPORT_H_
#define JINA_SRC_TRANSPORT_HTTP_TRANSPORT_H_

#include <memory>

#include "jina/options.h"
#include "transport/target.h"
#include "transport/transport.h"

namespace jina::internal {

// A transport to the HTTP gateway at `target`, with TLS from `options` when
// target.tls. Connects lazily. Throws InvalidArgument when a TLS file cannot
// be read. Streams must be destroyed before their transport.
std::shared_ptr<Transport> make_http_transport(const Target& target, const ClientOptions& options);

}  // namespace jina::internal

#endif  // JINA_SRC_TRANSPORT_HTTP_TRANSPORT_H_
