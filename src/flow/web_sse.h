// The web server's Server-Sent Events (web_server.h): a GET to a streaming
// endpoint (Executor::on_stream) answered as jina 3.34's HTTP gateway does
// (docs/streaming-protocol.md §3.2): 200 text/event-stream at once, chunked,
// one `event: update` chunk per emitted Document as it is emitted, `: ping`
// comments while the method is silent, `event: end` and the last chunk.
//
// The method runs on a StreamRunner thread, as for gRPC's stream_doc (the
// same max_stream_calls bound). Beast: include from the web server's files
// only (web_common.h).
#ifndef JINA_SRC_FLOW_WEB_SSE_H_
#define JINA_SRC_FLOW_WEB_SSE_H_

#include <memory>
#include <mutex>
#include <set>

#include "flow/graph.h"
#include "flow/stream_runner.h"
#include "flow/web_common.h"
#include "flow/web_server.h"

namespace jina::flow::web {

class SseCall;  // web_sse.cc: one call's emitter and queue

class SseStreams {
 public:
  // `graph`, `streams` and `options` must outlive this.
  SseStreams(const Graph& graph, StreamRunner& streams, const WebServerOptions& options);

  // Streams `request` (from HttpRoutes::stream_request) to `stream` until
  // the method returns or the client goes; `buffer` receives what the
  // client sends meanwhile (a pipelined request). Returns whether the
  // connection may serve another request. For PlainStream and TlsStream.
  template <class Stream>
  asio::awaitable<bool> serve(Stream& stream, beast::flat_buffer& buffer, DataRequest request,
                              unsigned version, bool keep_alive);

  // Tells every open call's method that its client has gone (emit() says
  // false) and refuses new calls. Before the io_context goes.
  void shutdown();

 private:
  const Graph& graph_;
  StreamRunner& streams_;
  const WebServerOptions& options_;
  std::mutex mu_;
  bool stopping_ = false;
  std::set<std::shared_ptr<SseCall>> open_;
};

}  // namespace jina::flow::web

#endif  // JINA_SRC_FLOW_WEB_SSE_H_
