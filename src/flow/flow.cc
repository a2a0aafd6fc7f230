// jina::Flow: the Executors' graph, the worker pool and the servers.
#include "jina/flow.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <mutex>
#include <thread>

#include "flow/graph.h"
#include "flow/grpc_server.h"
#include "flow/stream_runner.h"
#include "flow/web_server.h"
#include "flow/worker_pool.h"
#include "jina/error.h"
#include "wire/library_logs.h"

namespace jina {
namespace {

// block() waits for these; the handler only records which one came.
std::atomic<int> g_signal{0};
extern "C" void record_signal(int signal) { g_signal.store(signal); }

}  // namespace

class Flow::Impl {
 public:
  explicit Impl(FlowOptions options) : options(std::move(options)) {}

  FlowOptions options;
  std::vector<flow::NodeSpec> specs;

  std::mutex mu;
  std::condition_variable state_changed;
  enum class State { kNew, kRunning, kStopping, kStopped } state = State::kNew;
  std::unique_ptr<flow::Graph> graph;
  std::unique_ptr<flow::WorkerPool> pool;
  std::unique_ptr<flow::StreamRunner> streams;
  std::unique_ptr<flow::GrpcServer> grpc;
  std::vector<std::unique_ptr<flow::WebServer>> web;
  std::vector<int> bound_ports;  // in the order of options.protocols
};

Flow::Flow(FlowOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Flow::~Flow() { stop(); }

Flow& Flow::add(std::shared_ptr<Executor> executor, ExecutorOptions options) {
  if (!executor) throw InvalidArgument("Flow::add: the Executor is null");
  std::lock_guard lock(impl_->mu);
  if (impl_->state != Impl::State::kNew)
    throw Error(absl::StatusCode::kFailedPrecondition, "Flow::add: the Flow already started");
  auto& specs = impl_->specs;
  std::string name =
      options.name.empty() ? "executor" + std::to_string(specs.size()) : std::move(options.name);
  if (name == flow::kGatewayName) throw InvalidArgument("Flow::add: \"gateway\" is reserved");
  if (std::any_of(specs.begin(), specs.end(),
                  [&](const flow::NodeSpec& s) { return s.name == name; })) {
    throw InvalidArgument("Flow::add: an Executor named \"" + name + "\" exists already");
  }
  std::vector<std::string> needs = std::move(options.needs);
  if (needs.empty())
    needs.push_back(specs.empty() ? std::string(flow::kGatewayName) : specs.back().name);
  executor->set_name(name);
  specs.push_back({std::move(name), std::move(executor), std::move(needs), options.disable_reduce});
  return *this;
}

void Flow::start() {
  internal::route_library_logs();
  std::lock_guard lock(impl_->mu);
  const FlowOptions& o = impl_->options;
  if (impl_->state != Impl::State::kNew)
    throw Error(absl::StatusCode::kFailedPrecondition, "Flow::start: the Flow already started");
  if (o.protocols.empty()) throw InvalidArgument("Flow: no protocol to serve");
  for (std::size_t i = 0; i < o.protocols.size(); ++i) {
    if (std::find(o.protocols.begin(), o.protocols.begin() + i, o.protocols[i]) !=
        o.protocols.begin() + i) {
      throw InvalidArgument("Flow: protocol " + std::string(protocol_name(o.protocols[i])) +
                            " is listed twice");
    }
  }
  if (!o.ports.empty() && o.ports.size() != o.protocols.size()) {
    throw InvalidArgument("Flow: " + std::to_string(o.ports.size()) + " ports for " +
                          std::to_string(o.protocols.size()) + " protocols");
  }
  std::vector<int> ports = o.ports;
  if (ports.empty()) {
    ports.assign(o.protocols.size(), 0);
    ports.front() = o.port;
  }
  for (int port : ports) {
    if (port < 0 || port > 65535)
      throw InvalidArgument("Flow: port " + std::to_string(port) + " is out of range");
  }
  if (o.ssl_certfile.empty() != o.ssl_keyfile.empty())
    throw InvalidArgument("Flow: TLS needs both ssl_certfile and ssl_keyfile");
  if (o.prefetch < 0) throw InvalidArgument("Flow: prefetch must be >= 0");
  if (o.workers < 0) throw InvalidArgument("Flow: workers must be >= 0");
  if (o.max_message_bytes == 0 || o.max_message_bytes < -1) {
    throw InvalidArgument("Flow: max_message_bytes must be positive or -1");
  }
  if (o.shutdown_grace.count() < 0) throw InvalidArgument("Flow: shutdown_grace must be >= 0");
  if (o.max_request_bytes <= 0) throw InvalidArgument("Flow: max_request_bytes must be positive");
  if (o.max_streams_per_connection <= 0)
    throw InvalidArgument("Flow: max_streams_per_connection must be positive");
  if (o.max_web_connections <= 0)
    throw InvalidArgument("Flow: max_web_connections must be positive");
  if (o.web_idle_timeout.count() <= 0)
    throw InvalidArgument("Flow: web_idle_timeout must be positive");
  if (o.max_in_flight_per_websocket <= 0)
    throw InvalidArgument("Flow: max_in_flight_per_websocket must be positive");
  if (o.max_stream_calls <= 0) throw InvalidArgument("Flow: max_stream_calls must be positive");
  if (o.sse_ping_interval.count() <= 0)
    throw InvalidArgument("Flow: sse_ping_interval must be positive");
  const int max_request_bytes = o.max_message_bytes > 0
                                    ? std::min(o.max_request_bytes, o.max_message_bytes)
                                    : o.max_request_bytes;

  auto graph = std::make_unique<flow::Graph>(impl_->specs, impl_->options.on_request);
  int workers = o.workers > 0 ? o.workers
                              : std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  auto pool = std::make_unique<flow::WorkerPool>(workers);
  auto streams = std::make_unique<flow::StreamRunner>(o.max_stream_calls);
  std::unique_ptr<flow::GrpcServer> grpc;
  std::vector<std::unique_ptr<flow::WebServer>> web;
  std::vector<int> bound_ports;
  // Servers already started are shut down by their destructors if a later
  // one throws; the pool and the stream threads outlive them (declared first).
  for (std::size_t i = 0; i < o.protocols.size(); ++i) {
    if (o.protocols[i] == Protocol::kGrpc) {
      grpc = std::make_unique<flow::GrpcServer>(
          *graph, *pool, *streams,
          flow::GrpcServerOptions{.host = o.host,
                                  .port = ports[i],
                                  .doc_format = o.doc_format,
                                  .prefetch = o.prefetch,
                                  .max_message_bytes = o.max_message_bytes,
                                  .max_receive_bytes = max_request_bytes,
                                  .max_concurrent_streams = o.max_streams_per_connection,
                                  .shutdown_grace = o.shutdown_grace,
                                  .tls_cert_file = o.ssl_certfile,
                                  .tls_key_file = o.ssl_keyfile});
      bound_ports.push_back(grpc->port());
    } else {
      web.push_back(std::make_unique<flow::WebServer>(
          *graph, *pool, *streams,
          flow::WebServerOptions{.host = o.host,
                                 .port = ports[i],
                                 .doc_format = o.doc_format,
                                 .max_body_bytes = static_cast<std::size_t>(max_request_bytes),
                                 .shutdown_grace = o.shutdown_grace,
                                 .tls_cert_file = o.ssl_certfile,
                                 .tls_key_file = o.ssl_keyfile,
                                 .max_connections = o.max_web_connections,
                                 .idle_timeout = o.web_idle_timeout,
                                 .max_ws_in_flight = o.max_in_flight_per_websocket,
                                 .sse_ping_interval = o.sse_ping_interval}));
      bound_ports.push_back(web.back()->port());
    }
  }
  impl_->bound_ports = std::move(bound_ports);
  impl_->graph = std::move(graph);
  impl_->pool = std::move(pool);
  impl_->streams = std::move(streams);
  impl_->grpc = std::move(grpc);
  impl_->web = std::move(web);
  impl_->state = Impl::State::kRunning;
  impl_->state_changed.notify_all();
}

void Flow::stop() {
  std::unique_ptr<flow::GrpcServer> grpc;
  std::vector<std::unique_ptr<flow::WebServer>> web;
  std::unique_ptr<flow::WorkerPool> pool;
  std::unique_ptr<flow::StreamRunner> streams;
  {
    std::unique_lock lock(impl_->mu);
    if (impl_->state == Impl::State::kStopping) {  // another thread is at it
      impl_->state_changed.wait(lock, [this] { return impl_->state == Impl::State::kStopped; });
      return;
    }
    if (impl_->state != Impl::State::kRunning) {
      impl_->state = Impl::State::kStopped;
      impl_->state_changed.notify_all();
      return;
    }
    impl_->state = Impl::State::kStopping;
    impl_->state_changed.notify_all();
    grpc = std::move(impl_->grpc);
    web = std::move(impl_->web);
    pool = std::move(impl_->pool);
    streams = std::move(impl_->streams);
  }
  // The server first: its calls wait on pool tasks, and cancels the
  // stream_doc calls, whose methods then return (emit() says false). The
  // graph stays, for endpoints() (and the stream threads).
  if (grpc) grpc->shutdown();
  for (auto& server : web) server->shutdown();
  streams->shutdown();
  pool->shutdown();
  std::lock_guard lock(impl_->mu);
  impl_->state = Impl::State::kStopped;
  impl_->state_changed.notify_all();
}

void Flow::block() {
  {
    std::unique_lock lock(impl_->mu);
    if (impl_->state == Impl::State::kStopped) return;
  }
  if (!is_running()) start();
  struct sigaction action {};
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  struct sigaction old_int {
  }, old_term{};
  g_signal.store(0);
  sigaction(SIGINT, &action, &old_int);
  sigaction(SIGTERM, &action, &old_term);
  {
    std::unique_lock lock(impl_->mu);
    // A signal handler cannot notify a condition variable: poll the flag.
    while (impl_->state == Impl::State::kRunning && g_signal.load() == 0) {
      impl_->state_changed.wait_for(lock, std::chrono::milliseconds(50));
    }
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  stop();
}

int Flow::port() const {
  std::lock_guard lock(impl_->mu);
  if (impl_->state == Impl::State::kRunning) return impl_->bound_ports.front();
  const FlowOptions& o = impl_->options;
  return o.ports.empty() ? o.port : o.ports.front();
}

int Flow::port(Protocol protocol) const {
  std::lock_guard lock(impl_->mu);
  const FlowOptions& o = impl_->options;
  auto it = std::find(o.protocols.begin(), o.protocols.end(), protocol);
  if (it == o.protocols.end()) {
    throw InvalidArgument("Flow::port: protocol " + std::string(protocol_name(protocol)) +
                          " is not served");
  }
  auto i = static_cast<std::size_t>(it - o.protocols.begin());
  if (impl_->state == Impl::State::kRunning) return impl_->bound_ports[i];
  if (!o.ports.empty()) return i < o.ports.size() ? o.ports[i] : 0;
  return i == 0 ? o.port : 0;
}

bool Flow::is_running() const {
  std::lock_guard lock(impl_->mu);
  return impl_->state == Impl::State::kRunning;
}

const FlowOptions& Flow::options() const { return impl_->options; }

std::vector<std::string> Flow::endpoints() const {
  std::lock_guard lock(impl_->mu);
  if (impl_->graph) return impl_->graph->endpoints();
  return flow::Graph(impl_->specs).endpoints();
}

}  // namespace jina
