// jina::Flow: an embedded local Flow that serves C++ Executors on Jina's
// gateway protocol, so that any Jina client (this library's, or Python's)
// can post to it.
//
//   jina::Flow f({.port = 0, .host = "127.0.0.1"});
//   f.add<Upper>({.name = "upper"}).add<Other>({.name = "other", .needs = {"upper"}});
//   f.start();                 // serving once it returns
//   int port = f.port();       // the port picked when 0 was asked for
//   ...
//   jina::DocumentArray out = f.post("/upper", docs);  // as a Client would
//   f.stop();                  // or let the destructor do it
//
// Requests run through the Executors in `add` order, or along the DAG that
// `needs` describes. The response carries routes ("gateway" first, then each
// Executor that ran, with start and end times), the request's parameters plus
// `__results__`, and header.status ERROR when an Executor threw.
//
// Served over gRPC: JinaRPC/Call (bidi stream), process_single_data,
// stream_doc (streaming endpoints, Executor::on_stream: the first Executor
// streams, as in jina), endpoint_discovery, dry_run, _status and the
// standard health service.
// Executors run on a pool of `workers` threads, so requests are processed
// concurrently. On a Call stream at most `prefetch` requests (or the
// client's `__prefetch__` metadata) are in flight; responses come back as
// they complete, or in request order when the client sends
// `__results_in_order__: true`. An Executor error is not a gRPC error: the
// call ends OK. Bytes that do not parse as a request end the call with
// INVALID_ARGUMENT; unknown methods get UNIMPLEMENTED.
//
// Served over HTTP and WebSocket as jina's gateways do (docarray v2: POST
// /<endpoint>, "/default" for the default binding, an Executor error is a
// 500 {"detail": ...}; streaming endpoints as Server-Sent Events on GET
// /<endpoint>; v1: POST /post and the CRUD routes), with GET /,
// /status, /dry_run and /openapi.json; WebSocket "/" takes binary frames of
// serialized requests until a single 0x00 byte, and "/dry_run".
//
// Thread-safety: configure (add) from one thread before start(). start(),
// stop(), block(), port() and post() (and the CRUD methods) may be called
// from any thread.
#ifndef JINA_FLOW_H_
#define JINA_FLOW_H_

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "jina/client.h"
#include "jina/document.h"
#include "jina/executor.h"
#include "jina/options.h"
#include "jina/protocol.h"
#include "jina/request.h"

namespace jina {

struct FlowOptions {
  // 0 picks a free port; port() tells which.
  int port = 0;
  // The address to listen on. "0.0.0.0" (every interface) as in jina;
  // "127.0.0.1" keeps the Flow local to the machine.
  std::string host = "0.0.0.0";
  // The protocols served, each on its own port: gRPC, HTTP (jina's HTTP
  // gateway routes) and WebSocket. A single protocol listens on `port`.
  std::vector<Protocol> protocols = {Protocol::kGrpc};
  // One port per entry of `protocols`, in the same order (0 picks a free
  // one). Empty: the first protocol listens on `port`, the others on free
  // ports; port(Protocol) tells which.
  std::vector<int> ports{};
  // A server certificate chain and its private key, as PEM files: set both
  // to serve gRPC over TLS, https and wss instead of the plain protocols.
  std::string ssl_certfile{};
  std::string ssl_keyfile{};
  // The docarray wire format the Flow speaks (and reports in _status).
  DocFormat doc_format = DocFormat::kV2;
  // Requests in flight per JinaRPC/Call stream when the client sends no
  // `__prefetch__` metadata; 0 means no bound.
  int prefetch = 1000;
  // Threads that run Executors; 0 means one per core (at least 2).
  int workers = 0;
  // Largest gRPC message sent, in bytes, and a further bound on the requests
  // accepted on every protocol (see max_request_bytes); -1 means no limit
  // (as jina).
  int max_message_bytes = -1;
  // How long stop() lets open calls finish before cancelling them.
  std::chrono::milliseconds shutdown_grace{500};

  // Limits, so that one client cannot exhaust the Flow. A client over a
  // limit gets an error (or waits, where said); others are still served.
  //
  // Largest request accepted, in bytes, on every protocol (gRPC's receive
  // limit, the HTTP body limit, the WebSocket message limit; also bounded
  // by a positive max_message_bytes). Larger: gRPC fails that call with
  // RESOURCE_EXHAUSTED, HTTP answers 413 and closes that connection, a
  // WebSocket closes with 1009 (message too big). Positive.
  int max_request_bytes = 256 << 20;
  // Concurrent gRPC streams (calls) per client connection (HTTP/2
  // SETTINGS_MAX_CONCURRENT_STREAMS): further calls wait at the client until
  // one ends, and fail with their deadline. Positive.
  int max_streams_per_connection = 1024;
  // Concurrent HTTP and WebSocket connections per web port. Further ones get
  // HTTP 503 {"detail": "too many connections ..."} (a failed WebSocket
  // handshake) and are closed. Positive.
  int max_web_connections = 1024;
  // A web connection that sends nothing for this long while nothing of it
  // is in flight is closed: HTTP keep-alive connections waiting for the next
  // request (or stuck mid-request, or not reading their answer), WebSocket
  // connections with close 1001 "idle timeout". Positive.
  std::chrono::milliseconds web_idle_timeout{60000};
  // Requests in flight per WebSocket connection (processing, or answered but
  // not yet written back). At the limit the Flow stops reading that
  // connection until one is written: the client is slowed down (TCP
  // backpressure), not failed, as a gRPC Call stream at its prefetch. Positive.
  int max_in_flight_per_websocket = 1000;
  // Streaming calls running at once in the whole Flow (gRPC stream_doc and
  // HTTP Server-Sent Events together). Each runs its streaming method on a
  // thread of its own (not one of `workers`: it may wait in emit() for as
  // long as its client reads slowly). Further calls fail with
  // RESOURCE_EXHAUSTED (HTTP: 503). Positive.
  int max_stream_calls = 256;
  // Over HTTP, streams are Server-Sent Events: while a streaming method is
  // silent, a `: ping` comment goes out this often (jina: 15 s), so that
  // proxies and clients see a live connection. Positive.
  std::chrono::milliseconds sse_ping_interval{15000};

  // Called for each request that went through the Executors, on any
  // protocol (dry runs and stream_doc calls excepted), with the response
  // (its endpoint, Documents and status) and the time it took; on the
  // worker thread that ran it, before the response is sent, so it must be
  // thread-safe and quick. Requests refused before the Executors (bytes that
  // do not parse, over a limit) are not reported. What it throws is
  // ignored. `jina-flow --verbose` prints one line each.
  std::function<void(const Response& response, std::chrono::microseconds took)> on_request{};
};

// How an Executor takes part in a Flow.
struct ExecutorOptions {
  // Unique in the Flow; "executor<i>" (i = position in add order) when empty.
  // "gateway" is reserved.
  std::string name{};
  // Upstream Executors (or "gateway"). Empty means the previous Executor in
  // add order, or the gateway for the first one.
  std::vector<std::string> needs{};
  // With several needs: true gives the Executor docs_matrix only (docs = the
  // first upstream's docs); false also merges the upstream docs by id.
  bool disable_reduce = false;
};

class Flow {
 public:
  explicit Flow(FlowOptions options = {});
  // Stops the Flow if it is running.
  ~Flow();
  Flow(const Flow&) = delete;
  Flow& operator=(const Flow&) = delete;

  // Adds an Executor of type E built from `args`. Throws InvalidArgument for
  // a duplicate or reserved name, and jina::Error once the Flow started.
  // Unknown names in `needs` are reported by start().
  template <class E, class... Args>
  Flow& add(ExecutorOptions options = {}, Args&&... args) {
    static_assert(std::is_base_of_v<Executor, E>,
                  "Flow::add<E>: E must derive from jina::Executor");
    return add(std::make_shared<E>(std::forward<Args>(args)...), std::move(options));
  }
  // Adds an Executor the caller built (and may keep a handle on).
  Flow& add(std::shared_ptr<Executor> executor, ExecutorOptions options = {});

  // Validates the graph (unknown or cyclic needs throw InvalidArgument), binds
  // the port and starts serving; returns once the Flow accepts calls. Throws
  // jina::Error when a port cannot be bound, InvalidArgument for options out
  // of range, a protocol listed twice, `ports` not matching `protocols`, or
  // TLS files that cannot be loaded. Calling it twice throws.
  void start();
  // Stops serving: open calls get shutdown_grace to finish, then are
  // cancelled; queued requests are dropped; returns when every worker has
  // stopped. Idempotent; a stopped Flow cannot start again.
  void stop();
  // Waits until SIGINT or SIGTERM arrives (or stop() is called from another
  // thread), then stops the Flow. Starts it first if needed.
  void block();

  // The first protocol's bound port once started; FlowOptions::port before.
  int port() const;
  // The bound port of `protocol` once started (before: the port asked for).
  // Throws InvalidArgument when the Flow does not serve `protocol`.
  int port(Protocol protocol) const;
  bool is_running() const;
  const FlowOptions& options() const;
  // Every endpoint some Executor binds, sorted, plus "_jina_dry_run_".
  std::vector<std::string> endpoints() const;

  // Sends `inputs` to `endpoint` of this running Flow, as jina's `f.post`:
  // through a jina::Client to the Flow's first protocol and its port (the
  // address it listens on, 127.0.0.1 for a wildcard host; over TLS without
  // checking the Flow's own certificate), made on the first call and shared
  // by every later one. Takes, returns and throws what Client::post does,
  // and throws jina::Error FAILED_PRECONDITION when the Flow is not running
  // (not started yet, or stopped). Do not call it from an Executor of this
  // Flow: the request would wait for a worker that waits for it.
  DocumentArray post(std::string_view endpoint, Inputs inputs = {},
                     const PostOptions& options = {});
  // As post(), but returns every Response (Client::post_responses).
  std::vector<Response> post_responses(std::string_view endpoint, Inputs inputs = {},
                                       const PostOptions& options = {});
  // post() on "/index", "/search", "/update", "/delete".
  DocumentArray index(Inputs inputs = {}, const PostOptions& options = {});
  DocumentArray search(Inputs inputs = {}, const PostOptions& options = {});
  DocumentArray update(Inputs inputs = {}, const PostOptions& options = {});
  DocumentArray remove(Inputs inputs = {}, const PostOptions& options = {});

 private:
  // The Client of post() (src/flow_client/, a layer above both the Flow and
  // the Client): made under post_mu_ on the first call.
  Client post_client();

  class Impl;
  std::unique_ptr<Impl> impl_;
  std::mutex post_mu_;
  std::shared_ptr<Client> post_client_;
};

}  // namespace jina

#endif  // JINA_FLOW_H_
