// Server-Sent Events for streaming endpoints. Threads: the method runs on a
// StreamRunner thread and hands each serialized event to SseCall's bounded
// queue (emit() blocks while it is full); the connection's coroutine, on
// its strand, writes them one chunk each. A second coroutine reads the
// socket meanwhile, so that a client that goes is noticed at once, not at
// the next write.
#include "flow/web_sse.h"

// clang-format off
#include <utility>  // first: Boost 1.74's asio/awaitable.hpp needs std::exchange
// clang-format on
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <optional>
#include <string>

#include "wire/gateway_json.h"
#include "wire/sse.h"

namespace jina::flow::web {
namespace {

// An HTTP date, as jina's `date:` header: "Mon, 07 Dec 2026 05:47:48 GMT".
std::string http_date() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char text[64];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[utc.tm_wday],
                utc.tm_mday, kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min,
                utc.tm_sec);
  return text;
}

// jina's keep-alive comment: "ping - 2026-12-07 05:43:48.797217" (UTC).
std::string ping_text() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                          now.time_since_epoch() - std::chrono::seconds(seconds))
                          .count();
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::size_t n = std::strftime(text, sizeof text, "ping - %Y-%m-%d %H:%M:%S", &utc);
  std::snprintf(text + n, sizeof text - n, ".%06ld", static_cast<long>(micros));
  return text;
}

// One part of the body: a chunk, or the bytes as they are (HTTP/1.0).
template <class Stream>
asio::awaitable<void> write_part(Stream& stream, const std::string& bytes, bool chunked,
                                 beast::error_code& ec) {
  if (chunked) {
    auto chunk = http::make_chunk(asio::buffer(bytes));
    co_await asio::async_write(stream, chunk, await_into(ec));
  } else {
    co_await asio::async_write(stream, asio::buffer(bytes), await_into(ec));
  }
}

}  // namespace

// One call: the method's DocEmitter, and the events between the method's
// thread and the connection's strand. All state under mu_.
class SseCall final : public DocEmitter, public std::enable_shared_from_this<SseCall> {
 public:
  SseCall(asio::any_io_executor strand, DocFormat format)
      : strand_(std::move(strand)), format_(format) {}

  bool emit(Document doc) override {
    if (cancelled()) return false;
    // Serialized on the method's thread; throws to the method.
    std::string event = wire::sse_event("update", wire::python_json_text(doc.to_json(format_)));
    std::unique_lock lock(mu_);
    has_room_.wait(lock, [this] { return gone_ || events_.size() < kStreamItemsQueued; });
    if (gone_) return false;
    events_.push_back(std::move(event));
    wake_locked();
    return true;
  }

  bool cancelled() const override {
    std::lock_guard lock(mu_);
    return gone_;
  }

  // On the method's thread once the method returned: with the status of
  // what it threw, if it threw.
  void method_returned(std::optional<Status> error) {
    std::lock_guard lock(mu_);
    method_done_ = true;
    error_ = std::move(error);
    wake_locked();
  }

  // The client went: emit() says false from now on.
  void client_gone() {
    std::lock_guard lock(mu_);
    gone_locked();
    wake_locked();
  }

  // The call is over (or the Flow stops): emit() says false, and nothing is
  // posted to the strand any more, so that the io_context may go.
  void detach() {
    std::lock_guard lock(mu_);
    gone_locked();
    strand_.reset();
    wake_ = nullptr;
  }

  // Wakes the connection's coroutine from `timer`'s wait (on the strand).
  void set_wake(asio::steady_timer* timer) {
    std::lock_guard lock(mu_);
    wake_ = timer;
  }
  void wake() {
    std::lock_guard lock(mu_);
    wake_locked();
  }

  // What the connection's coroutine writes next.
  struct Next {
    bool gone = false;
    std::optional<std::string> event;  // an item
    bool method_done = false;          // no item follows
    std::optional<Status> error;       // what the method threw
  };
  Next next() {
    std::lock_guard lock(mu_);
    Next out;
    out.gone = gone_;
    if (gone_) return out;
    if (!events_.empty()) {
      out.event = std::move(events_.front());
      events_.pop_front();
      has_room_.notify_all();
      return out;
    }
    out.method_done = method_done_;
    if (method_done_) out.error = error_;
    return out;
  }

 private:
  void gone_locked() {
    gone_ = true;
    events_.clear();
    has_room_.notify_all();
  }

  void wake_locked() {
    if (!strand_ || wake_posted_) return;
    wake_posted_ = true;
    asio::post(*strand_, [self = shared_from_this()] {
      asio::steady_timer* timer = nullptr;
      {
        std::lock_guard lock(self->mu_);
        self->wake_posted_ = false;
        timer = self->wake_;
      }
      if (timer != nullptr) timer->cancel();
    });
  }

  mutable std::mutex mu_;
  std::condition_variable has_room_;             // emit() waits for room in events_, or gone_
  std::optional<asio::any_io_executor> strand_;  // reset by detach()
  asio::steady_timer* wake_ = nullptr;           // the coroutine's, on the strand
  bool wake_posted_ = false;
  const DocFormat format_;
  std::deque<std::string> events_;
  bool gone_ = false;
  bool method_done_ = false;
  std::optional<Status> error_;
};

namespace {

// Reads the socket while the stream runs: an error or the end of input is a
// client that went. Bytes (a pipelined request) stay in `buffer` for later,
// and the watch ends.
template <class Stream>
asio::awaitable<void> watch_client(Stream& stream, beast::flat_buffer& buffer,
                                   std::shared_ptr<SseCall> call, const bool& ending,
                                   bool& watching) {
  beast::error_code ec;
  const std::size_t n = co_await stream.async_read_some(buffer.prepare(4096), await_into(ec));
  buffer.commit(n);
  if (ec && !ending) call->client_gone();
  watching = false;
  call->wake();
}

}  // namespace

SseStreams::SseStreams(const Graph& graph, StreamRunner& streams, const WebServerOptions& options)
    : graph_(graph), streams_(streams), options_(options) {}

void SseStreams::shutdown() {
  std::lock_guard lock(mu_);
  stopping_ = true;
  for (const auto& call : open_) call->detach();
}

template <class Stream>
asio::awaitable<bool> SseStreams::serve(Stream& stream, beast::flat_buffer& buffer,
                                        DataRequest request, unsigned version, bool keep_alive) {
  auto strand = co_await asio::this_coro::executor;
  auto& socket = beast::get_lowest_layer(stream);
  const auto idle = options_.idle_timeout;
  beast::error_code ec;

  auto call = std::make_shared<SseCall>(strand, options_.doc_format);
  asio::steady_timer wake(strand);
  call->set_wake(&wake);
  bool stopping = false;
  {
    std::lock_guard lock(mu_);
    stopping = stopping_;
    if (!stopping) open_.insert(call);
  }
  StreamRunner::Start started = StreamRunner::Start::kStopping;
  if (!stopping) {
    const Graph& graph = graph_;
    started = streams_.start([&graph, call, request = std::move(request)]() mutable {
      call->method_returned(graph.stream(std::move(request), *call));
    });
  }
  auto forget = [&] {
    call->detach();
    std::lock_guard lock(mu_);
    open_.erase(call);
  };
  if (started != StreamRunner::Start::kStarted) {
    forget();
    HttpResponse refused = detail_response(
        http::status::service_unavailable,
        started == StreamRunner::Start::kBusy
            ? "too many stream_doc calls running in this Flow (FlowOptions::max_stream_calls)"
            : "the Flow is stopping");
    refused.version(version);
    refused.keep_alive(keep_alive);
    refused.prepare_payload();
    socket.expires_after(idle);
    co_await http::async_write(stream, refused, await_into(ec));
    co_return !ec && keep_alive;
  }

  // The head at once, before the method can fail (as jina), in jina's order
  // and case. HTTP/1.0 has no chunks: the body ends with the connection.
  const bool chunked = version >= 11;
  keep_alive = keep_alive && chunked;
  http::response<http::empty_body> head(http::status::ok, version);
  head.set("date", http_date());
  head.set("cache-control", "no-cache");
  head.set("connection", keep_alive ? "keep-alive" : "close");
  head.set("x-accel-buffering", "no");
  head.set("content-type", "text/event-stream; charset=utf-8");
  if (chunked) head.chunked(true);
  http::response_serializer<http::empty_body> serializer(head);
  socket.expires_after(idle);
  co_await http::async_write_header(stream, serializer, await_into(ec));

  bool ending = false;
  bool watching = false;
  if (!ec) {
    socket.expires_never();  // the watch's read waits as long as the stream runs
    watching = true;
    asio::co_spawn(strand, watch_client(stream, buffer, call, ending, watching), asio::detached);
  }

  // Items as they come, a ping when the method is silent past the next
  // ping time (every ping_interval from the start, as jina); a write stuck
  // for the idle timeout is a client gone.
  bool cut = static_cast<bool>(ec);  // the end without the last chunk
  std::optional<Status> error;
  auto next_ping = std::chrono::steady_clock::now() + options_.sse_ping_interval;
  while (!cut) {
    SseCall::Next next = call->next();
    if (next.gone) {
      cut = true;
      break;
    }
    std::string part;
    if (next.event) {
      part = std::move(*next.event);
    } else if (next.method_done) {
      error = std::move(next.error);
      break;
    } else {
      wake.expires_at(next_ping);
      beast::error_code woken;
      co_await wake.async_wait(await_into(woken));
      if (woken) continue;
      const auto now = std::chrono::steady_clock::now();
      while (next_ping <= now) next_ping += options_.sse_ping_interval;
      part = wire::sse_comment(ping_text());
    }
    socket.expires_after(idle);
    co_await write_part(stream, part, chunked, ec);
    if (ec) {
      call->client_gone();
      cut = true;
    }
  }

  if (!cut) {
    if (error) {
      // jina's gateway has no error event: it cuts the stream, which its
      // clients cannot tell from a network failure. The event says why
      // (this library's client raises with it), and the stream is cut
      // after it all the same, so that jina's Python client fails too.
      const std::string event =
          wire::sse_event("error", wire::python_json_text(wire::status_to_json(*error)));
      socket.expires_after(idle);
      co_await write_part(stream, event, chunked, ec);
      cut = true;
    } else {
      const std::string end = wire::sse_event("end", "");
      socket.expires_after(idle);
      co_await write_part(stream, end, chunked, ec);
      if (!ec && chunked) {
        auto last = http::make_chunk_last();
        co_await asio::async_write(stream, last, await_into(ec));
      }
      if (ec) cut = true;
    }
  }

  // Ends the watch before the connection reads again (or closes).
  ending = true;
  if (watching) socket.cancel();
  while (watching) {
    wake.expires_at(asio::steady_timer::time_point::max());
    beast::error_code woken;
    co_await wake.async_wait(await_into(woken));
  }
  forget();
  co_return !cut && keep_alive;
}

template asio::awaitable<bool> SseStreams::serve(PlainStream& stream, beast::flat_buffer& buffer,
                                                 DataRequest request, unsigned version,
                                                 bool keep_alive);
template asio::awaitable<bool> SseStreams::serve(TlsStream& stream, beast::flat_buffer& buffer,
                                                 DataRequest request, unsigned version,
                                                 bool keep_alive);

}  // namespace jina::flow::web
