// Retries, timeouts and cancellation. The Flow here starts a second after the
// post, so the first attempts fail and the retries get through.
#include <jina/executor.h>
#include <jina/flow.h>
#include <jina/jina.h>

#include <chrono>
#include <iostream>
#include <thread>

class Echo : public jina::Executor {
 public:
  Echo() { on_default(&Echo::echo); }
  void echo(jina::ExecutorRequest&) {}
};

int main() {
  jina::Flow flow({.port = 0, .host = "127.0.0.1"});
  flow.add<Echo>();
  flow.start();
  const int port = flow.port();
  flow.stop();  // free the port again: "the Flow is down"

  jina::Flow late({.port = port, .host = "127.0.0.1"});
  late.add<Echo>();
  std::thread starter([&] {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    late.start();
  });

  jina::Client client({.host = "127.0.0.1", .port = port});
  jina::DocumentArray out =
      client.post("/", jina::Document().set_text("persistent"),
                  {.max_attempts = 10,
                   .initial_backoff = 0.2,
                   .max_backoff = 1.0,
                   .backoff_multiplier = 1.5,
                   .timeout = 5.0});  // each request gets at most 5 s for its answer
  starter.join();
  std::cout << "got " << out.size() << " document back after retries\n";

  // A post can be cancelled from another thread: it ends at once with
  // jina::Cancelled, after on_error for every request still pending.
  jina::CancelToken token;
  token.cancel();
  try {
    client.post("/", jina::Document(), {.cancel = token});
  } catch (const jina::Cancelled& e) {
    std::cout << "cancelled: " << e.what() << "\n";
  }
}
