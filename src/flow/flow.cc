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
#include "flow/worker_pool.h"
#include "jina/error.h"

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
  std::unique_ptr<flow::GrpcServer> grpc;
  int bound_port = 0;
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
  std::lock_guard lock(impl_->mu);
  const FlowOptions& o = impl_->options;
  if (impl_->state != Impl::State::kNew)
    throw Error(absl::StatusCode::kFailedPrecondition, "Flow::start: the Flow already started");
  if (o.protocols.empty()) throw InvalidArgument("Flow: no protocol to serve");
  for (Protocol p : o.protocols) {
    if (p != Protocol::kGrpc) {
      throw InvalidArgument("Flow: protocol " + std::string(protocol_name(p)) +
                            " is not served yet; use grpc");
    }
  }
  if (o.port < 0 || o.port > 65535)
    throw InvalidArgument("Flow: port " + std::to_string(o.port) + " is out of range");
  if (o.prefetch < 0) throw InvalidArgument("Flow: prefetch must be >= 0");
  if (o.workers < 0) throw InvalidArgument("Flow: workers must be >= 0");
  if (o.max_message_bytes == 0 || o.max_message_bytes < -1) {
    throw InvalidArgument("Flow: max_message_bytes must be positive or -1");
  }
  if (o.shutdown_grace.count() < 0) throw InvalidArgument("Flow: shutdown_grace must be >= 0");

  auto graph = std::make_unique<flow::Graph>(impl_->specs);
  int workers = o.workers > 0 ? o.workers
                              : std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  auto pool = std::make_unique<flow::WorkerPool>(workers);
  auto grpc = std::make_unique<flow::GrpcServer>(
      *graph, *pool,
      flow::GrpcServerOptions{.host = o.host,
                              .port = o.port,
                              .doc_format = o.doc_format,
                              .prefetch = o.prefetch,
                              .max_message_bytes = o.max_message_bytes,
                              .shutdown_grace = o.shutdown_grace});
  impl_->bound_port = grpc->port();
  impl_->graph = std::move(graph);
  impl_->pool = std::move(pool);
  impl_->grpc = std::move(grpc);
  impl_->state = Impl::State::kRunning;
  impl_->state_changed.notify_all();
}

void Flow::stop() {
  std::unique_ptr<flow::GrpcServer> grpc;
  std::unique_ptr<flow::WorkerPool> pool;
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
    pool = std::move(impl_->pool);
  }
  // The server first: its calls wait on pool tasks. The graph stays, for
  // endpoints().
  grpc->shutdown();
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
  return impl_->state == Impl::State::kRunning ? impl_->bound_port : impl_->options.port;
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
