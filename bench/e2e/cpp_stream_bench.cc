// jina-cpp's Client::stream_doc (gRPC, or HTTP Server-Sent Events) against a
// streaming endpoint (the benchmark Flow's /stream, or a jina Flow's).
#include <jina/jina.h>

#include "e2e_common.h"

int main(int argc, char** argv) {
  const bench::StreamArgs a = bench::parse_stream_args(argc, argv);
  jina::Client client(a.protocol + "://127.0.0.1:" + std::to_string(a.port));
  client.is_flow_ready();  // connect before the clock starts, as the floor does
  return bench::run_stream_bench("jina-cpp", a, [&](long n, long items, const auto& on_item) {
    jina::Document request("s" + std::to_string(n));
    request.set_text(std::to_string(items));
    for (jina::Document& item : client.stream_doc(a.endpoint, std::move(request))) {
      static_cast<void>(item);
      on_item();
    }
  });
}
