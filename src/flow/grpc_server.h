// The Flow's gRPC front: every jina service through one generic callback
// service (messages stay bytes until the Flow's DocFormat decodes them),
// plus gRPC's standard health service. stream_doc calls run their Executor
// method on a StreamRunner thread, everything else on the WorkerPool.
#ifndef JINA_SRC_FLOW_GRPC_SERVER_H_
#define JINA_SRC_FLOW_GRPC_SERVER_H_

#include <chrono>
#include <memory>
#include <string>

#include "flow/graph.h"
#include "flow/stream_runner.h"
#include "flow/worker_pool.h"
#include "jina/document.h"

namespace grpc {
class Server;
}  // namespace grpc

namespace jina::flow {

struct GrpcServerOptions {
  std::string host = "0.0.0.0";
  int port = 0;
  DocFormat doc_format = DocFormat::kV2;
  int prefetch = 1000;         // per Call stream unless the client sends __prefetch__; 0 = no bound
  int max_message_bytes = -1;  // sent; -1 = no limit
  int max_receive_bytes = -1;  // received; -1 = no limit
  int max_concurrent_streams = -1;  // per connection; -1 = no limit
  std::chrono::milliseconds shutdown_grace{500};
  // PEM files; both set serves TLS.
  std::string tls_cert_file{};
  std::string tls_key_file{};
};

class GrpcServer {
 public:
  // Binds and starts serving. `graph`, `pool` and `streams` (where
  // stream_doc calls run their Executor method) must outlive the server;
  // `graph` must also outlive the threads of `streams`.
  // Throws jina::Error (UNAVAILABLE) when the address cannot be bound, and
  // InvalidArgument when the TLS files cannot be read.
  GrpcServer(const Graph& graph, WorkerPool& pool, StreamRunner& streams,
             GrpcServerOptions options);
  // Shuts down.
  ~GrpcServer();
  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  int port() const { return port_; }
  // Health turns NOT_SERVING, open calls get the grace period, then are
  // cancelled; returns once every call is done. Idempotent.
  void shutdown();

  class Service;  // the generic service; defined in the .cc

 private:
  GrpcServerOptions options_;  // the service refers to it
  std::unique_ptr<Service> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace jina::flow

#endif  // JINA_SRC_FLOW_GRPC_SERVER_H_
