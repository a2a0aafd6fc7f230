// Compiled by the ctest compile_fail_executor_signature, which passes when
// every error is Executor's one-line static_assert and there is one per BAD
// line: a method of another shape is named in one line, not in a page of
// overload candidates. The other lines must compile.
#include <optional>

#include "jina/executor.h"

namespace {

class Shapes : public jina::Executor {
 public:
  Shapes() {
    on("/a", &Shapes::takes_request);
    on("/b", &Shapes::takes_const_request);
    on("/c", &Shapes::const_method);
    on("/d", &Shapes::returns_json);
    on_default([](jina::ExecutorRequest& req) { return req.docs; });
    on("/e", [](const jina::ExecutorRequest&) -> std::optional<jina::DocumentArray> { return {}; });

    on("/x", &Shapes::takes_int);                    // BAD
    on("/y", &Shapes::takes_docs);                   // BAD
    on("/z", [](jina::Document&) {});                // BAD
    on_default([](jina::ExecutorRequest&, int) {});  // BAD
  }

 private:
  jina::DocumentArray takes_request(jina::ExecutorRequest& req) { return req.docs; }
  void takes_const_request(const jina::ExecutorRequest&) {}
  void const_method(jina::ExecutorRequest&) const {}
  nlohmann::json returns_json(const jina::ExecutorRequest&) { return {{"k", 1}}; }
  void takes_int(int) {}
  void takes_docs(jina::DocumentArray&) {}
};

}  // namespace

void make() { Shapes shapes; }
