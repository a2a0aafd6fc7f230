// The Flow every end-to-end benchmark client talks to: one Executor that
// leaves the Documents as they are, so the numbers measure the clients and
// the protocol, not an Executor. Its streaming endpoint /stream emits, as
// fast as the client reads, as many small Documents as the request
// Document's text says (a number: jina's Python client sends the Document
// but no parameters). Serves gRPC, HTTP and WebSocket; prints
// "PORT <grpc port>", "HTTP_PORT <n>" and "WEBSOCKET_PORT <n>"; stops on
// SIGTERM.
#include <jina/jina.h>

#include <cstdlib>
#include <iostream>
#include <string>

namespace {
class Echo : public jina::Executor {
 public:
  Echo() {
    on_default(&Echo::echo);
    on_stream("/stream", &Echo::stream);
  }
  void echo(jina::ExecutorRequest&) {}
  // Items "<request id>-<i>" with the text "tok <i>": ~80 bytes each on the wire.
  void stream(const jina::Document& in, jina::DocEmitter& out) {
    const long n = std::strtol(in.text().c_str(), nullptr, 10);
    const std::string prefix = in.id() + "-";
    for (long i = 0; i < n; ++i) {
      const std::string number = std::to_string(i);
      if (!out.emit(jina::Document(prefix + number).set_text("tok " + number))) return;
    }
  }
};
}  // namespace

int main() {
  jina::Flow flow(
      {.port = 0,
       .host = "127.0.0.1",
       .protocols = {jina::Protocol::kGrpc, jina::Protocol::kHttp, jina::Protocol::kWebsocket}});
  flow.add<Echo>({.name = "echo"});
  flow.start();
  std::cout << "HTTP_PORT " << flow.port(jina::Protocol::kHttp) << "\n"
            << "WEBSOCKET_PORT " << flow.port(jina::Protocol::kWebsocket) << "\n"
            << "PORT " << flow.port() << std::endl;
  flow.block();
}
