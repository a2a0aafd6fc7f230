// A local Flow for the interoperability tests: serves Executors that the
// Python jina client posts to. Prints "PORT <n>" once serving; stops on
// SIGTERM/SIGINT.
//
//   cpp_flow_server [v1|v2] [grpc|http|websocket] [<certfile> <keyfile>]
// With the PEM files it serves grpcs, https or wss.
#include <jina/jina.h>

#include <cctype>
#include <iostream>
#include <optional>
#include <string>

namespace {

class Upper : public jina::Executor {
 public:
  Upper() {
    on({"/fail"}, &Upper::fail);
    on({"/params"}, &Upper::params);
    on_stream("/stream", &Upper::stream);
    on_stream("/stream_fail", &Upper::stream_fail);
    on_default(&Upper::upper);
  }
  void upper(jina::ExecutorRequest& req) {
    for (auto& doc : req.docs) {
      std::string text = doc.text();
      for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      doc.set_text(text);
    }
  }
  void fail(jina::ExecutorRequest&) {
    throw std::invalid_argument("intentional failure from /fail");
  }
  nlohmann::json params(jina::ExecutorRequest& req) {
    return {{"seen", req.parameters}, {"docs", req.docs.size()}};
  }
  // "<id>-<i>", "<text>:tok<i>" for i in 0..2 (jina's StreamExec in the captures).
  void stream(const jina::Document& in, jina::DocEmitter& out) {
    for (int i = 0; i < 3; ++i) {
      if (!out.emit(jina::Document(in.id() + "-" + std::to_string(i))
                        .set_text(in.text() + ":tok" + std::to_string(i)))) {
        return;
      }
    }
  }
  // Two items, then an error.
  void stream_fail(const jina::Document& in, jina::DocEmitter& out) {
    out.emit(jina::Document(in.id() + "-0").set_text(in.text() + ":tok0"));
    out.emit(jina::Document(in.id() + "-1").set_text(in.text() + ":tok1"));
    throw std::invalid_argument("intentional failure mid-stream");
  }
};

}  // namespace

int main(int argc, char** argv) {
  const bool v1 = argc > 1 && std::string(argv[1]) == "v1";
  std::optional<jina::Protocol> protocol = jina::Protocol::kGrpc;
  if (argc > 2) protocol = jina::parse_protocol(argv[2]);
  if (!protocol) {
    std::cerr << "unknown protocol " << argv[2] << "\n";
    return 2;
  }
  jina::Flow flow({.port = 0,
                   .host = "127.0.0.1",
                   .protocols = {*protocol},
                   .ssl_certfile = argc > 4 ? argv[3] : "",
                   .ssl_keyfile = argc > 4 ? argv[4] : "",
                   .doc_format = v1 ? jina::DocFormat::kV1 : jina::DocFormat::kV2});
  flow.add<Upper>({.name = "upper"});
  flow.start();
  std::cout << "PORT " << flow.port() << std::endl;
  flow.block();
  return 0;
}
