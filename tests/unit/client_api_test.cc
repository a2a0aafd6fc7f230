// The Client part of /work/shared/api.md compiles as written.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "jina/jina.h"

namespace {

TEST(ClientApiTest, ContractCompilesAsWritten) {
  jina::Client c("grpc://localhost:54321");
  EXPECT_EQ(c.target(), "localhost:54321");
  jina::Client c2(
      {.host = "localhost", .port = 54321, .protocol = jina::Protocol::kHttp, .tls = false});
  EXPECT_EQ(c2.target(), "localhost:54321");
  EXPECT_THROW(jina::Client("https://h:1234", {.port = 4321}), jina::InvalidArgument);

  jina::PostOptions o;
  o.request_size = 10;
  o.parameters = {{"top_k", 5}};
  o.target_executor = "bar.*";
  o.on_done = [](const jina::Response& r) {
    (void)r.docs();
    (void)r.parameters();
    (void)r.routes();
    (void)r.header().request_id();
  };
  o.on_error = [](const jina::Response& r, const jina::Error& e) {
    (void)r.status().code();
    (void)r.status().exception().args();
    (void)e.status();
  };
  o.on_always = [](const jina::Response&) {};
  o.continue_on_error = true;
  o.max_attempts = 3;
  o.initial_backoff = 0.5;
  o.max_backoff = 2.0;
  o.backoff_multiplier = 1.5;
  o.compression = jina::Compression::kGzip;
  o.prefetch = 1000;
  o.results_in_order = false;
  o.timeout = 30.0;
  o.show_progress = true;

  // Only compiled: nothing listens on 54321.
  auto calls = [&](jina::Client& client) {
    jina::DocumentArray da{jina::Document().set_text("a")};
    jina::DocumentArray out = client.post("/search", da, o);
    client.post("/index", jina::Document().set_text("one"));
    auto generator = []() -> std::optional<jina::Document> { return std::nullopt; };
    client.post("/index", generator, o);
    client.post("/", jina::DocumentArray{}, {.parameters = {{"hello", "world"}}});
    std::vector<jina::Response> rs = client.post_responses("/", da, o);
    client.index(da);
    client.search(da);
    client.update(da);
    client.remove(da);
    bool ok = client.is_flow_ready();
    std::vector<std::string> eps = client.endpoints();
    nlohmann::json info = client.status();
    (void)ok;
  };
  (void)calls;
}

}  // namespace

namespace jina {
namespace {

// Client("") is Jina's default host 0.0.0.0, which is dialled as localhost:
// target() and uri() say so (issue 18); protocol() and uri() follow the
// scheme (issue 19).
TEST(ClientWhereTest, TargetProtocolAndUri) {
  Client none("");
  EXPECT_EQ(none.target(), "localhost:80");
  EXPECT_EQ(none.uri(), "grpc://localhost:80");
  EXPECT_EQ(none.protocol(), Protocol::kGrpc);
  Client tls("https://example.com");
  EXPECT_EQ(tls.protocol(), Protocol::kHttp);
  EXPECT_EQ(tls.uri(), "https://example.com:443");
  Client list("ws://a:1,b:2");
  EXPECT_EQ(list.protocol(), Protocol::kWebsocket);
  EXPECT_EQ(list.uri(), "ws://a:1,ws://b:2");
  EXPECT_EQ(list.target(), "a:1,b:2");
  // .invalid never resolves (RFC 6761), and fails at once.
  Client dns("dns:///gateway.invalid:8080");
  EXPECT_EQ(dns.uri(), "dns:///gateway.invalid:8080");
  EXPECT_EQ(dns.target(), "dns:///gateway.invalid:8080");
}

}  // namespace
}  // namespace jina
