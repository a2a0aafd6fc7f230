// HTTP and WebSocket: the same Client, chosen by the URI's scheme
// (http://, https://, ws://, wss://). Usage: client_http [URI...]; without
// one it serves a local Flow over HTTP and WebSocket and talks to both.
#include <jina/executor.h>
#include <jina/flow.h>
#include <jina/jina.h>

#include <cctype>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

class Upper : public jina::Executor {
 public:
  Upper() {
    on_default(&Upper::upper);
    on("/fail", [](jina::ExecutorRequest&) { throw std::runtime_error("intentional failure"); });
  }
  void upper(jina::ExecutorRequest& req) {
    for (jina::Document& doc : req.docs) {
      std::string text = doc.text();
      for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      doc.set_text(text);
    }
  }
};

void talk_to(const std::string& uri) {
  jina::Client client(uri);
  if (!client.is_flow_ready()) {
    std::cerr << "no Flow ready at " << client.target() << "\n";
    return;
  }
  std::cout << client.uri() << ": jina " << client.status()["jina"]["jina"] << "\n";

  jina::DocumentArray docs{jina::Document("a").set_text("hello"),
                           jina::Document("b").set_text("world")};
  jina::DocumentArray out = client.post("/", docs, {.request_size = 1, .results_in_order = true});
  for (const jina::Document& doc : out) std::cout << "  " << doc.id() << ": " << doc.text() << "\n";

  // An Executor error reaches on_error with the gateway's description.
  client.post("/fail", docs, {.on_error = [](const jina::Response& r) {
                std::cout << "  error: " << r.status().description() << "\n";
              }});
}

int main(int argc, char** argv) {
  std::vector<std::string> uris(argv + 1, argv + argc);
  std::unique_ptr<jina::Flow> flow;
  if (uris.empty()) {
    flow = std::make_unique<jina::Flow>(
        jina::FlowOptions{.port = 0,
                          .host = "127.0.0.1",
                          .protocols = {jina::Protocol::kHttp, jina::Protocol::kWebsocket}});
    flow->add<Upper>({.name = "upper"});
    flow->start();
    uris = {"http://127.0.0.1:" + std::to_string(flow->port(jina::Protocol::kHttp)),
            "ws://127.0.0.1:" + std::to_string(flow->port(jina::Protocol::kWebsocket))};
  }
  for (const std::string& uri : uris) talk_to(uri);
}
