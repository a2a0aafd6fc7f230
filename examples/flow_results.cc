// An Executor method that returns a JSON object: the Flow collects it in the
// response's parameters["__results__"] under the Executor's replica name,
// "my_executor/rep-0", as a jina Flow does.
#include <jina/jina.h>

#include <iostream>

class MyExec : public jina::Executor {
 public:
  MyExec() { on("/status", &MyExec::status); }

  nlohmann::json status(jina::ExecutorRequest&) { return {{"internal_parameter", 20}}; }
};

int main() {
  jina::Flow f({.port = 0, .host = "127.0.0.1"});
  f.add<MyExec>({.name = "my_executor"});
  f.start();

  jina::Client c("grpc://127.0.0.1:" + std::to_string(f.port()));
  std::vector<jina::Response> responses = c.post_responses("/status");
  std::cout << responses.at(0).parameters().dump() << "\n";
}
