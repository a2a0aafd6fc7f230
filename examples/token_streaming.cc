// Token streaming: a toy "LLM" Executor emits one token per Document, with a
// delay as a model would, and the Client prints each token as it arrives,
// long before the last one is produced.
#include <jina/jina.h>

#include <chrono>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>

class ToyLlm : public jina::Executor {
 public:
  ToyLlm() { on_stream("/generate", &ToyLlm::generate); }

  // One token (a word of the answer) per Document, 50 ms apart.
  void generate(const jina::Document& prompt, jina::DocEmitter& out) {
    std::istringstream answer("You asked: " + prompt.text() + " -- here is a streamed answer.");
    std::string word;
    while (answer >> word) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      if (!out.emit(jina::Document().set_text(word + " "))) return;  // the client left
    }
  }
};

int main() {
  jina::Flow flow({.port = 0, .host = "127.0.0.1"});
  flow.add<ToyLlm>({.name = "llm"});
  flow.start();

  jina::Client client("grpc://127.0.0.1:" + std::to_string(flow.port()));
  const auto start = std::chrono::steady_clock::now();
  auto ms = [&] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start)
        .count();
  };
  long first = -1;
  for (jina::Document& token : client.stream_doc(
           "/generate", jina::Document().set_text("why stream?"), {.item_timeout = 5})) {
    if (first < 0) first = ms();
    std::cout << token.text() << std::flush;
  }
  std::cout << "\nfirst token after " << first << " ms, last after " << ms() << " ms\n";
}
