// Inputs produced by another thread while the post runs: an InputQueue is
// the C++ counterpart of an async generator. push() blocks while the queue
// is full, so the producer runs at the post's pace; close() ends the inputs.
#include <jina/executor.h>
#include <jina/flow.h>
#include <jina/jina.h>

#include <iostream>
#include <string>
#include <thread>

class Count : public jina::Executor {
 public:
  Count() { on_default(&Count::pass); }
  void pass(jina::ExecutorRequest&) {}
};

int main() {
  jina::Flow flow({.port = 0, .host = "127.0.0.1"});
  flow.add<Count>();
  flow.start();
  jina::AsyncClient client({.host = "127.0.0.1", .port = flow.port()});

  jina::InputQueue queue(/*capacity=*/64);
  int responses = 0;  // on_iter runs on the callback thread, one call at a time
  jina::PostTask task =
      client.post("/index", queue, {.request_size = 50}).on_iter([&](const jina::Response&) {
        ++responses;
      });

  std::thread producer([queue]() mutable {
    for (int i = 0; i < 5000; ++i)
      queue.push(jina::Document().set_text("event " + std::to_string(i)));
    queue.close();
  });
  jina::DocumentArray indexed = task.get();
  producer.join();
  std::cout << indexed.size() << " documents indexed in " << responses << " responses\n";
}
