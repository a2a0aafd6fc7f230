// Callbacks: on_done per successful response, on_error per Executor error,
// on_always after either; they run on the thread that called post().
#include <jina/executor.h>
#include <jina/flow.h>
#include <jina/jina.h>

#include <iostream>
#include <stdexcept>

class Picky : public jina::Executor {
 public:
  Picky() { on_default(&Picky::check); }
  void check(jina::ExecutorRequest& req) {
    for (const jina::Document& doc : req.docs) {
      if (doc.text().empty()) throw std::invalid_argument("empty text in " + doc.id());
    }
  }
};

int main() {
  jina::Flow flow({.port = 0, .host = "127.0.0.1"});
  flow.add<Picky>({.name = "picky"});
  flow.start();
  jina::Client client({.host = "127.0.0.1", .port = flow.port()});

  jina::DocumentArray docs{jina::Document().set_text("fine"), jina::Document(),
                           jina::Document().set_text("also fine")};
  client.post(
      "/", docs,
      {.request_size = 1,
       .on_done =
           [](const jina::Response& r) { std::cout << "done: " << r.docs()[0].text() << "\n"; },
       .on_error =
           [](const jina::Response& r, const jina::Error&) {
             std::cout << "error: " << r.status().description() << "\n";
           },
       .on_always =
           [](const jina::Response& r) {
             std::cout << "  request " << r.header().request_id() << "\n";
           }});

  // Without on_error, an Executor error throws jina::BadServer.
  try {
    client.post("/", jina::Document());
  } catch (const jina::BadServer& e) {
    std::cout << "BadServer: " << e.what() << "\n";
  }
}
