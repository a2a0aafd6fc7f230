// One Client over several gateways (issue 17): requests spread per request
// over local Flows standing for gateway replicas, a slower one gets fewer,
// one killed mid-post and restarted loses nothing and doubles nothing, and a
// DNS name that resolves to two addresses uses both. Over gRPC, HTTP and
// WebSocket; each scenario runs under a watchdog.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/balancer.h"
#include "client/client_access.h"
#include "integration/fault_testing.h"
#include "integration/tcp_proxy.h"
#include "jina/async_client.h"
#include "jina/client.h"
#include "jina/flow.h"
#include "transport/grpc_transport.h"

namespace jina {
namespace {

using namespace fault_testing;  // NOLINT: the shared scenario helpers
using testing::TcpProxy;

std::string address_of(int port, const std::string& host = "127.0.0.1") {
  return host + ":" + std::to_string(port);
}

ClientOptions options_for(Protocol protocol, std::vector<std::string> hosts) {
  for (std::string& h : hosts) h = scheme(protocol) + "://" + h;
  return ClientOptions{
      .hosts = std::move(hosts), .doc_format = DocFormat::kV2, .http_api = HttpApi::kPerEndpoint};
}

// Three Flows, each with its own ledger, as three gateway replicas.
struct Replicas {
  Replicas(Protocol protocol, std::vector<int> delays_ms) {
    for (int delay : delays_ms) {
      ledgers.push_back(std::make_shared<Ledger>());
      flows.push_back(start_flow(protocol, ledgers.back(), delay));
    }
  }
  std::vector<std::string> addresses() const {
    std::vector<std::string> out;
    for (const auto& f : flows) out.push_back(address_of(f->port()));
    return out;
  }
  std::vector<std::shared_ptr<Ledger>> ledgers;
  std::vector<std::unique_ptr<Flow>> flows;
};

class SeveralGateways : public ::testing::TestWithParam<Protocol> {
 protected:
  Protocol protocol() const { return GetParam(); }
};

INSTANTIATE_TEST_SUITE_P(Protocols, SeveralGateways,
                         ::testing::Values(Protocol::kGrpc, Protocol::kHttp, Protocol::kWebsocket),
                         [](const auto& info) { return scheme(info.param); });

TEST_P(SeveralGateways, EqualGatewaysShareTheRequestsOfOnePost) {
  Watchdog watchdog(seconds(60));
  constexpr int kRequests = 300;
  // 40 ms: long enough that a loaded machine's scheduling does not make one
  // replica slower than the others (the balancer would rightly favour those).
  Replicas replicas(protocol(), {40, 40, 40});
  Client client(options_for(protocol(), replicas.addresses()));
  EXPECT_EQ(client.protocol(), protocol());
  EXPECT_EQ(client.uri().find(scheme(protocol()) + "://127.0.0.1:"), 0u) << client.uri();

  std::map<std::string, int> answered_by;
  PostOptions options{.request_size = 1};
  options.on_always = [&](const Response& r) { ++answered_by[r.gateway()]; };
  Outcomes out = post_counted(client, "/record", kRequests, options);
  ASSERT_FALSE(out.exception) << *out.exception;
  expect_each_request_once(out, kRequests);

  ClientStats stats = client.stats();
  ASSERT_EQ(stats.gateways.size(), 3u);
  EXPECT_EQ(stats.requests, static_cast<std::uint64_t>(kRequests));
  EXPECT_EQ(stats.retries, 0u);
  for (std::size_t i = 0; i < 3; ++i) {
    const GatewayStats& g = stats.gateways[i];
    EXPECT_EQ(g.address, replicas.addresses()[i]);
    EXPECT_TRUE(g.healthy);
    EXPECT_EQ(g.failures, 0u);
    EXPECT_EQ(g.in_flight, 0u);
    EXPECT_EQ(g.responses, g.requests);
    EXPECT_EQ(g.latency.count(), g.responses);
    // Its share: 100 +- 15 %, by its own count, by the Flow's and by the
    // responses' gateway().
    EXPECT_NEAR(static_cast<double>(g.requests), kRequests / 3.0, kRequests / 3.0 * 0.15)
        << g.address;
    EXPECT_EQ(replicas.ledgers[i]->total(), static_cast<int>(g.requests)) << g.address;
    EXPECT_EQ(answered_by[g.address], static_cast<int>(g.responses)) << g.address;
  }
  std::printf("[%s] shares: %d %d %d\n", scheme(protocol()).c_str(), replicas.ledgers[0]->total(),
              replicas.ledgers[1]->total(), replicas.ledgers[2]->total());
}

// The slow replica (100 ms) is the bottleneck even when the client is slow
// itself (a sanitizer build on a loaded machine, where a window of 4 at
// 30 ms was not): with a window of 2 it can take at most 20 requests a
// second, the fast ones take the rest.
TEST_P(SeveralGateways, ASlowerGatewayGetsFewer) {
  Watchdog watchdog(seconds(60));
  constexpr int kRequests = 300;
  Replicas replicas(protocol(), {2, 2, 100});
  ClientOptions options = options_for(protocol(), replicas.addresses());
  options.gateway_window = 2;
  Client client(options);
  Outcomes out = post_counted(client, "/record", kRequests, {});
  ASSERT_FALSE(out.exception) << *out.exception;
  expect_each_request_once(out, kRequests);
  int fast = std::min(replicas.ledgers[0]->total(), replicas.ledgers[1]->total());
  int slow = replicas.ledgers[2]->total();
  std::printf("[%s] fast %d %d, slow %d, %.2f s\n", scheme(protocol()).c_str(),
              replicas.ledgers[0]->total(), replicas.ledgers[1]->total(), slow, out.seconds);
  EXPECT_LT(slow * 2, fast);
}

TEST_P(SeveralGateways, ResultsInOrderHoldAcrossGateways) {
  Watchdog watchdog(seconds(60));
  Replicas replicas(protocol(), {0, 3, 9});
  Client client(options_for(protocol(), replicas.addresses()));
  DocumentArray got =
      client.post("/record", numbered_docs(200), {.request_size = 2, .results_in_order = true});
  ASSERT_EQ(got.size(), 200u);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(got[i].id(), "d" + std::to_string(i));
}

// One gateway dies mid-post (its connections reset, new ones refused) and
// comes back: what it had not answered goes to the others at once, without
// using up the post's attempts, and every request ends done exactly once.
TEST_P(SeveralGateways, AGatewayKilledMidPostAndRestartedLosesNothing) {
  Watchdog watchdog(seconds(60));
  constexpr int kRequests = 150;
  auto ledger = std::make_shared<Ledger>();  // every Flow's, for duplicates
  std::vector<std::unique_ptr<Flow>> flows;
  std::vector<std::unique_ptr<TcpProxy>> proxies;
  std::vector<std::string> hosts;
  for (int i = 0; i < 3; ++i) {
    flows.push_back(start_flow(protocol(), ledger, /*delay_ms=*/5));
    proxies.push_back(std::make_unique<TcpProxy>(flows.back()->port()));
    hosts.push_back(address_of(proxies.back()->port()));
  }
  Client client(options_for(protocol(), hosts));

  std::unique_ptr<Flow> second;
  std::thread killer([&] {
    ASSERT_TRUE(ledger->wait_for_total(30, seconds(20)));
    proxies[1]->set_mode(TcpProxy::Mode::kDrop);
    proxies[1]->reset_all();
    flows[1]->stop();
    std::this_thread::sleep_for(milliseconds(300));
    second = start_flow(protocol(), ledger, /*delay_ms=*/5);
    proxies[1]->set_upstream(second->port());
    proxies[1]->set_mode(TcpProxy::Mode::kForward);
  });
  // One attempt: the failover is the balancer's, not the post's retry.
  Outcomes out = post_counted(client, "/record", kRequests, {.max_attempts = 1, .prefetch = 30});
  killer.join();

  ASSERT_FALSE(out.exception) << *out.exception;
  expect_each_request_once(out, kRequests);
  EXPECT_EQ(out.done_count(), kRequests);
  auto seen = ledger->seen();
  int duplicates = 0;
  for (const auto& [id, k] : out.done) {
    EXPECT_TRUE(seen.count(id)) << id;
    if (seen.count(id)) duplicates += seen.at(id) - 1;
  }
  ClientStats stats = client.stats();
  ASSERT_EQ(stats.gateways.size(), 3u);
  EXPECT_GT(stats.gateways[1].failures + 0u, 0u);
  EXPECT_EQ(stats.retries, stats.gateways[1].failures);
  // At-least-once on the Flow side: only what the killed gateway held.
  EXPECT_LE(duplicates, static_cast<int>(stats.gateways[1].failures));
  std::printf("[%s] kill/restart: %d done, %d re-sent, %d run twice, %.2f s\n",
              scheme(protocol()).c_str(), out.done_count(),
              static_cast<int>(stats.gateways[1].failures), duplicates, out.seconds);

  // Left out, then dry-run back within its first backoff (0.4-0.6 s).
  auto back_by = Clock::now() + seconds(5);
  while (!client.stats().gateways[1].healthy && Clock::now() < back_by) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  EXPECT_TRUE(client.stats().gateways[1].healthy);
  Outcomes again = post_counted(client, "/record", 60, {});
  ASSERT_FALSE(again.exception) << *again.exception;
  EXPECT_GT(client.stats().gateways[1].responses, stats.gateways[1].responses);
}

// Every gateway down: the post's own retries, then ConnectionError naming
// a gateway, and every request one outcome.
TEST_P(SeveralGateways, AllGatewaysDownFailsEveryRequestOnce) {
  Watchdog watchdog(seconds(60));
  Client client(options_for(
      protocol(), {address_of(testing::unused_port()), address_of(testing::unused_port())}));
  Outcomes out = post_counted(client, "/record", 20,
                              {.max_attempts = 3, .initial_backoff = 0.05, .max_backoff = 0.1});
  ASSERT_TRUE(out.exception);
  EXPECT_EQ(out.exception_type, "ConnectionError") << *out.exception;
  EXPECT_NE(out.exception->find("gateway 127.0.0.1:"), std::string::npos) << *out.exception;
  expect_each_request_once(out, 20);
  EXPECT_EQ(out.failed_count(), 20);
}

// An answer too large for the Client would be too large from any gateway:
// the post ends as with one gateway, and no gateway is left out for it.
TEST_P(SeveralGateways, AnErrorEveryGatewayWouldRepeatIsNotFailedOver) {
  Watchdog watchdog(seconds(60));
  Replicas replicas(protocol(), {0, 0});
  ClientOptions options = options_for(protocol(), replicas.addresses());
  options.max_response_bytes = 1 << 20;
  Client client(options);
  Outcomes out = post_counted(client, "/big", 4, {});
  ASSERT_TRUE(out.exception);
  EXPECT_EQ(out.code, absl::StatusCode::kResourceExhausted) << *out.exception;
  expect_each_request_once(out, 4);
  EXPECT_EQ(client.stats().retries, 0u);
  for (const GatewayStats& g : client.stats().gateways) EXPECT_TRUE(g.healthy) << g.address;
}

TEST_P(SeveralGateways, AsyncPostsSpreadToo) {
  Watchdog watchdog(seconds(60));
  Replicas replicas(protocol(), {2, 2});
  AsyncClient client(options_for(protocol(), replicas.addresses()));
  std::vector<PostTask> tasks;
  for (int i = 0; i < 4; ++i) {
    tasks.push_back(client.post("/record", numbered_docs(50, "p" + std::to_string(i) + "-"),
                                {.request_size = 1}));
  }
  std::size_t docs = 0;
  for (PostTask& t : tasks) docs += t.get().size();
  EXPECT_EQ(docs, 200u);
  EXPECT_GT(replicas.ledgers[0]->total(), 50);
  EXPECT_GT(replicas.ledgers[1]->total(), 50);
  EXPECT_EQ(client.stats().gateways.size(), 2u);
}

// A name that resolves to 127.0.0.1 and 127.0.0.2 (the resolver is the
// test's: no DNS server here) means both gateways; when it resolves to one
// only, the other is dropped at the next refresh.
TEST(SeveralGatewaysDns, ANameStandsForEveryAddress) {
  Watchdog watchdog(seconds(60));
  auto ledger1 = std::make_shared<Ledger>();
  auto ledger2 = std::make_shared<Ledger>();
  int port = testing::unused_port();
  auto flow_on = [&](const std::string& host, const std::shared_ptr<Ledger>& ledger) {
    auto flow = std::make_unique<Flow>(FlowOptions{.port = port, .host = host, .workers = 2});
    flow->add(std::make_shared<Recorder>(ledger, 2), {.name = "recorder"});
    flow->start();
    return flow;
  };
  auto first = flow_on("127.0.0.1", ledger1);
  auto second = flow_on("127.0.0.2", ledger2);

  auto addresses = std::make_shared<std::vector<std::string>>(
      std::vector<std::string>{"127.0.0.1", "127.0.0.2"});
  auto mu = std::make_shared<std::mutex>();
  internal::Resolver resolver =
      [addresses, mu](const std::string& name) -> absl::StatusOr<std::vector<std::string>> {
    EXPECT_EQ(name, "flow-gateway.test");
    std::lock_guard lock(*mu);
    return *addresses;
  };
  ClientOptions options{.dns_refresh_interval = 0.2, .doc_format = DocFormat::kV2};
  std::string host = "dns:///flow-gateway.test:" + std::to_string(port);
  auto targets = internal::resolve_targets(host, options);
  auto transport = internal::make_balanced_transport(
      targets, options,
      [](const internal::Target& t, const ClientOptions& o) {
        return internal::make_grpc_transport(t, o);
      },
      resolver);
  EXPECT_EQ(transport->target(), "dns:///flow-gateway.test:" + std::to_string(port));
  Client client = internal::ClientAccess::client(transport, options);

  Outcomes out = post_counted(client, "/record", 100, {});
  ASSERT_FALSE(out.exception) << *out.exception;
  expect_each_request_once(out, 100);
  EXPECT_GT(ledger1->total(), 25);
  EXPECT_GT(ledger2->total(), 25);

  {
    std::lock_guard lock(*mu);
    *addresses = {"127.0.0.2"};
  }
  auto until = Clock::now() + seconds(5);
  while (client.stats().gateways.size() != 1 && Clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_EQ(client.stats().gateways.size(), 1u);
  EXPECT_EQ(client.stats().gateways[0].address, address_of(port, "127.0.0.2"));
  int before = ledger1->total();
  Outcomes later = post_counted(client, "/record", 40, {});
  ASSERT_FALSE(later.exception) << *later.exception;
  EXPECT_EQ(ledger1->total(), before);
}

// A gateway that fails has the name resolved again at once, not only every
// dns_refresh_interval: its pod may have a successor at another address.
TEST(SeveralGatewaysDns, AFailedGatewayResolvesTheNameAgain) {
  Watchdog watchdog(seconds(60));
  auto ledger = std::make_shared<Ledger>();
  int port = testing::unused_port();
  auto flow = std::make_unique<Flow>(FlowOptions{.port = port, .host = "127.0.0.2", .workers = 2});
  flow->add(std::make_shared<Recorder>(ledger, 0), {.name = "recorder"});
  flow->start();
  auto calls = std::make_shared<std::atomic<int>>(0);
  internal::Resolver resolver =
      [calls](const std::string&) -> absl::StatusOr<std::vector<std::string>> {
    ++*calls;
    return std::vector<std::string>{"127.0.0.1", "127.0.0.2"};  // nothing on .1
  };
  ClientOptions options{.dns_refresh_interval = 30, .doc_format = DocFormat::kV2};
  auto transport = internal::make_balanced_transport(
      internal::resolve_targets("dns:///flow-gateway.test:" + std::to_string(port), options),
      options,
      [](const internal::Target& t, const ClientOptions& o) {
        return internal::make_grpc_transport(t, o);
      },
      resolver);
  Client client = internal::ClientAccess::client(transport, options);
  EXPECT_EQ(calls->load(), 1);
  Outcomes out = post_counted(client, "/record", 20, {});
  ASSERT_FALSE(out.exception) << *out.exception;
  expect_each_request_once(out, 20);
  auto until = Clock::now() + seconds(5);
  while (calls->load() < 2 && Clock::now() < until) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_GE(calls->load(), 2);
}

}  // namespace
}  // namespace jina
