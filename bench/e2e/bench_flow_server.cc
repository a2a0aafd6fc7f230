// The Flow every end-to-end benchmark client talks to: one Executor that
// leaves the Documents as they are, so the numbers measure the clients and
// the protocol, not an Executor. Its streaming endpoint /stream emits, as
// fast as the client reads, as many small Documents as the request
// Document's text says (a number: jina's Python client sends the Document
// but no parameters). Serves gRPC, HTTP and WebSocket; prints
// "PORT <grpc port>", "HTTP_PORT <n>" and "WEBSOCKET_PORT <n>"; stops on
// SIGTERM. `--sleep-ms N` makes the Executor wait N ms per request (a slow
// model, without using the CPU) and `--workers N` sets how many requests run
// at once: the several-gateways benchmark runs each Flow as one replica that
// serves one request at a time.
#include <jina/jina.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

namespace {
class Echo : public jina::Executor {
 public:
  explicit Echo(int sleep_ms = 0) : sleep_ms_(sleep_ms) {
    on_default(&Echo::echo);
    on_stream("/stream", &Echo::stream);
  }
  void echo(jina::ExecutorRequest&) {
    if (sleep_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms_));
  }
  // Items "<request id>-<i>" with the text "tok <i>": ~80 bytes each on the wire.
  void stream(const jina::Document& in, jina::DocEmitter& out) {
    const long n = std::strtol(in.text().c_str(), nullptr, 10);
    const std::string prefix = in.id() + "-";
    for (long i = 0; i < n; ++i) {
      const std::string number = std::to_string(i);
      if (!out.emit(jina::Document(prefix + number).set_text("tok " + number))) return;
    }
  }

 private:
  int sleep_ms_;
};
}  // namespace

int main(int argc, char** argv) {
  int sleep_ms = 0;
  int workers = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--sleep-ms") sleep_ms = std::atoi(argv[i + 1]);
    if (k == "--workers") workers = std::atoi(argv[i + 1]);
  }
  jina::Flow flow(
      {.port = 0,
       .host = "127.0.0.1",
       .protocols = {jina::Protocol::kGrpc, jina::Protocol::kHttp, jina::Protocol::kWebsocket},
       .workers = workers});
  flow.add(std::make_shared<Echo>(sleep_ms), {.name = "echo"});
  flow.start();
  std::cout << "HTTP_PORT " << flow.port(jina::Protocol::kHttp) << "\n"
            << "WEBSOCKET_PORT " << flow.port(jina::Protocol::kWebsocket) << "\n"
            << "PORT " << flow.port() << std::endl;
  flow.block();
}
