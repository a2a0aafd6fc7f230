#include "flow/grpc_server.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "common/grpc_hand_off.h"
#include "flow/executor_status.h"
#include "flow/info.h"
#include "jina.pb.h"
#include "jina/error.h"
#include "wire/request_codec.h"
#include "wire/struct_json.h"

namespace jina::flow {
namespace {

constexpr char kCallMethod[] = "/jina.JinaRPC/Call";
constexpr char kSingleDataMethod[] = "/jina.JinaSingleDataRequestRPC/process_single_data";
constexpr char kDiscoveryMethod[] = "/jina.JinaDiscoverEndpointsRPC/endpoint_discovery";
constexpr char kDryRunMethod[] = "/jina.JinaGatewayDryRunRPC/dry_run";
constexpr char kStatusMethod[] = "/jina.JinaInfoRPC/_status";
constexpr char kStreamDocMethod[] = "/jina.JinaSingleDocumentRequestRPC/stream_doc";

// The services a jina gateway marks SERVING (besides "").
constexpr const char* kHealthServices[] = {"jina.JinaRPC",
                                           "jina.JinaSingleDataRequestRPC",
                                           "jina.JinaDataRequestRPC",
                                           "jina.JinaGatewayDryRunRPC",
                                           "jina.JinaSingleDocumentRequestRPC",
                                           "jina.JinaDiscoverEndpointsRPC",
                                           "jina.JinaInfoRPC"};

std::string to_bytes(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  out.reserve(buffer.Length());
  for (const grpc::Slice& s : slices)
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

grpc::ByteBuffer to_buffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string metadata_value(const grpc::ServerContextBase& ctx, std::string_view key) {
  const auto& metadata = ctx.client_metadata();
  auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  if (it == metadata.end()) return {};
  return std::string(it->second.data(), it->second.size());
}

std::string read_pem(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || text.str().empty()) throw InvalidArgument("Flow: cannot read the TLS file " + path);
  return text.str();
}

using Outcome = std::variant<std::string, grpc::Status>;  // response bytes, or the call's error

}  // namespace

// Everything a call needs, shared by the reactors.
class GrpcServer::Service : public grpc::CallbackGenericService {
 public:
  Service(const Graph& graph, WorkerPool& pool, StreamRunner& streams,
          const GrpcServerOptions& options)
      : graph_(graph),
        pool_(pool),
        streams_(streams),
        options_(options),
        started_at_(utc_now_iso()),
        session_id_(new_id()) {
    built_.release();
  }

  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override;

  WorkerPool& pool() {
    seen_built();
    return pool_;
  }
  const Graph& graph() const {
    seen_built();
    return graph_;
  }
  StreamRunner& streams() {
    seen_built();
    return streams_;
  }
  DocFormat doc_format() const {
    seen_built();
    return options_.doc_format;
  }

  // One DataRequest in, its response out. Malformed bytes are the client's
  // error (INVALID_ARGUMENT); an Executor's error is inside the response.
  Outcome process_data(const std::string& bytes) const {
    seen_built();
    try {
      return graph_.process_serialized(bytes, options_.doc_format);
    } catch (const InvalidArgument& e) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, e.what());
    } catch (const std::exception& e) {
      return grpc::Status(grpc::StatusCode::INTERNAL, e.what());
    }
  }

  Outcome dry_run() const {
    seen_built();
    jina::StatusProto status;
    wire::encode(graph_.dry_run(), &status);
    return status.SerializeAsString();
  }

  Outcome endpoint_discovery() const {
    seen_built();
    jina::EndpointsProto endpoints;
    nlohmann::json schemas = nlohmann::json::object();
    const nlohmann::json any_doc = {{"title", "Document"}, {"type", "object"}};
    const std::vector<std::string> streaming = graph_.stream_endpoints();
    for (const std::string& endpoint : graph_.endpoints()) {
      endpoints.add_endpoints(endpoint);
      if (endpoint == kDryRunEndpoint) continue;
      // A generator endpoint is one Document in, a stream out (as jina
      // reports it); only those stream_doc reaches say so.
      const bool streams = std::binary_search(streaming.begin(), streaming.end(), endpoint);
      schemas[endpoint] = {{"input", any_doc},
                           {"output", any_doc},
                           {"is_generator", streams},
                           {"is_singleton_doc", streams}};
    }
    // Only docarray v2 gateways describe their endpoints' schemas.
    if (options_.doc_format == DocFormat::kV2)
      wire::json_to_struct(schemas, endpoints.mutable_schemas());
    return endpoints.SerializeAsString();
  }

  Outcome status() const {
    seen_built();
    FlowInfo info = flow_info(options_.doc_format, started_at_, session_id_);
    jina::JinaInfoProto proto;
    proto.mutable_jina()->insert(info.jina.begin(), info.jina.end());
    proto.mutable_envs()->insert(info.envs.begin(), info.envs.end());
    return proto.SerializeAsString();
  }

  int stream_prefetch(const grpc::ServerContextBase& ctx) const {
    seen_built();
    std::string value = metadata_value(ctx, "__prefetch__");
    if (value.empty()) return options_.prefetch;
    try {
      std::size_t used = 0;
      long n = std::stol(value, &used);
      if (used == value.size() && n >= 0) return n > INT32_MAX ? 0 : static_cast<int>(n);
    } catch (const std::exception&) {
    }
    return options_.prefetch;
  }

 private:
  const Graph& graph_;
  WorkerPool& pool_;
  StreamRunner& streams_;
  const GrpcServerOptions& options_;
  const std::string started_at_;
  const std::string session_id_;
  // Released when built, acquired by every reader on a gRPC or worker thread
  // (a Flow started after a Client in one process).
  void seen_built() const { built_.acquire(); }
  internal::GrpcHandOff built_;
};

namespace {

// A call with one request message and one response (every method but Call).
class UnaryCall final : public grpc::ServerGenericBidiReactor {
 public:
  using Work = std::function<Outcome(const std::string& request)>;

  UnaryCall(WorkerPool& pool, Work work) : pool_(pool), work_(std::move(work)) {
    built_.release();
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    built_.acquire();
    if (!ok) {
      Finish(
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the call carried no request message"));
      return;
    }
    pool_.submit([this, request = to_bytes(request_)](bool cancelled) {
      if (cancelled) {
        Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the Flow is stopping"));
        return;
      }
      Outcome outcome = work_(request);
      if (auto* error = std::get_if<grpc::Status>(&outcome)) {
        Finish(*error);
        return;
      }
      response_ = to_buffer(std::get<std::string>(outcome));
      StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
    });
  }

  void OnDone() override { delete this; }

 private:
  WorkerPool& pool_;
  Work work_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  internal::GrpcHandOff built_;  // built on one gRPC thread, read on another
};

// JinaRPC/Call: requests are read while fewer than `prefetch` are in flight,
// processed on the worker pool, and written back one at a time, in request
// order when asked for, else as they complete.
//
// Reactions and pool tasks run concurrently: all state is under mu_, and
// gRPC operations start outside it. The reactor lives until gRPC is done with
// it (OnDone) and no pool task refers to it any more.
class StreamCall final : public grpc::ServerGenericBidiReactor {
 public:
  StreamCall(GrpcServer::Service& service, int prefetch, bool ordered)
      : service_(service), prefetch_(prefetch), ordered_(ordered) {
    {
      // The hand-off of common/grpc_hand_off.h, by mu_: every reaction takes
      // it first, so the members built here are visibly ordered before their
      // use on any other thread.
      std::lock_guard lock(mu_);
      reading_ = true;
    }
    StartRead(&read_buffer_);
  }

  void OnReadDone(bool ok) override {
    // Copy out first: once reading_ is false, a pool thread may start the
    // next read into read_buffer_.
    std::string request = ok ? to_bytes(read_buffer_) : std::string();
    std::unique_lock lock(mu_);
    reading_ = false;
    if (!ok) {
      reads_done_ = true;
      Step step = next_step();
      lock.unlock();
      run(step);
      return;
    }
    std::uint64_t seq = next_seq_++;
    ++in_flight_;
    lock.unlock();

    service_.pool().submit([this, seq, request = std::move(request)](bool cancelled) {
      std::optional<Outcome> outcome;
      if (!cancelled && !abandoned()) outcome = service_.process_data(request);
      complete(seq, std::move(outcome));
    });

    lock.lock();
    bool read_more = may_read();
    if (read_more) reading_ = true;
    lock.unlock();
    if (read_more) StartRead(&read_buffer_);
  }

  void OnWriteDone(bool ok) override {
    std::unique_lock lock(mu_);
    writing_ = false;
    if (!ok) fail(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
    Step step = next_step();
    lock.unlock();
    run(step);
  }

  void OnCancel() override {
    std::unique_lock lock(mu_);
    fail(grpc::Status(grpc::StatusCode::CANCELLED, "the call was cancelled"));
    Step step = next_step();
    lock.unlock();
    run(step);
  }

  void OnDone() override {
    std::unique_lock lock(mu_);
    done_ = true;
    release(lock);
  }

 private:
  // What to do once mu_ is released.
  struct Step {
    enum Kind { kNone, kWrite, kFinish } kind = kNone;
    grpc::Status status;
  };

  bool may_read() const {
    return !reads_done_ && !reading_ && !failed_ && !finish_started_ &&
           (prefetch_ == 0 || in_flight_ < prefetch_);
  }

  bool abandoned() {
    std::lock_guard lock(mu_);
    return failed_ || finish_started_;
  }

  void fail(grpc::Status status) {
    if (failed_) return;
    failed_ = true;
    failure_ = std::move(status);
    ready_.clear();
    pending_.clear();
  }

  // A processed request (nullopt: dropped because the call or the Flow ends).
  // Runs on a pool thread, so it holds the reactor alive until it is done
  // with it: a Finish it starts may otherwise lead to OnDone at once.
  void complete(std::uint64_t seq, std::optional<Outcome> outcome) {
    std::unique_lock lock(mu_);
    --in_flight_;
    if (done_) {
      release(lock);
      return;
    }
    if (!outcome) {
      fail(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the Flow is stopping"));
    } else if (auto* error = std::get_if<grpc::Status>(&*outcome)) {
      fail(*error);
    } else if (!failed_) {
      std::string& bytes = std::get<std::string>(*outcome);
      if (ordered_) {
        pending_.emplace(seq, std::move(bytes));
        for (auto it = pending_.find(next_write_seq_); it != pending_.end();
             it = pending_.find(next_write_seq_)) {
          ready_.push_back(std::move(it->second));
          pending_.erase(it);
          ++next_write_seq_;
        }
      } else {
        ready_.push_back(std::move(bytes));
      }
    }
    bool read_more = may_read();
    if (read_more) reading_ = true;
    Step step = next_step();
    ++holds_;
    lock.unlock();
    if (read_more) StartRead(&read_buffer_);
    run(step);
    lock.lock();
    --holds_;
    release(lock);
  }

  // Deletes the reactor if gRPC and every pool thread are done with it.
  void release(std::unique_lock<std::mutex>& lock) {
    bool last = done_ && in_flight_ == 0 && holds_ == 0;
    lock.unlock();
    if (last) delete this;
  }

  Step next_step() {
    if (finish_started_ || writing_) return {};
    if (failed_) {
      finish_started_ = true;
      return {Step::kFinish, failure_};
    }
    if (!ready_.empty()) {
      writing_ = true;
      write_buffer_ = to_buffer(ready_.front());
      ready_.pop_front();
      return {Step::kWrite, {}};
    }
    if (reads_done_ && in_flight_ == 0) {
      finish_started_ = true;
      return {Step::kFinish, grpc::Status::OK};
    }
    return {};
  }

  void run(const Step& step) {
    if (step.kind == Step::kWrite) StartWrite(&write_buffer_);
    if (step.kind == Step::kFinish) Finish(step.status);
  }

  GrpcServer::Service& service_;
  const int prefetch_;
  const bool ordered_;

  std::mutex mu_;
  grpc::ByteBuffer read_buffer_;   // the one outstanding read
  grpc::ByteBuffer write_buffer_;  // the one outstanding write
  bool reading_ = false;
  bool reads_done_ = false;  // the client half-closed (or the call broke)
  bool writing_ = false;
  bool failed_ = false;
  grpc::Status failure_;
  bool finish_started_ = false;
  bool done_ = false;  // OnDone ran: only pool tasks may still refer to us
  int in_flight_ = 0;  // requests on the pool
  int holds_ = 0;      // pool threads still using the reactor after their request
  std::uint64_t next_seq_ = 0;
  std::uint64_t next_write_seq_ = 0;
  std::map<std::uint64_t, std::string> pending_;  // ordered mode: done, waiting for earlier ones
  std::deque<std::string> ready_;                 // to write, in this order
};

// jina.JinaSingleDocumentRequestRPC/stream_doc: one request in, the first
// Executor's items out as its method emits them (Graph::stream), each as a
// SingleDocumentRequestProto with a new request id and the document only, as
// jina sends them. An Executor error after k items: the k items, then one
// message with header.status ERROR (and no document), then status OK, so
// that jina's Python client raises BadServer with the error. An endpoint
// that does not stream: the request echoed with ERROR (Graph::check_stream).
//
// Backpressure, with the callback API as every other method here: one write
// outstanding at a time; the method runs on a StreamRunner thread and
// emit() hands each serialized item over, blocking while kStreamItemsQueued items
// wait, so a slow reader holds back the method (beyond that, only gRPC's
// HTTP/2 flow-control window buffers). gRPC's sync API (a blocking Write on
// the method's thread) would need a server of its own beside this callback
// one; this keeps one server, and no gRPC thread ever waits.
//
// The call ends (Finish) once the method returned and every item is
// written, or at once when the client goes: OnCancel, or a failed write,
// wakes a blocked emit() with false. The reactor is deleted when gRPC is
// done with it (OnDone) and the method's thread has left it. All state is
// under mu_; gRPC operations start outside it.
class DocStreamCall final : public grpc::ServerGenericBidiReactor, public DocEmitter {
 public:
  explicit DocStreamCall(GrpcServer::Service& service)
      : graph_(service.graph()), streams_(service.streams()), format_(service.doc_format()) {
    {
      std::lock_guard lock(mu_);  // the hand-off to the reacting threads (see StreamCall)
      reading_ = true;
    }
    StartRead(&read_buffer_);
  }

  void OnReadDone(bool ok) override {
    std::unique_lock lock(mu_);
    reading_ = false;
    if (!ok) {
      end_locked(lock, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                    "the call carried no request message"));
      return;
    }
    std::string bytes = to_bytes(read_buffer_);
    lock.unlock();

    DataRequest request;
    try {
      request = wire::parse_single_document(bytes, format_);
    } catch (const std::exception& e) {
      lock.lock();
      end_locked(lock, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, e.what()));
      return;
    }
    if (std::optional<Status> refused = graph_.check_stream(request.header().exec_endpoint())) {
      echo(std::move(request), std::move(*refused));
      return;
    }

    lock.lock();
    method_running_ = true;
    lock.unlock();
    StreamRunner::Start started = streams_.start(
        [this, request = std::move(request)]() mutable { run_method(std::move(request)); });
    if (started == StreamRunner::Start::kStarted) return;  // the thread has `this` now
    lock.lock();
    method_running_ = false;
    end_locked(lock, started == StreamRunner::Start::kBusy
                         ? grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                        "too many stream_doc calls running in this Flow")
                         : grpc::Status(grpc::StatusCode::UNAVAILABLE, "the Flow is stopping"));
  }

  void OnWriteDone(bool ok) override {
    std::unique_lock lock(mu_);
    writing_ = false;
    if (!ok) client_gone_locked();
    Step step = next_step();
    lock.unlock();
    run(step);
  }

  void OnCancel() override {
    std::unique_lock lock(mu_);
    client_gone_locked();
    Step step = next_step();
    lock.unlock();
    run(step);
  }

  void OnDone() override {
    std::unique_lock lock(mu_);
    done_ = true;
    release(lock);
  }

  // DocEmitter, for the method's thread (or its helpers).
  bool emit(Document doc) override {
    if (cancelled()) return false;
    DataRequest item;
    item.header().set_request_id(new_id());  // a new id per item, as jina
    item.set_docs(DocumentArray{std::move(doc)});
    std::string bytes = wire::serialize_single_document(item, format_);  // throws to the method
    std::unique_lock lock(mu_);
    has_room_.wait(lock, [this] { return gone_ || queue_.size() < kStreamItemsQueued; });
    if (gone_) return false;
    queue_.push_back(std::move(bytes));
    Step step = next_step();
    lock.unlock();
    run(step);
    return true;
  }

  bool cancelled() const override {
    std::lock_guard lock(mu_);
    return gone_;
  }

 private:
  struct Step {
    enum Kind { kNone, kWrite, kFinish } kind = kNone;
    grpc::Status status;
  };

  // On the StreamRunner thread: the method, then the error message if it threw.
  void run_method(DataRequest request) {
    std::optional<Status> error = graph_.stream(std::move(request), *this);
    std::optional<std::string> error_item;
    grpc::Status end = grpc::Status::OK;
    if (error) {
      error_item = status_item(std::move(*error));
      if (!error_item) end = grpc::Status(grpc::StatusCode::INTERNAL, "cannot encode the error");
    }
    std::unique_lock lock(mu_);
    if (error_item && !gone_) queue_.push_back(std::move(*error_item));  // past the bound: once
    end_locked(lock, std::move(end));
    lock.lock();
    method_running_ = false;
    release(lock);
  }

  // A message with no document and `status` in its header, as jina's for a
  // wrong item type; nullopt if even a plain error cannot be encoded.
  std::optional<std::string> status_item(Status status) const {
    DataRequest item;
    item.header().set_request_id(new_id()).set_status(std::move(status));
    try {
      return wire::serialize_single_document(item, format_);
    } catch (const std::exception& e) {  // a message that is not UTF-8, say
      item.header().set_status(python_error_status(
          "ValueError", std::string("the Executor's error cannot be sent: ") + e.what()));
    }
    try {
      return wire::serialize_single_document(item, format_);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }

  // The request back, with `status` and the gateway's route (as jina's
  // gateway answers an endpoint that is not a generator), then OK.
  void echo(DataRequest request, Status status) {
    request.header().set_status(std::move(status));
    Route gateway(kGatewayName);
    gateway.set_start_time(
        std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now()));
    request.routes().insert(request.routes().begin(), std::move(gateway));
    std::optional<std::string> bytes;
    try {
      bytes = wire::serialize_single_document(request, format_);
    } catch (const std::exception&) {
      request.set_docs({});  // what cannot be encoded came in: send the status alone
      request.set_has_data(false);
      try {
        bytes = wire::serialize_single_document(request, format_);
      } catch (const std::exception&) {
      }
    }
    std::unique_lock lock(mu_);
    if (!bytes) {
      end_locked(lock, grpc::Status(grpc::StatusCode::INTERNAL, "cannot encode the answer"));
      return;
    }
    if (!gone_) queue_.push_back(std::move(*bytes));
    end_locked(lock, grpc::Status::OK);
  }

  // No item follows: finish with `status` once the queue is written.
  // Releases the lock.
  void end_locked(std::unique_lock<std::mutex>& lock, grpc::Status status) {
    producer_done_ = true;
    end_status_ = std::move(status);
    Step step = next_step();
    lock.unlock();
    run(step);
  }

  void client_gone_locked() {
    if (gone_) return;
    gone_ = true;
    queue_.clear();
    has_room_.notify_all();
  }

  Step next_step() {
    if (finish_started_ || writing_ || reading_) return {};
    if (gone_) {
      finish_started_ = true;
      return {Step::kFinish, grpc::Status(grpc::StatusCode::CANCELLED, "the client went away")};
    }
    if (!queue_.empty()) {
      writing_ = true;
      write_buffer_ = to_buffer(queue_.front());
      queue_.pop_front();
      has_room_.notify_all();
      return {Step::kWrite, {}};
    }
    if (producer_done_) {
      finish_started_ = true;
      return {Step::kFinish, end_status_};
    }
    return {};
  }

  void run(const Step& step) {
    if (step.kind == Step::kWrite) StartWrite(&write_buffer_);
    if (step.kind == Step::kFinish) Finish(step.status);
  }

  // Deletes the reactor once gRPC and the method's thread are done with it.
  void release(std::unique_lock<std::mutex>& lock) {
    bool last = done_ && !method_running_;
    lock.unlock();
    if (last) delete this;
  }

  const Graph& graph_;
  StreamRunner& streams_;
  const DocFormat format_;

  mutable std::mutex mu_;
  std::condition_variable has_room_;  // emit() waits for room in queue_, or gone_
  grpc::ByteBuffer read_buffer_;
  grpc::ByteBuffer write_buffer_;  // the one outstanding write
  std::deque<std::string> queue_;  // serialized items waiting for it
  bool reading_ = false;
  bool writing_ = false;
  bool gone_ = false;           // the client cancelled, disconnected or passed its deadline
  bool producer_done_ = false;  // no item follows; finish with end_status_
  grpc::Status end_status_;
  bool finish_started_ = false;
  bool done_ = false;            // OnDone ran
  bool method_running_ = false;  // a StreamRunner thread refers to the reactor
};

bool truthy(std::string_view value) { return value == "true" || value == "True" || value == "1"; }

}  // namespace

grpc::ServerGenericBidiReactor* GrpcServer::Service::CreateReactor(
    grpc::GenericCallbackServerContext* ctx) {
  const std::string& method = ctx->method();
  if (method == kCallMethod) {
    return new StreamCall(*this, stream_prefetch(*ctx),
                          truthy(metadata_value(*ctx, "__results_in_order__")));
  }
  if (method == kStreamDocMethod) return new DocStreamCall(*this);
  if (method == kSingleDataMethod) {
    return new UnaryCall(pool_,
                         [this](const std::string& request) { return process_data(request); });
  }
  if (method == kDiscoveryMethod) {
    return new UnaryCall(pool_, [this](const std::string&) { return endpoint_discovery(); });
  }
  if (method == kDryRunMethod) {
    return new UnaryCall(pool_, [this](const std::string&) { return dry_run(); });
  }
  if (method == kStatusMethod) {
    return new UnaryCall(pool_, [this](const std::string&) { return status(); });
  }
  return grpc::CallbackGenericService::CreateReactor(ctx);  // UNIMPLEMENTED
}

namespace {

// Why gRPC could not listen on host:port (it does not say): binds a socket
// there and reports what the kernel says, e.g. "Address already in use".
std::string listen_failure(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return std::string("the address does not resolve: ") + gai_strerror(rc);
  }
  std::string why = "gRPC gave no reason";
  for (addrinfo* a = found; a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    if (::bind(fd, a->ai_addr, a->ai_addrlen) != 0) why = std::strerror(errno);
    ::close(fd);
    if (why != "gRPC gave no reason") break;
  }
  freeaddrinfo(found);
  return why;
}

}  // namespace

GrpcServer::GrpcServer(const Graph& graph, WorkerPool& pool, StreamRunner& streams,
                       GrpcServerOptions options)
    : options_(std::move(options)) {
  service_ = std::make_unique<Service>(graph, pool, streams, options_);
  grpc::EnableDefaultHealthCheckService(true);
  const std::string host =
      options_.host.find(':') != std::string::npos ? "[" + options_.host + "]" : options_.host;
  const std::string address = host + ":" + std::to_string(options_.port);

  grpc::ServerBuilder builder;
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (!options_.tls_cert_file.empty()) {
    grpc::SslServerCredentialsOptions tls;
    tls.pem_key_cert_pairs.push_back(
        {read_pem(options_.tls_key_file), read_pem(options_.tls_cert_file)});
    credentials = grpc::SslServerCredentials(tls);
  }
  builder.AddListeningPort(address, credentials, &port_);
  builder.RegisterCallbackGenericService(service_.get());
  builder.SetMaxReceiveMessageSize(options_.max_receive_bytes);
  builder.SetMaxSendMessageSize(options_.max_message_bytes);
  if (options_.max_concurrent_streams > 0) {
    // Sent to clients as SETTINGS_MAX_CONCURRENT_STREAMS: further calls on a
    // connection wait at the client.
    builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options_.max_concurrent_streams);
  }
  // A taken port must fail here, not be shared silently.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // jina's keepalive settings; clients ping about every 10 s, also when idle.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 9999);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 4999);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  server_ = builder.BuildAndStart();
  if (!server_ || port_ == 0) {
    server_.reset();
    throw Error(absl::StatusCode::kUnavailable, "Flow: cannot listen on " + address + ": " +
                                                    listen_failure(options_.host, options_.port));
  }
  if (auto* health = server_->GetHealthCheckService()) {
    health->SetServingStatus(true);
    for (const char* name : kHealthServices) health->SetServingStatus(name, true);
  }
}

GrpcServer::~GrpcServer() { shutdown(); }

void GrpcServer::shutdown() {
  if (!server_) return;
  if (auto* health = server_->GetHealthCheckService()) health->Shutdown();
  server_->Shutdown(std::chrono::system_clock::now() + options_.shutdown_grace);
  server_->Wait();
  server_.reset();
}

}  // namespace jina::flow
