// An Executor that throws: the response carries the error in its status,
// and the Client hands it to on_error.
#include <jina/jina.h>

#include <iostream>
#include <stdexcept>

class MyExecutor : public jina::Executor {
 public:
  MyExecutor() {
    on_default([](jina::ExecutorRequest&) -> void { throw std::logic_error("no time for it"); });
  }
};

int main() {
  jina::Flow f({.port = 0, .host = "127.0.0.1"});
  f.add<MyExecutor>();
  f.start();

  jina::Client c("grpc://127.0.0.1:" + std::to_string(f.port()));
  jina::PostOptions o;
  o.on_error = [](const jina::Response& r, const jina::Error&) {
    std::cout << r.status().description() << "\n";
    std::cout << "raised by " << r.status().exception().executor() << "\n";
  };
  c.post("", jina::Inputs{}, o);  // no inputs: one request without docs

  // Without on_error the Client throws BadServer.
  try {
    c.post("/", jina::Document());
  } catch (const jina::BadServer& e) {
    std::cout << "BadServer: " << e.what() << "\n";
  }
}
