#include "transport/websocket_transport.h"

#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <functional>
#include <future>
#include <optional>
#include <string>
#include <utility>

#include "transport/beast_connection.h"
#include "transport/http_transport.h"

namespace jina::internal {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
using beast_io::Connection;

// Jina's end-of-input frame: Python's bytes(True), one zero byte.
constexpr char kEndOfInput[1] = {'\0'};

// One socket for one post(). Touched on the I/O thread only, but for
// `finished_`.
class WsStreamState : public std::enable_shared_from_this<WsStreamState> {
 public:
  WsStreamState(asio::io_context& context, StreamObserver* observer, DocFormat format,
                std::chrono::milliseconds keepalive)
      : observer_(observer),
        format_(format),
        keepalive_(keepalive),
        wake_writer_(context, asio::steady_timer::time_point::max()),
        writer_exited_(context, asio::steady_timer::time_point::max()) {}

  std::future<void> finished() { return finished_.get_future(); }

  static asio::awaitable<void> run(std::shared_ptr<WsStreamState> self,
                                   const beast_io::Endpoint& endpoint) {
    std::unique_ptr<Connection> connection;
    boost::system::error_code error;
    try {
      // cancel() aborts the connect through close_ (reset once it is open).
      connection = co_await Connection::open(endpoint, endpoint.connect_timeout, &self->close_);
    } catch (const boost::system::system_error& e) {
      error = e.code();
    }
    if (error) {
      self->finish(self->cancelled_ ? absl::CancelledError("the post was cancelled")
                                    : beast_io::connect_status(
                                          error, "cannot connect to " + endpoint.host_header,
                                          endpoint.connect_timeout));
      co_return;
    }
    if (self->cancelled_) {
      self->finish(absl::CancelledError("the post was cancelled"));
      co_return;
    }
    self->connect_timeout_ = endpoint.connect_timeout;  // for the handshake
    co_await std::visit(
        [&](auto& stream) {
          return session(self, std::move(stream), endpoint.host_header,
                         endpoint.max_response_bytes);
        },
        connection->stream());
  }

  void write(std::shared_ptr<const std::string> bytes) {
    if (done_ || cancelled_) return;
    queue_.push_back(std::move(bytes));
    wake_writer_.cancel();
  }

  void writes_done() {
    half_closed_ = true;
    wake_writer_.cancel();
  }

  void cancel() {
    if (done_) return;
    cancelled_ = true;
    if (close_) close_();
  }

 private:
  template <class Stream>
  static asio::awaitable<void> session(std::shared_ptr<WsStreamState> self, Stream stream,
                                       std::string host, std::size_t max_message_bytes) {
    websocket::stream<Stream> ws(std::move(stream));
    self->close_ = [&ws] {
      beast::error_code ignored;
      beast::get_lowest_layer(ws).socket().shutdown(beast_io::tcp::socket::shutdown_both, ignored);
      beast::get_lowest_layer(ws).socket().close(ignored);
    };
    // Jina's server does not echo the subprotocol; Beast does not insist.
    ws.set_option(websocket::stream_base::decorator([](websocket::request_type& request) {
      request.set(beast::http::field::sec_websocket_protocol, "bytes");
      request.set(beast::http::field::user_agent, "jina-cpp");
    }));
    ws.read_message_max(max_message_bytes);
    ws.binary(true);
    absl::Status status;
    boost::system::error_code error;
    try {
      beast::get_lowest_layer(ws).expires_after(self->connect_timeout_);
      co_await ws.async_handshake(host, "/", asio::use_awaitable);
      beast::get_lowest_layer(ws).expires_never();
    } catch (const boost::system::system_error& e) {
      error = e.code();
    }
    if (error) {
      self->close_();
      self->close_ = nullptr;
      self->finish(self->cancelled_
                       ? absl::CancelledError("the post was cancelled")
                       : beast_io::connect_status(error, "WebSocket handshake with " + host,
                                                  self->connect_timeout_));
      co_return;
    }
    // A silent gateway (the connection up, nothing answering) is given up
    // on: Beast pings after half the idle limit without a byte from it, and
    // the read fails when nothing has come by the limit, 1.5 x `keepalive`. Jina's gateway and the
    // local Flow answer pings while an Executor works.
    if (self->keepalive_.count() > 0) {
      ws.set_option(
          websocket::stream_base::timeout{self->connect_timeout_, self->keepalive_ * 3 / 2, true});
    }
    self->writer_running_ = true;
    asio::co_spawn(ws.get_executor(), writer(self, ws), asio::detached);
    status = co_await read_all(self, ws);
    self->close_();
    // The writer uses `ws`: wait until it is gone.
    self->stopping_ = true;
    self->wake_writer_.cancel();
    while (self->writer_running_) {
      try {
        co_await self->writer_exited_.async_wait(asio::use_awaitable);
      } catch (const boost::system::system_error&) {
      }
    }
    self->close_ = nullptr;
    self->finish(std::move(status));
  }

  template <class Stream>
  static asio::awaitable<absl::Status> read_all(std::shared_ptr<WsStreamState> self,
                                                websocket::stream<Stream>& ws) {
    beast::flat_buffer buffer;
    boost::system::error_code error;
    while (true) {
      try {
        co_await ws.async_read(buffer, asio::use_awaitable);
      } catch (const boost::system::system_error& e) {
        error = e.code();
      }
      if (error) break;
      auto data = buffer.cdata();
      deliver_serialized(*self->observer_,
                         std::string_view(static_cast<const char*>(data.data()), data.size()),
                         self->format_);
      buffer.consume(buffer.size());
    }
    if (self->cancelled_) co_return absl::CancelledError("the post was cancelled");
    if (error == websocket::error::message_too_big) {
      // Not retried: the Flow would answer as much again.
      co_return absl::ResourceExhaustedError(
          "a WebSocket message from the gateway is larger than "
          "ClientOptions::max_response_bytes (" +
          std::to_string(ws.read_message_max()) + " bytes)");
    }
    if (error == beast::error::timeout) {
      co_return absl::UnavailableError(
          "WebSocket: the gateway sent nothing, not even an answer to a keepalive ping, for " +
          std::to_string(std::chrono::duration<double>(self->keepalive_ * 3 / 2).count()) +
          " s (a silent server; ClientOptions::keepalive)");
    }
    if (error == websocket::error::closed) {
      const websocket::close_reason& reason = ws.reason();
      if (reason.code == websocket::close_code::normal ||
          reason.code == websocket::close_code::none) {
        co_return absl::OkStatus();
      }
      std::string text = reason.reason.empty() ? std::string("no reason given")
                                               : std::string(reason.reason.c_str());
      // 1011: the gateway could not reach an Executor.
      co_return absl::UnavailableError("the gateway closed the WebSocket with code " +
                                       std::to_string(reason.code) + ": " + text);
    }
    // Not our cancel: Beast aborts the pending read when a write finds the
    // socket broken, so this is a lost connection (retryable).
    if (error == asio::error::operation_aborted) {
      co_return absl::UnavailableError("WebSocket: the connection broke (" + error.message() + ")");
    }
    co_return beast_io::network_status(error, "WebSocket");
  }

  template <class Stream>
  static asio::awaitable<void> writer(std::shared_ptr<WsStreamState> self,
                                      websocket::stream<Stream>& ws) {
    bool end_sent = false;
    while (!self->stopping_) {
      bool can_send = !self->queue_.empty() || (self->half_closed_ && !end_sent);
      if (!can_send) {
        try {
          co_await self->wake_writer_.async_wait(asio::use_awaitable);
        } catch (const boost::system::system_error&) {
        }
        self->wake_writer_.expires_at(asio::steady_timer::time_point::max());
        continue;
      }
      boost::system::error_code error;
      try {
        if (!self->queue_.empty()) {
          auto bytes = std::move(self->queue_.front());
          self->queue_.pop_front();
          co_await ws.async_write(asio::buffer(*bytes), asio::use_awaitable);
        } else {
          end_sent = true;
          co_await ws.async_write(asio::buffer(kEndOfInput, 1), asio::use_awaitable);
        }
      } catch (const boost::system::system_error& e) {
        error = e.code();
      }
      // The reader sees the broken socket too and reports it.
      if (error) break;
    }
    self->writer_running_ = false;
    self->writer_exited_.cancel();
  }

  void finish(absl::Status status) {
    if (done_) return;
    done_ = true;
    queue_.clear();
    observer_->on_done(std::move(status));
    finished_.set_value();
  }

  StreamObserver* observer_;
  DocFormat format_;                                 // of the responses
  std::chrono::milliseconds keepalive_;              // 0: no pings
  std::chrono::milliseconds connect_timeout_{5000};  // the handshake's, set by run()
  std::deque<std::shared_ptr<const std::string>> queue_;
  asio::steady_timer wake_writer_;
  asio::steady_timer writer_exited_;
  std::function<void()> close_;  // set while the socket is open
  bool half_closed_ = false;
  bool cancelled_ = false;
  bool stopping_ = false;
  bool writer_running_ = false;
  bool done_ = false;
  std::promise<void> finished_;
};

using WsStream = beast_io::PostedStream<WsStreamState>;

class WebsocketTransport final : public ProtobufTransport {
 public:
  WebsocketTransport(const Target& target, const ClientOptions& options)
      : endpoint_(beast_io::Endpoint::from(target, options)),
        http_(make_http_transport(target, options)) {}

  ~WebsocketTransport() override { io_.stop(); }

  std::unique_ptr<RequestStream> open_stream(const StreamOptions& options,
                                             StreamObserver* observer) override {
    // prefetch and ordering are the Client's business here
    auto state = std::make_shared<WsStreamState>(io_.context(), observer, options.doc_format,
                                                 endpoint_.keepalive);
    asio::co_spawn(io_.context(), WsStreamState::run(state, endpoint_), asio::detached);
    return std::make_unique<WsStream>(std::move(state), io_.context());
  }

  absl::Status dry_run(Duration timeout) override { return http_->dry_run(timeout); }
  absl::StatusOr<std::vector<std::string>> endpoints(Duration timeout) override {
    return http_->endpoints(timeout);
  }
  absl::StatusOr<nlohmann::json> info(Duration timeout) override { return http_->info(timeout); }
  std::string target() const override { return endpoint_.host_header; }
  std::string protocol_name() const override { return "WebSocket"; }

 private:
  beast_io::Endpoint endpoint_;  // outlives the I/O thread's work
  std::shared_ptr<Transport> http_;
  beast_io::IoThread io_;
};

}  // namespace

std::shared_ptr<Transport> make_websocket_transport(const Target& target,
                                                    const ClientOptions& options) {
  return std::make_shared<WebsocketTransport>(target, options);
}

}  // namespace jina::internal
