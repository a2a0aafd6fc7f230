// jina-cpp's Client against the benchmark Flow.
#include <jina/jina.h>

#include <algorithm>
#include <optional>

#include "e2e_common.h"

int main(int argc, char** argv) {
  const bench::Args a = bench::parse_args(argc, argv);
  const std::string scheme = a.protocol == "websocket" ? "ws" : a.protocol;
  std::string host = scheme + "://127.0.0.1:" + std::to_string(a.port);
  for (std::size_t start = 0; start < a.more_ports.size();) {
    std::size_t comma = std::min(a.more_ports.find(',', start), a.more_ports.size());
    host += ",127.0.0.1:" + a.more_ports.substr(start, comma - start);
    start = comma + 1;
  }
  jina::Client client(host, {.stream = a.stream != 0});
  client.is_flow_ready();  // connect before the clock starts, as the floor does
  const double cpu0 = bench::cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  long received = 0;
  std::vector<double> latencies;
  if (a.mode == "latency") {
    for (long i = 0; i < a.docs; ++i) {
      const auto s = std::chrono::steady_clock::now();
      received +=
          static_cast<long>(client.post("/", jina::Document().set_text(bench::doc_text(i))).size());
      latencies.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count());
    }
  } else {
    long next = 0;
    auto generator = [&]() -> std::optional<jina::Document> {
      if (next >= a.docs) return std::nullopt;
      return jina::Document().set_text(bench::doc_text(next++));
    };
    jina::PostOptions o;
    o.request_size = a.request_size;
    if (a.max_docs_in_flight > 0) o.max_docs_in_flight = a.max_docs_in_flight;
    o.on_done = [&](const jina::Response& r) { received += static_cast<long>(r.docs().size()); };
    client.post("/", generator, o);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  bench::report("jina-cpp", a, received, seconds, bench::cpu_seconds() - cpu0, latencies);
  return received == a.docs ? 0 : 1;
}
