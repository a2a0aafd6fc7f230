#include "transport/http_transport.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <deque>
#include <future>
#include <limits>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/log.h"
#include "jina/error.h"
#include "transport/beast_connection.h"
#include "transport/http_codec.h"
#include "wire/sse.h"

namespace jina::internal {
namespace {

namespace http = boost::beast::http;
namespace asio = boost::asio;
using beast_io::Connection;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// Connections one post() uses at most; more requests in flight wait for one.
constexpr int kMaxConnectionsPerStream = 16;
constexpr std::size_t kMaxIdleConnections = 32;

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// A keep-alive connection with what was read past the last response.
struct PooledConnection {
  std::unique_ptr<Connection> connection;
  boost::beast::flat_buffer buffer;
};

// Where a request in progress says which connection it uses, so that a
// cancel can close it.
struct InUse {
  Connection* connection = nullptr;
  std::function<void()> abort_connect;  // set while a connection is being opened
};

class HttpTransport final : public Transport {
 public:
  HttpTransport(const Target& target, const ClientOptions& options)
      : endpoint_(beast_io::Endpoint::from(target, options)), api_(options.http_api) {}

  ~HttpTransport() override {
    // Connections belong to the I/O thread: drop them once it has stopped.
    io_.stop();
    idle_.clear();
  }

  std::unique_ptr<RequestStream> open_stream(const StreamOptions& options,
                                             StreamObserver* observer) override;
  std::unique_ptr<ItemStream> open_doc_stream(const DataRequest& request,
                                              const StreamOptions& options,
                                              StreamObserver* observer) override;

  absl::Status dry_run(Duration timeout) override {
    auto answer = get_json("/dry_run", timeout);
    if (!answer.ok()) return answer.status();
    return dry_run_result(*answer);
  }

  absl::StatusOr<std::vector<std::string>> endpoints(Duration timeout) override {
    auto openapi = get_json("/openapi.json", timeout);
    if (!openapi.ok()) return openapi.status();
    return openapi_endpoints(*openapi);
  }

  absl::StatusOr<json> info(Duration timeout) override { return get_json("/status", timeout); }

  absl::StatusOr<json> graphql(const json& body, Duration timeout) override {
    auto answer = call(http::verb::post, "/graphql", body.dump(), timeout);
    if (!answer.ok()) return answer.status();
    if (answer->status == 404 || answer->status == 405) {
      return absl::NotFoundError(
          "the gateway at " + target() +
          " has no /graphql endpoint: GraphQL needs jina's docarray-v1 HTTP gateway started "
          "with --expose-graphql-endpoint (docarray v2 gateways have none)");
    }
    json j = json::parse(answer->body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      return absl::DataLossError("POST /graphql answered HTTP " + std::to_string(answer->status) +
                                 " without JSON");
    }
    if (answer->status >= 500) {
      return absl::UnavailableError("POST /graphql answered HTTP " +
                                    std::to_string(answer->status) + ": " + answer->body);
    }
    return j;
  }

  std::string target() const override { return endpoint_.host_header; }
  std::string protocol_name() const override { return "HTTP"; }

  // The JSON is written here, on the post's thread, once per request: the
  // I/O thread only joins the parts for the route it picks.
  std::string encode(const DataRequest& request, DocFormat format) const override {
    return HttpRequestForm::from(request, format).pack();
  }
  DataRequest decode(std::string_view encoded, DocFormat format) const override {
    return HttpRequestForm::unpack(encoded).request(format);
  }

  // One HTTP exchange on a pooled connection; runs on the I/O thread.
  // `timeout` bounds the whole exchange (none when unset); `in_use` (may be
  // null) names the connection while it is busy.
  asio::awaitable<absl::StatusOr<HttpAnswer>> exchange(http::verb verb, std::string path,
                                                       std::string body,
                                                       std::optional<Duration> timeout,
                                                       InUse* in_use);

  // The gateway's POST routes (Jina's rule for picking a route), asked on
  // the I/O thread (no post's thread waits for it) until a gateway tells;
  // none when it does not. `in_use` lets a cancel abort the exchange.
  asio::awaitable<std::set<std::string>> post_paths(InUse* in_use) {
    if (post_paths_.empty()) {
      auto answer = co_await exchange(http::verb::get, "/openapi.json", {},
                                      Duration(std::chrono::seconds(5)), in_use);
      auto openapi = json_of(std::move(answer), "/openapi.json");
      if (openapi.ok()) post_paths_ = openapi_post_paths(*openapi);
    }
    co_return post_paths_;
  }

  // Says once per transport (one per Client and gateway), at kInfo, that
  // requests are cut for a docarray-v2 gateway. I/O thread only.
  void note_split(std::size_t docs) {
    if (split_noted_) return;
    split_noted_ = true;
    const std::string batch = std::to_string(kV2HttpGatewayBatch);
    log(LogLevel::kInfo, "http",
        "requests of more than " + batch + " Documents to the docarray-v2 HTTP gateway at " +
            target() + " are sent as POSTs of at most " + batch +
            " Documents each, their answers joined into one response: jina's v2 POST route "
            "answers for only the first " +
            batch + " Documents of a POST and drops the rest without an error (first: " +
            std::to_string(docs) + " Documents)");
  }

  HttpApi api() const { return api_; }
  std::chrono::milliseconds keepalive() const { return endpoint_.keepalive; }
  const beast_io::Endpoint& endpoint() const { return endpoint_; }
  asio::io_context& context() { return io_.context(); }
  bool on_io_thread() const { return io_.on_this_thread(); }

  // Takes a connection whose last response was read to its end and that
  // may stay open, for the next exchange(). I/O thread only.
  void keep_idle(std::unique_ptr<PooledConnection> pooled) {
    if (idle_.size() >= kMaxIdleConnections) return;
    pooled->connection->tcp().expires_never();
    idle_.push_back(std::move(pooled));
  }

 private:
  // Runs one exchange from a caller's thread and waits for it.
  absl::StatusOr<HttpAnswer> call(http::verb verb, std::string path, std::string body,
                                  Duration timeout) {
    if (timeout <= Duration::zero()) timeout = std::chrono::seconds(10);
    // `this` outlives the call: the caller holds the transport and waits.
    auto future = asio::co_spawn(
        io_.context(),
        [this, verb, path = std::move(path), body = std::move(body),
         timeout]() -> asio::awaitable<absl::StatusOr<HttpAnswer>> {
          co_return co_await exchange(verb, path, body, timeout, nullptr);
        },
        asio::use_future);
    return future.get();
  }

  absl::StatusOr<json> get_json(const std::string& path, Duration timeout) {
    return json_of(call(http::verb::get, path, {}, timeout), path);
  }

  // The JSON body of a GET's answer, or why there is none.
  absl::StatusOr<json> json_of(absl::StatusOr<HttpAnswer> answer, const std::string& path) {
    if (!answer.ok()) return answer.status();
    if (answer->status < 200 || answer->status >= 300) {
      std::string message =
          "GET " + path + " at " + target() + " answered HTTP " + std::to_string(answer->status);
      if (answer->status >= 500) return absl::UnavailableError(message);
      return absl::NotFoundError(message);
    }
    json j = json::parse(answer->body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      return absl::DataLossError("GET " + path + " at " + target() + " returned no JSON");
    }
    return j;
  }

  // The TLS context outlives the I/O thread and whatever it abandons.
  beast_io::Endpoint endpoint_;
  beast_io::IoThread io_;
  HttpApi api_;
  std::set<std::string> post_paths_;                     // I/O thread only
  bool split_noted_ = false;                             // I/O thread only
  std::vector<std::unique_ptr<PooledConnection>> idle_;  // I/O thread only
};

asio::awaitable<absl::StatusOr<HttpAnswer>> HttpTransport::exchange(http::verb verb,
                                                                    std::string path,
                                                                    std::string body,
                                                                    std::optional<Duration> timeout,
                                                                    InUse* in_use) {
  std::optional<Clock::time_point> deadline;
  if (timeout) deadline = Clock::now() + *timeout;
  // A reused connection the server closed meanwhile fails at once: then one
  // more try on a fresh connection (nothing was processed).
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<PooledConnection> pooled;
    bool reused = false;
    if (!idle_.empty()) {
      pooled = std::move(idle_.back());
      idle_.pop_back();
      reused = true;
    } else {
      auto connect_timeout = endpoint_.connect_timeout;
      if (deadline) {
        connect_timeout =
            std::min(connect_timeout, std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::max(*deadline - Clock::now(), Duration::zero())));
      }
      boost::system::error_code error;
      try {
        pooled = std::make_unique<PooledConnection>();
        pooled->connection = co_await Connection::open(endpoint_, connect_timeout,
                                                       in_use ? &in_use->abort_connect : nullptr);
      } catch (const boost::system::system_error& e) {
        error = e.code();
      }
      if (error) {
        co_return beast_io::connect_status(error, "cannot connect to " + target(), connect_timeout);
      }
    }
    Connection& connection = *pooled->connection;
    if (in_use) in_use->connection = &connection;

    http::request<http::string_body> request{verb, path, 11};
    request.set(http::field::host, endpoint_.host_header);
    request.set(http::field::user_agent, "jina-cpp");
    request.set(http::field::accept, "application/json");
    if (!body.empty() || verb == http::verb::post) {
      request.set(http::field::content_type, "application/json");
      request.body() = body;
    }
    request.keep_alive(true);
    request.prepare_payload();
    if (deadline) {
      connection.tcp().expires_at(*deadline);
    } else {
      connection.tcp().expires_never();
    }

    http::response_parser<http::string_body> parser;
    parser.body_limit(endpoint_.max_response_bytes);
    boost::system::error_code error;
    try {
      co_await std::visit(
          [&](auto& stream) { return http::async_write(stream, request, asio::use_awaitable); },
          connection.stream());
      // The header on its own first: http::async_read makes the parser
      // eager, and Beast 1.74 (its issue 2183) then drops the body_limit
      // error for a Content-Length above the limit and reads the body.
      co_await std::visit(
          [&](auto& stream) {
            return http::async_read_header(stream, pooled->buffer, parser, asio::use_awaitable);
          },
          connection.stream());
      if (!parser.is_done()) {
        co_await std::visit(
            [&](auto& stream) {
              return http::async_read(stream, pooled->buffer, parser, asio::use_awaitable);
            },
            connection.stream());
      }
    } catch (const boost::system::system_error& e) {
      error = e.code();
    }
    bool cancelled = in_use && in_use->connection == nullptr;
    if (in_use) in_use->connection = nullptr;
    if (error == http::error::body_limit) {
      // Not retried: the Flow did answer, and would answer as much again.
      // The fields are in the message even when the parser stopped at them.
      auto length = parser.get()[http::field::content_length];
      std::string size = length.empty() ? "" : " (" + std::string(length) + " bytes)";
      co_return absl::ResourceExhaustedError(
          "the response to " + std::string(http::to_string(verb)) + " " + path + " at " + target() +
          size + " is larger than ClientOptions::max_response_bytes (" +
          std::to_string(endpoint_.max_response_bytes) + " bytes)");
    }
    if (error) {
      // Only a connection that got no byte of an answer can be stale.
      bool stale = reused && attempt == 0 && !cancelled && !parser.got_some() &&
                   error != boost::beast::error::timeout && error != asio::error::operation_aborted;
      if (stale) {
        // The others idle as long or longer (e.g. past the server's idle
        // timeout): the next try opens a fresh connection.
        idle_.clear();
        continue;
      }
      co_return beast_io::network_status(
          error, std::string(http::to_string(verb)) + " " + path + " at " + target());
    }
    auto response = parser.release();
    // A cancelled exchange's connection was closed, even when its answer
    // had already arrived: never pool it.
    if (!cancelled && response.keep_alive()) keep_idle(std::move(pooled));
    co_return HttpAnswer{static_cast<int>(response.result_int()), std::move(response.body())};
  }
}

// What waits for a gateway on the I/O thread and wants to know when it
// falls silent (watch_liveness).
class Watched {
 public:
  explicit Watched(asio::io_context& context) : liveness_(context) {}
  virtual ~Watched() = default;

 protected:
  // Whether the watch is over (the stream ended).
  virtual bool over() const = 0;
  // Whether something waits for the gateway now.
  virtual bool waiting() const = 0;
  // The gateway answered neither what waits for `keepalive` nor a probe
  // (`probe`: why): fail.
  virtual void silent(const absl::Status& probe, std::chrono::milliseconds keepalive) = 0;

  Clock::time_point last_news_;  // the last sign of life from the gateway
  asio::steady_timer liveness_;  // the watch waits on it; cancel it when over

 private:
  friend asio::awaitable<void> watch_liveness(std::shared_ptr<Watched> self,
                                              HttpTransport* transport);
};

// HTTP/1.1 has no ping: while `self` waits and the gateway has said nothing
// for `keepalive`, ask it GET /status on another connection. Any answer
// means it is alive (a slow Executor: keep waiting); none within half as
// long again means it is silent (Watched::silent).
asio::awaitable<void> watch_liveness(std::shared_ptr<Watched> self, HttpTransport* transport) {
  const std::chrono::milliseconds keepalive = transport->keepalive();
  while (!self->over()) {
    self->liveness_.expires_at(self->last_news_ + keepalive);
    boost::system::error_code ignored;
    co_await self->liveness_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    if (self->over()) break;
    if (!self->waiting() || Clock::now() < self->last_news_ + keepalive) {
      if (!self->waiting()) self->last_news_ = Clock::now();
      continue;
    }
    auto probe =
        co_await transport->exchange(http::verb::get, "/status", {}, keepalive / 2, nullptr);
    if (self->over()) break;
    if (probe.ok()) {
      self->last_news_ = Clock::now();
      continue;
    }
    self->silent(probe.status(), keepalive);
  }
}

// What a post()'s requests share on the I/O thread: the queue, the workers
// (one connection each) and the end of the stream. All members but
// `finished_` are touched on the I/O thread only.
class HttpStreamState final : public Watched, public std::enable_shared_from_this<HttpStreamState> {
 public:
  HttpStreamState(HttpTransport* transport, const StreamOptions& options, StreamObserver* observer)
      : Watched(transport->context()),
        transport_(transport),
        observer_(observer),
        format_(options.doc_format),
        paths_asked_(transport->context(), asio::steady_timer::time_point::max()),
        max_workers_(options.prefetch > 0 ? std::min(options.prefetch, kMaxConnectionsPerStream)
                                          : kMaxConnectionsPerStream) {}

  std::future<void> finished() { return finished_.get_future(); }

  void write(std::shared_ptr<const std::string> bytes) {
    if (done_ || failure_) return;
    queue_.push_back(std::move(bytes));
    // Busy workers wait for responses; ones not started yet will take from
    // the queue.
    if (workers_ < max_workers_ && queue_.size() > starting_) {
      ++workers_;
      ++starting_;
      asio::co_spawn(transport_->context(), work(shared_from_this()), asio::detached);
    }
    if (!watching_ && transport_->keepalive().count() > 0) {
      watching_ = true;
      last_news_ = Clock::now();
      asio::co_spawn(transport_->context(), watch_liveness(shared_from_this(), transport_),
                     asio::detached);
    }
  }

  void writes_done() {
    half_closed_ = true;
    maybe_finish();
  }

  void cancel() { fail(absl::CancelledError("the post was cancelled")); }

  void fail(absl::Status status) {
    if (done_) return;
    if (!failure_) failure_ = std::move(status);
    queue_.clear();
    for (InUse* slot : busy_) {
      if (slot->connection) {
        Connection* connection = slot->connection;
        slot->connection = nullptr;  // tells exchange() it was cancelled
        connection->close();
      } else if (slot->abort_connect) {
        slot->abort_connect();  // still connecting: at once, not after the connect timeout
      }
    }
    maybe_finish();
  }

 private:
  static asio::awaitable<void> work(std::shared_ptr<HttpStreamState> self) {
    --self->starting_;
    InUse slot;
    self->busy_.push_back(&slot);
    while (!self->failure_ && !self->queue_.empty()) {
      auto bytes = std::move(self->queue_.front());
      self->queue_.pop_front();
      co_await self->send(*bytes, slot);
    }
    self->busy_.erase(std::find(self->busy_.begin(), self->busy_.end(), &slot));
    --self->workers_;
    self->maybe_finish();
  }

  bool over() const override { return done_ || failure_.has_value(); }
  bool waiting() const override { return !busy_.empty(); }
  void silent(const absl::Status& probe, std::chrono::milliseconds keepalive) override {
    fail(absl::UnavailableError(
        "the gateway at " + transport_->target() + " answered neither the " +
        std::to_string(busy_.size()) + " request(s) waiting for " +
        std::to_string(keepalive.count()) + " ms nor a liveness probe (GET /status: " +
        std::string(probe.message()) + "): a silent server (ClientOptions::keepalive)"));
  }

  asio::awaitable<void> send(const std::string& bytes, InUse& slot) {
    if (transport_->api() == HttpApi::kAuto && !paths_known_) {
      // One worker asks; the others wait for its answer.
      if (!asking_paths_) {
        asking_paths_ = true;
        paths_ = co_await transport_->post_paths(&slot);
        paths_known_ = true;
        paths_asked_.cancel();
      } else {
        boost::system::error_code ignored;
        co_await paths_asked_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
      }
      if (failure_) co_return;
    }
    HttpRequestForm form;
    HttpPost call;
    try {
      form = HttpRequestForm::unpack(bytes);
      call = http_post_for(form, format_, paths_, transport_->api());
    } catch (const std::exception& e) {
      fail(absl::InvalidArgumentError(std::string("cannot send the request as JSON: ") + e.what()));
      co_return;
    }
    // A docarray-v2 gateway answers for its first 100 Documents only
    // (kV2HttpGatewayBatch): a longer request goes in pieces. v1's /post
    // takes any number.
    if (form.piece_count() > 1 && format_ == DocFormat::kV2 && call.per_endpoint) {
      co_await send_pieces(form, slot);
      co_return;
    }
    auto answer = co_await transport_->exchange(http::verb::post, call.path, std::move(call.body),
                                                std::nullopt, &slot);
    last_news_ = Clock::now();
    if (failure_) co_return;
    if (!answer.ok()) {
      fail(answer.status());
      co_return;
    }
    auto response = response_from_http(answer->status, answer->body, form, format_);
    if (!response.ok()) {
      fail(absl::Status(response.status().code(), "POST " + call.path + " at " +
                                                      transport_->target() + ": " +
                                                      std::string(response.status().message())));
      co_return;
    }
    // Decoded from JSON straight into the Response: no protobuf round trip.
    observer_->on_response(std::move(*response), answer->body.size());
  }

  // `form` POSTed as form.piece_count() requests of at most
  // kV2HttpGatewayBatch Documents, one after the other on `slot`'s
  // connection, each with the request's id, endpoint, target and parameters;
  // the observer gets one Response: the pieces' answers joined in order. An
  // Executor error in a piece ends it there (the rest is not sent) with the
  // whole request handed back with that error; a piece that fails as a POST
  // fails the stream, as a POST does.
  asio::awaitable<void> send_pieces(const HttpRequestForm& form, InUse& slot) {
    transport_->note_split(form.doc_count);
    const std::size_t count = form.piece_count();
    std::vector<DataRequest> answers;
    answers.reserve(count);
    std::size_t wire_bytes = 0;
    for (std::size_t i = 0; i < count; ++i) {
      HttpRequestForm piece;
      HttpPost call;
      try {
        piece = form.piece(i);
        call = http_post_for(piece, format_, paths_, transport_->api());
      } catch (const std::exception& e) {
        fail(absl::InvalidArgumentError(std::string("cannot send the request as JSON: ") +
                                        e.what()));
        co_return;
      }
      const std::string what = "POST " + call.path + " at " + transport_->target() + " (piece " +
                               std::to_string(i + 1) + " of " + std::to_string(count) + ", " +
                               std::to_string(piece.doc_count) + " of the request's " +
                               std::to_string(form.doc_count) + " Documents)";
      auto answer = co_await transport_->exchange(http::verb::post, call.path, std::move(call.body),
                                                  std::nullopt, &slot);
      last_news_ = Clock::now();
      if (failure_) co_return;
      if (!answer.ok()) {
        fail(absl::Status(answer.status().code(),
                          std::string(answer.status().message()) + " (" + what + ")"));
        co_return;
      }
      wire_bytes += answer->body.size();
      auto response = response_from_http(answer->status, answer->body, piece, format_);
      if (!response.ok()) {
        fail(absl::Status(response.status().code(),
                          what + ": " + std::string(response.status().message())));
        co_return;
      }
      if (!response->header().status().ok()) {
        DataRequest whole;
        try {
          whole = piece_error_response(form, format_, response->header().status());
        } catch (const std::exception& e) {
          fail(absl::DataLossError(what + ": cannot hand the request back: " + e.what()));
          co_return;
        }
        observer_->on_response(std::move(whole), wire_bytes);
        co_return;
      }
      answers.push_back(std::move(*response));
    }
    observer_->on_response(join_piece_responses(std::move(answers)), wire_bytes);
  }

  void maybe_finish() {
    if (done_ || workers_ > 0) return;
    if (!failure_ && !(half_closed_ && queue_.empty())) return;
    done_ = true;
    liveness_.cancel();
    observer_->on_done(failure_ ? *failure_ : absl::OkStatus());
    finished_.set_value();
  }

  HttpTransport* transport_;  // outlives its streams
  StreamObserver* observer_;
  DocFormat format_;
  std::set<std::string> paths_;  // the gateway's POST routes (HttpApi::kAuto)
  bool paths_known_ = false;
  bool asking_paths_ = false;
  asio::steady_timer paths_asked_;  // "cancelled" once paths_ is known
  int max_workers_;
  int workers_ = 0;
  std::size_t starting_ = 0;
  std::deque<std::shared_ptr<const std::string>> queue_;
  std::vector<InUse*> busy_;
  bool half_closed_ = false;
  bool done_ = false;
  std::optional<absl::Status> failure_;
  bool watching_ = false;
  std::promise<void> finished_;
};

using HttpStream = beast_io::PostedStream<HttpStreamState>;

std::unique_ptr<RequestStream> HttpTransport::open_stream(const StreamOptions& options,
                                                          StreamObserver* observer) {
  auto state = std::make_shared<HttpStreamState>(this, options, observer);
  return std::make_unique<HttpStream>(std::move(state), io_.context());
}

// Has the kernel probe a connection that carries no data for `keepalive`
// (twice more, `keepalive` / 2 apart): a stream's peer that vanished (a
// host gone, a connection a middlebox dropped) is noticed while the stream
// waits, without an application-level ping.
void set_tcp_keepalive(beast_io::tcp::socket& socket, std::chrono::milliseconds keepalive) {
  if (keepalive.count() <= 0) return;
  boost::system::error_code ignored;
  socket.set_option(asio::socket_base::keep_alive(true), ignored);
#if defined(TCP_KEEPIDLE) && defined(TCP_KEEPINTVL) && defined(TCP_KEEPCNT)
  const int idle = static_cast<int>(std::clamp<std::int64_t>((keepalive.count() + 999) / 1000, 1,
                                                             std::numeric_limits<short>::max()));
  const int interval = std::max(1, idle / 2);
  const int count = 2;
  const int fd = socket.native_handle();
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
#endif
}

// One call of a streaming endpoint over Server-Sent Events (jina 3.34's
// HTTP gateway, docs/streaming-protocol.md §3): `GET /<endpoint>` with the
// Document as JSON on a connection of its own, then the body is read as it
// comes, one event at a time. Everything runs on the I/O thread.
//
// Backpressure: after an item is handed to the observer nothing more is
// read (neither the socket nor what was read already) until read_next(),
// so the socket's buffers fill and the gateway's writes block. At most one
// read (16 KiB of body, 64 KiB of socket bytes) waits here unparsed.
//
// Liveness: the socket has TCP keepalive (a peer that vanished), and while
// the call waits for an item, GET /status probes a gateway silent for
// ClientOptions::keepalive (as posts do; jina's `: ping` every 15 s counts
// as news). The consumer's own time does not count. item_timeout and
// timeout are the DocStream's.
//
// After `event: end`, the rest of the response (jina's last chunk follows at
// once) is read within a second, and the connection goes to the transport's
// idle pool when it may stay open; any other end closes it.
class SseCall final : public Watched, public std::enable_shared_from_this<SseCall> {
 public:
  // Throws InvalidArgument for a Document that JSON cannot carry.
  SseCall(HttpTransport* transport, const DataRequest& request, StreamObserver* observer)
      : Watched(transport->context()),
        transport_(transport),
        observer_(observer),
        exec_endpoint_(request.header().exec_endpoint()),
        request_(sse_request_for(request)),
        what_("GET " + request_.path + " at " + transport->target()),
        events_(transport->endpoint().max_response_bytes),
        resume_(transport->context(), asio::steady_timer::time_point::max()) {}

  std::future<void> finished() { return finished_.get_future(); }

  void start() {
    last_news_ = Clock::now();
    asio::co_spawn(transport_->context(), run(shared_from_this()), asio::detached);
    if (transport_->keepalive().count() > 0) {
      asio::co_spawn(transport_->context(), watch_liveness(shared_from_this(), transport_),
                     asio::detached);
    }
  }

  void read_next() {
    if (done_ || !paused_) return;
    paused_ = false;
    last_news_ = Clock::now();  // the consumer's time is not the gateway's silence
    resume_.cancel();
  }

  // Ends the call at once: the connection (or the connect) is aborted.
  void cancel() { finish(absl::CancelledError(what_ + ": the stream was cancelled")); }

 private:
  using Body = http::buffer_body;
  static constexpr std::size_t kReadBytes = 16 * 1024;

  bool over() const override { return done_; }
  bool waiting() const override { return !paused_; }
  void silent(const absl::Status& probe, std::chrono::milliseconds keepalive) override {
    finish(absl::UnavailableError(
        what_ + ": nothing on the stream for " + std::to_string(keepalive.count()) + " ms after " +
        items_text() + ", and no answer to a liveness probe (GET /status: " +
        std::string(probe.message()) + "): a silent server (ClientOptions::keepalive)"));
  }

  std::string items_text() const {
    return std::to_string(items_) + (items_ == 1 ? " item" : " items");
  }

  // Delivers how the call ended, once; a failure or cancel closes the
  // connection, which ends what the call is waiting for.
  void finish(absl::Status status) {
    if (done_) return;
    done_ = true;
    liveness_.cancel();
    resume_.cancel();
    if (!status.ok()) {
      if (abort_connect_) abort_connect_();
      if (pooled_ && pooled_->connection) pooled_->connection->close();
    }
    StreamObserver* observer = std::exchange(observer_, nullptr);
    observer->on_done(std::move(status));
    finished_.set_value();
  }

  static asio::awaitable<void> run(std::shared_ptr<SseCall> self) {
    co_await self->stream();
    self->pooled_.reset();  // on this thread: the socket is the I/O thread's
  }

  template <class Op>
  asio::awaitable<boost::system::error_code> on_stream(Op op) {
    boost::system::error_code error;
    co_await std::visit(
        [&](auto& stream) { return op(stream, asio::redirect_error(asio::use_awaitable, error)); },
        pooled_->connection->stream());
    co_return error;
  }

  // One read of body bytes into body_ (none at the end of the body).
  asio::awaitable<boost::system::error_code> read_body(http::response_parser<Body>& parser) {
    parser.get().body().data = read_buffer_.data();
    parser.get().body().size = read_buffer_.size();
    auto error = co_await on_stream([&](auto& stream, auto token) {
      return http::async_read_some(stream, pooled_->buffer, parser, token);
    });
    if (error == http::error::need_buffer) error = {};
    body_.append(read_buffer_.data(), read_buffer_.size() - parser.get().body().size);
    co_return error;
  }

  asio::awaitable<void> stream() {
    if (done_) co_return;
    const beast_io::Endpoint& endpoint = transport_->endpoint();
    boost::system::error_code error;
    try {
      pooled_ = std::make_unique<PooledConnection>();
      pooled_->connection =
          co_await Connection::open(endpoint, endpoint.connect_timeout, &abort_connect_);
    } catch (const boost::system::system_error& e) {
      error = e.code();
    }
    if (done_) co_return;
    if (error) {
      co_return finish(beast_io::connect_status(error, "cannot connect to " + transport_->target(),
                                                endpoint.connect_timeout));
    }
    set_tcp_keepalive(pooled_->connection->tcp().socket(), endpoint.keepalive);

    // jina's Python client sends the same (docs/streaming-protocol.md §3.1).
    http::request<http::string_body> request{http::verb::get, request_.path, 11};
    request.set(http::field::host, endpoint.host_header);
    request.set(http::field::user_agent, "jina-cpp");
    request.set(http::field::accept, "text/event-stream");
    request.set(http::field::content_type, "application/json");
    request.body() = std::move(request_.body);
    request.keep_alive(true);
    request.prepare_payload();
    http::response_parser<Body> parser;
    // A stream has no end in sight: events are bounded instead. (Not
    // boost::none: Beast 1.74 then refuses any Content-Length.)
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    error = co_await on_stream(
        [&](auto& stream, auto token) { return http::async_write(stream, request, token); });
    if (!error) {
      error = co_await on_stream([&](auto& stream, auto token) {
        return http::async_read_header(stream, pooled_->buffer, parser, token);
      });
    }
    if (done_) co_return;
    if (error) co_return finish(beast_io::network_status(error, what_));
    last_news_ = Clock::now();

    const auto& head = parser.get();
    const int status = static_cast<int>(head.result_int());
    const std::string content_type(head[http::field::content_type]);
    const std::string allow(head[http::field::allow]);
    auto answer = sse_answer_status(status, content_type, allow, {}, what_);
    if (!answer.ok()) {
      // The start of the body says more (jina's {"detail": ...}); not waited for long.
      pooled_->connection->tcp().expires_after(std::chrono::seconds(2));
      while (!parser.is_done() && body_.size() < 1024 && !co_await read_body(parser)) {
      }
      if (done_) co_return;
      co_return finish(sse_answer_status(status, content_type, allow, body_, what_));
    }

    for (;;) {
      // The events in what was read, one at a time.
      for (;;) {
        std::string_view input(body_);
        input.remove_prefix(parsed_);
        auto event = events_.next(input);
        parsed_ = body_.size() - input.size();
        if (!event.ok()) {
          co_return finish(
              absl::DataLossError(what_ + ": " + std::string(event.status().message()) + " after " +
                                  items_text() + " (ClientOptions::max_response_bytes)"));
        }
        if (!event->has_value()) break;
        const wire::SseEvent& e = **event;
        if (e.type == "update") {
          paused_ = true;
          deliver(e.data);
          while (paused_ && !done_) {
            resume_.expires_at(asio::steady_timer::time_point::max());
            boost::system::error_code ignored;
            co_await resume_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
          }
          if (done_) co_return;
        } else if (e.type == "end") {
          // The connection is idle before the consumer learns of the end
          // (and may make another request) when the rest of the response
          // was read with the event, as from jina.
          if (response_read(parser) && parser.get().keep_alive()) {
            transport_->keep_idle(std::move(pooled_));
          }
          finish(absl::OkStatus());
          if (pooled_) co_await keep_connection(parser);
          co_return;
        } else if (e.type == "error") {
          // jina sends none; a server that says why it stops is believed.
          // The local Flow's Executor error: BadServer, as over gRPC.
          if (std::optional<Status> status = sse_error_status(e.data)) {
            DataRequest error_item;
            error_item.header().set_exec_endpoint(exec_endpoint_).set_status(std::move(*status));
            observer_->on_response(std::move(error_item), e.data.size());
          }
          co_return finish(absl::UnknownError(what_ +
                                              ": the stream ended with an error event after " +
                                              items_text() + ": " + e.data.substr(0, 300)));
        }
        // Other events: not jina's, ignored.
      }
      body_.clear();
      parsed_ = 0;
      if (parser.is_done()) {
        co_return finish(absl::UnavailableError(what_ + ": the stream was cut after " +
                                                items_text() +
                                                ": the response ended without `event: end`"));
      }
      error = co_await read_body(parser);
      if (done_) co_return;
      if (error) {
        co_return finish(absl::UnavailableError(what_ + ": the stream was cut after " +
                                                items_text() + " (" + error.message() + ")"));
      }
      if (!body_.empty()) last_news_ = Clock::now();
    }
  }

  void deliver(const std::string& data) {
    auto item = sse_item_from(data, exec_endpoint_);
    if (!item.ok()) {
      observer_->on_bad_response(absl::DataLossError(what_ + ": after " + items_text() + ": " +
                                                     std::string(item.status().message())),
                                 data.size());
      return;
    }
    ++items_;
    observer_->on_response(std::move(*item), data.size());
  }

  // Parses what was read past the body's bytes so far: whether the response
  // is complete.
  bool response_read(http::response_parser<Body>& parser) {
    while (!parser.is_done()) {
      parser.get().body().data = read_buffer_.data();
      parser.get().body().size = read_buffer_.size();
      boost::system::error_code error;
      const std::size_t used = parser.put(pooled_->buffer.data(), error);
      pooled_->buffer.consume(used);
      if (error == http::error::need_buffer) continue;
      if (error || used == 0) return false;
    }
    return true;
  }

  // After `event: end`: reads the rest of the response (briefly) and gives
  // the connection to the pool when it may serve another request.
  asio::awaitable<void> keep_connection(http::response_parser<Body>& parser) {
    pooled_->connection->tcp().expires_after(std::chrono::seconds(1));
    boost::system::error_code error;
    while (!parser.is_done() && !error) {
      body_.clear();
      error = co_await read_body(parser);
    }
    if (!error && parser.get().keep_alive()) transport_->keep_idle(std::move(pooled_));
  }

  HttpTransport* transport_;  // outlives its streams
  StreamObserver* observer_;  // null once it got on_done
  std::string exec_endpoint_;
  SseRequest request_;
  std::string what_;  // "GET /x at host:port", for messages
  wire::SseParser events_;
  asio::steady_timer resume_;  // "cancelled" by read_next()
  std::unique_ptr<PooledConnection> pooled_;
  std::function<void()> abort_connect_;  // set while connecting
  std::array<char, kReadBytes> read_buffer_{};
  std::string body_;        // body bytes read and not yet all parsed
  std::size_t parsed_ = 0;  // of body_
  std::size_t items_ = 0;   // delivered
  bool paused_ = false;     // an item was delivered: waits for read_next()
  bool done_ = false;       // the observer got on_done
  std::promise<void> finished_;
};

// The consumer's side of an SseCall: every call is posted to the I/O thread.
class HttpDocStream final : public ItemStream {
 public:
  HttpDocStream(std::shared_ptr<SseCall> call, HttpTransport* transport)
      : call_(std::move(call)), transport_(transport), finished_(call_->finished()) {}

  ~HttpDocStream() override {
    // On the I/O thread (an observer that drops its stream) a posted cancel
    // would wait for this very thread: cancel here, on_done included.
    if (transport_->on_io_thread()) {
      call_->cancel();
    } else {
      cancel();
    }
    finished_.wait();
  }

  void read_next() override {
    asio::post(transport_->context(), [c = call_] { c->read_next(); });
  }
  void cancel() override {
    asio::post(transport_->context(), [c = call_] { c->cancel(); });
  }

 private:
  std::shared_ptr<SseCall> call_;
  HttpTransport* transport_;  // outlives its streams
  std::future<void> finished_;
};

std::unique_ptr<ItemStream> HttpTransport::open_doc_stream(const DataRequest& request,
                                                           const StreamOptions& options,
                                                           StreamObserver* observer) {
  (void)options;  // docarray v2 JSON always; no metadata over HTTP
  auto call = std::make_shared<SseCall>(this, request, observer);
  auto stream = std::make_unique<HttpDocStream>(call, this);
  call->start();
  return stream;
}

}  // namespace

std::shared_ptr<Transport> make_http_transport(const Target& target, const ClientOptions& options) {
  return std::make_shared<HttpTransport>(target, options);
}

}  // namespace jina::internal
