// Promise-like posts: AsyncClient::post() returns at once; callbacks run when
// the post ends (on the client's callback thread), get() waits for the result.
#include <jina/executor.h>
#include <jina/flow.h>
#include <jina/jina.h>

#include <iostream>
#include <string>
#include <vector>

class Greeter : public jina::Executor {
 public:
  Greeter() {
    on("/fail", &Greeter::fail);
    on_default(&Greeter::greet);
  }
  void greet(jina::ExecutorRequest& req) {
    for (jina::Document& doc : req.docs) doc.set_text("hello " + doc.text());
  }
  void fail(jina::ExecutorRequest&) { throw std::runtime_error("no greeting today"); }
};

int main() {
  jina::Flow flow({.port = 0, .host = "127.0.0.1"});
  flow.add<Greeter>({.name = "greeter"});
  flow.start();
  jina::AsyncClient client({.host = "127.0.0.1", .port = flow.port()});

  // Three posts at once, over the client's one connection.
  std::vector<jina::PostTask> tasks;
  for (std::string name : {"ada", "alan", "grace"}) {
    tasks.push_back(client.post("/", jina::Document().set_text(name))
                        .on_success([](const jina::DocumentArray& docs) {
                          std::cout << "on_success: " << docs[0].text() << "\n";
                        }));
  }
  for (jina::PostTask& task : tasks) task.get();

  // An error, and a callback that replaces it with a result (updates_result).
  jina::PostTask recovered =
      client.post("/fail", jina::Document().set_text("x"))
          .on_error([](const jina::Error& e) { std::cout << "on_error: " << e.what() << "\n"; })
          .on_error(
              [](const jina::Error&) {
                return jina::DocumentArray{jina::Document().set_text("fallback")};
              },
              /*updates_result=*/true)
          .on_finished([](const jina::DocumentArray* docs, const jina::Error* error) {
            std::cout << "on_finished: " << (docs ? "docs" : "no docs") << ", "
                      << (error ? "an error" : "no error") << "\n";
          });
  jina::DocumentArray result = recovered.get();  // waits for the callbacks too
  std::cout << "get() after recovery: " << result[0].text() << "\n";

  // Attached after the task settled: runs at once, on this thread.
  recovered.on_success([](const jina::DocumentArray& docs) {
    std::cout << "late on_success: " << docs.size() << " document\n";
  });
}
