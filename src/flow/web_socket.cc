#include "flow/web_socket.h"

#include <boost/beast/websocket/ssl.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "jina.pb.h"
#include "wire/request_codec.h"

namespace jina::flow::web {
namespace {

// A close reason travels in a control frame: at most 123 bytes, cut on a
// UTF-8 character boundary.
std::string close_reason_text(std::string text) {
  constexpr std::size_t kMax = 123;
  if (text.size() <= kMax) return text;
  std::size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text;
}

}  // namespace

// One WebSocket connection on "/": state touched only on its strand.
template <class Stream>
struct WsConnection {
  explicit WsConnection(Stream stream) : ws(std::move(stream)), wake(ws.get_executor()) {}
  websocket::stream<Stream> ws;
  asio::steady_timer wake;     // cancelled to resume a reader paused at the in-flight limit
  bool reader_paused = false;  // the reader waits on `wake`
  std::chrono::steady_clock::time_point last_activity = std::chrono::steady_clock::now();
  std::deque<std::string> outbox;  // responses waiting to be written
  int in_flight = 0;               // requests on the pool
  bool reads_done = false;         // the 0x00 end-of-input frame came
  bool writing = false;
  bool closing = false;
  bool broken = false;                 // the peer closed or the socket failed
  std::optional<std::string> failure;  // close with 1011 and this reason
};

WsSessions::WsSessions(const Graph& graph, const WebServerOptions& options, PoolWork& work)
    : graph_(graph), options_(options), work_(work) {}

template <class Stream>
asio::awaitable<void> WsSessions::ws_session(Stream stream, HttpRequest request) {
  const std::string path = path_of(request.target());
  beast::error_code ec;
  if (path != "/" && path != "/dry_run") {
    HttpResponse not_found = detail_response(http::status::not_found, "Not Found");
    not_found.keep_alive(false);
    not_found.prepare_payload();
    co_await http::async_write(stream, not_found, await_into(ec));
    co_return;
  }
  auto c = std::make_shared<WsConnection<Stream>>(std::move(stream));
  beast::get_lowest_layer(c->ws).expires_never();
  auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
  // "/" watches idleness itself (ws_idle_watch): a client waiting for a
  // long Executor sends nothing, yet is not idle.
  timeouts.idle_timeout = path == "/dry_run"
                              ? std::chrono::steady_clock::duration(options_.idle_timeout)
                              : websocket::stream_base::none();
  c->ws.set_option(timeouts);
  c->ws.read_message_max(options_.max_body_bytes);
  // As jina: the offered subprotocol ("bytes") is not echoed.
  co_await c->ws.async_accept(request, await_into(ec));
  if (ec) co_return;
  c->ws.binary(true);
  if (path == "/dry_run") {
    co_await ws_dry_run(c);
  } else {
    asio::co_spawn(c->ws.get_executor(), ws_idle_watch<Stream>(c), asio::detached);
    co_await ws_read_requests(c);
  }
}

template <class Stream>
asio::awaitable<void> WsSessions::ws_dry_run(std::shared_ptr<WsConnection<Stream>> c) {
  for (;;) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    co_await c->ws.async_read(buffer, await_into(ec));
    if (ec) co_return;
    work_.begin_busy();
    std::function<std::optional<std::string>(bool)> work =
        [this](bool stopping) -> std::optional<std::string> {
      if (stopping) return std::nullopt;
      jina::StatusProto proto;
      wire::encode(graph_.dry_run(), &proto);
      return proto.SerializeAsString();
    };
    std::optional<std::string> status =
        co_await work_.on_pool(c->ws.get_executor(), std::move(work));
    if (!status) {
      const websocket::close_reason reason(websocket::close_code::internal_error,
                                           "the Flow is stopping");
      co_await c->ws.async_close(reason, await_into(ec));
      work_.end_busy();
      co_return;
    }
    co_await c->ws.async_write(asio::buffer(*status), await_into(ec));
    work_.end_busy();
    if (ec) co_return;
  }
}

template <class Stream>
asio::awaitable<void> WsSessions::ws_read_requests(std::shared_ptr<WsConnection<Stream>> c) {
  auto executor = c->ws.get_executor();
  const std::size_t limit = static_cast<std::size_t>(options_.max_ws_in_flight);
  for (;;) {
    // At the in-flight limit, stop reading: the client's frames wait in
    // the socket buffers (backpressure) until a response is written.
    while (static_cast<std::size_t>(c->in_flight) + c->outbox.size() >= limit && !c->broken &&
           !c->closing && !c->failure) {
      c->reader_paused = true;
      c->wake.expires_at(asio::steady_timer::time_point::max());
      beast::error_code ignored;
      co_await c->wake.async_wait(await_into(ignored));
      c->reader_paused = false;
    }
    if (c->broken || c->closing || c->failure) co_return;
    beast::flat_buffer buffer;
    beast::error_code ec;
    co_await c->ws.async_read(buffer, await_into(ec));
    if (ec) {
      if (!c->closing) {
        c->broken = true;
        drop_outbox(*c);
      }
      co_return;
    }
    c->last_activity = std::chrono::steady_clock::now();
    if (c->closing || c->failure) co_return;
    std::string bytes = beast::buffers_to_string(buffer.data());
    if (bytes.size() == 1 && bytes[0] == '\0') {  // end of input
      c->reads_done = true;
      ws_next(c);
      co_await ws_read_control_frames(c);
      co_return;
    }
    ++c->in_flight;
    work_.begin_busy();
    work_.submit([this, c, executor, bytes = std::move(bytes)](bool stopping) {
      std::string response;
      std::optional<std::string> error;
      if (stopping) {
        error = "the Flow is stopping";
      } else {
        try {
          response = graph_.process_serialized(bytes, options_.doc_format);
        } catch (const std::exception& e) {
          error = e.what();
        }
      }
      asio::post(executor,
                 [this, c, response = std::move(response), error = std::move(error)]() mutable {
                   --c->in_flight;
                   if (c->broken || c->closing || c->failure || error) {
                     if (error && !c->failure) c->failure = std::move(error);
                     work_.end_busy();
                   } else {
                     c->outbox.push_back(std::move(response));
                   }
                   ws_next(c);
                 });
    });
  }
}

// After the end of input: keeps a read pending, as jina's gateway does, so
// that the client's keepalive pings get their pongs while the last
// requests are processed (Beast answers pings inside a read). Frames that
// still come are dropped; the read ends with the close.
template <class Stream>
asio::awaitable<void> WsSessions::ws_read_control_frames(std::shared_ptr<WsConnection<Stream>> c) {
  while (!c->broken && !c->closing) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    co_await c->ws.async_read(buffer, await_into(ec));
    if (ec) co_return;
  }
}

// Starts whatever the connection needs next: a write, or the close.
template <class Stream>
void WsSessions::ws_next(const std::shared_ptr<WsConnection<Stream>>& c) {
  if (c->reader_paused) c->wake.cancel();  // it re-checks the limit
  if (c->writing || c->closing || c->broken) return;
  if (c->failure) {
    drop_outbox(*c);
    c->closing = true;
    asio::co_spawn(c->ws.get_executor(),
                   ws_close(c, websocket::close_reason(websocket::close_code::internal_error,
                                                       close_reason_text(*c->failure))),
                   asio::detached);
  } else if (!c->outbox.empty()) {
    c->writing = true;
    asio::co_spawn(c->ws.get_executor(), ws_write(c), asio::detached);
  } else if (c->reads_done && c->in_flight == 0) {
    c->closing = true;
    asio::co_spawn(c->ws.get_executor(),
                   ws_close(c, websocket::close_reason(websocket::close_code::normal)),
                   asio::detached);
  }
}

template <class Stream>
asio::awaitable<void> WsSessions::ws_write(std::shared_ptr<WsConnection<Stream>> c) {
  while (!c->outbox.empty() && !c->broken && !c->failure) {
    std::string message = std::move(c->outbox.front());
    c->outbox.pop_front();
    beast::error_code ec;
    co_await c->ws.async_write(asio::buffer(message), await_into(ec));
    c->last_activity = std::chrono::steady_clock::now();
    work_.end_busy();
    if (ec) {
      c->broken = true;
      drop_outbox(*c);
    }
  }
  c->writing = false;
  ws_next(c);
}

// Closes "/" connections that sent nothing for idle_timeout while nothing
// of theirs was in flight or unwritten. Holds the connection weakly: it
// ends with the connection.
template <class Stream>
asio::awaitable<void> WsSessions::ws_idle_watch(std::weak_ptr<WsConnection<Stream>> weak) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    std::chrono::steady_clock::time_point wake_at;
    {
      std::shared_ptr<WsConnection<Stream>> c = weak.lock();
      if (!c || c->closing || c->broken || c->failure) co_return;
      const auto now = std::chrono::steady_clock::now();
      const bool quiet = c->in_flight == 0 && c->outbox.empty() && !c->writing;
      if (quiet && now >= c->last_activity + options_.idle_timeout) {
        c->closing = true;
        co_await ws_close(
            c, websocket::close_reason(websocket::close_code::going_away, "idle timeout"));
        co_return;
      }
      wake_at = quiet ? c->last_activity + options_.idle_timeout : now + options_.idle_timeout;
    }
    timer.expires_at(wake_at);
    beast::error_code ec;
    co_await timer.async_wait(await_into(ec));
    if (ec) co_return;
  }
}

template <class Stream>
asio::awaitable<void> WsSessions::ws_close(std::shared_ptr<WsConnection<Stream>> c,
                                           websocket::close_reason reason) {
  beast::error_code ec;
  co_await c->ws.async_close(reason, await_into(ec));
}

template <class Stream>
void WsSessions::drop_outbox(WsConnection<Stream>& c) {
  for (std::size_t i = 0; i < c.outbox.size(); ++i) work_.end_busy();
  c.outbox.clear();
}

// The streams of the listener's connections (web_server.cc).
template asio::awaitable<void> WsSessions::ws_session(PlainStream stream, HttpRequest request);
template asio::awaitable<void> WsSessions::ws_session(TlsStream stream, HttpRequest request);

}  // namespace jina::flow::web
