// Transport protocols a Jina gateway (and the local Flow) can speak.
#ifndef JINA_PROTOCOL_H_
#define JINA_PROTOCOL_H_

#include <optional>
#include <string_view>

namespace jina {

// The order matches jina's ProtocolType (GRPC=0, HTTP=1, WEBSOCKET=2).
enum class Protocol { kGrpc = 0, kHttp = 1, kWebsocket = 2 };

// "grpc", "http", "websocket".
std::string_view protocol_name(Protocol protocol);
// Case-insensitive "grpc" / "http" / "websocket" (or "ws"); nullopt otherwise.
std::optional<Protocol> parse_protocol(std::string_view name);

}  // namespace jina

#endif  // JINA_PROTOCOL_H_
