// An Executor that needs two upstream Executors receives docs_matrix: one
// DocumentArray per upstream, in the order of `needs`.
#include <jina/jina.h>

#include <iostream>

class SetText : public jina::Executor {
 public:
  explicit SetText(std::string text) : text_(std::move(text)) {
    on_default([this](jina::ExecutorRequest& req) {
      for (jina::Document& doc : req.docs) doc.set_text(text_);
    });
  }

 private:
  std::string text_;
};

class MergeExec : public jina::Executor {
 public:
  MergeExec() { on_default(&MergeExec::merge); }

  jina::DocumentArray merge(jina::ExecutorRequest& req) {
    jina::DocumentArray to_return;
    const jina::DocumentArray& first = req.docs_matrix.at(0);
    const jina::DocumentArray& second = req.docs_matrix.at(1);
    for (std::size_t i = 0; i < first.size() && i < second.size(); ++i) {
      std::cout << "MergeExec processing pairs of Documents \"" << first[i].text() << "\" and \""
                << second[i].text() << "\"\n";
      to_return.push_back(jina::Document().set_text("Document merging from \"" + first[i].text() +
                                                    "\" and \"" + second[i].text() + "\""));
    }
    return to_return;
  }
};

int main() {
  jina::Flow f({.port = 0, .host = "127.0.0.1"});
  f.add<SetText>({.name = "exec1"}, "Exec1")
      .add<SetText>({.name = "exec2", .needs = {"gateway"}}, "Exec2")
      .add<MergeExec>({.name = "merge", .needs = {"exec1", "exec2"}, .disable_reduce = true});
  f.start();

  jina::Client c("grpc://127.0.0.1:" + std::to_string(f.port()));
  jina::DocumentArray returned = c.post("/", jina::Document());
  std::cout << "Resulting documents " << returned.at(0).text() << "\n";
}
