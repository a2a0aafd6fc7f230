// The listener: accepting connections, TLS (handshake and shutdown), and
// HTTP/1.1 on each connection, whose requests go to the routes
// (web_routes.h) or, upgraded, to the WebSocket sessions (web_socket.h).
#include "flow/web_server.h"

// clang-format off
#include <utility>  // first: Boost 1.74's asio/awaitable.hpp needs std::exchange
// clang-format on
#include <algorithm>
#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "flow/web_common.h"
#include "flow/web_routes.h"
#include "flow/web_socket.h"
#include "flow/web_sse.h"
#include "jina/error.h"

namespace jina::flow::web {
namespace {

asio::awaitable<void> end_stream(PlainStream& stream) {
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  co_return;
}
asio::awaitable<void> end_stream(TlsStream& stream) {
  beast::error_code ec;
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
  co_await stream.async_shutdown(await_into(ec));
}

}  // namespace

class Server {
 public:
  Server(const Graph& graph, WorkerPool& pool, StreamRunner& streams, WebServerOptions options)
      : options_(std::move(options)),
        work_(pool),
        routes_(graph, options_, work_),
        sse_(graph, streams, options_),
        ws_(graph, options_, work_) {
    if (!options_.tls_cert_file.empty() || !options_.tls_key_file.empty()) load_tls();
    ioc_.emplace(options_.io_threads);
    bind();
    asio::co_spawn(acceptor_->get_executor(), accept_loop(), asio::detached);
    for (int i = 0; i < options_.io_threads; ++i) threads_.emplace_back([this] { ioc_->run(); });
  }

  ~Server() { shutdown(); }

  int port() const { return port_; }

  void shutdown() {
    if (!ioc_) return;
    asio::post(acceptor_->get_executor(), [this] {
      beast::error_code ec;
      acceptor_->close(ec);
    });
    work_.wait_idle(options_.shutdown_grace);
    sse_.shutdown();
    work_.stop();
    ioc_->stop();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
    // Pool tasks post to the io_context: it must outlive them.
    work_.wait_tasks();
    acceptor_.reset();
    ioc_.reset();  // destroys the suspended connections
  }

 private:
  void load_tls() {
    if (options_.tls_cert_file.empty() || options_.tls_key_file.empty())
      throw InvalidArgument("Flow: TLS needs both a certificate and a key file");
    tls_.emplace(asio::ssl::context::tls_server);
    try {
      tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                        asio::ssl::context::no_tlsv1_1);
      tls_->use_certificate_chain_file(options_.tls_cert_file);
      tls_->use_private_key_file(options_.tls_key_file, asio::ssl::context::pem);
    } catch (const boost::system::system_error& e) {
      throw InvalidArgument("Flow: cannot load the TLS certificate or key: " +
                            std::string(e.what()));
    }
  }

  void bind() {
    const std::string where = options_.host + ":" + std::to_string(options_.port);
    beast::error_code ec;
    tcp::endpoint endpoint;
    auto address = asio::ip::make_address(options_.host, ec);
    if (!ec) {
      endpoint = tcp::endpoint(address, static_cast<unsigned short>(options_.port));
    } else {
      tcp::resolver resolver(*ioc_);
      auto results = resolver.resolve(options_.host, std::to_string(options_.port), ec);
      if (ec || results.empty())
        throw Error(absl::StatusCode::kUnavailable, "Flow: cannot resolve " + where);
      endpoint = *results.begin();
    }
    acceptor_.emplace(asio::make_strand(*ioc_));
    acceptor_->open(endpoint.protocol(), ec);
    if (!ec) acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_->bind(endpoint, ec);
    if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      throw Error(absl::StatusCode::kUnavailable,
                  "Flow: cannot listen on " + where + ": " + ec.message());
    }
    port_ = acceptor_->local_endpoint().port();
  }

  // --- connections ----------------------------------------------------------

  asio::awaitable<void> accept_loop() {
    for (;;) {
      tcp::socket socket(asio::make_strand(*ioc_));
      beast::error_code ec;
      co_await acceptor_->async_accept(socket, await_into(ec));
      if (ec == asio::error::operation_aborted || !acceptor_->is_open()) co_return;
      if (ec) {  // e.g. out of file descriptors: let some close
        asio::steady_timer pause(acceptor_->get_executor(), std::chrono::milliseconds(50));
        co_await pause.async_wait(await_into(ec));
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      auto executor = socket.get_executor();
      asio::co_spawn(executor, serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    // Over the limit: the connection only gets its 503 (after the TLS
    // handshake, so that the client can read it) and does not count.
    const bool reject = connections_.fetch_add(1) >= options_.max_connections;
    if (reject) --connections_;
    struct Count {
      std::atomic<int>* connections;
      ~Count() {
        if (connections != nullptr) --*connections;
      }
    } count{reject ? nullptr : &connections_};
    PlainStream plain(std::move(socket));
    if (!tls_) {
      co_await http_session(std::move(plain), reject);
      co_return;
    }
    TlsStream stream(std::move(plain), *tls_);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
    beast::error_code ec;
    co_await stream.async_handshake(asio::ssl::stream_base::server, await_into(ec));
    if (ec) co_return;
    beast::get_lowest_layer(stream).expires_never();
    co_await http_session(std::move(stream), reject);
  }

  // `reject`: over the connection limit, the first request gets a 503.
  template <class Stream>
  asio::awaitable<void> http_session(Stream stream, bool reject) {
    beast::flat_buffer buffer;
    auto& socket = beast::get_lowest_layer(stream);
    // Every read and write gets the idle timeout: an idle keep-alive
    // connection, a request trickling in and a client not reading its
    // answer are all closed after it.
    const auto idle =
        reject ? std::min<std::chrono::milliseconds>(options_.idle_timeout, std::chrono::seconds(5))
               : options_.idle_timeout;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(options_.max_body_bytes);
      beast::error_code ec;
      socket.expires_after(idle);
      co_await http::async_read_header(stream, buffer, parser, await_into(ec));
      if (!ec && reject) {
        HttpResponse busy =
            detail_response(http::status::service_unavailable,
                            "too many connections: the Flow serves at most " +
                                std::to_string(options_.max_connections) + " at once");
        busy.keep_alive(false);
        busy.prepare_payload();
        socket.expires_after(idle);
        co_await http::async_write(stream, busy, await_into(ec));
        break;
      }
      if (!ec && parser.get()[http::field::expect] == "100-continue") {
        http::response<http::empty_body> go_on(http::status::continue_, 11);
        socket.expires_after(idle);
        co_await http::async_write(stream, go_on, await_into(ec));
      }
      if (!ec && !parser.is_done()) {
        socket.expires_after(idle);
        co_await http::async_read(stream, buffer, parser, await_into(ec));
      }
      if (ec == http::error::end_of_stream || ec == asio::error::eof) break;
      if (ec) {
        if (ec == http::error::body_limit) {
          HttpResponse too_large =
              detail_response(http::status::payload_too_large, "Request Entity Too Large");
          too_large.keep_alive(false);
          too_large.prepare_payload();
          socket.expires_after(idle);
          co_await http::async_write(stream, too_large, await_into(ec));
          break;
        }
        co_return;  // a broken connection or a request that is not HTTP
      }
      const bool keep_alive = parser.get().keep_alive();
      const unsigned version = parser.get().version();
      HttpRequest request = parser.release();
      socket.expires_never();  // while the Executors run
      if (websocket::is_upgrade(request)) {
        co_await ws_.ws_session(std::move(stream), std::move(request));
        co_return;
      }
      work_.begin_busy();
      HttpResponse response;
      if (auto streaming = routes_.stream_request(request)) {
        if (auto* stream_request = std::get_if<DataRequest>(&*streaming)) {
          const bool more =
              co_await sse_.serve(stream, buffer, std::move(*stream_request), version, keep_alive);
          work_.end_busy();
          if (!more) break;
          continue;
        }
        response = std::get<HttpResponse>(std::move(*streaming));
      } else {
        response = co_await routes_.respond(std::move(request));
      }
      response.version(version);
      response.keep_alive(keep_alive);
      response.prepare_payload();
      socket.expires_after(idle);
      co_await http::async_write(stream, response, await_into(ec));
      work_.end_busy();
      if (ec) co_return;
      if (!response.keep_alive()) break;
    }
    co_await end_stream(stream);
  }

  const WebServerOptions options_;
  PoolWork work_;  // before the parts and ioc_: they refer to it
  HttpRoutes routes_;
  SseStreams sse_;
  WsSessions ws_;
  std::optional<asio::ssl::context> tls_;  // before ioc_: connections refer to it
  std::optional<asio::io_context> ioc_;
  std::optional<tcp::acceptor> acceptor_;
  std::vector<std::thread> threads_;
  int port_ = 0;
  std::atomic<int> connections_{0};  // served (not rejected) connections
};

}  // namespace jina::flow::web

namespace jina::flow {

WebServer::WebServer(const Graph& graph, WorkerPool& pool, StreamRunner& streams,
                     WebServerOptions options)
    : impl_(std::make_unique<web::Server>(graph, pool, streams, std::move(options))) {}

WebServer::~WebServer() = default;

int WebServer::port() const { return impl_->port(); }

void WebServer::shutdown() { impl_->shutdown(); }

}  // namespace jina::flow
