#include "transport/target.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

#include "jina/error.h"

namespace jina::internal {
namespace {

// Control bytes are escaped: a NUL would cut the exception's what() short.
std::string in_quotes(std::string_view s) {
  std::string out = "'";
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "'";
}

[[noreturn]] void fail(std::string_view text, const std::string& why) {
  throw InvalidArgument("invalid host " + in_quotes(text) + ": " + why);
}

struct Scheme {
  std::string_view name;
  Protocol protocol;
  bool tls;
};

constexpr Scheme kSchemes[] = {
    {"grpc", Protocol::kGrpc, false},           {"grpcs", Protocol::kGrpc, true},
    {"http", Protocol::kHttp, false},           {"https", Protocol::kHttp, true},
    {"ws", Protocol::kWebsocket, false},        {"wss", Protocol::kWebsocket, true},
    {"websocket", Protocol::kWebsocket, false}, {"websockets", Protocol::kWebsocket, true},
};

int parse_port(std::string_view text, std::string_view port) {
  if (port.empty()) fail(text, "empty port");
  if (!std::isdigit(static_cast<unsigned char>(port.front()))) {
    fail(text, "port " + in_quotes(port) + " is not a number");
  }
  int value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec == std::errc::result_out_of_range ||
      (ec == std::errc() && end == port.data() + port.size() && (value < 1 || value > 65535))) {
    fail(text, "port " + std::string(port) + " is outside 1..65535");
  }
  if (ec != std::errc() || end != port.data() + port.size()) {
    fail(text, "port " + in_quotes(port) + " is not a number");
  }
  return value;
}

// An IPv6 address, optionally with a zone ("fe80::1%eth0").
bool is_ipv6_literal(std::string_view host) {
  std::string address(host.substr(0, host.find('%')));
  in6_addr parsed;
  return inet_pton(AF_INET6, address.c_str(), &parsed) == 1;
}

void check_host_name(std::string_view text, std::string_view host) {
  if (host.empty()) fail(text, "empty host name");
  // RFC 1035's limit; resolvers reject longer names anyway.
  if (host.size() > 253) fail(text, "host name longer than 253 characters");
  for (unsigned char c : host) {
    if (!(std::isalnum(c) || c == '.' || c == '-' || c == '_')) {
      fail(text, "character " + in_quotes(std::string(1, static_cast<char>(c))) +
                     " is not allowed in a host name");
    }
  }
}

}  // namespace

ParsedHost parse_host(std::string_view text) {
  ParsedHost out;
  std::string_view rest = text;
  if (rest.empty()) fail(text, "empty host");
  if (auto sep = rest.find("://"); sep != std::string_view::npos) {
    std::string scheme(rest.substr(0, sep));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto it = std::find_if(std::begin(kSchemes), std::end(kSchemes),
                           [&](const Scheme& s) { return s.name == scheme; });
    if (it == std::end(kSchemes)) {
      fail(text,
           "unknown scheme " + in_quotes(scheme) + " (use grpc, grpcs, http, https, ws or wss)");
    }
    out.protocol = it->protocol;
    out.tls = it->tls;
    rest.remove_prefix(sep + 3);
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) fail(text, "paths are not supported");
  if (rest.find_first_of("?#") != std::string_view::npos) {
    fail(text, "queries and fragments are not supported");
  }
  if (rest.find('@') != std::string_view::npos)
    fail(text, "user info (user@host) is not supported");
  if (rest.find_first_of(" \t\r\n") != std::string_view::npos) fail(text, "contains whitespace");

  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string_view::npos) fail(text, "missing ']' after an IPv6 address");
    std::string_view host = rest.substr(1, close - 1);
    if (!is_ipv6_literal(host)) fail(text, in_quotes(host) + " is not an IPv6 address");
    out.host = std::string(host);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') fail(text, "unexpected text after ']'");
      out.port = parse_port(text, after.substr(1));
    }
    return out;
  }
  auto colons = std::count(rest.begin(), rest.end(), ':');
  if (colons > 1) {
    // A bare IPv6 address: no port can follow it unambiguously.
    if (!is_ipv6_literal(rest)) fail(text, "too many ':'");
    out.host = std::string(rest);
    return out;
  }
  std::string_view host = rest;
  if (colons == 1) {
    auto colon = rest.find(':');
    host = rest.substr(0, colon);
    out.port = parse_port(text, rest.substr(colon + 1));
  }
  check_host_name(text, host);
  out.host = std::string(host);
  return out;
}

std::string scheme_of(Protocol protocol, bool tls) {
  std::string scheme = "grpc";
  if (protocol == Protocol::kHttp) scheme = "http";
  if (protocol == Protocol::kWebsocket) scheme = "ws";
  return tls ? scheme + "s" : scheme;
}

std::string Target::dial_host() const {
  if (host == "0.0.0.0" || host == "::") return "localhost";
  return host;
}

std::string Target::address() const {
  std::string h = dial_host();
  if (h.find(':') != std::string::npos) h = "[" + h + "]";
  return h + ":" + std::to_string(port);
}

Target resolve_target(std::string_view host, const ClientOptions& options) {
  if (!host.empty() && !options.host.empty()) {
    throw InvalidArgument("two definitions of host: " + in_quotes(host) +
                          " as the first argument and " + in_quotes(options.host) +
                          " in ClientOptions::host");
  }
  std::string_view text = host.empty() ? std::string_view(options.host) : host;
  ParsedHost parsed;
  if (!text.empty()) parsed = parse_host(text);

  auto twice = [&](std::string_view what, const std::string& in_uri, const std::string& in_field) {
    throw InvalidArgument("two definitions of " + std::string(what) + ": " + in_uri + " in host " +
                          in_quotes(text) + " and " + in_field + " in ClientOptions::" +
                          std::string(what) + " (you can't have two sources of truth)");
  };
  if (parsed.port && options.port != 0) {
    twice("port", std::to_string(*parsed.port), std::to_string(options.port));
  }
  if (parsed.protocol && options.protocol) {
    twice("protocol", std::string(protocol_name(*parsed.protocol)),
          std::string(protocol_name(*options.protocol)));
  }
  if (parsed.tls && options.tls) {
    twice("tls", *parsed.tls ? "true" : "false", *options.tls ? "true" : "false");
  }
  if (options.port < 0 || options.port > 65535) {
    throw InvalidArgument("ClientOptions::port " + std::to_string(options.port) +
                          " is outside 1..65535");
  }

  if (options.protocol && protocol_name(*options.protocol) == "unknown") {
    throw InvalidArgument("ClientOptions::protocol holds an unknown protocol value " +
                          std::to_string(static_cast<int>(*options.protocol)));
  }

  Target target;
  target.host = parsed.host.empty() ? "0.0.0.0" : parsed.host;
  target.protocol = parsed.protocol.value_or(options.protocol.value_or(Protocol::kGrpc));
  target.tls = parsed.tls.value_or(options.tls.value_or(false));
  int default_port = target.tls ? 443 : 80;
  target.port = parsed.port.value_or(options.port != 0 ? options.port : default_port);
  if (options.tls_insecure_skip_verify && !target.tls) {
    throw InvalidArgument(
        "tls_insecure_skip_verify is set but TLS is off (use grpcs://, https://, wss:// or "
        "tls = true)");
  }
  if (!std::isfinite(options.keepalive) || options.keepalive < 0) {
    throw InvalidArgument("keepalive must be a finite number of seconds >= 0 (0: off), got " +
                          std::to_string(options.keepalive));
  }
  if (!std::isfinite(options.connect_timeout) || options.connect_timeout < 0) {
    throw InvalidArgument(
        "connect_timeout must be a finite number of seconds >= 0 (0: the default), got " +
        std::to_string(options.connect_timeout));
  }
  if (options.max_response_bytes <= 0) {
    throw InvalidArgument("max_response_bytes must be > 0 (got " +
                          std::to_string(options.max_response_bytes) + ")");
  }
  return target;
}

std::vector<Target> resolve_targets(std::string_view host, const ClientOptions& options) {
  if (!std::isfinite(options.dns_refresh_interval) || options.dns_refresh_interval <= 0) {
    throw InvalidArgument("dns_refresh_interval must be a finite number of seconds > 0, got " +
                          std::to_string(options.dns_refresh_interval));
  }
  if (options.gateway_window < 0) {
    throw InvalidArgument("gateway_window must be >= 0 (0: no bound), got " +
                          std::to_string(options.gateway_window));
  }
  std::vector<std::string> entries = options.hosts;
  std::string_view text = host.empty() ? std::string_view(options.host) : host;
  if (!entries.empty()) {
    if (!text.empty()) {
      throw InvalidArgument("two definitions of the gateways: " + in_quotes(text) +
                            (host.empty() ? " in ClientOptions::host" : " as the first argument") +
                            " and ClientOptions::hosts (you can't have two sources of truth)");
    }
  } else if (text.find(',') != std::string_view::npos || text.starts_with("dns:")) {
    for (std::size_t start = 0;;) {
      std::size_t comma = text.find(',', start);
      entries.emplace_back(text.substr(start, comma - start));
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  } else {
    return {resolve_target(host, options)};
  }

  ClientOptions each = options;
  each.host.clear();
  std::vector<Target> targets;
  std::optional<std::string> first_scheme;  // of the first entry, "" for none
  for (std::size_t i = 0; i < entries.size(); ++i) {
    std::string_view entry = entries[i];
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (entry.empty()) {
      throw InvalidArgument(
          "gateway " + std::to_string(i + 1) + " of " + std::to_string(entries.size()) +
          " is empty in " +
          in_quotes(text.empty() ? std::string_view("ClientOptions::hosts") : text));
    }
    bool dns = false;
    std::string_view rest = entry;
    if (rest.starts_with("dns:")) {
      if (!rest.starts_with("dns:///")) {
        fail(entry, "a DNS target is written dns:///name:port (no authority)");
      }
      dns = true;
      rest.remove_prefix(7);
      if (rest.find("://") != std::string_view::npos) fail(entry, "a scheme after dns:///");
      if (options.protocol && *options.protocol != Protocol::kGrpc) {
        fail(entry, "dns:/// stands for gRPC gateways, but ClientOptions::protocol is " +
                        std::string(protocol_name(*options.protocol)));
      }
    }
    std::string scheme;
    if (auto sep = rest.find("://"); sep != std::string_view::npos) {
      scheme = std::string(rest.substr(0, sep));
      std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    }
    if (dns) scheme = "dns";
    // The first entry's scheme is the list's: "grpc://a:1,b:1" is two gRPC
    // gateways. Another scheme later is a mix.
    std::string with_scheme;
    if (!first_scheme) {
      first_scheme = scheme;
    } else if (scheme.empty() && !first_scheme->empty()) {
      dns = *first_scheme == "dns";
      if (!dns) {
        with_scheme = *first_scheme + "://" + std::string(rest);
        rest = with_scheme;
      }
    } else if (*first_scheme != scheme) {
      throw InvalidArgument("the gateways mix schemes: " + in_quotes(entries[0]) + " and " +
                            in_quotes(entry) +
                            " (write the scheme on the first entry, or the same on every one)");
    }
    Target target = resolve_target(rest, each);
    target.resolve_all = dns;
    for (const Target& other : targets) {
      if (other.address() == target.address()) {
        throw InvalidArgument(
            "gateway " + in_quotes(target.address()) + " is listed twice in " +
            in_quotes(text.empty() ? std::string_view("ClientOptions::hosts") : text));
      }
    }
    targets.push_back(std::move(target));
  }
  return targets;
}

}  // namespace jina::internal
