// The post engine: one post() as a state machine driven by events (stream
// news, timers, cancel), whether a caller's thread waits on it (run_post) or
// an AsyncClient loop polls it (PostDriver). It owns every phase of a post:
// learning the docarray format, sending, backoff, re-sending, delivering and
// finishing, and it ends a post in one place, so that every request that was
// sent gets exactly one outcome (on_done or on_error, then on_always) however
// the post ends. docs/architecture.md draws the states.
//
// Data path: Inputs --batch--> DataRequest --serialize--> RequestStream
// --bytes--> the gateway --> the transport decodes the answer on its thread
// (run_post over gRPC: the engine's own, while it waits; see StreamPump)
// --Response--> StreamObserver --> event queue --> callbacks and results on
// the engine's thread.
#ifndef JINA_SRC_CLIENT_POST_CALL_H_
#define JINA_SRC_CLIENT_POST_CALL_H_

#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "client/format_lookup.h"
#include "client/retry.h"
#include "client/stats.h"
#include "jina/client.h"
#include "jina/options.h"
#include "transport/transport.h"

namespace jina::internal {

// Where results go: any may be null. `each` gets every delivered response,
// one whose Executor error ends the post too (after its callbacks, in delivery
// order), on the engine's thread or with the callbacks on the executor
// (Offload::deliver); a blocking sink holds the post back, within `prefetch`.
struct PostResults {
  DocumentArray* docs = nullptr;
  std::vector<Response>* responses = nullptr;
  std::function<void(Response&&)> each{};
  // Counts requests, responses, bytes and latencies (Client::stats()).
  StatsRecorder* stats = nullptr;
};

// Inputs the engine takes without waiting (an AsyncClient's loop must never
// block): a batch now, the end, or "later", and then a call to the listener
// once a batch may be ready.
class InputSource {
 public:
  enum class Take { kBatch, kEnd, kLater };
  virtual ~InputSource() = default;
  // Moves the next batch, at most `n` Documents (all when n <= 0), into
  // `out`. Throws what the inputs throw (a generator's exception).
  virtual Take take(int n, DocumentArray& out) = 0;
  // Whether take() is known to return kEnd next.
  virtual bool exhausted() const = 0;
  // Called, from any thread, when a take() that returned kLater may now
  // succeed. The engine sets it before its first take() and sets nullptr
  // when it goes: no call may start after that returns.
  virtual void on_ready(std::function<void()> ready) = 0;
};

// How a post on an AsyncClient's loop keeps the loop free: what may block
// runs elsewhere, and the engine waits for it as for any other event.
struct Offload {
  // Runs a job elsewhere (a bounded executor): each request's outcome, its
  // PostOptions callbacks and then `results.each`, in delivery order, one at
  // a time. The engine counts outcomes not yet run as in flight (so
  // `prefetch` bounds them too), and the post is over once all ran; what a
  // callback throws ends the post as on the engine's thread. Unset: they run
  // on the engine's thread.
  std::function<void(std::function<void()>)> deliver{};
  // Whether `results.each` takes more now: while false the engine sends no
  // more requests; whoever makes it true again wakes the engine.
  std::function<bool()> accepting{};
  // Replaces the post's Inputs when set.
  InputSource* inputs = nullptr;
};

// Runs one post to completion. Throws as Client::post documents, once every
// request sent has its outcome. `formats` tells (or asks) the docarray
// format; `random` and `time` drive the retry schedule and the deadlines
// (tests inject both).
void run_post(Transport& transport, FormatLookup& formats, std::string_view endpoint,
              Inputs& inputs, const PostOptions& options, const RandomSource& random,
              PostResults results, TimeSource& time = TimeSource::real());
// As above, in a known format.
void run_post(Transport& transport, DocFormat format, std::string_view endpoint, Inputs& inputs,
              const PostOptions& options, const RandomSource& random, PostResults results,
              TimeSource& time = TimeSource::real());

// One post without a thread of its own (AsyncClient runs many on a few
// threads): its owner calls poll() once `wake` has run (from any thread:
// the stream has news, or the post was cancelled) or the deadline poll()
// set has passed. poll() never waits, except that a generator, `results.each`
// and the PostOptions callbacks run inside it unless `offload` sends them
// elsewhere. Use from one thread at a time.
class PostDriver {
 public:
  // Keeps references to every argument: they must outlive the driver.
  PostDriver(Transport& transport, FormatLookup& formats, std::string_view endpoint, Inputs& inputs,
             const PostOptions& options, const RandomSource& random, PostResults results,
             std::function<void()> wake, Offload offload = {},
             TimeSource& time = TimeSource::real());
  // Cancels the stream if still open (waits for its end, as run_post does).
  ~PostDriver();
  PostDriver(const PostDriver&) = delete;
  PostDriver& operator=(const PostDriver&) = delete;

  // Does what is due. Returns true once the post is over; throws as run_post
  // does. Otherwise `deadline` says when to poll again without a wake.
  bool poll(std::optional<Clock::time_point>& deadline);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The parameters every request carries: `parameters` (an object or null)
// with `__results__: {}` added (a non-object `__results__` is replaced, as
// Jina does). Throws InvalidArgument for a non-object.
nlohmann::json request_parameters(const nlohmann::json& parameters);

// Throws InvalidArgument for metadata HTTP/2 (and gRPC) cannot carry, before
// the call: see PostOptions::metadata.
void check_metadata(const std::vector<std::pair<std::string, std::string>>& metadata);

}  // namespace jina::internal

#endif  // JINA_SRC_CLIENT_POST_CALL_H_
