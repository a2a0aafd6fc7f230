// A local Flow whose first Executor either changes the docs in place or
// returns a different DocumentArray; the second one prints what it receives.
#include <jina/jina.h>

#include <iostream>

class ProcessDocuments : public jina::Executor {
 public:
  ProcessDocuments() {
    on("/change_in_place", &ProcessDocuments::in_place);
    on("/return_different_docarray", &ProcessDocuments::ret_docs);
  }

  // Returns nothing: the docs, changed here, go on.
  void in_place(jina::ExecutorRequest& req) {
    for (jina::Document& doc : req.docs) {
      std::cout << " ProcessDocuments: received document with text \"" << doc.text() << "\"\n";
      doc.set_text("I changed the executor in place");
    }
  }

  // Returns a DocumentArray: it replaces the docs.
  jina::DocumentArray ret_docs(jina::ExecutorRequest& req) {
    jina::DocumentArray ret;
    for (const jina::Document& doc : req.docs) {
      std::cout << " ProcessDocuments: received document with text: \"" << doc.text() << "\"\n";
      ret.push_back(jina::Document().set_text("I returned a different Document"));
    }
    return ret;
  }
};

class PrintDocuments : public jina::Executor {
 public:
  PrintDocuments() {
    on_default([](jina::ExecutorRequest& req) {
      for (const jina::Document& doc : req.docs) {
        std::cout << " PrintExecutor: received document with text: \"" << doc.text() << "\"\n";
      }
    });
  }
};

int main() {
  jina::Flow f({.port = 0, .host = "127.0.0.1"});
  f.add<ProcessDocuments>().add<PrintDocuments>();
  f.start();

  jina::Client c("grpc://127.0.0.1:" + std::to_string(f.port()));
  c.post("/change_in_place", jina::DocumentArray{jina::Document().set_text("request1")});
  c.post("/return_different_docarray", jina::DocumentArray{jina::Document().set_text("request2")});
}
