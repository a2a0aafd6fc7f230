// Compiled by the ctest compile_fail_updates_result, which passes when every
// error is PostTask's static_assert and there is one per BAD line: asking for
// `updates_result` with a callback that returns no DocumentArray does not
// compile. The other lines must compile.
#include "jina/async_client.h"

namespace {

jina::DocumentArray docs() { return {}; }

}  // namespace

void attach(jina::PostTask& t) {
  // Without updates_result, whatever the callback returns.
  t.on_success([](const jina::DocumentArray&) {});
  t.on_success([](const jina::DocumentArray&) { return 1; });
  t.on_error([](const jina::Error&) {});
  t.on_error([] {});
  t.on_finished([](const jina::DocumentArray*, const jina::Error*) {});
  t.on_iter([](const jina::Response&) { return docs(); });
  // With it, true or false, a callback that returns a DocumentArray.
  t.on_success([](const jina::DocumentArray& d) { return d; }, true);
  t.on_error([](const jina::Error&) { return docs(); }, false);
  t.on_error([] { return docs(); }, true);
  t.on_finished([](const jina::DocumentArray*, const jina::Error*) { return docs(); }, true);
  t.on_iter([](const jina::Response& r) { return r.docs(); }, true);

  t.on_success([](const jina::DocumentArray&) {}, true);                        // BAD
  t.on_error([](const jina::Error&) { return 1; }, true);                       // BAD
  t.on_error([] {}, true);                                                      // BAD
  t.on_finished([](const jina::DocumentArray*, const jina::Error*) {}, false);  // BAD
  t.on_iter([](const jina::Response&) {}, true);                                // BAD
}
