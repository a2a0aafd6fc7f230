// Client statistics and the log sink: route the library's records into your
// own logger and read what a Client has done.
#include <jina/jina.h>

#include <iostream>

class Echo : public jina::Executor {
 public:
  Echo() { on_default(&Echo::echo); }
  void echo(jina::ExecutorRequest&) {}
};

int main() {
  // Info-level records include retries; the default shows warnings only.
  jina::set_log_level(jina::LogLevel::kInfo);
  jina::set_log_sink([](const jina::LogRecord& r) {
    std::cout << "log " << jina::to_string(r.level) << " [" << r.component << "] " << r.message
              << "\n";
  });

  jina::Flow flow({.port = 0, .host = "127.0.0.1"});
  flow.add<Echo>({.name = "echo"});
  flow.start();

  jina::Client client("grpc://127.0.0.1:" + std::to_string(flow.port()));
  jina::DocumentArray docs;
  for (int i = 0; i < 1000; ++i) docs.push_back(jina::Document().set_text("doc"));
  client.post("/", docs, {.request_size = 50});

  jina::ClientStats s = client.stats();
  std::cout << "requests " << s.requests << ", responses " << s.responses << ", docs sent "
            << s.docs_sent << ", docs received " << s.docs_received << ", retries " << s.retries
            << "\n";
  std::cout << "bytes sent " << s.bytes_sent << ", received " << s.bytes_received << "\n";
  std::cout << "latency p50 <= " << s.latency.quantile(0.5) * 1000
            << " ms, p99 <= " << s.latency.quantile(0.99) * 1000 << " ms\n";
  jina::set_log_sink({});  // back to stderr
}
