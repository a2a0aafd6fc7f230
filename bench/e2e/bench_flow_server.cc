// The Flow every end-to-end benchmark client talks to: one Executor that
// leaves the Documents as they are, so the numbers measure the clients and
// the protocol, not an Executor. Serves gRPC, HTTP and WebSocket; prints
// "PORT <grpc port>", "HTTP_PORT <n>" and "WEBSOCKET_PORT <n>"; stops on
// SIGTERM.
#include <jina/jina.h>

#include <iostream>

namespace {
class Echo : public jina::Executor {
 public:
  Echo() { on_default(&Echo::echo); }
  void echo(jina::ExecutorRequest&) {}
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
