// Beast/Asio live in this file only: each connection is a coroutine on its
// own strand; Executors run on the Flow's worker pool, and their results are
// posted back to the connection's strand.
#include "flow/web_server.h"

// clang-format off
#include <utility>  // first: Boost 1.74's asio/awaitable.hpp needs std::exchange
// clang-format on
#include <algorithm>
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
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cctype>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "flow/info.h"
#include "jina.pb.h"
#include "jina/error.h"
#include "wire/gateway_json.h"
#include "wire/request_codec.h"

namespace jina::flow {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr auto kAwait = asio::use_awaitable;

auto await_into(beast::error_code& ec) { return asio::redirect_error(asio::use_awaitable, ec); }

HttpResponse json_response(http::status status, const json& body) {
  HttpResponse response(status, 11);
  response.set(http::field::content_type, "application/json");
  response.body() = wire::json_text(body);
  return response;
}

HttpResponse detail_response(http::status status, std::string detail) {
  return json_response(status, {{"detail", std::move(detail)}});
}

// FastAPI's shape for a body that fails validation.
HttpResponse unprocessable(std::string where, std::string message) {
  json loc = json::array({"body"});
  if (!where.empty()) loc.push_back(std::move(where));
  return json_response(
      http::status::unprocessable_entity,
      {{"detail",
        json::array({{{"loc", loc}, {"msg", std::move(message)}, {"type", "value_error"}}})}});
}

// A protobuf Timestamp as JSON: RFC 3339 in UTC with nanoseconds.
std::string timestamp_json(Route::TimePoint t) {
  auto ns = t.time_since_epoch().count();
  std::time_t seconds = static_cast<std::time_t>(ns / 1000000000);
  long fraction = static_cast<long>(ns % 1000000000);
  if (fraction < 0) {
    fraction += 1000000000;
    --seconds;
  }
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[48];
  std::size_t n = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + n, sizeof(text) - n, ".%09ldZ", fraction);
  return text;
}

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

std::string path_of(beast::string_view target) {
  std::string_view text(target.data(), target.size());
  return std::string(text.substr(0, text.find('?')));
}

json operation(std::string summary, bool with_body) {
  json op = {{"summary", std::move(summary)},
             {"responses", {{"200", {{"description", "Successful Response"}}}}}};
  if (with_body) {
    op["requestBody"] = {{"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}},
                         {"required", true}};
    op["responses"]["422"] = {{"description", "Validation Error"}};
  }
  return op;
}

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

}  // namespace

class WebServer::Impl {
 public:
  Impl(const Graph& graph, WorkerPool& pool, WebServerOptions options)
      : graph_(graph),
        pool_(pool),
        options_(std::move(options)),
        started_at_(utc_now_iso()),
        session_id_(new_id()) {
    build_routes();
    if (!options_.tls_cert_file.empty() || !options_.tls_key_file.empty()) load_tls();
    ioc_.emplace(options_.io_threads);
    bind();
    asio::co_spawn(acceptor_->get_executor(), accept_loop(), asio::detached);
    for (int i = 0; i < options_.io_threads; ++i) threads_.emplace_back([this] { ioc_->run(); });
  }

  ~Impl() { shutdown(); }

  int port() const { return port_; }

  void shutdown() {
    if (!ioc_) return;
    asio::post(acceptor_->get_executor(), [this] {
      beast::error_code ec;
      acceptor_->close(ec);
    });
    {
      std::unique_lock lock(mu_);
      changed_.wait_for(lock, options_.shutdown_grace, [this] { return busy_ == 0; });
    }
    stopping_.store(true);
    ioc_->stop();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
    {
      // Pool tasks post to the io_context: it must outlive them.
      std::unique_lock lock(mu_);
      changed_.wait(lock, [this] { return tasks_ == 0; });
    }
    acceptor_.reset();
    ioc_.reset();  // destroys the suspended connections
  }

 private:
  struct HttpRoute {
    http::verb method;
    std::string endpoint;  // exec_endpoint; empty: from the body (v1 /post)
  };

  void build_routes() {
    json paths = json::object();
    paths["/"]["get"] = operation("Get the health of Jina Gateway service", false);
    paths["/status"]["get"] = operation("Get the status of Jina service", false);
    paths["/dry_run"]["get"] = operation("Get the readiness of Jina Flow service", false);
    auto add = [&](std::string path, http::verb method, std::string endpoint) {
      std::string verb(http::to_string(method));
      for (char& c : verb) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      paths[path][verb] = operation("Endpoint " + path, true);
      routes_[std::move(path)] = HttpRoute{method, std::move(endpoint)};
    };
    if (options_.doc_format == DocFormat::kV2) {
      for (const std::string& endpoint : graph_.endpoints()) {
        if (endpoint == kDryRunEndpoint || endpoint.empty() || endpoint.front() != '/') continue;
        if (endpoint == "/" || endpoint == "/status" || endpoint == "/dry_run") continue;
        add(endpoint, http::verb::post, endpoint);
      }
    } else {
      add("/post", http::verb::post, "");
      add("/index", http::verb::post, "/index");
      add("/search", http::verb::post, "/search");
      add("/update", http::verb::put, "/update");
      add("/delete", http::verb::delete_, "/delete");
    }
    openapi_ = json{{"openapi", "3.0.2"},
                    {"info", {{"title", "Jina local Flow (jina-cpp)"}, {"version", "3.34.0"}}},
                    {"paths", std::move(paths)}}
                   .dump();
  }

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

  static asio::awaitable<void> end_stream(PlainStream& stream) {
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    co_return;
  }
  static asio::awaitable<void> end_stream(TlsStream& stream) {
    beast::error_code ec;
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
    co_await stream.async_shutdown(await_into(ec));
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
        co_await ws_session(std::move(stream), std::move(request));
        co_return;
      }
      begin_busy();
      HttpResponse response = co_await respond(std::move(request));
      response.version(version);
      response.keep_alive(keep_alive);
      response.prepare_payload();
      socket.expires_after(idle);
      co_await http::async_write(stream, response, await_into(ec));
      end_busy();
      if (ec) co_return;
      if (!response.keep_alive()) break;
    }
    co_await end_stream(stream);
  }

  asio::awaitable<HttpResponse> respond(HttpRequest request) {
    const std::string path = path_of(request.target());
    const http::verb method = request.method();
    if (method == http::verb::get) {
      if (path == "/") co_return json_response(http::status::ok, json::object());
      if (path == "/status") co_return json_response(http::status::ok, info_json());
      if (path == "/openapi.json") {
        HttpResponse response(http::status::ok, 11);
        response.set(http::field::content_type, "application/json");
        response.body() = openapi_;
        co_return response;
      }
      if (path == "/dry_run") {
        std::function<HttpResponse(bool)> work = [this](bool stopping) {
          if (stopping)
            return detail_response(http::status::service_unavailable, "the Flow is stopping");
          return json_response(http::status::ok, wire::status_to_json(graph_.dry_run()));
        };
        auto executor = co_await asio::this_coro::executor;
        HttpResponse response = co_await on_pool(executor, std::move(work));
        co_return response;
      }
    }
    auto route = routes_.find(path);
    if (route == routes_.end()) {
      bool known =
          path == "/" || path == "/status" || path == "/openapi.json" || path == "/dry_run";
      co_return known ? detail_response(http::status::method_not_allowed, "Method Not Allowed")
                      : detail_response(http::status::not_found, "Not Found");
    }
    if (route->second.method != method)
      co_return detail_response(http::status::method_not_allowed, "Method Not Allowed");
    std::function<HttpResponse(bool)> work = [this, endpoint = route->second.endpoint,
                                              body = std::move(request.body())](bool stopping) {
      if (stopping)
        return detail_response(http::status::service_unavailable, "the Flow is stopping");
      return options_.doc_format == DocFormat::kV2 ? post_v2(endpoint, body)
                                                   : post_v1(endpoint, body);
    };
    auto executor = co_await asio::this_coro::executor;
    HttpResponse response = co_await on_pool(executor, std::move(work));
    co_return response;
  }

  // --- HTTP bodies, on the pool ---------------------------------------------

  HttpResponse post_v2(const std::string& endpoint, const std::string& body) const {
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      return unprocessable("", "the body is not a JSON object");
    auto data = j.find("data");
    if (data == j.end() || data->is_null()) return unprocessable("data", "field required");
    DataRequest request;
    try {
      if (data->is_object()) {
        request.set_docs(DocumentArray{Document::from_json(*data)});
      } else if (data->is_array()) {
        request.set_docs(DocumentArray::from_json(*data));
      } else {
        return unprocessable("data", "a document or a list of documents is required");
      }
    } catch (const std::exception& e) {
      return unprocessable("data", e.what());
    }
    const json header = j.value("header", json::object());
    std::string request_id = wire::json_string_field(header, "request_id", "requestId");
    if (request_id.empty())
      request_id = data->is_object() && !j.contains("header") ? request.docs()[0].id() : new_id();
    request.header().set_request_id(std::move(request_id)).set_exec_endpoint(endpoint);
    if (std::string target = wire::json_string_field(header, "target_executor", "targetExecutor");
        !target.empty())
      request.header().set_target_executor(std::move(target));
    if (auto parameters = j.find("parameters"); parameters != j.end() && !parameters->is_null()) {
      if (!parameters->is_object()) return unprocessable("parameters", "an object is required");
      request.parameters() = *parameters;
    }

    Response response = graph_.process(std::move(request));
    if (!response.status().ok())
      return detail_response(http::status::internal_server_error, response.status().description());
    json out;
    try {
      out["data"] = response.docs().to_json(DocFormat::kV2);
    } catch (const std::exception& e) {
      return detail_response(http::status::internal_server_error,
                             std::string("cannot encode the response docs: ") + e.what());
    }
    out["parameters"] = response.parameters().is_object() ? response.parameters() : json::object();
    out["header"] = {{"requestId", response.header().request_id()},
                     {"targetExecutor", response.header().target_executor()}};
    return json_response(http::status::ok, out);
  }

  // `endpoint` empty: the generic /post route, which names it in the body.
  HttpResponse post_v1(const std::string& endpoint, const std::string& body) const {
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      return unprocessable("", "the body is not a JSON object");
    DataRequest request;
    if (auto data = j.find("data"); data != j.end() && !data->is_null()) {
      try {
        request.set_docs(DocumentArray::from_json(*data));
      } catch (const std::exception& e) {
        return unprocessable("data", e.what());
      }
    }
    std::string exec_endpoint = endpoint;
    if (exec_endpoint.empty())
      exec_endpoint = wire::json_string_field(j, "exec_endpoint", "execEndpoint");
    if (exec_endpoint.empty()) exec_endpoint = "/";
    request.header().set_request_id(new_id()).set_exec_endpoint(exec_endpoint);
    if (std::string target = wire::json_string_field(j, "target_executor", "targetExecutor");
        !target.empty())
      request.header().set_target_executor(std::move(target));
    if (auto parameters = j.find("parameters"); parameters != j.end() && !parameters->is_null()) {
      if (!parameters->is_object()) return unprocessable("parameters", "an object is required");
      request.parameters() = *parameters;
    }

    Response response = graph_.process(std::move(request));
    json out;
    try {
      out["data"] = response.docs().to_json(DocFormat::kV1);
    } catch (const std::exception& e) {
      return detail_response(http::status::internal_server_error,
                             std::string("cannot encode the response docs: ") + e.what());
    }
    json header = {{"requestId", response.header().request_id()},
                   {"execEndpoint", response.header().exec_endpoint()},
                   {"targetExecutor", response.header().target_executor()}};
    if (!response.status().empty()) header["status"] = wire::status_to_json(response.status());
    json routes = json::array();
    for (const Route& route : response.routes()) {
      json r = {{"executor", route.executor()}};
      if (route.has_start_time()) r["startTime"] = timestamp_json(route.start_time());
      if (route.has_end_time()) r["endTime"] = timestamp_json(route.end_time());
      if (!route.status().empty()) r["status"] = wire::status_to_json(route.status());
      routes.push_back(std::move(r));
    }
    out["header"] = std::move(header);
    out["parameters"] = response.parameters().is_object() ? response.parameters() : json::object();
    out["routes"] = std::move(routes);
    return json_response(http::status::ok, out);
  }

  json info_json() const {
    FlowInfo info = flow_info(options_.doc_format, started_at_, session_id_);
    return {{"jina", info.jina}, {"envs", info.envs}};
  }

  // --- WebSocket ------------------------------------------------------------

  template <class Stream>
  asio::awaitable<void> ws_session(Stream stream, HttpRequest request) {
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
  asio::awaitable<void> ws_dry_run(std::shared_ptr<WsConnection<Stream>> c) {
    for (;;) {
      beast::flat_buffer buffer;
      beast::error_code ec;
      co_await c->ws.async_read(buffer, await_into(ec));
      if (ec) co_return;
      begin_busy();
      std::function<std::optional<std::string>(bool)> work =
          [this](bool stopping) -> std::optional<std::string> {
        if (stopping) return std::nullopt;
        jina::StatusProto proto;
        wire::encode(graph_.dry_run(), &proto);
        return proto.SerializeAsString();
      };
      std::optional<std::string> status = co_await on_pool(c->ws.get_executor(), std::move(work));
      if (!status) {
        const websocket::close_reason reason(websocket::close_code::internal_error,
                                             "the Flow is stopping");
        co_await c->ws.async_close(reason, await_into(ec));
        end_busy();
        co_return;
      }
      co_await c->ws.async_write(asio::buffer(*status), await_into(ec));
      end_busy();
      if (ec) co_return;
    }
  }

  template <class Stream>
  asio::awaitable<void> ws_read_requests(std::shared_ptr<WsConnection<Stream>> c) {
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
      begin_busy();
      submit([this, c, executor, bytes = std::move(bytes)](bool stopping) {
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
                       end_busy();
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
  asio::awaitable<void> ws_read_control_frames(std::shared_ptr<WsConnection<Stream>> c) {
    while (!c->broken && !c->closing) {
      beast::flat_buffer buffer;
      beast::error_code ec;
      co_await c->ws.async_read(buffer, await_into(ec));
      if (ec) co_return;
    }
  }

  // Starts whatever the connection needs next: a write, or the close.
  template <class Stream>
  void ws_next(const std::shared_ptr<WsConnection<Stream>>& c) {
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
  asio::awaitable<void> ws_write(std::shared_ptr<WsConnection<Stream>> c) {
    while (!c->outbox.empty() && !c->broken && !c->failure) {
      std::string message = std::move(c->outbox.front());
      c->outbox.pop_front();
      beast::error_code ec;
      co_await c->ws.async_write(asio::buffer(message), await_into(ec));
      c->last_activity = std::chrono::steady_clock::now();
      end_busy();
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
  asio::awaitable<void> ws_idle_watch(std::weak_ptr<WsConnection<Stream>> weak) {
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
  asio::awaitable<void> ws_close(std::shared_ptr<WsConnection<Stream>> c,
                                 websocket::close_reason reason) {
    beast::error_code ec;
    co_await c->ws.async_close(reason, await_into(ec));
  }

  template <class Stream>
  void drop_outbox(WsConnection<Stream>& c) {
    for (std::size_t i = 0; i < c.outbox.size(); ++i) end_busy();
    c.outbox.clear();
  }

  // --- the pool -------------------------------------------------------------

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

  void begin_busy() {
    std::lock_guard lock(mu_);
    ++busy_;
  }
  void end_busy() {
    std::lock_guard lock(mu_);
    if (--busy_ == 0) changed_.notify_all();
  }

  const Graph& graph_;
  WorkerPool& pool_;
  const WebServerOptions options_;
  const std::string started_at_;
  const std::string session_id_;
  std::map<std::string, HttpRoute, std::less<>> routes_;
  std::string openapi_;
  std::optional<asio::ssl::context> tls_;  // before ioc_: connections refer to it
  std::optional<asio::io_context> ioc_;
  std::optional<tcp::acceptor> acceptor_;
  std::vector<std::thread> threads_;
  int port_ = 0;
  std::atomic<int> connections_{0};  // served (not rejected) connections

  std::mutex mu_;
  std::condition_variable changed_;
  int busy_ = 0;   // requests and messages not yet answered
  int tasks_ = 0;  // pool tasks that may still post to the io_context
  std::atomic<bool> stopping_{false};
};

WebServer::WebServer(const Graph& graph, WorkerPool& pool, WebServerOptions options)
    : impl_(std::make_unique<Impl>(graph, pool, std::move(options))) {}

WebServer::~WebServer() = default;

int WebServer::port() const { return impl_->port(); }

void WebServer::shutdown() { impl_->shutdown(); }

}  // namespace jina::flow
