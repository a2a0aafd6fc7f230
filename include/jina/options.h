// Options of a jina::Client (where and how to connect) and of one post()
// (batching, callbacks, retries, deadlines).
//
// Both are plain aggregates meant for designated initializers (every member
// has a default member initializer, so GCC's -Wmissing-field-initializers
// stays quiet about the ones left out):
//
//   jina::Client c({.host = "localhost", .port = 54321});
//   c.post("/search", docs, {.request_size = 10, .parameters = {{"top_k", 5}}});
//
// Defaults follow Jina's Python client unless a comment says otherwise.
#ifndef JINA_OPTIONS_H_
#define JINA_OPTIONS_H_

#include <atomic>
#include <concepts>
#include <cstddef>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "jina/document.h"
#include "jina/error.h"
#include "jina/protocol.h"
#include "jina/request.h"

namespace jina {

// gRPC message compression for the requests of a post().
enum class Compression { kNone, kGzip, kDeflate };

// How an HTTP Client addresses a docarray request. kAuto does what Jina's
// client does: reads the gateway's /openapi.json once and POSTs to the
// endpoint's own route if there is one, else to "/default" (docarray v2
// gateways), else to the generic "/post" (docarray v1 gateways).
enum class HttpApi { kAuto, kPerEndpoint, kPost };

// Where a Client connects. `host` may be a bare host name or address, or a
// URI such as "grpcs://example.com:443" whose scheme sets `protocol` and
// `tls` and whose port sets `port`; giving a setting both in the URI and as
// a field throws InvalidArgument (two sources of truth).
struct ClientOptions {
  // Host name, IPv4 or bracketed IPv6 address, or URI. Empty means
  // "0.0.0.0", which connects to this machine.
  std::string host{};
  // 1..65535; 0 means "not set": 443 with TLS, 80 otherwise (as Jina).
  int port = 0;
  // Unset means gRPC.
  std::optional<Protocol> protocol{};
  // Unset means no TLS.
  std::optional<bool> tls{};

  // Several gateways of one Flow (replicas behind a Kubernetes Service, or
  // any list): each entry as `host` may be, no entry twice; the first
  // entry's scheme is the list's (another scheme later throws). `host` may
  // list them too, comma-separated ("grpc://10.0.0.1:8080,10.0.0.2:8080");
  // giving both throws
  // InvalidArgument. "dns:///name:port" (gRPC) stands for every address the
  // name resolves to (a headless Service), resolved again every
  // `dns_refresh_interval` seconds and when a gateway fails. With more than
  // one gateway the requests of each post are spread over the healthy ones
  // (the one with the fewest in flight first), a gateway that fails is left
  // out with backoff until a dry run succeeds, and its unanswered requests
  // go to the others (docs/scaling.md).
  std::vector<std::string> hosts{};
  // Seconds between two DNS resolutions of a "dns:///" host; > 0.
  double dns_refresh_interval = 30;
  // With several gateways: the most requests of one post in flight at one
  // gateway; the rest wait in the client for the first gateway with room,
  // so that a slower gateway gets fewer. 0 means no bound (requests are
  // spread as they are sent). Default 32.
  int gateway_window = 32;

  // gRPC only. false sends each request as one unary call
  // (`jina.JinaSingleDataRequestRPC/process_single_data`, Jina's
  // `stream=False`) instead of one bidirectional stream per post: for
  // proxies and service meshes that balance per call. HTTP posts each
  // request on its own already; WebSocket has no unary form (InvalidArgument).
  bool stream = true;

  // TLS files (PEM). Empty root file: the system's trusted roots. A client
  // certificate and key together enable mutual TLS. A file that cannot be
  // read throws InvalidArgument naming it, when the Client is built.
  std::string tls_root_certificates_file{};
  std::string tls_certificate_chain_file{};
  std::string tls_private_key_file{};
  // Name to check the server certificate against, when it differs from
  // `host` (e.g. connecting to 127.0.0.1 with a certificate for "localhost").
  std::string tls_server_name{};
  // DANGEROUS: accept any server certificate (self-signed, expired, for
  // another name), which lets anyone on the path read and change the
  // traffic. Only for tests against a throwaway self-signed Flow.
  // Verification is on unless this is set; a Client built with it writes a
  // warning to stderr once. Needs TLS (InvalidArgument otherwise). gRPC
  // still needs root certificates to exist (the system's or
  // tls_root_certificates_file), though they are not checked.
  bool tls_insecure_skip_verify = false;

  // The largest response accepted, in bytes: a gRPC message, an HTTP body or
  // a WebSocket message. Larger ones fail the post with a ConnectionError
  // naming the limit (RESOURCE_EXHAUSTED), instead of exhausting memory
  // when a gateway misbehaves. 1..2147483647; default 1 GiB (Jina sets no
  // limit; gRPC's own default is 4 MiB).
  int max_response_bytes = 1 << 30;

  // Seconds a gateway may stay silent, with requests waiting for answers,
  // before the Client checks that it is alive: gRPC sends an HTTP/2 ping
  // (even with no call in flight, as Jina's client), WebSocket a ping frame,
  // HTTP asks GET /status on another connection. No answer within half as
  // long again (WebSocket: nothing for 1.5 x keepalive; Boost.Beast pings
  // after 0.75 x) ends the post with a ConnectionError (UNAVAILABLE): a silent
  // gateway is given up on even without a `timeout`, while a slow Executor
  // behind a live gateway is waited for. 0 turns the checks off. Finite and
  // >= 0 (InvalidArgument otherwise); default 10 (Jina's). Gateways may
  // refuse gRPC pings more often than every 10 s, and a WebSocket gateway
  // that stops reading at its in-flight limit answers no ping meanwhile:
  // raise it for Executors slower than this with many requests in flight.
  double keepalive = 10;

  // Seconds one connection attempt may take (TCP, TLS, and the WebSocket or
  // HTTP/2 handshake) before it counts as failed: UNAVAILABLE, retried as any
  // connection failure. A post's `timeout` still bounds it. 0: the
  // protocol's default: HTTP and WebSocket 5 s, gRPC 2 x `keepalive` (20 s
  // without keepalive, gRPC's own), at least 1 s. gRPC gives an attempt at
  // least its reconnect backoff, which grows to 1-1.2 s after the first
  // attempts. Finite and >= 0 (InvalidArgument otherwise).
  double connect_timeout = 0;

  // Which docarray wire format the Flow speaks. Unset: asked once from the
  // Flow's status (docarray < 0.30 means v1), v2 when that fails.
  std::optional<DocFormat> doc_format{};

  // HTTP only: which routes requests go to (see HttpApi).
  HttpApi http_api = HttpApi::kAuto;

  // AsyncClient only: where the user code of its posts runs (PostOptions
  // callbacks and generator inputs; PostTask callbacks have their own
  // thread). A function that runs each job it is given soon, on a thread of
  // its choosing; jobs may run at once, and the callbacks of one post arrive
  // one at a time, in order. It is called on the AsyncClient's loop threads:
  // it must neither block nor throw, and a job it runs inline holds back
  // every post of the AsyncClient while it runs. Jobs still queued when the
  // AsyncClient is destroyed must still run or be dropped (its destructor
  // waits until the executor let go of every job). Unset: a pool of
  // `callback_threads` threads that the AsyncClient owns.
  std::function<void(std::function<void()>)> callback_executor{};
  // AsyncClient only: the most threads of that pool, 1..1024 (InvalidArgument
  // otherwise). A callback or generator that blocks holds one thread; the
  // user code of other posts waits while all are held: give it at least as
  // many threads as posts whose generators wait on outside input, plus one.
  // PostTask::get() inside that user code throws FailedPrecondition rather
  // than wait for a thread it may hold (attach a callback instead).
  int callback_threads = 4;
};

// A flag to stop a running post() from another thread. Copies share the
// flag. Cancelling ends the post within milliseconds: every request without
// a response gets `on_error`/`on_always`, then post() throws jina::Cancelled.
//
// Thread-safe.
class CancelToken {
 public:
  CancelToken();

  void cancel();
  bool cancelled() const;

  // Calls `listener` once when cancel() is called (at once if it was
  // already); returns a handle for remove_listener. For the library.
  int add_listener(std::function<void()> listener) const;
  void remove_listener(int handle) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// PostOptions::on_error: a callable taking (const Response&, const Error&),
// or (const Response&) alone when the error does not matter (Jina's client
// makes the exception argument optional). Empty by default; tests as bool.
class PostErrorCallback {
 public:
  PostErrorCallback() = default;
  PostErrorCallback(std::nullptr_t) {}  // NOLINT: as std::function
  template <class F>
  requires(!std::same_as<std::decay_t<F>, PostErrorCallback> &&
           std::invocable<F&, const Response&, const Error&>) PostErrorCallback(F fn)
      : fn_(std::move(fn)) {}  // NOLINT: implicit, as std::function
  template <class F>
  requires(!std::invocable<F&, const Response&, const Error&> &&
           std::invocable<F&, const Response&>)
      PostErrorCallback(F fn)  // NOLINT: implicit, as std::function
      : fn_([fn = std::move(fn)](const Response& response, const Error&) mutable {
          fn(response);
        }) {}

  void operator()(const Response& response, const Error& error) const { fn_(response, error); }
  explicit operator bool() const { return static_cast<bool>(fn_); }

 private:
  std::function<void(const Response&, const Error&)> fn_;
};

// Options of one post(). Callbacks run on the thread that called post(),
// one at a time, in the order responses arrive (or in input order with
// `results_in_order`). An exception thrown by a callback ends the post: the
// stream is cancelled, every other request sent still gets its outcome
// (on_error with a jina::Error of code ABORTED saying why, then on_always),
// and then the exception propagates out of post().
struct PostOptions {
  // Documents per request; 0 or less puts all inputs in one request.
  int request_size = 100;
  // A JSON object sent to every Executor; `__results__: {}` is added as
  // Jina's client does. Anything but an object or null, binary values,
  // strings that are not UTF-8, or nesting deeper than 32 levels (what the
  // gateway's protobuf parser accepts) throw InvalidArgument.
  nlohmann::json parameters = nullptr;
  // Regex on Executor names: only matching Executors process the requests.
  std::string target_executor{};

  // Called for every successful response.
  std::function<void(const Response&)> on_done{};
  // Called for every response carrying an Executor error (then `error` is a
  // BadServer), and for every request left without a response when the post
  // ends early: the error the post ends with (a ConnectionError, Timeout,
  // Cancelled, or another jina::Error such as DATA_LOSS for a response that
  // does not parse), or, when another request's Executor error, a callback
  // or an input generator ended it, a jina::Error of code ABORTED naming
  // that cause. The response
  // is then the request itself with header().status() describing the
  // failure. docs/errors.md lists every case. May take the response alone.
  PostErrorCallback on_error{};
  // Called after on_done or on_error, for every request.
  std::function<void(const Response&)> on_always{};
  // Executor errors without `on_error` do not end the post (no BadServer);
  // as in Jina's client, the failed requests' Documents are still returned.
  // Transport errors always throw.
  bool continue_on_error = false;

  // Attempts per request (including the first), on gRPC status
  // UNAVAILABLE, DEADLINE_EXCEEDED or INTERNAL or a stream that breaks;
  // only requests without a response are sent again. Attempt n > 1 waits a
  // random time in [0, min(initial_backoff * backoff_multiplier^(n-2),
  // max_backoff)] seconds.
  int max_attempts = 1;
  double initial_backoff = 0.5;
  double max_backoff = 2.0;
  double backoff_multiplier = 1.5;

  Compression compression = Compression::kNone;
  // Most requests in flight (sent, outcome not yet delivered); also sent to
  // the gateway as `__prefetch__`. 0 means no bound.
  int prefetch = 1000;
  // Most Documents in requests awaiting their response (one request is
  // always allowed); 0 means no bound. With `prefetch` it bounds the memory
  // of a post whatever the number of inputs: large requests are held back by
  // this, small ones by `prefetch`.
  int max_docs_in_flight = 10000;
  // Deliver responses in input order (also asks the gateway to).
  bool results_in_order = false;
  // Seconds the whole post may take, from the call to the last outcome:
  // learning the Flow's docarray format, connecting, sending, backoff and
  // re-sends included (Jina's `timeout`: the deadline of the whole call).
  // 0 = no limit. When it passes the post ends: requests without a response
  // get on_error (jina::Timeout) and post() throws jina::Timeout; or, when
  // the Flow was unreachable all along, a ConnectionError (as Jina's).
  double timeout = 0;
  // Draw a progress line on stderr when stderr is a terminal.
  bool show_progress = false;
  // Draw the progress line even when stderr is not a terminal.
  bool force_progress = false;

  // Extra gRPC metadata for the call. Keys are lowercase letters, digits,
  // '-', '_', '.'; values printable ASCII unless the key ends in "-bin".
  // Anything else throws InvalidArgument.
  std::vector<std::pair<std::string, std::string>> metadata{};
  // Cancels the post from another thread.
  std::optional<CancelToken> cancel{};
};

// Options of one Client::stream_doc() call (a streaming endpoint: one
// Document in, Documents out as the Executor produces them).
struct StreamDocOptions {
  // A JSON object sent with the request (anything else throws
  // InvalidArgument). The local Flow hands it to the Executor; jina 3.34's
  // own gateways and Executors drop it (docs/streaming.md). gRPC only: over
  // HTTP the request is the Document alone, with no place for it.
  nlohmann::json parameters = nullptr;
  // Seconds the whole stream may take, connecting and retries included;
  // 0 = no limit. Then the call ends with jina::Timeout.
  double timeout = 0;
  // Seconds the Flow may stay silent before the first item and between two
  // items (time the consumer spends on an item does not count); 0 = no
  // limit. Then the call ends with jina::Timeout.
  double item_timeout = 0;
  // Attempts in all, with the backoff of PostOptions, on UNAVAILABLE,
  // DEADLINE_EXCEEDED or INTERNAL: only while no item has arrived, since a
  // second run of a generator would repeat its items.
  int max_attempts = 1;
  double initial_backoff = 0.5;
  double max_backoff = 2.0;
  double backoff_multiplier = 1.5;
  // Extra gRPC metadata, as PostOptions::metadata (gRPC only).
  std::vector<std::pair<std::string, std::string>> metadata{};
  // Cancels the call from another thread.
  std::optional<CancelToken> cancel{};
};

}  // namespace jina

#endif  // JINA_OPTIONS_H_
