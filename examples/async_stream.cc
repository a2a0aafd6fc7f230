// Responses one by one as they arrive: AsyncClient::stream() is a range whose
// consumer sets the pace. A slow loop body holds the sender back, so at most
// `prefetch` requests are in flight however many inputs there are.
#include <jina/executor.h>
#include <jina/flow.h>
#include <jina/jina.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <optional>
#include <string>
#include <thread>

class Square : public jina::Executor {
 public:
  Square() { on_default(&Square::square); }
  void square(jina::ExecutorRequest& req) {
    for (jina::Document& doc : req.docs) {
      long n = std::stol(doc.text());
      doc.set_text(std::to_string(n * n));
    }
  }
};

int main() {
  jina::Flow flow({.port = 0, .host = "127.0.0.1"});
  flow.add<Square>();
  flow.start();
  jina::AsyncClient client({.host = "127.0.0.1", .port = flow.port()});

  std::atomic<long> sent = 0;  // the generator runs on the post's thread
  auto numbers = [&]() -> std::optional<jina::Document> {
    if (sent == 1000) return std::nullopt;
    return jina::Document().set_text(std::to_string(sent++));
  };
  long received = 0;
  long most_ahead = 0;
  for (const jina::Response& response :
       client.stream("/", numbers, {.request_size = 10, .prefetch = 3, .results_in_order = true})) {
    received += static_cast<long>(response.docs().size());
    most_ahead = std::max(most_ahead, sent.load() - received);
    if (received == 10) {
      std::cout << "first response: 9 squared is " << response.docs()[9].text() << "\n";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // a slow consumer
  }
  std::cout << received << " squares received; the sender was never more than " << most_ahead
            << " documents ahead\n";
}
