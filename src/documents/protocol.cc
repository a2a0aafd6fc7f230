#include "jina/protocol.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace jina {

std::string_view protocol_name(Protocol protocol) {
  switch (protocol) {
    case Protocol::kGrpc:
      return "grpc";
    case Protocol::kHttp:
      return "http";
    case Protocol::kWebsocket:
      return "websocket";
  }
  return "unknown";
}

std::optional<Protocol> parse_protocol(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "grpc") return Protocol::kGrpc;
  if (lower == "http") return Protocol::kHttp;
  if (lower == "websocket" || lower == "ws") return Protocol::kWebsocket;
  return std::nullopt;
}

}  // namespace jina
