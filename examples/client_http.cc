// HTTP and WebSocket: the same Client, chosen by the URI's scheme
// (http://, https://, ws://, wss://). Usage: client_http [URI]
// e.g. client_http http://localhost:12345 against a Flow with protocol http.
#include <jina/jina.h>

#include <iostream>

int main(int argc, char** argv) {
  const char* uri = argc > 1 ? argv[1] : "http://localhost:12345";
  jina::Client client(uri);
  if (!client.is_flow_ready()) {
    std::cerr << "no Flow ready at " << client.target() << "\n";
    return 1;
  }
  std::cout << "jina " << client.status()["jina"]["jina"] << " at " << client.target() << "\n";

  jina::DocumentArray docs{jina::Document().set_text("hello"), jina::Document().set_text("world")};
  jina::DocumentArray out = client.post("/", docs, {.request_size = 1});
  for (const jina::Document& doc : out) std::cout << doc.id() << ": " << doc.text() << "\n";

  // An Executor error reaches on_error with the gateway's description.
  client.post("/fail", docs, {.on_error = [](const jina::Response& r, const jina::Error&) {
                std::cout << "error: " << r.status().description() << "\n";
              }});
}
