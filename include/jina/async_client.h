// jina::AsyncClient: posts that return at once, as promise-like tasks or as
// a stream of responses.
//
//   jina::AsyncClient ac("grpc://localhost:54321");
//   jina::PostTask t = ac.post("/", docs, {.request_size = 10})
//       .on_success([](const jina::DocumentArray& out) { ... })
//       .on_error([](const jina::Error& e) { ... });
//   jina::DocumentArray out = t.get();  // waits; rethrows
//   for (const jina::Response& r : ac.stream("/", docs)) { ... }
//
// A post runs exactly as Client::post does (batching, `prefetch`, retries,
// ordering, timeouts, PostOptions callbacks), and many posts run at once over
// the AsyncClient's one connection. Every Transport works: the post
// machinery is the Client's, whatever the protocol.
//
// Threads: no post has a thread of its own. Every post's engine runs on the
// AsyncClient's two post-loop threads, whatever its inputs and callbacks
// (over gRPC a post of one request is serialized and queued inside post(),
// which saves a thread hand-off). User code that may block runs on a bounded
// executor instead (ClientOptions::callback_executor, by default a pool of
// `callback_threads` threads): the PostOptions callbacks (on_done, on_error,
// on_always; those of one post one at a time, in order) and generator
// inputs (one batch at a time, only as fast as requests are sent). A post
// waits for them as for the Flow: a slow callback holds back its own post
// (its outcomes count against `prefetch`), and other posts' user code only
// once every executor thread is held. An InputQueue is read as Documents
// come, on the loop. PostTask callbacks (on_iter, on_success, on_error,
// on_finished) run on the AsyncClient's one callback thread, never two at
// once; a callback attached after the task has settled runs at once on the
// attaching thread. A slow PostTask callback delays the callbacks of every
// task of the client, not the posts themselves.
#ifndef JINA_ASYNC_CLIENT_H_
#define JINA_ASYNC_CLIENT_H_

#include <chrono>
#include <concepts>
#include <cstddef>
#include <exception>
#include <functional>
#include <future>
#include <iterator>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "jina/client.h"
#include "jina/document.h"
#include "jina/error.h"
#include "jina/options.h"
#include "jina/request.h"

namespace jina {

// A closable queue of Documents: one thread pushes, a post sends them as they
// come (the C++ counterpart of an async generator). The post ends its inputs
// when the queue is closed and drained. Copies share the queue; one queue
// feeds one post (a second post on it while the first runs fails with
// InvalidArgument).
//
//   jina::InputQueue q;
//   jina::PostTask t = ac.post("/index", q);
//   std::thread producer([q]() mutable { for (...) q.push(doc); q.close(); });
//
// Thread-safe.
class InputQueue {
 public:
  // push() blocks while `capacity` Documents wait to be sent (at least 1),
  // so a fast producer is slowed down to the pace of the post.
  explicit InputQueue(std::size_t capacity = 1024);

  // Queues `doc`; blocks while the queue is full. Returns false, dropping
  // `doc`, when no post will read it any more (the post was cancelled or
  // failed). Throws InvalidArgument after close().
  bool push(Document doc);
  // No more Documents: the post sends what is queued, then finishes.
  // Idempotent.
  void close();
  bool closed() const;

  // The next Document, waiting for one; nullopt once closed and drained, or
  // abandoned. This makes the queue an Inputs generator. For the library.
  std::optional<Document> operator()();
  // Wakes every waiter for good: pops return nullopt, pushes return false.
  // For the library (a cancelled or failed post calls it).
  void abandon();
  // Moves up to `max` queued Documents into `out` without waiting; returns
  // whether the queue is over (closed and drained, or abandoned). Until the
  // next call, `listener` then runs (on the pushing thread) once as many
  // Documents as were missing are queued (or all it can hold), and on close
  // and abandon. A queue feeds one post at a time: setting a listener while
  // one is set throws InvalidArgument (nullptr removes it). For the library.
  bool take_now(std::size_t max, std::vector<Document>& out);
  void set_listener(std::function<void()> listener);
  // Whether abandon() cut the queue short (Documents were left unsent, or it
  // was never closed).
  bool abandoned() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// What an AsyncClient post sends: what Inputs accepts, or an InputQueue.
// Unlike Inputs it always owns its Documents (an lvalue is copied), since the
// post outlives the call that started it.
class AsyncInputs {
 public:
  AsyncInputs() = default;
  AsyncInputs(Document doc) : inputs_(std::move(doc)) {}                       // NOLINT
  AsyncInputs(DocumentArray docs) : inputs_(std::move(docs)) {}                // NOLINT
  AsyncInputs(std::vector<Document> docs) : inputs_(std::move(docs)) {}        // NOLINT
  AsyncInputs(InputQueue queue) : inputs_(queue), queue_(std::move(queue)) {}  // NOLINT
  template <class F>
  requires(std::invocable<F&>&&
               std::same_as<std::remove_cvref_t<std::invoke_result_t<F&>>, std::optional<Document>>)
      AsyncInputs(F generator)
      : inputs_(std::move(generator)) {}  // NOLINT

  // For the library.
  Inputs& inputs() { return inputs_; }
  const std::optional<InputQueue>& queue() const { return queue_; }

 private:
  Inputs inputs_;
  std::optional<InputQueue> queue_;
};

namespace internal {
class AsyncCore;
struct TaskState;
struct StreamState;

// What a finished post left, as the callbacks so far changed it: exactly one
// of `docs` (success) and `error` is set. `error_view` is `error` as a
// jina::Error (a wrapper when a callback threw something else).
struct TaskOutcome {
  std::optional<DocumentArray> docs{};
  std::exception_ptr error{};
  std::exception_ptr error_view{};
  const Error* error_ptr() const;
};
using FinalCallback = std::function<void(TaskOutcome&)>;
// Gets one response and the result an `updates_result` on_iter left so far.
using IterCallback = std::function<void(const Response&, std::optional<DocumentArray>&)>;

// What PostTask::on_error takes: `fn(error)`, else `fn()`.
template <class F>
concept ErrorCallback = std::invocable<F&, const Error&> || std::invocable<F&>;
template <class F>
decltype(auto) call_on_error(F& fn, const Error& error) {
  if constexpr (std::invocable<F&, const Error&>) {
    return fn(error);
  } else {
    return fn();
  }
}
template <class F>
using ErrorCallbackResult =
    decltype(call_on_error(std::declval<F&>(), std::declval<const Error&>()));
}  // namespace internal

// The handle of one AsyncClient::post(). Copies share the task; destroying
// every copy neither cancels nor stops the post (its callbacks still run).
//
// Callbacks: on_iter runs for every response, in delivery order (one whose
// Executor error ends the post included); on_success, on_error and
// on_finished run once when the post ends, after every on_iter call, in the
// order they were attached. Each sees the outcome as the
// callbacks before it left it: with `updates_result = true` a callback's
// return value (a DocumentArray) becomes the task's result, so an on_error
// that returns one turns the task into a success. An exception thrown by a
// callback becomes the task's error (get() rethrows it; later callbacks see
// it, as a jina::Error); thrown by on_iter it also cancels the post.
// A callback attached after the task settled runs at once on the attaching
// thread (a late on_iter is replayed every response).
//
// Thread-safe. The task keeps its responses (for late on_iter and for get())
// until its last copy is gone: use AsyncClient::stream() for endless inputs.
class PostTask {
 public:
  PostTask() = default;

  // Every callback comes in two forms. `on_x(fn)` ignores what `fn` returns.
  // `on_x(fn, updates_result)` needs an `fn` that returns a DocumentArray
  // (anything else does not compile); with `updates_result = true` that
  // value becomes the task's result.

  template <class F>
  requires std::invocable<F&, const DocumentArray&> PostTask& on_success(F fn) {
    return add_success(std::move(fn), false);
  }
  template <class F>
  requires std::invocable<F&, const DocumentArray&> PostTask& on_success(F fn,
                                                                         bool updates_result) {
    check_returns_docs<F, std::invoke_result_t<F&, const DocumentArray&>>();
    return add_success(std::move(fn), updates_result);
  }

  // `fn(error)`, or `fn()` when the error does not matter.
  template <class F>
  requires internal::ErrorCallback<F> PostTask& on_error(F fn) {
    return add_error(std::move(fn), false);
  }
  template <class F>
  requires internal::ErrorCallback<F> PostTask& on_error(F fn, bool updates_result) {
    check_returns_docs<F, internal::ErrorCallbackResult<F>>();
    return add_error(std::move(fn), updates_result);
  }

  // `fn(docs, error)`: exactly one of them is non-null.
  template <class F>
  requires std::invocable<F&, const DocumentArray*, const Error*> PostTask& on_finished(F fn) {
    return add_finished(std::move(fn), false);
  }
  template <class F>
  requires std::invocable<F&, const DocumentArray*, const Error*> PostTask& on_finished(
      F fn, bool updates_result) {
    check_returns_docs<F, std::invoke_result_t<F&, const DocumentArray*, const Error*>>();
    return add_finished(std::move(fn), updates_result);
  }

  // With `updates_result`, the last value `fn` returned becomes the task's
  // result if the post succeeds.
  template <class F>
  requires std::invocable<F&, const Response&> PostTask& on_iter(F fn) {
    return add_on_iter(std::move(fn), false);
  }
  template <class F>
  requires std::invocable<F&, const Response&> PostTask& on_iter(F fn, bool updates_result) {
    check_returns_docs<F, std::invoke_result_t<F&, const Response&>>();
    return add_on_iter(std::move(fn), updates_result);
  }

  // Waits until the post ended and the callbacks attached so far ran; returns
  // the result or rethrows the error. Throws jina::Error when called from a
  // callback of the same AsyncClient on an unsettled task (it would wait for
  // itself). Throws InvalidArgument on a default-constructed task.
  DocumentArray get() const;
  // Waits at most `timeout`; returns whether the task has settled.
  template <class Rep, class Period>
  bool wait_for(std::chrono::duration<Rep, Period> timeout) const {
    return wait_until(std::chrono::steady_clock::now() +
                      std::chrono::duration_cast<std::chrono::steady_clock::duration>(timeout));
  }
  bool wait_until(std::chrono::steady_clock::time_point deadline) const;
  // Whether the post ended and the callbacks attached so far ran. Never blocks.
  bool done() const;
  // Ends the post within milliseconds if it is still running: it fails with
  // jina::Cancelled (unless it finished first). Idempotent.
  void cancel() const;

 private:
  friend class internal::AsyncCore;
  explicit PostTask(std::shared_ptr<internal::TaskState> state) : state_(std::move(state)) {}

  // Per callback type, so that each offending call gets its own error.
  template <class F, class R>
  static constexpr void check_returns_docs() {
    static_assert(std::is_convertible_v<R, DocumentArray>,
                  "updates_result needs a callback that returns a DocumentArray");
  }
  template <class F>
  PostTask& add_success(F fn, bool updates_result) {
    using R = std::invoke_result_t<F&, const DocumentArray&>;
    add_final([fn = std::move(fn), updates_result](internal::TaskOutcome& o) mutable {
      if (!o.docs) return;
      if constexpr (std::is_convertible_v<R, DocumentArray>) {
        if (updates_result) return replace_result(o, fn(*o.docs));
      }
      fn(*o.docs);
    });
    return *this;
  }
  template <class F>
  PostTask& add_error(F fn, bool updates_result) {
    using R = internal::ErrorCallbackResult<F>;
    add_final([fn = std::move(fn), updates_result](internal::TaskOutcome& o) mutable {
      if (!o.error) return;
      if constexpr (std::is_convertible_v<R, DocumentArray>) {
        if (updates_result) return replace_result(o, internal::call_on_error(fn, *o.error_ptr()));
      }
      internal::call_on_error(fn, *o.error_ptr());
    });
    return *this;
  }
  template <class F>
  PostTask& add_finished(F fn, bool updates_result) {
    using R = std::invoke_result_t<F&, const DocumentArray*, const Error*>;
    add_final([fn = std::move(fn), updates_result](internal::TaskOutcome& o) mutable {
      const DocumentArray* docs = o.docs ? &*o.docs : nullptr;
      if constexpr (std::is_convertible_v<R, DocumentArray>) {
        if (updates_result) return replace_result(o, fn(docs, o.error_ptr()));
      }
      fn(docs, o.error_ptr());
    });
    return *this;
  }
  template <class F>
  PostTask& add_on_iter(F fn, bool updates_result) {
    using R = std::invoke_result_t<F&, const Response&>;
    add_iter([fn = std::move(fn), updates_result](const Response& r,
                                                  std::optional<DocumentArray>& result) mutable {
      if constexpr (std::is_convertible_v<R, DocumentArray>) {
        if (updates_result) {
          DocumentArray next = fn(r);
          result = std::move(next);
          return;
        }
      }
      fn(r);
    });
    return *this;
  }
  template <class R>
  static void replace_result(internal::TaskOutcome& o, R&& value) {
    DocumentArray next = std::forward<R>(value);
    o.docs = std::move(next);
    o.error = nullptr;
    o.error_view = nullptr;
  }
  void add_final(internal::FinalCallback callback);
  void add_iter(internal::IterCallback callback);

  std::shared_ptr<internal::TaskState> state_;
};

// The responses of one AsyncClient::stream(), each delivered as it arrives
// (in input order with `results_in_order`). An input range: iterate it once.
// Backpressure: while the consumer does not take the next response the post
// sends nothing new, so at most `prefetch` requests are in flight and memory
// stays bounded however many inputs there are.
//
// Advancing past the last response throws the post's error, if it failed.
// Destroying the stream before its end cancels the post. Move-only; use from
// one thread.
class ResponseStream {
 public:
  class iterator {
   public:
    using value_type = Response;
    using difference_type = std::ptrdiff_t;
    using iterator_concept = std::input_iterator_tag;

    iterator() = default;
    const Response& operator*() const { return *current_; }
    const Response* operator->() const { return &*current_; }
    iterator& operator++();
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& it, std::default_sentinel_t) { return !it.current_; }

   private:
    friend class ResponseStream;
    explicit iterator(ResponseStream* stream) : stream_(stream) {}
    ResponseStream* stream_ = nullptr;
    std::optional<Response> current_;
  };

  ResponseStream(ResponseStream&&) noexcept;
  ResponseStream& operator=(ResponseStream&&) noexcept;
  ~ResponseStream();

  // Waits for the first response.
  iterator begin();
  std::default_sentinel_t end() const { return {}; }
  // The next response, waiting for it; nullopt at the end. Throws the
  // post's error once its responses are exhausted, if it failed.
  std::optional<Response> next();
  // Ends the post; next() then throws jina::Cancelled (unless the post had
  // already ended). Idempotent.
  void cancel();

 private:
  friend class internal::AsyncCore;
  explicit ResponseStream(std::shared_ptr<internal::StreamState> state);
  std::shared_ptr<internal::StreamState> state_;
};

class AsyncClient {
 public:
  // As Client's constructors; throws InvalidArgument likewise.
  explicit AsyncClient(std::string_view host);
  AsyncClient(std::string_view host, ClientOptions options);
  explicit AsyncClient(ClientOptions options = {});
  // Cancels the posts still running and waits until they and every callback
  // already due have finished, so no callback or generator runs after it
  // returns (a generator blocked in a call is waited for). Must not be
  // called from one of this client's callbacks or generators.
  ~AsyncClient();
  AsyncClient(const AsyncClient&) = delete;
  AsyncClient& operator=(const AsyncClient&) = delete;
  AsyncClient(AsyncClient&&) noexcept;
  AsyncClient& operator=(AsyncClient&&) noexcept;

  // Starts posting `inputs` to `endpoint` and returns at once. Bad options
  // (as Client::post rejects them) fail the task, they do not throw here.
  PostTask post(std::string_view endpoint, AsyncInputs inputs = {},
                const PostOptions& options = {});
  // Starts posting and returns the responses as they arrive. PostOptions
  // callbacks still run (on the callback executor).
  ResponseStream stream(std::string_view endpoint, AsyncInputs inputs = {},
                        const PostOptions& options = {});

  // As Client::stream_doc: the items of a streaming endpoint, read on the
  // consumer's thread as it asks for them (not on this client's loop). The
  // stream holds the connection: this client's destructor does not end it.
  DocStream stream_doc(std::string_view endpoint, Document document,
                       const StreamDocOptions& options = {});

  // As Client::mutate (GraphQL: only docarray-v1 HTTP gateways started with
  // `--expose-graphql-endpoint` serve it), without waiting: the exchange runs
  // on a thread of its own and the future holds the gateway's JSON answer or
  // the exception Client::mutate would throw. Dropping the future does not
  // wait for it; the exchange holds the connection until it ends (bounded by
  // `timeout` as Client::mutate's), even past this client's destructor. The
  // thread is not joined by anyone: wait for the future before the program
  // exits, or the exchange may still run while static objects are destroyed.
  std::future<nlohmann::json> mutate(std::string mutation, nlohmann::json variables = nullptr,
                                     double timeout = 10.0);

  // "host:port" this client connects to (see Client::target()).
  std::string target() const;
  // See Client::protocol() and Client::uri().
  Protocol protocol() const;
  std::string uri() const;

  // Requests, responses, bytes and latencies of every post so far (see
  // Client::stats()).
  ClientStats stats() const;

 private:
  // Over any transport: jina::testing::FakeGateway and the library's tests.
  friend struct internal::ClientAccess;
  AsyncClient(std::shared_ptr<internal::Transport> transport, ClientOptions options);

  std::unique_ptr<internal::AsyncCore> core_;
};

}  // namespace jina

#endif  // JINA_ASYNC_CLIENT_H_
