// The floor for many concurrent one-request posts: the least any C++ user
// could write to keep N `JinaRPC/Call` streams of one request each in flight
// on one channel. Generated stub, callback API, one message written with
// the half-close (StartWriteLast), one read, no library in between; a new
// call starts as soon as one finishes. The counterpart of async_bench's
// concurrent mode, to show what the Flow allows on this machine.
//
//   grpc_concurrent_floor_bench --port N [--docs N] [--concurrency 64]
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <semaphore>
#include <string>

#include "e2e_common.h"
#include "jina.grpc.pb.h"

namespace {

std::string request_id(long n) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%032lx", n);
  return buf;
}

// One call of one request; deletes itself when gRPC is done with it.
class OneCall final
    : public grpc::ClientBidiReactor<jina::DataRequestProto, jina::DataRequestProto> {
 public:
  OneCall(jina::JinaRPC::Stub& stub, long n, std::atomic<long>& received,
          std::counting_semaphore<>& slots)
      : received_(received), slots_(slots) {
    request_.mutable_header()->set_request_id(request_id(n));
    request_.mutable_header()->set_exec_endpoint("/");
    auto& fields = *request_.mutable_data()->mutable_docs()->add_docs()->mutable_data();
    fields["id"].set_text(request_id(n));
    fields["id"].set_type("id");
    fields["text"].set_text(bench::doc_text(n));
    stub.async()->Call(&context_, this);
    StartWriteLast(&request_, grpc::WriteOptions());
    StartRead(&response_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    if (ok) received_ += response_.data().docs().docs_size();
  }
  void OnDone(const grpc::Status& status) override {
    if (!status.ok()) std::cerr << "Call failed: " << status.error_message() << "\n";
    slots_.release();
    delete this;
  }

 private:
  grpc::ClientContext context_;
  jina::DataRequestProto request_;
  jina::DataRequestProto response_;
  std::atomic<long>& received_;
  std::counting_semaphore<>& slots_;
};

}  // namespace

int main(int argc, char** argv) {
  bench::Args a = bench::parse_args(argc, argv);
  a.request_size = 1;
  int concurrency = 64;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::string(argv[i]) == "--concurrency") concurrency = std::stoi(argv[i + 1]);
  }
  a.mode = std::to_string(concurrency) + " concurrent posts";
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  auto channel = grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(a.port),
                                           grpc::InsecureChannelCredentials(), args);
  channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5));
  auto stub = jina::JinaRPC::NewStub(channel);
  std::counting_semaphore<> slots(concurrency);
  std::atomic<long> received{0};
  const double cpu0 = bench::cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < a.docs; ++i) {
    slots.acquire();
    new OneCall(*stub, i, received, slots);
  }
  for (int i = 0; i < concurrency; ++i) slots.acquire();  // every call has finished
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  bench::report("grpc-floor", a, received, seconds, bench::cpu_seconds() - cpu0, {});
  return received == a.docs ? 0 : 1;
}
