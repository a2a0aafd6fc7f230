// Where a Client connects: the host URI of ClientOptions unpacked into host,
// port, protocol and TLS, with Jina's defaults.
#ifndef JINA_SRC_TRANSPORT_TARGET_H_
#define JINA_SRC_TRANSPORT_TARGET_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jina/options.h"
#include "jina/protocol.h"

namespace jina::internal {

// What a host string states explicitly; unset fields were not in it.
struct ParsedHost {
  std::string host;  // without brackets for IPv6
  std::optional<int> port;
  std::optional<Protocol> protocol;  // set by a scheme
  std::optional<bool> tls;           // set by a scheme
};

// Parses "host", "host:port", "[v6]:port" or "scheme://host[:port][/]" with
// scheme grpc, grpcs, http, https, ws, wss (or websocket, websockets).
// Throws InvalidArgument for an empty host, an unknown scheme, a path, query
// or user-info, a host name longer than 253 characters or with characters
// other than letters, digits, '.', '-' and '_', and a port that is not a
// number in 1..65535.
ParsedHost parse_host(std::string_view text);

// The URI scheme of `protocol`: "grpc", "http", "ws", with an "s" for TLS.
std::string scheme_of(Protocol protocol, bool tls);

// The resolved connection target.
struct Target {
  std::string host;  // as given, "0.0.0.0" by default
  int port = 80;
  Protocol protocol = Protocol::kGrpc;
  bool tls = false;
  // "dns:///host:port": `host` is a name that stands for every address it
  // resolves to, one gateway each.
  bool resolve_all = false;

  // The host to dial: "0.0.0.0" and "::" (listen-on-all addresses) mean this
  // machine, so they become "localhost".
  std::string dial_host() const;
  // "dial_host:port", IPv6 literals bracketed.
  std::string address() const;
};

// Merges `host` (the Client's first argument, may be empty) with `options`:
// a setting stated in the URI and also in a field throws InvalidArgument
// naming both; unset settings get Jina's defaults (host 0.0.0.0, gRPC, no TLS,
// port 443 with TLS and 80 without). Also throws InvalidArgument for an
// out-of-range ClientOptions::port or protocol value and for
// tls_insecure_skip_verify without TLS.
Target resolve_target(std::string_view host, const ClientOptions& options);

// The gateways of a Client: ClientOptions::hosts, or the comma-separated
// entries of `host` (or ClientOptions::host); one Target as resolve_target
// makes when there is no list. Each entry is merged with `options` as
// resolve_target does, and "dns:///name:port" (gRPC only) is a Target with
// `resolve_all`. Throws InvalidArgument for a list given both ways, an empty
// entry, entries with different schemes, the same address twice, or
// dns_refresh_interval / gateway_window out of range.
std::vector<Target> resolve_targets(std::string_view host, const ClientOptions& options);

}  // namespace jina::internal

#endif  // JINA_SRC_TRANSPORT_TARGET_H_
