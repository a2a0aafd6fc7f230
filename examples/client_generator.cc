// Lazy inputs: a generator is called only as fast as requests are sent, so a
// million Documents never sit in memory at once. show_progress draws a
// progress line on stderr.
#include <jina/executor.h>
#include <jina/flow.h>
#include <jina/jina.h>

#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

class Count : public jina::Executor {
 public:
  Count() { on_default(&Count::pass); }
  void pass(jina::ExecutorRequest&) {}
};

// Usage: client_generator [documents] [max_docs_in_flight]
int main(int argc, char** argv) {
  const long total = argc > 1 ? std::stol(argv[1]) : 100000;
  const int max_docs_in_flight = argc > 2 ? std::stoi(argv[2]) : 10000;
  jina::Flow flow({.port = 0, .host = "127.0.0.1"});
  flow.add<Count>();
  flow.start();
  jina::Client client({.host = "127.0.0.1", .port = flow.port()});

  long next = 0;
  auto generator = [&]() -> std::optional<jina::Document> {
    if (next == total) return std::nullopt;
    return jina::Document().set_text("document number " + std::to_string(next++));
  };
  long received = 0;
  client.post(
      "/index", generator,
      {.request_size = 100,
       .on_done = [&](const jina::Response& r) { received += static_cast<long>(r.docs().size()); },
       .max_docs_in_flight = max_docs_in_flight,  // bounds memory
       .show_progress = true});
  std::cout << received << " of " << total << " documents indexed\n";
}
