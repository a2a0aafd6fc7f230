// Quickstart: serve an upper-casing Executor in a local Flow, post a few
// Documents to it with the Client, and print what comes back.
#include <jina/jina.h>

#include <cctype>
#include <iostream>
#include <string>

class Upper : public jina::Executor {
 public:
  Upper() { on_default(&Upper::upper); }
  void upper(jina::ExecutorRequest& req) {
    for (auto& doc : req.docs) {
      std::string t = doc.text();
      for (auto& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      doc.set_text(t);
    }
  }
};

int main() {
  jina::Flow flow({.port = 0, .host = "127.0.0.1"});  // port 0: any free port
  flow.add<Upper>({.name = "upper"});
  flow.start();

  jina::Client client("grpc://127.0.0.1:" + std::to_string(flow.port()));
  jina::DocumentArray docs{jina::Document().set_text("hello"), jina::Document().set_text("world")};
  for (const auto& text : client.post("/", docs).texts())
    std::cout << text << "\n";  // HELLO, WORLD
}
