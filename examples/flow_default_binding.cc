// Default binding: on_default serves every endpoint that has no binding of
// its own; an Executor without any binding lets requests pass through.
#include <jina/jina.h>

#include <iostream>

class MyExecutor : public jina::Executor {
 public:
  MyExecutor() {
    on_default(&MyExecutor::foo);
    on("/index", &MyExecutor::bar);
  }

  void foo(jina::ExecutorRequest& req) { std::cout << "Calling foo for " << req.endpoint << "\n"; }
  void bar(jina::ExecutorRequest& req) { std::cout << "Calling bar for " << req.endpoint << "\n"; }
};

// No binding: plays no part in the Flow.
class Bystander : public jina::Executor {};

int main() {
  jina::Flow f({.port = 0, .host = "127.0.0.1"});
  f.add<MyExecutor>().add<Bystander>();
  f.start();

  jina::Client c("grpc://127.0.0.1:" + std::to_string(f.port()));
  c.post("/blah", jina::Document().set_text("a"));
  c.post("/index", jina::Document().set_text("b"));
  jina::DocumentArray out = c.post("/search", jina::Document().set_text("untouched"));
  std::cout << "Bystander passed on: " << out[0].text() << "\n";
}
