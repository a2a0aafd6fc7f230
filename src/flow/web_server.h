// The Flow's HTTP and WebSocket front, as jina's gateways serve them, on
// one Boost.Beast acceptor: a WebSocket upgrade on "/" or "/dry_run" goes to
// the WebSocket protocol, everything else to the HTTP routes (jina's
// WebSocket gateway answers GET /, /status and /dry_run as well).
//
// HTTP (docarray v2): GET / -> {}, GET /status, GET /dry_run (StatusProto as
// JSON, always 200), GET /openapi.json, POST /<endpoint> for each bound
// endpoint ("/default" for the default binding); an Executor error is a 500
// {"detail": description}. docarray v1: POST /post, plus the CRUD routes
// POST /index, POST /search, PUT /update, DELETE /delete; an Executor error
// is a 200 with header.status. Unknown paths 404, bad JSON 422, bodies over
// the limit 413. Keep-alive; requests on a connection are answered in order.
//
// WebSocket "/": each binary frame is a serialized DataRequestProto,
// processed concurrently; each response goes back as one binary frame as it
// completes; a single 0x00 byte ends the input: outstanding responses are
// flushed, then the socket closes normally. "/dry_run": each frame in gets
// the serialized StatusProto out. Errors of the Flow itself (bytes that do
// not parse, the Flow stopping) close with 1011 and the reason.
//
// Streaming endpoints (Executor::on_stream, docarray v2): GET /<endpoint>
// with the Document as the body (or its fields as the query) is answered
// with Server-Sent Events as jina's HTTP gateway does (web_sse.h); POST to
// one is a 405 (allow: GET), as GET to an ordinary endpoint (allow: POST).
//
// Executors run on the Flow's worker pool, never on the io threads;
// streaming methods on the StreamRunner's threads.
//
// In parts, by job: web_server.cc the listener (connections, TLS, HTTP/1.1
// on a connection), web_routes.h the HTTP routes and /openapi.json,
// web_sse.h the Server-Sent Events, web_socket.h the WebSocket sessions;
// web_common.h what they share.
#ifndef JINA_SRC_FLOW_WEB_SERVER_H_
#define JINA_SRC_FLOW_WEB_SERVER_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "flow/graph.h"
#include "flow/stream_runner.h"
#include "flow/worker_pool.h"
#include "jina/document.h"

namespace jina::flow {
namespace web {
class Server;  // web_server.cc, with Beast
}  // namespace web

struct WebServerOptions {
  std::string host = "0.0.0.0";
  int port = 0;
  DocFormat doc_format = DocFormat::kV2;
  // Largest request body or WebSocket message accepted.
  std::size_t max_body_bytes = std::size_t{256} << 20;
  std::chrono::milliseconds shutdown_grace{500};
  // PEM files; both set serves https/wss, both empty plain http/ws.
  std::string tls_cert_file{};
  std::string tls_key_file{};
  int io_threads = 2;
  // Connections served at once; further ones get a 503 and are closed.
  int max_connections = 1024;
  // Closes a connection that sent nothing for this long while nothing of it
  // was in flight (HTTP: also a request or a write stuck that long).
  std::chrono::milliseconds idle_timeout{60000};
  // Requests in flight or unwritten per WebSocket "/" connection; at the
  // limit, reading that connection pauses.
  int max_ws_in_flight = 1000;
  // Server-Sent Events: a `: ping` comment this often while the method is
  // silent (jina: 15 s).
  std::chrono::milliseconds sse_ping_interval{15000};
};

class WebServer {
 public:
  // Binds and starts serving. `graph`, `pool` and `streams` (which runs the
  // streaming methods) must outlive the server. Throws jina::Error
  // (UNAVAILABLE) when the address cannot be bound, and InvalidArgument when
  // the TLS files cannot be loaded.
  WebServer(const Graph& graph, WorkerPool& pool, StreamRunner& streams, WebServerOptions options);
  // Shuts down.
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  int port() const;
  // Stops accepting; requests in flight get the grace period, then every
  // connection is dropped and open streams' methods learn that their client
  // has gone; returns once no pool task refers to the server.
  // Idempotent.
  void shutdown();

 private:
  std::unique_ptr<web::Server> impl_;
};

}  // namespace jina::flow

#endif  // JINA_SRC_FLOW_WEB_SERVER_H_
