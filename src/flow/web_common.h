// What the parts of the web server (web_server.h) share: Beast's names, the
// JSON responses, and the work they hand to the Flow's worker pool.
//
// Each connection is a coroutine on its own strand; Executors run on the
// worker pool, and their results are posted back to the connection's strand.
// Boost.Asio/Beast headers compile slowly: include this from the web
// server's own files only.
#ifndef JINA_SRC_FLOW_WEB_COMMON_H_
#define JINA_SRC_FLOW_WEB_COMMON_H_

// clang-format off
#include <utility>  // first: Boost 1.74's asio/awaitable.hpp needs std::exchange
// clang-format on
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "flow/worker_pool.h"

namespace jina::flow::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr auto kAwait = asio::use_awaitable;

inline auto await_into(beast::error_code& ec) {
  return asio::redirect_error(asio::use_awaitable, ec);
}

HttpResponse json_response(http::status status, const json& body);
HttpResponse detail_response(http::status status, std::string detail);
// The path of a request target, without the query.
std::string path_of(beast::string_view target);

// The server's work on the Flow's worker pool, counted: shutdown waits for
// requests to be answered (busy) and for pool tasks that may still post to
// the io_context (tasks). Thread-safe.
class PoolWork {
 public:
  // `pool` must outlive this.
  explicit PoolWork(WorkerPool& pool) : pool_(pool) {}

  // Runs `task` on the worker pool; it learns whether the server is stopping
  // (then it should answer without running Executors).
  void submit(std::function<void(bool stopping)> task) {
    {
      std::lock_guard lock(mu_);
      ++tasks_;
    }
    pool_.submit([this, task = std::move(task)](bool cancelled) mutable {
      task(cancelled || stopping_.load());
      // Its captures (connections, with their sockets and timers) must go
      // before shutdown() may destroy the io_context.
      task = nullptr;
      std::lock_guard lock(mu_);
      if (--tasks_ == 0) changed_.notify_all();
    });
  }

  // An awaitable for `work` run on the pool; the awaiting coroutine resumes
  // on `executor`, its strand. Not a coroutine itself, and callers pass a
  // named `work`: GCC 12 mishandles temporaries inside co_await expressions.
  template <class T>
  asio::awaitable<T> on_pool(asio::any_io_executor executor, std::function<T(bool stopping)> work) {
    return asio::async_initiate<const asio::use_awaitable_t<>&, void(T)>(
        [this, executor, work = std::move(work)](auto handler) mutable {
          auto resume = std::make_shared<decltype(handler)>(std::move(handler));
          submit([executor, resume, work = std::move(work)](bool stopping) {
            asio::post(executor, [resume, result = work(stopping)]() mutable {
              (*resume)(std::move(result));
            });
          });
        },
        kAwait);
  }

  // A request or message comes in, and is answered.
  void begin_busy() {
    std::lock_guard lock(mu_);
    ++busy_;
  }
  void end_busy() {
    std::lock_guard lock(mu_);
    if (--busy_ == 0) changed_.notify_all();
  }

  // For shutdown, in this order: waits until nothing is busy, at most
  // `grace`; makes the tasks from then on learn that the server is stopping;
  // waits until no task is left.
  void wait_idle(std::chrono::milliseconds grace) {
    std::unique_lock lock(mu_);
    changed_.wait_for(lock, grace, [this] { return busy_ == 0; });
  }
  void stop() { stopping_.store(true); }
  void wait_tasks() {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [this] { return tasks_ == 0; });
  }

 private:
  WorkerPool& pool_;
  std::mutex mu_;
  std::condition_variable changed_;
  int busy_ = 0;   // requests and messages not yet answered
  int tasks_ = 0;  // pool tasks that may still post to the io_context
  std::atomic<bool> stopping_{false};
};

}  // namespace jina::flow::web

#endif  // JINA_SRC_FLOW_WEB_COMMON_H_
