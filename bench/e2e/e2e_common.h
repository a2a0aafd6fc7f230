// What the end-to-end benchmark programs share: argument parsing, the
// document text, CPU/RSS readings and the JSON result line.
#ifndef JINA_BENCH_E2E_COMMON_H_
#define JINA_BENCH_E2E_COMMON_H_

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace bench {

struct Args {
  int port = 0;
  long docs = 10000;
  int request_size = 100;
  // "throughput": one post of `docs`; "latency": `docs` sequential posts of one doc.
  std::string mode = "throughput";
  // jina-cpp only: PostOptions::max_docs_in_flight (0: the default).
  int max_docs_in_flight = 0;
  // jina-cpp only: "grpc", "http" or "websocket".
  std::string protocol = "grpc";
  // jina-cpp only: more gateways' ports, comma-separated: the Client spreads
  // its requests over --port and these (ClientOptions::hosts).
  std::string more_ports;
  // jina-cpp only: 0 sends each request as a unary call (ClientOptions::stream).
  int stream = 1;
};

inline Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--port")
      a.port = std::stoi(v);
    else if (k == "--docs")
      a.docs = std::stol(v);
    else if (k == "--request-size")
      a.request_size = std::stoi(v);
    else if (k == "--mode")
      a.mode = v;
    else if (k == "--protocol")
      a.protocol = v;
    else if (k == "--more-ports")
      a.more_ports = v;
    else if (k == "--stream")
      a.stream = std::stoi(v);
  }
  if (a.port == 0) {
    std::cerr << "usage: " << argv[0]
              << " --port N [--docs N] [--request-size N] [--mode throughput|latency]"
                 " [--protocol grpc|http|websocket] [--more-ports N,N] [--stream 0|1]\n";
    std::exit(2);
  }
  return a;
}

// ~100 bytes of text, different per document.
inline std::string doc_text(long i) {
  std::string t = "document " + std::to_string(i) + " ";
  while (t.size() < 100) t += "lorem ipsum ";
  t.resize(100);
  return t;
}

inline double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

inline double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

inline void report(const std::string& client, const Args& a, long docs_received, double seconds,
                   double cpu, const std::vector<double>& latencies_ms) {
  nlohmann::json j = {{"client", client},
                      {"mode", a.mode},
                      {"docs", a.docs},
                      {"request_size", a.request_size},
                      {"docs_received", docs_received},
                      {"seconds", seconds},
                      {"docs_per_s", docs_received / seconds},
                      {"cpu_s", cpu},
                      {"peak_rss_mb", peak_rss_mb()}};
  if (a.protocol != "grpc") j["protocol"] = a.protocol;
  if (!latencies_ms.empty()) j["p50_ms"] = percentile(latencies_ms, 0.5);
  std::cout << j.dump() << std::endl;
}

// The streaming benchmarks (stream_doc of a streaming endpoint that emits
// as many items as the request Document's text says): `streams` streams one
// after the other, each asking for `items` items.
struct StreamArgs {
  int port = 0;
  long streams = 10;
  long items = 10000;
  std::string endpoint = "/stream";
  // jina-cpp only: "grpc" or "http" (Server-Sent Events).
  std::string protocol = "grpc";
};

inline StreamArgs parse_stream_args(int argc, char** argv) {
  StreamArgs a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--port")
      a.port = std::stoi(v);
    else if (k == "--streams")
      a.streams = std::stol(v);
    else if (k == "--items")
      a.items = std::stol(v);
    else if (k == "--endpoint")
      a.endpoint = v;
    else if (k == "--protocol")
      a.protocol = v;
  }
  if (a.port == 0) {
    std::cerr
        << "usage: " << argv[0]
        << " --port N [--streams N] [--items N] [--endpoint /stream] [--protocol grpc|http]\n";
    std::exit(2);
  }
  return a;
}

// Runs one untimed stream of one item (connecting, first-call costs), then
// the timed streams. `run_stream(request_number, items, on_item)` runs one
// stream to its end, calling on_item() as each item arrives. Prints the JSON
// line (time to first item: from the start of the call to the first item in
// hand, per stream); returns the exit status.
template <class RunStream>
int run_stream_bench(const std::string& client, const StreamArgs& a, RunStream run_stream) {
  using Clock = std::chrono::steady_clock;
  run_stream(-1L, 1L, [] {});
  const double cpu0 = cpu_seconds();
  const auto t0 = Clock::now();
  long received = 0;
  std::vector<double> first_ms;
  for (long s = 0; s < a.streams; ++s) {
    const auto start = Clock::now();
    long got = 0;
    run_stream(s, a.items, [&] {
      if (got++ == 0)
        first_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    });
    received += got;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  nlohmann::json j = {{"client", client},
                      {"protocol", a.protocol},
                      {"streams", a.streams},
                      {"items", a.items},
                      {"items_received", received},
                      {"seconds", seconds},
                      {"items_per_s", received / seconds},
                      {"cpu_s", cpu_seconds() - cpu0},
                      {"peak_rss_mb", peak_rss_mb()},
                      {"first_p50_ms", percentile(first_ms, 0.5)},
                      {"first_p90_ms", percentile(first_ms, 0.9)}};
  std::cout << j.dump() << std::endl;
  return received == a.streams * a.items ? 0 : 1;
}

}  // namespace bench

#endif  // JINA_BENCH_E2E_COMMON_H_
