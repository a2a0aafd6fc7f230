// target_executor: a regex (matched from the start of the name) that picks
// which Executors of the Flow run a request.
#include <jina/jina.h>

#include <iostream>

class Sign : public jina::Executor {
 public:
  Sign() {
    on_default([this](jina::ExecutorRequest& req) {
      for (jina::Document& doc : req.docs) doc.set_text(doc.text() + " " + name());
    });
  }
};

int main() {
  jina::Flow f({.port = 0, .host = "127.0.0.1"});
  f.add<Sign>({.name = "foo"}).add<Sign>({.name = "bar"}).add<Sign>({.name = "baz"});
  f.start();

  jina::Client c("grpc://127.0.0.1:" + std::to_string(f.port()));
  std::cout << "all:     " << c.post("/", jina::Document().set_text("visited:"))[0].text() << "\n";
  jina::PostOptions o;
  o.target_executor = "ba.*";
  std::cout << "ba.*:    " << c.post("/", jina::Document().set_text("visited:"), o)[0].text()
            << "\n";
  o.target_executor = "foo";
  std::cout << "foo:     " << c.post("/", jina::Document().set_text("visited:"), o)[0].text()
            << "\n";
}
