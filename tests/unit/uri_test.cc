// Host URI parsing and merging with ClientOptions (issue 4, point 1).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "jina/error.h"
#include "transport/target.h"

namespace jina::internal {
namespace {

using ::testing::HasSubstr;

struct Case {
  std::string host;
  ClientOptions options;
  std::string want_host;
  int want_port;
  Protocol want_protocol;
  bool want_tls;
};

void PrintTo(const Case& c, std::ostream* os) { *os << "'" << c.host << "'"; }

class ResolveTest : public ::testing::TestWithParam<Case> {};

TEST_P(ResolveTest, Resolves) {
  const Case& c = GetParam();
  Target t = resolve_target(c.host, c.options);
  EXPECT_EQ(t.host, c.want_host);
  EXPECT_EQ(t.port, c.want_port);
  EXPECT_EQ(t.protocol, c.want_protocol);
  EXPECT_EQ(t.tls, c.want_tls);
}

INSTANTIATE_TEST_SUITE_P(
    Hosts, ResolveTest,
    ::testing::Values(
        // Defaults: 0.0.0.0, gRPC, no TLS, port 80 (443 with TLS).
        Case{"", {}, "0.0.0.0", 80, Protocol::kGrpc, false},
        Case{"", {.tls = true}, "0.0.0.0", 443, Protocol::kGrpc, true},
        Case{"", {.port = 54321}, "0.0.0.0", 54321, Protocol::kGrpc, false},
        Case{"localhost", {}, "localhost", 80, Protocol::kGrpc, false},
        Case{"localhost:1234", {}, "localhost", 1234, Protocol::kGrpc, false},
        // Every scheme.
        Case{"grpc://h:1", {}, "h", 1, Protocol::kGrpc, false},
        Case{"grpcs://h:65535", {}, "h", 65535, Protocol::kGrpc, true},
        Case{"http://my.awesome.flow:1234", {}, "my.awesome.flow", 1234, Protocol::kHttp, false},
        Case{"https://my.awesome.flow", {}, "my.awesome.flow", 443, Protocol::kHttp, true},
        Case{"ws://h", {}, "h", 80, Protocol::kWebsocket, false},
        Case{"wss://h", {}, "h", 443, Protocol::kWebsocket, true},
        Case{"WSS://h", {}, "h", 443, Protocol::kWebsocket, true},
        Case{"grpcs://h", {}, "h", 443, Protocol::kGrpc, true},
        Case{"grpc://h", {}, "h", 80, Protocol::kGrpc, false},
        // One trailing slash is fine.
        Case{"grpc://h:1234/", {}, "h", 1234, Protocol::kGrpc, false},
        // A mix of URI and fields (the seed's examples).
        Case{"https://my.awesome.flow",
             {.port = 1234},
             "my.awesome.flow",
             1234,
             Protocol::kHttp,
             true},
        Case{"my.awesome.flow:1234",
             {.protocol = Protocol::kHttp, .tls = true},
             "my.awesome.flow",
             1234,
             Protocol::kHttp,
             true},
        Case{"", {.host = "grpcs://h:9"}, "h", 9, Protocol::kGrpc, true},
        Case{"",
             {.host = "h", .port = 5, .protocol = Protocol::kWebsocket, .tls = false},
             "h",
             5,
             Protocol::kWebsocket,
             false},
        // IPv6 literals.
        Case{"[::1]:1234", {}, "::1", 1234, Protocol::kGrpc, false},
        Case{"grpc://[::1]", {}, "::1", 80, Protocol::kGrpc, false},
        Case{"[fe80::1%25eth0]:7", {}, "fe80::1%25eth0", 7, Protocol::kGrpc, false},
        Case{"::1", {.port = 9}, "::1", 9, Protocol::kGrpc, false},
        Case{"127.0.0.1:8080", {}, "127.0.0.1", 8080, Protocol::kGrpc, false}));

struct BadCase {
  std::string host;
  ClientOptions options;
  std::string message_part;
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << "'" << c.host << "'"; }

class RejectTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(RejectTest, ThrowsInvalidArgument) {
  const BadCase& c = GetParam();
  try {
    resolve_target(c.host, c.options);
    FAIL() << "accepted " << c.host;
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr(c.message_part)) << c.host;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Hosts, RejectTest,
    ::testing::Values(
        // Two sources of truth: both named.
        BadCase{"https://h:1234", {.port = 4321}, "two definitions of port: 1234"},
        BadCase{"https://h:1234", {.port = 4321}, "4321 in ClientOptions::port"},
        BadCase{"http://h", {.protocol = Protocol::kGrpc}, "two definitions of protocol: http"},
        BadCase{"grpcs://h", {.tls = true}, "two definitions of tls"},
        BadCase{"grpc://h", {.tls = true}, "two definitions of tls"},
        BadCase{"h", {.host = "g"}, "two definitions of host"},
        // Ports.
        BadCase{"h:0", {}, "outside 1..65535"}, BadCase{"h:65536", {}, "outside 1..65535"},
        BadCase{"h:99999999999", {}, "outside 1..65535"}, BadCase{"h:-1", {}, "not a number"},
        BadCase{"h:12ab", {}, "not a number"}, BadCase{"h:", {}, "empty port"},
        BadCase{"", {.port = 70000}, "outside 1..65535"},
        BadCase{"", {.port = -2}, "outside 1..65535"},
        // Empty hosts.
        BadCase{"grpc://", {}, "empty host"}, BadCase{"grpc://:1234", {}, "empty host"},
        BadCase{":1234", {}, "empty host"},
        // Unknown schemes, paths, user info, junk.
        BadCase{"ftp://h", {}, "unknown scheme 'ftp'"},
        BadCase{"grpc://h:1/path", {}, "paths are not supported"},
        BadCase{"http://h/a/b", {}, "paths are not supported"},
        BadCase{"grpc://user:pw@h:1", {}, "user info"}, BadCase{"grpc://h?x=1", {}, "queries"},
        BadCase{"h o", {}, "whitespace"}, BadCase{"[::1", {}, "missing ']'"},
        BadCase{"[::1]x", {}, "unexpected text"}, BadCase{"[hello]:1", {}, "not an IPv6 address"},
        BadCase{"a:b:c", {}, "too many ':'"}, BadCase{"h$:1", {}, "not allowed in a host name"}));

TEST(TargetTest, ListenAllAddressesDialThisMachine) {
  EXPECT_EQ(resolve_target("", {}).address(), "localhost:80");
  EXPECT_EQ(resolve_target("[::]:5", {}).address(), "localhost:5");
  EXPECT_EQ(resolve_target("[::1]:5", {}).address(), "[::1]:5");
  EXPECT_EQ(resolve_target("h:5", {}).address(), "h:5");
}

TEST(ParseHostTest, ReportsOnlyWhatTheTextStates) {
  ParsedHost p = parse_host("example.com");
  EXPECT_EQ(p.host, "example.com");
  EXPECT_FALSE(p.port.has_value());
  EXPECT_FALSE(p.protocol.has_value());
  EXPECT_FALSE(p.tls.has_value());
  p = parse_host("wss://example.com:9");
  EXPECT_EQ(p.port, 9);
  EXPECT_EQ(p.protocol, Protocol::kWebsocket);
  EXPECT_EQ(p.tls, true);
}

// Several gateways (issue 17): a comma-separated host or ClientOptions::hosts.
TEST(ResolveTargetsTest, ListsGatewaysInOrder) {
  auto targets = resolve_targets("grpc://10.0.0.1:8080, 10.0.0.2:8081", {});
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0].address(), "10.0.0.1:8080");
  EXPECT_EQ(targets[1].address(), "10.0.0.2:8081");
  EXPECT_EQ(targets[1].protocol, Protocol::kGrpc);
  EXPECT_FALSE(targets[1].tls);
}

TEST(ResolveTargetsTest, OneHostIsOneTarget) {
  auto targets = resolve_targets("grpcs://example.com", {});
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_EQ(targets[0].port, 443);
  EXPECT_FALSE(targets[0].resolve_all);
}

TEST(ResolveTargetsTest, EveryEntryTakesTheOptions) {
  auto targets = resolve_targets(
      "", {.protocol = Protocol::kHttp, .hosts = {"10.0.0.1:1", "10.0.0.2:2", "10.0.0.3"}});
  ASSERT_EQ(targets.size(), 3u);
  EXPECT_EQ(targets[0].address(), "10.0.0.1:1");
  EXPECT_EQ(targets[1].address(), "10.0.0.2:2");
  EXPECT_EQ(targets[2].address(), "10.0.0.3:80");
  for (const Target& t : targets) EXPECT_EQ(t.protocol, Protocol::kHttp);
}

TEST(ResolveTargetsTest, TheFirstSchemeIsTheList) {
  for (const char* host : {"wss://a:1,wss://b:2", "wss://a:1,b:2"}) {
    auto targets = resolve_targets(host, {});
    ASSERT_EQ(targets.size(), 2u) << host;
    EXPECT_EQ(targets[1].protocol, Protocol::kWebsocket) << host;
    EXPECT_TRUE(targets[1].tls) << host;
  }
  auto names = resolve_targets("dns:///a:1,b:2", {});
  ASSERT_EQ(names.size(), 2u);
  EXPECT_TRUE(names[1].resolve_all);
}

TEST(ResolveTargetsTest, DnsNameStandsForItsAddresses) {
  auto targets = resolve_targets("dns:///flow-gateway.ns.svc:8080", {});
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_TRUE(targets[0].resolve_all);
  EXPECT_EQ(targets[0].host, "flow-gateway.ns.svc");
  EXPECT_EQ(targets[0].port, 8080);
  EXPECT_EQ(targets[0].protocol, Protocol::kGrpc);
}

struct ListCase {
  std::string host;
  ClientOptions options;
  std::string why;
};

void PrintTo(const ListCase& c, std::ostream* os) { *os << "'" << c.host << "'"; }

class RejectListTest : public ::testing::TestWithParam<ListCase> {};

TEST_P(RejectListTest, ThrowsInvalidArgument) {
  const ListCase& c = GetParam();
  try {
    resolve_targets(c.host, c.options);
    FAIL() << "no exception";
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr(c.why));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Lists, RejectListTest,
    ::testing::Values(ListCase{"grpc://a:1,http://b:2", {}, "mix schemes"},
                      ListCase{"a:1,grpc://b:2", {}, "mix schemes"},
                      ListCase{"grpc://a:1,b:2,ws://c:3", {}, "mix schemes"},
                      ListCase{"a:1,,b:2", {}, "gateway 2 of 3 is empty"},
                      ListCase{"a:1,", {}, "is empty"}, ListCase{"a:1,a:1", {}, "listed twice"},
                      ListCase{"localhost:1,0.0.0.0:1", {}, "listed twice"},
                      ListCase{"a:1", {.hosts = {"b:2"}}, "two definitions of the gateways"},
                      ListCase{
                          "", {.host = "a:1", .hosts = {"b:2"}}, "two definitions of the gateways"},
                      ListCase{"a:1,b", {.port = 5}, "two definitions of port"},
                      ListCase{"dns://x/name:1", {}, "dns:///name:port"},
                      ListCase{"dns:///grpc://name:1", {}, "a scheme after dns:///"},
                      ListCase{"dns:///name:1", {.protocol = Protocol::kHttp}, "stands for gRPC"},
                      ListCase{"a:1,b:2", {.dns_refresh_interval = 0}, "dns_refresh_interval"},
                      ListCase{"a:1,b:2", {.gateway_window = -1}, "gateway_window"}));

}  // namespace
}  // namespace jina::internal
