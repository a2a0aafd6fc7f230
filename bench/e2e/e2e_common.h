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
  }
  if (a.port == 0) {
    std::cerr << "usage: " << argv[0]
              << " --port N [--docs N] [--request-size N] [--mode throughput|latency]"
                 " [--protocol grpc|http|websocket]\n";
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

}  // namespace bench

#endif  // JINA_BENCH_E2E_COMMON_H_
