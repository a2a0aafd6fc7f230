// AsyncClient with many concurrent one-document posts against sequential
// Client::post calls of one document, on the benchmark Flow.
//
//   async_bench --port N [--docs N] [--concurrency 64]
//               [--mode both|async|sequential|async-callbacks]
//
// Every post sends one request of one Document (request_size 1). Prints one
// JSON line per mode (see e2e_common.h) and, with both, the speed-up.
// async-callbacks: the same concurrent posts, each with a no-op PostOptions
// on_done, which runs on the AsyncClient's callback pool (before the bounded
// executor, it gave every post a thread of its own).
#include <jina/jina.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <semaphore>
#include <string>

#include "e2e_common.h"

namespace {

struct Run {
  long received = 0;
  double seconds = 0;
  double cpu = 0;
};

Run sequential(const bench::Args& a) {
  jina::Client client("grpc://127.0.0.1:" + std::to_string(a.port));
  client.is_flow_ready();  // connect before the clock starts
  const double cpu0 = bench::cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  Run run;
  for (long i = 0; i < a.docs; ++i) {
    run.received += static_cast<long>(
        client.post("/", jina::Document().set_text(bench::doc_text(i)), {.request_size = 1})
            .size());
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  run.cpu = bench::cpu_seconds() - cpu0;
  return run;
}

Run concurrent(const bench::Args& a, int concurrency, bool thread_per_post) {
  jina::AsyncClient client("grpc://127.0.0.1:" + std::to_string(a.port));
  client.post("/", {}, {}).get();  // connect (and start a post thread) before the clock starts
  const double cpu0 = bench::cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  std::counting_semaphore<> slots(concurrency);
  std::atomic<long> received{0};
  std::atomic<long> failed{0};
  jina::PostOptions options{.request_size = 1};
  if (thread_per_post) options.on_done = [](const jina::Response&) {};
  for (long i = 0; i < a.docs; ++i) {
    slots.acquire();
    client.post("/", jina::Document().set_text(bench::doc_text(i)), options)
        .on_finished([&](const jina::DocumentArray* docs, const jina::Error*) {
          if (docs) {
            received += static_cast<long>(docs->size());
          } else {
            ++failed;
          }
          slots.release();
        });
  }
  for (int i = 0; i < concurrency; ++i) slots.acquire();  // every post has finished
  Run run;
  run.received = received;
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  run.cpu = bench::cpu_seconds() - cpu0;
  if (failed > 0) std::cerr << failed << " posts failed\n";
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  bench::Args a = bench::parse_args(argc, argv);
  a.request_size = 1;
  int concurrency = 64;
  std::string which = "both";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    if (k == "--concurrency") concurrency = std::stoi(argv[i + 1]);
    if (k == "--mode") which = argv[i + 1];
  }
  bool ok = true;
  double sequential_rate = 0;
  double async_rate = 0;
  if (which == "both" || which == "sequential") {
    Run r = sequential(a);
    a.mode = "sequential posts";
    bench::report("jina-cpp Client", a, r.received, r.seconds, r.cpu, {});
    sequential_rate = r.received / r.seconds;
    ok = ok && r.received == a.docs;
  }
  if (which == "both" || which == "async" || which == "async-callbacks") {
    Run r = concurrent(a, concurrency, which == "async-callbacks");
    a.mode = std::to_string(concurrency) + " concurrent posts" +
             (which == "async-callbacks" ? ", with on_done" : "");
    bench::report("jina-cpp AsyncClient", a, r.received, r.seconds, r.cpu, {});
    async_rate = r.received / r.seconds;
    ok = ok && r.received == a.docs;
  }
  if (sequential_rate > 0 && async_rate > 0) {
    std::cout << "{\"speedup\": " << async_rate / sequential_rate << "}" << std::endl;
  }
  return ok ? 0 : 1;
}
