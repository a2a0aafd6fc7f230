// jina::Client: sends Documents to a Jina Flow and hands back the results.
//
//   jina::Client client("grpc://localhost:54321");
//   jina::DocumentArray out = client.post("/search", docs, {.request_size = 10});
//
// One Client keeps one long-lived connection; every post() opens one bidi
// stream (`/jina.JinaRPC/Call`) on it, sends the inputs in batches of
// `request_size` with at most `prefetch` requests in flight, and reads
// responses while it writes.
//
// Errors: InvalidArgument for bad input, BadServer for an Executor error
// nobody handles, ConnectionError when the Flow cannot be reached after all
// attempts, Timeout, Cancelled (all in jina/error.h; docs/errors.md has the
// table). Every request sent gets exactly one outcome (on_done or on_error,
// then on_always) however the post ends, before post() returns or throws.
//
// Thread-safety: a Client may be used from many threads at once; each
// post() is independent, and copies of a Client share its connection.
// Callbacks of a post() run on the thread that called it, one at a time.
// A running post() holds the connection itself: destroying the Client (or
// its last copy) meanwhile neither waits for nor cancels it; the post ends
// as it would have, then the connection closes.
// Over HTTP every request is one POST (keep-alive connections, up to
// `prefetch` in flight on several connections); over WebSocket one socket
// per post() carries the requests as binary frames.
//
// Performance: requests are encoded on the calling thread. Over gRPC the
// calling thread also reads and decodes the responses while it waits (no
// hand-off between threads per response); over HTTP and WebSocket the
// library's I/O thread does. Memory is bounded by `prefetch`, not by the
// number of inputs.
#ifndef JINA_CLIENT_H_
#define JINA_CLIENT_H_

#include <concepts>
#include <cstddef>
#include <functional>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "jina/document.h"
#include "jina/options.h"
#include "jina/request.h"
#include "jina/stats.h"

namespace jina {

// What post() sends: nothing (one request with parameters only), one
// Document, a DocumentArray or vector (borrowed when passed as an lvalue,
// moved from when passed as an rvalue), or a generator: any callable
// returning std::optional<Document>, called only as fast as requests are
// sent, until it returns nullopt.
class Inputs {
 public:
  using Generator = std::function<std::optional<Document>()>;

  Inputs() = default;
  Inputs(const Document& doc) : source_(Span{&doc, 1}) {}  // NOLINT: implicit by design
  Inputs(Document&& doc) : source_(std::vector<Document>{std::move(doc)}) {}              // NOLINT
  Inputs(const DocumentArray& docs) : Inputs(docs.docs()) {}                              // NOLINT
  Inputs(DocumentArray&& docs) : source_(std::move(docs.docs())) {}                       // NOLINT
  Inputs(const std::vector<Document>& docs) : source_(Span{docs.data(), docs.size()}) {}  // NOLINT
  Inputs(std::vector<Document>&& docs) : source_(std::move(docs)) {}                      // NOLINT
  template <class F>
  requires(std::invocable<F&>&&
               std::same_as<std::remove_cvref_t<std::invoke_result_t<F&>>, std::optional<Document>>)
      Inputs(F generator)
      : source_(Generator(std::move(generator))) {}  // NOLINT

  // Whether there are no inputs at all (one parameters-only request).
  bool none() const { return std::holds_alternative<std::monostate>(source_); }
  // How many Documents there are, when known (not for a generator).
  std::optional<std::size_t> size() const;

  // Moves the next at most `n` Documents (all when n <= 0) into `out`;
  // returns false when the inputs were already exhausted. For the library.
  bool next_batch(int n, DocumentArray& out);
  // Whether next_batch is known to return false: the last Document was taken
  // (a generator is known to be over only once it returned nullopt).
  bool exhausted() const { return exhausted_ || none(); }

 private:
  struct Span {
    const Document* data;
    std::size_t size;
  };
  std::variant<std::monostate, Span, std::vector<Document>, Generator> source_;
  std::size_t position_ = 0;
  bool exhausted_ = false;
};

namespace internal {
class ClientCore;
class DocStreamCall;
class Transport;
struct ClientAccess;
}  // namespace internal

// The items of one Client::stream_doc() call, read as the consumer asks for
// them: the next item is requested from the Flow only when one is taken, so
// a slow consumer holds the Executor back (at most one item waits here).
//
//   for (jina::Document& token : client.stream_doc("/generate", prompt)) ...
//
// next() (and the iterator) throw what stream_doc() documents. Destroying
// the stream before its end cancels the call.
//
// Thread-safety: one thread reads; cancel() may be called from any thread.
class DocStream {
 public:
  DocStream(DocStream&&) noexcept;
  DocStream& operator=(DocStream&&) noexcept;
  ~DocStream();

  // The next Document, waiting for it; nullopt once the stream ended
  // normally (and on every call after that).
  std::optional<Document> next();
  // Ends the call: a next() waiting, or the next one, throws jina::Cancelled.
  void cancel();
  // Items taken so far.
  std::size_t items() const;

  // An input iterator over next()'s Documents.
  class iterator {
   public:
    using value_type = Document;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    Document& operator*() const { return *current_; }
    Document* operator->() const { return &*current_; }
    iterator& operator++() {
      current_ = stream_->next();
      return *this;
    }
    void operator++(int) { ++*this; }
    bool operator==(std::default_sentinel_t) const { return !current_.has_value(); }

   private:
    friend class DocStream;
    explicit iterator(DocStream* stream) : stream_(stream), current_(stream->next()) {}
    DocStream* stream_ = nullptr;
    mutable std::optional<Document> current_;
  };
  iterator begin() { return iterator(this); }
  std::default_sentinel_t end() const { return {}; }

 private:
  friend class Client;
  explicit DocStream(std::unique_ptr<internal::DocStreamCall> call);
  std::unique_ptr<internal::DocStreamCall> call_;
};

class Client {
 public:
  // `host` is a host name or a URI ("grpc://h:1234", "grpcs://h", "h:1234",
  // "http://h:8080", "wss://h").
  // Throws InvalidArgument for a malformed host, a setting given twice, an
  // unsupported protocol or an unreadable TLS file.
  explicit Client(std::string_view host);
  Client(std::string_view host, ClientOptions options);
  explicit Client(ClientOptions options = {});
  ~Client();
  // Copies share the connection (cheap).
  Client(const Client&);
  Client& operator=(const Client&);
  Client(Client&&) noexcept;
  Client& operator=(Client&&) noexcept;

  // Sends `inputs` to `endpoint` ("/index", "/search", "/" ...). The
  // endpoint goes to the gateway as given, as Jina's client sends it (no
  // leading '/' added; "" stays ""); over HTTP it becomes a percent-encoded
  // path. One that is not UTF-8 throws InvalidArgument. Returns the
  // Documents of all responses, in arrival order (input order with
  // `results_in_order`); empty when `on_done` or `on_always` is given (the
  // callbacks see the results instead). Throws BadServer for an Executor
  // error without `on_error`/`continue_on_error`, ConnectionError when the
  // Flow cannot be reached after all attempts, Timeout, Cancelled, or
  // whatever a callback throws.
  DocumentArray post(std::string_view endpoint, Inputs inputs = {},
                     const PostOptions& options = {});
  // As post(), but returns every Response, in arrival (or input) order.
  std::vector<Response> post_responses(std::string_view endpoint, Inputs inputs = {},
                                       const PostOptions& options = {});

  // Calls a streaming endpoint (a generator Executor method: one Document
  // in, Documents out as they are produced, e.g. the tokens of an LLM) over
  // gRPC (`stream_doc`) or HTTP (Server-Sent Events); WebSocket gateways
  // have none (InvalidArgument). Returns at once; reading the DocStream
  // connects and waits for the items. It throws BadServer when the Executor
  // fails (after the items produced before the failure), ConnectionError
  // when the Flow cannot be reached or the stream breaks, Timeout, Cancelled;
  // over HTTP an Error with NOT_FOUND for an unknown endpoint and
  // FAILED_PRECONDITION for one that does not stream.
  // A stream that ends without an error has ended normally: jina 3.34's
  // gateways hide an Executor's failure that way (docs/streaming.md).
  DocStream stream_doc(std::string_view endpoint, Document document,
                       const StreamDocOptions& options = {});
  // As above, handing each Document to `on_item` on the calling thread as it
  // arrives; returns when the stream is over, and throws as above or what
  // `on_item` throws (which cancels the call).
  template <class F>
  requires std::invocable<F&, Document&&>
  void stream_doc(std::string_view endpoint, Document document, F&& on_item,
                  const StreamDocOptions& options = {}) {
    DocStream stream = stream_doc(endpoint, std::move(document), options);
    while (std::optional<Document> item = stream.next()) on_item(std::move(*item));
  }

  // post() on "/index", "/search", "/update", "/delete".
  DocumentArray index(Inputs inputs = {}, const PostOptions& options = {});
  DocumentArray search(Inputs inputs = {}, const PostOptions& options = {});
  DocumentArray update(Inputs inputs = {}, const PostOptions& options = {});
  DocumentArray remove(Inputs inputs = {}, const PostOptions& options = {});

  // Whether the Flow answers a dry run successfully within `timeout`
  // seconds. Never throws (as Jina's); why not is logged at kInfo.
  bool is_flow_ready(double timeout = 3.0) const;
  // The endpoints the Flow's Executors expose. Throws ConnectionError (or
  // Timeout, or jina::Error for a gateway without discovery).
  std::vector<std::string> endpoints(double timeout = 10.0) const;
  // The Flow's versions and environment:
  // {"jina": {"jina": "3.34.0", "docarray": ...}, "envs": {...}}.
  // Throws ConnectionError.
  nlohmann::json status(double timeout = 10.0) const;
  // Sends a GraphQL query or mutation with `variables` (a JSON object or
  // null) to the gateway's /graphql endpoint and returns its JSON answer,
  // {"data": ..., "errors": [...]} as the gateway wrote it. Only HTTP
  // gateways of docarray v1 started with `--expose-graphql-endpoint` have
  // one: elsewhere this throws jina::Error (NOT_FOUND or UNIMPLEMENTED).
  // Throws ConnectionError when the gateway cannot be reached.
  nlohmann::json mutate(std::string_view mutation, const nlohmann::json& variables = nullptr,
                        double timeout = 10.0) const;

  // The docarray format in use: ClientOptions::doc_format, or what status()
  // reports (asked once, waiting up to 5 s), or v2 when the Flow cannot tell.
  // Posts running meanwhile never wait for this call.
  DocFormat doc_format() const;

  // Requests, responses, bytes and latencies of every post() so far, by
  // this Client and its copies.
  ClientStats stats() const;

  // "host:port" this Client connects to; "h1:p1,h2:p2" for several
  // gateways.
  std::string target() const;
  // The protocol in use (ClientOptions::protocol or the URI's scheme).
  Protocol protocol() const;
  // Where this Client connects, as a URI with its scheme:
  // "grpcs://example.com:443", "http://h1:80,h2:80".
  std::string uri() const;

 private:
  // Over any transport: jina::testing::FakeGateway (jina/testing.h) and the
  // library's own tests.
  friend struct internal::ClientAccess;
  friend class AsyncClient;
  // stream_doc() on the connection of `core` (a Client's or an AsyncClient's).
  static DocStream stream_doc_on(std::shared_ptr<internal::ClientCore> core,
                                 std::string_view endpoint, Document document,
                                 const StreamDocOptions& options);
  // mutate() on the connection of `core`.
  static nlohmann::json mutate_on(internal::ClientCore& core, std::string_view mutation,
                                  const nlohmann::json& variables, double timeout);
  Client(std::shared_ptr<internal::Transport> transport, ClientOptions options);

  std::shared_ptr<internal::ClientCore> core_;
};

}  // namespace jina

#endif  // JINA_CLIENT_H_
