// The Executors of a Flow as a DAG, and one request's trip through it:
// endpoint dispatch, target_executor, per-Executor parameters, docs_matrix
// and reduce, routes, __results__, and exceptions -> header.status.
//
// Transport-free: the gRPC server (and later HTTP/WebSocket) hands requests
// to Graph::process from its worker threads.
#ifndef JINA_SRC_FLOW_GRAPH_H_
#define JINA_SRC_FLOW_GRAPH_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jina/executor.h"
#include "jina/request.h"

namespace jina::flow {

// The endpoint jina's dry run sends through the Flow: no Executor runs it.
inline constexpr char kDryRunEndpoint[] = "_jina_dry_run_";
inline constexpr char kGatewayName[] = "gateway";

struct NodeSpec {
  std::string name{};  // unique, not "gateway"
  std::shared_ptr<Executor> executor{};
  std::vector<std::string> needs{};  // names or "gateway"; never empty here
  bool disable_reduce = false;
};

// Called after process() answers a request (FlowOptions::on_request).
using RequestObserver = std::function<void(const Response&, std::chrono::microseconds)>;

class Graph {
 public:
  // Throws InvalidArgument for duplicate names, unknown needs or a cycle.
  // `observer`, when set, sees every response process() returns but those
  // of dry runs, with the time the request took.
  explicit Graph(std::vector<NodeSpec> specs, RequestObserver observer = {});

  // Runs `request` through the Executors and returns the response. Never
  // throws for an Executor's failure: that is reported in header.status.
  // Safe to call from several threads at once.
  Response process(DataRequest request) const;

  // process() on a serialized jina.DataRequestProto, answering the same way
  // in `format`: what the gRPC and WebSocket fronts do with each message.
  // Docs an Executor made that cannot be encoded are reported like an
  // Executor error, without the docs. Throws InvalidArgument for bytes that
  // do not parse, and Error (INTERNAL) if even that response cannot be encoded.
  std::string process_serialized(std::string_view bytes, DocFormat format) const;

  // jina's dry run: an empty Document through the whole Flow, no Executor
  // running it; the response's status.
  Status dry_run() const;

  // stream_doc calls (generator endpoints). As jina's gateway does, the Flow
  // streams from its first Executor (the first in execution order) only:
  // no other Executor runs, whatever its bindings.
  //
  // Why a stream_doc call for `endpoint` cannot run, as the status to send
  // back (with the request echoed, as jina does): the first Executor binds
  // it but not as a stream (jina's "endpoint must be generator"), or does
  // not bind it (naming the endpoints that stream). nullopt: it streams.
  std::optional<Status> check_stream(std::string_view endpoint) const;
  // Runs the first Executor's streaming method for `request` (a
  // stream_doc request that passed check_stream: its endpoint, at most one
  // Document, parameters) with `out`. Returns the status of the exception
  // the method threw, if it threw. Safe to call from several threads at once.
  std::optional<Status> stream(DataRequest request, DocEmitter& out) const;
  // The endpoints a stream_doc call can reach (the first Executor's
  // streaming ones), sorted.
  std::vector<std::string> stream_endpoints() const;

  // Every endpoint bound by some Executor, sorted, plus kDryRunEndpoint.
  std::vector<std::string> endpoints() const;
  // Executor names in the order they run.
  std::vector<std::string> execution_order() const;

 private:
  struct Node {
    std::string name;
    std::shared_ptr<Executor> executor;
    std::vector<int> upstream;  // node indices; kGateway for the gateway
    bool disable_reduce = false;
    int uses = 0;  // how many consumers read this node's docs (downstream nodes + the end)
  };
  static constexpr int kGateway = -1;

  std::vector<Node> nodes_;  // in topological order
  std::vector<int> leaves_;  // nodes no one needs: their docs make the response
  int gateway_uses_ = 0;
  RequestObserver observer_;
};

}  // namespace jina::flow

#endif  // JINA_SRC_FLOW_GRAPH_H_
