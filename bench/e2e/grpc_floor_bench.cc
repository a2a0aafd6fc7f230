// The floor: the least any C++ user could write. It fills the generated
// jina::DataRequestProto messages directly and drives the JinaRPC/Call bidi
// stream with the generated stub, a writer thread and the reading thread,
// with no library in between.
#include <grpcpp/grpcpp.h>

#include <thread>

#include "e2e_common.h"
#include "jina.grpc.pb.h"

namespace {

std::string request_id(long n) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%032lx", n);
  return buf;
}

void fill(jina::DataRequestProto& req, long first, int count, long request_number) {
  req.Clear();
  req.mutable_header()->set_request_id(request_id(request_number));
  req.mutable_header()->set_exec_endpoint("/");
  auto* docs = req.mutable_data()->mutable_docs();
  for (int i = 0; i < count; ++i) {
    auto& fields = *docs->add_docs()->mutable_data();
    auto& id = fields["id"];
    id.set_text(request_id(first + i));
    id.set_type("id");
    fields["text"].set_text(bench::doc_text(first + i));
  }
}

// Sends `count` docs in requests of `request_size` on one Call; returns docs received.
long run_stream(jina::JinaRPC::Stub& stub, long first, long count, int request_size) {
  grpc::ClientContext ctx;
  auto stream = stub.Call(&ctx);
  std::thread writer([&] {
    jina::DataRequestProto req;
    long n = 0;
    for (long sent = 0; sent < count; sent += request_size) {
      const int batch = static_cast<int>(std::min<long>(request_size, count - sent));
      fill(req, first + sent, batch, first + n++);
      if (!stream->Write(req)) break;
    }
    stream->WritesDone();
  });
  long received = 0;
  jina::DataRequestProto resp;
  while (stream->Read(&resp)) received += resp.data().docs().docs_size();
  writer.join();
  grpc::Status status = stream->Finish();
  if (!status.ok()) std::cerr << "Call failed: " << status.error_message() << "\n";
  return received;
}

}  // namespace

int main(int argc, char** argv) {
  const bench::Args a = bench::parse_args(argc, argv);
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  auto channel = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(a.port),
                                           grpc::InsecureChannelCredentials(), args);
  channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5));
  auto stub = jina::JinaRPC::NewStub(channel);
  const double cpu0 = bench::cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  long received = 0;
  std::vector<double> latencies;
  if (a.mode == "latency") {
    for (long i = 0; i < a.docs; ++i) {
      const auto s = std::chrono::steady_clock::now();
      received += run_stream(*stub, i, 1, 1);
      latencies.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count());
    }
  } else {
    received = run_stream(*stub, 0, a.docs, a.request_size);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  bench::report("grpc-floor", a, received, seconds, bench::cpu_seconds() - cpu0, latencies);
  return received == a.docs ? 0 : 1;
}
