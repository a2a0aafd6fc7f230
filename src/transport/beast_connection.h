// What the HTTP and WebSocket transports share below the protocol: one I/O
// thread, TLS settings, and a TCP (or TLS over TCP) stream to the gateway.
//
// Boost.Asio/Beast headers compile slowly: include this from the two
// transport .cc files only.
#ifndef JINA_SRC_TRANSPORT_BEAST_CONNECTION_H_
#define JINA_SRC_TRANSPORT_BEAST_CONNECTION_H_

// clang-format off
#include <utility>  // first: Boost 1.74's asio/awaitable.hpp uses std::exchange without it
// clang-format on
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <variant>

#include "absl/status/status.h"
#include "jina/options.h"
#include "transport/target.h"
#include "transport/transport.h"

namespace jina::internal::beast_io {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

// The io_context and the one thread that runs it, for one transport.
// Everything a transport does on the network runs on that thread, so state
// touched only there needs no lock.
class IoThread {
 public:
  IoThread() : work_(asio::make_work_guard(context_)), thread_([this] { context_.run(); }) {}
  ~IoThread() { stop(); }

  // Stops the thread (abandoning queued work) and waits for it. Idempotent;
  // never from the thread itself.
  void stop() {
    if (!thread_.joinable()) return;
    work_.reset();
    context_.stop();
    thread_.join();
  }
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;

  asio::io_context& context() { return context_; }
  bool on_this_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

 private:
  asio::io_context context_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::thread thread_;
};

// Where to connect and how: host, port and, for https/wss, the TLS context
// built from ClientOptions (system roots or a custom CA, optional client
// certificate). Throws InvalidArgument for unreadable or inconsistent TLS
// files, as the gRPC transport does.
struct Endpoint {
  std::string host;                         // to dial
  std::string port;                         // as text, for the resolver
  std::string host_header;                  // "host:port" for HTTP's Host
  std::string server_name;                  // checked against the certificate, sent as SNI
  std::shared_ptr<asio::ssl::context> tls;  // null without TLS
  std::size_t max_response_bytes = 0;       // ClientOptions::max_response_bytes
  std::chrono::milliseconds keepalive{0};   // ClientOptions::keepalive; 0: off
  // ClientOptions::connect_timeout, or the default for HTTP and WebSocket.
  std::chrono::milliseconds connect_timeout{5000};

  static Endpoint from(const Target& target, const ClientOptions& options);
};

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// A connected stream, plain or TLS.
class Connection {
 public:
  std::variant<PlainStream, TlsStream>& stream() { return stream_; }
  beast::tcp_stream& tcp() {
    return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); },
                      stream_);
  }
  // Closes the socket: pending operations on it end with an error.
  void close() {
    beast::error_code ignored;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp().socket().close(ignored);
  }

  // Resolves, connects (each within `connect_timeout`) and, with TLS,
  // handshakes. Throws boost::system::system_error.
  // While it runs, `*abort` (when given) ends it at once with
  // operation_aborted: a post cancelled (or out of time) while connecting
  // does not wait out `connect_timeout`. Call it on the I/O thread only; it
  // is reset to empty before open() returns.
  static asio::awaitable<std::unique_ptr<Connection>> open(
      const Endpoint& endpoint, std::chrono::milliseconds connect_timeout,
      std::function<void()>* abort = nullptr);

 private:
  explicit Connection(std::variant<PlainStream, TlsStream> stream) : stream_(std::move(stream)) {}
  std::variant<PlainStream, TlsStream> stream_;
};

// A network error as a Status: UNAVAILABLE (retryable) for everything but a
// timeout (DEADLINE_EXCEEDED) and an operation we aborted (CANCELLED).
absl::Status network_status(const boost::system::error_code& error, const std::string& what);
// The same while connecting (TCP, TLS, WebSocket handshake): a Flow that
// gives no answer within `limit` is unreachable (UNAVAILABLE), not a passed
// deadline of the caller's.
absl::Status connect_status(const boost::system::error_code& error, const std::string& what,
                            std::chrono::milliseconds limit);

// A RequestStream whose work runs on the I/O thread: every call is posted to
// `context` and handled by State (write, writes_done, cancel, finished). The
// destructor cancels and waits until State has delivered its last outcome.
template <class State>
class PostedStream final : public RequestStream {
 public:
  PostedStream(std::shared_ptr<State> state, boost::asio::io_context& context)
      : state_(std::move(state)), context_(context), finished_(state_->finished()) {}

  ~PostedStream() override {
    cancel();
    finished_.wait();
  }

  void write(std::shared_ptr<const std::string> bytes) override {
    boost::asio::post(
        context_, [s = state_, bytes = std::move(bytes)]() mutable { s->write(std::move(bytes)); });
  }
  void writes_done() override {
    boost::asio::post(context_, [s = state_] { s->writes_done(); });
  }
  void cancel() override {
    boost::asio::post(context_, [s = state_] { s->cancel(); });
  }

 private:
  std::shared_ptr<State> state_;
  boost::asio::io_context& context_;
  std::future<void> finished_;
};

}  // namespace jina::internal::beast_io

#endif  // JINA_SRC_TRANSPORT_BEAST_CONNECTION_H_
