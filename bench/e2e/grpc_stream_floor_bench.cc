// The streaming floor: the least any C++ user could write to read a
// streaming endpoint. One SingleDocumentRequestProto filled directly, the
// generated stub's blocking server-streaming reader
// (JinaSingleDocumentRequestRPC/stream_doc), no library in between.
#include <grpcpp/grpcpp.h>

#include "e2e_common.h"
#include "jina.grpc.pb.h"

int main(int argc, char** argv) {
  const bench::StreamArgs a = bench::parse_stream_args(argc, argv);
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  auto channel = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(a.port),
                                           grpc::InsecureChannelCredentials(), args);
  channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5));
  auto stub = jina::JinaSingleDocumentRequestRPC::NewStub(channel);
  bool failed = false;
  auto run_stream = [&](long n, long items, const auto& on_item) {
    jina::SingleDocumentRequestProto request;
    char request_id[33];
    std::snprintf(request_id, sizeof request_id, "%032lx", n + 1);
    request.mutable_header()->set_request_id(request_id);
    request.mutable_header()->set_exec_endpoint(a.endpoint);
    auto& fields = *request.mutable_document()->mutable_data();
    fields["id"].set_text("s" + std::to_string(n));
    fields["id"].set_type("id");
    fields["text"].set_text(std::to_string(items));
    grpc::ClientContext ctx;
    auto reader = stub->stream_doc(&ctx, request);
    jina::SingleDocumentRequestProto item;
    while (reader->Read(&item)) on_item();
    const grpc::Status status = reader->Finish();
    if (!status.ok()) {
      std::cerr << "stream_doc failed: " << status.error_message() << "\n";
      failed = true;
    }
  };
  const int rc = bench::run_stream_bench("grpc-floor", a, run_stream);
  return failed ? 1 : rc;
}
