// The web server's WebSocket sessions (web_server.h): "/" (requests as
// binary frames, answered concurrently) and "/dry_run", on a connection that
// asked for the upgrade. Beast: include from the web server's files only
// (web_common.h).
#ifndef JINA_SRC_FLOW_WEB_SOCKET_H_
#define JINA_SRC_FLOW_WEB_SOCKET_H_

#include <boost/beast/websocket.hpp>
#include <memory>

#include "flow/graph.h"
#include "flow/web_common.h"
#include "flow/web_server.h"

namespace jina::flow::web {

namespace websocket = beast::websocket;

// One WebSocket connection on "/"; defined in web_socket.cc.
template <class Stream>
struct WsConnection;

class WsSessions {
 public:
  // `graph`, `options` and `work` must outlive the sessions.
  WsSessions(const Graph& graph, const WebServerOptions& options, PoolWork& work);

  // Accepts the upgrade `request` on `stream` and serves the WebSocket until
  // it closes. For PlainStream and TlsStream.
  template <class Stream>
  asio::awaitable<void> ws_session(Stream stream, HttpRequest request);

 private:
  template <class Stream>
  asio::awaitable<void> ws_dry_run(std::shared_ptr<WsConnection<Stream>> c);
  template <class Stream>
  asio::awaitable<void> ws_read_requests(std::shared_ptr<WsConnection<Stream>> c);
  template <class Stream>
  asio::awaitable<void> ws_read_control_frames(std::shared_ptr<WsConnection<Stream>> c);
  template <class Stream>
  void ws_next(const std::shared_ptr<WsConnection<Stream>>& c);
  template <class Stream>
  asio::awaitable<void> ws_write(std::shared_ptr<WsConnection<Stream>> c);
  template <class Stream>
  asio::awaitable<void> ws_idle_watch(std::weak_ptr<WsConnection<Stream>> weak);
  template <class Stream>
  asio::awaitable<void> ws_close(std::shared_ptr<WsConnection<Stream>> c,
                                 websocket::close_reason reason);
  template <class Stream>
  void drop_outbox(WsConnection<Stream>& c);

  const Graph& graph_;
  const WebServerOptions& options_;
  PoolWork& work_;
};

}  // namespace jina::flow::web

#endif  // JINA_SRC_FLOW_WEB_SOCKET_H_
