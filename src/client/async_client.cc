#include "jina/async_client.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "client/async_threads.h"
#include "client/client_core.h"
#include "client/post_call.h"

namespace jina {
namespace internal {
namespace {

// `error` as a jina::Error: itself, or a wrapper naming what was thrown.
std::exception_ptr as_jina_error(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const Error&) {
    return error;
  } catch (const std::exception& e) {
    return std::make_exception_ptr(Error(absl::StatusCode::kUnknown, e.what()));
  } catch (...) {
    return std::make_exception_ptr(
        Error(absl::StatusCode::kUnknown, "a callback threw a non-standard exception"));
  }
}

void set_error(TaskOutcome& outcome, std::exception_ptr error) {
  outcome.docs.reset();
  outcome.error = error;
  outcome.error_view = as_jina_error(std::move(error));
}

}  // namespace

const Error* TaskOutcome::error_ptr() const {
  if (!error_view) return nullptr;
  try {
    std::rethrow_exception(error_view);
  } catch (const Error& e) {
    return &e;  // the object error_view keeps alive, not a copy
  }
  return nullptr;
}

// One PostTask: the responses so far, the callbacks and the outcome. The
// post's thread adds responses and the outcome; pump() runs the callbacks,
// on the callback thread or (once settled) on a thread attaching one.
struct TaskState {
  std::mutex mu;
  std::condition_variable settled_cv;
  std::deque<Response> responses;  // a deque: references survive push_back
  struct Iter {
    IterCallback fn;
    std::size_t seen = 0;
  };
  std::deque<Iter> iters;
  std::deque<FinalCallback> finals;
  std::size_t finals_run = 0;

  bool finished = false;   // the post ended; `outcome` is set
  bool finalized = false;  // on_iter's result or error folded into `outcome`
  bool settled = false;    // finished, and every callback attached so far ran
  bool pump_due = false;   // a pump() is scheduled or running
  TaskOutcome outcome;
  std::optional<DocumentArray> iter_result;
  std::exception_ptr iter_error;

  CancelToken cancel;
  std::weak_ptr<CallbackThread> callbacks;
  std::thread::id callback_thread;
  const AsyncCore* core = nullptr;  // whose user code must not wait for this task
};

namespace {
// The AsyncClient whose user code (a PostOptions callback or generator) this
// thread runs now, if any: get() there could wait for a thread it holds.
thread_local const AsyncCore* running_user_code_of = nullptr;
}  // namespace

namespace {

// Threads of an AsyncClient's post loop: two let one post serialize a large
// batch while others go on; more only add wake-ups.
constexpr int kLoopThreads = 2;

// Runs the callbacks that are due, one at a time, until none is; only one
// pump runs per task at any time (`pump_due`).
void pump(const std::shared_ptr<TaskState>& task) {
  TaskState& t = *task;
  std::unique_lock lock(t.mu);
  while (true) {
    TaskState::Iter* iter = nullptr;
    if (!t.iter_error) {
      for (TaskState::Iter& candidate : t.iters) {
        if (candidate.seen < t.responses.size()) {
          iter = &candidate;
          break;
        }
      }
    }
    if (iter) {
      const Response& response = t.responses[iter->seen++];
      lock.unlock();
      std::exception_ptr thrown;
      try {
        iter->fn(response, t.iter_result);
      } catch (...) {
        thrown = std::current_exception();
      }
      if (thrown) t.cancel.cancel();
      lock.lock();
      if (thrown && !t.iter_error) t.iter_error = thrown;
      continue;
    }
    if (!t.finished) break;
    if (!t.finalized) {
      t.finalized = true;
      if (t.iter_error) {
        set_error(t.outcome, t.iter_error);
      } else if (t.iter_result && t.outcome.docs) {
        t.outcome.docs = std::move(*t.iter_result);
        t.iter_result.reset();  // taken: a later on_iter may set it again
      }
    }
    if (t.finals_run < t.finals.size()) {
      FinalCallback& fn = t.finals[t.finals_run++];
      lock.unlock();
      try {
        fn(t.outcome);
      } catch (...) {
        set_error(t.outcome, std::current_exception());
      }
      lock.lock();
      continue;
    }
    t.settled = true;
    t.settled_cv.notify_all();
    break;
  }
  t.pump_due = false;
}

// Schedules a pump unless one is due; with the lock held.
void schedule_pump(const std::shared_ptr<TaskState>& task, std::unique_lock<std::mutex>& lock) {
  if (task->pump_due) return;
  task->pump_due = true;
  std::shared_ptr<CallbackThread> callbacks = task->callbacks.lock();
  if (task->settled || !callbacks) {
    // Settled: the callback runs here and now, as documented.
    task->settled = false;
    lock.unlock();
    pump(task);
    lock.lock();
    return;
  }
  callbacks->submit([task] { pump(task); });
}

}  // namespace

// Where a stream()'s responses wait for the consumer. The post sends no more
// requests while one waits (the backpressure), and the consumer wakes it.
struct StreamState {
  std::mutex mu;
  std::condition_variable changed;
  std::deque<Response> waiting;
  bool finished = false;
  bool abandoned = false;
  std::exception_ptr error;
  CancelToken cancel;
  std::function<void()> wake;  // the post's, while it runs

  void push(Response&& response) {
    std::lock_guard lock(mu);
    if (abandoned) return;
    waiting.push_back(std::move(response));
    changed.notify_all();
  }

  bool accepting() {
    std::lock_guard lock(mu);
    return waiting.empty();
  }

  void finish(std::exception_ptr e) {
    std::lock_guard lock(mu);
    finished = true;
    error = std::move(e);
    wake = nullptr;
    changed.notify_all();
  }
};

namespace {

// A loop job's wake, callable from any thread until clear(): the user code
// and inputs of a post may outlive its job on the loop.
class GuardedWake {
 public:
  explicit GuardedWake(PostLoop::Wake wake) : wake_(std::move(wake)) {}
  void operator()() {
    std::lock_guard lock(mu_);
    if (wake_) wake_();
  }
  void clear() {
    std::lock_guard lock(mu_);
    wake_ = nullptr;
  }

 private:
  std::mutex mu_;
  PostLoop::Wake wake_;
};

std::function<void()> as_function(const std::shared_ptr<GuardedWake>& wake) {
  return [wake] { (*wake)(); };
}

// An InputQueue's Documents as they come, never waiting: full batches, the
// last one as long as what is left.
class QueueSource final : public InputSource {
 public:
  // Claims the queue for this post: throws InvalidArgument while another
  // post reads it (two readers would each miss the other's wake-ups).
  explicit QueueSource(InputQueue queue) : queue_(std::move(queue)) {
    queue_.set_listener([] {});
  }
  ~QueueSource() override { queue_.set_listener(nullptr); }

  Take take(int n, DocumentArray& out) override {
    const std::size_t want = n > 0 ? static_cast<std::size_t>(n) : SIZE_MAX;
    if (!over_) over_ = queue_.take_now(want - partial_.size(), partial_.docs());
    if (partial_.size() < want && !over_) return Take::kLater;
    if (partial_.size() == 0) return Take::kEnd;
    out = std::exchange(partial_, DocumentArray());
    return Take::kBatch;
  }
  bool exhausted() const override { return over_ && partial_.size() == 0; }
  // Keeps the claim: a listener that does nothing stands in for none.
  void on_ready(std::function<void()> ready) override {
    queue_.set_listener(nullptr);
    queue_.set_listener(ready ? std::move(ready) : [] {});
  }

 private:
  InputQueue queue_;
  DocumentArray partial_;  // taken from the queue, short of a batch
  bool over_ = false;
};

// A generator's batches, read by a job on the executor (a generator may
// block), one batch at a time and only when the engine asks for one: as
// Client::post calls it, only as fast as requests are sent.
class GeneratorSource final : public InputSource {
 public:
  GeneratorSource(Inputs& inputs, Executor run) : inputs_(inputs), run_(std::move(run)) {}

  Take take(int n, DocumentArray& out) override {
    std::unique_lock lock(mu_);
    if (read_) {
      Read read = std::move(*read_);
      read_.reset();
      if (read.thrown) std::rethrow_exception(read.thrown);
      exhausted_ = read.exhausted;
      if (!read.has_docs) return Take::kEnd;
      out = std::move(read.batch);
      return Take::kBatch;
    }
    if (exhausted_) return Take::kEnd;
    if (reading_) return Take::kLater;
    reading_ = true;
    lock.unlock();
    run_([this, n] { read(n); });
    return Take::kLater;
  }
  bool exhausted() const override {
    std::lock_guard lock(mu_);
    return exhausted_;
  }
  void on_ready(std::function<void()> ready) override {
    std::lock_guard lock(mu_);
    ready_ = std::move(ready);
  }

 private:
  struct Read {
    DocumentArray batch;
    bool has_docs = false;
    bool exhausted = false;
    std::exception_ptr thrown;
  };

  void read(int n) {
    Read read;
    {
      // The post is over (cancelled): its generator is not called again.
      std::lock_guard lock(mu_);
      if (!ready_) {
        reading_ = false;
        return;
      }
    }
    try {
      read.has_docs = inputs_.next_batch(n, read.batch);
      read.exhausted = inputs_.exhausted();
    } catch (...) {
      read.thrown = std::current_exception();
    }
    std::lock_guard lock(mu_);
    read_ = std::move(read);
    reading_ = false;
    if (ready_) ready_();
  }

  Inputs& inputs_;
  const Executor run_;
  mutable std::mutex mu_;
  std::optional<Read> read_;  // a batch read, not taken yet
  bool reading_ = false;
  bool exhausted_ = false;
  std::function<void()> ready_;
};

}  // namespace

// Everything an AsyncClient owns. Destroyed in reverse order: the posts end
// before the pool that runs their callbacks goes, and that before the
// callback thread, so every callback a post schedules still runs.
class AsyncCore {
 public:
  const std::shared_ptr<ClientCore>& client() const { return client_; }

  explicit AsyncCore(std::shared_ptr<ClientCore> client)
      : client_(std::move(client)), callbacks_(std::make_shared<CallbackThread>()) {
    const ClientOptions& options = client_->options();
    if (options.callback_threads < 1 || options.callback_threads > 1024) {
      throw InvalidArgument("callback_threads must be 1..1024, got " +
                            std::to_string(options.callback_threads));
    }
    if (options.callback_executor) {
      executor_ = options.callback_executor;
    } else {
      pool_ = std::make_unique<CallbackPool>(options.callback_threads);
      executor_ = [pool = pool_.get()](std::function<void()> job) { pool->submit(std::move(job)); };
    }
    loop_ = std::make_unique<PostLoop>(kLoopThreads);
  }

  ~AsyncCore() {
    std::map<std::uint64_t, CancelToken> running;
    {
      std::lock_guard lock(mu_);
      running = running_;
    }
    for (auto& [id, token] : running) token.cancel();
    loop_.reset();  // waits for every post
    {
      // A generator may still be in a call (a post's end does not wait for
      // it), on our pool or the user's executor.
      std::unique_lock lock(jobs_mu_);
      jobs_done_.wait(lock, [&] { return jobs_ == 0; });
    }
    pool_.reset();
    callbacks_.reset();  // runs the callbacks they scheduled
  }

  Transport& transport() const { return client_->transport(); }
  ClientStats stats() const { return client_->snapshot(); }

  PostTask post(std::string_view endpoint, AsyncInputs inputs, const PostOptions& options) {
    auto task = std::make_shared<TaskState>();
    task->callbacks = callbacks_;
    task->callback_thread = callbacks_->id();
    task->core = this;
    std::uint64_t id = track(task->cancel);
    start(id, task->cancel, endpoint, std::move(inputs), options, keep_responses(task), nullptr,
          [this, id, task](std::exception_ptr error) {
            TaskOutcome outcome;
            try {
              // Moved, not copied: once settle() hands the outcome to the
              // callback thread, this thread must own no reference to the
              // exception (libstdc++ counts its owners where TSan cannot see).
              if (error) std::rethrow_exception(std::exchange(error, nullptr));
              outcome.docs = all_docs(*task);
            } catch (...) {
              set_error(outcome, std::current_exception());
            }
            settle(id, task, std::move(outcome));
          });
    return PostTask(std::move(task));
  }

  // For tests: whether the calling thread is one of the loop's.
  bool on_loop_thread() const { return loop_->on_loop_thread(); }

  ResponseStream stream(std::string_view endpoint, AsyncInputs inputs, const PostOptions& options) {
    auto state = std::make_shared<StreamState>();
    std::uint64_t id = track(state->cancel);
    start(
        id, state->cancel, endpoint, std::move(inputs), options,
        [state](Response&& response) { state->push(std::move(response)); },
        [state] { return state->accepting(); },
        [this, id, state](std::exception_ptr error) {
          untrack(id);
          state->finish(std::move(error));
        },
        [state](const std::shared_ptr<GuardedWake>& wake) {
          std::lock_guard lock(state->mu);
          state->wake = as_function(wake);
        });
    return ResponseStream(std::move(state));
  }

 private:
  // What a post keeps until it is over, and until the last job it handed to
  // the executor has run.
  struct LoopPost {
    std::shared_ptr<ClientCore> client;
    std::string endpoint;
    AsyncInputs inputs;
    PostOptions options;
    std::optional<CancelToken> user_token;
    int user_handle = 0;
    std::optional<CancelToken> queue_token;  // abandons the queue on cancel
    int queue_handle = 0;
    std::unique_ptr<InputSource> source;
    std::shared_ptr<Serial> outcomes;    // runs the PostOptions callbacks, in order
    std::unique_ptr<PostDriver> driver;  // last: goes first

    ~LoopPost() {
      driver.reset();
      if (user_token) user_token->remove_listener(user_handle);
      if (queue_token) queue_token->remove_listener(queue_handle);
    }
  };

  // Whether a post on the loop takes its first step inside post(): when that
  // step is short (one request, a transport that only queues it), as it
  // spares a thread hand-off, a large part of the cost of a small post.
  bool starts_here(const Inputs& inputs, const PostOptions& options) const {
    const std::optional<std::size_t> size = inputs.size();
    return client_->transport().opens_streams_at_once() && size &&
           (options.request_size <= 0 || *size <= static_cast<std::size_t>(options.request_size));
  }

  // Runs a post on the loop, whatever its inputs and callbacks: what may
  // block (PostOptions callbacks, a generator) runs on the executor, and the
  // engine waits for it as for any other event. `each` gets every response
  // (on the executor when there are PostOptions callbacks); `accepting`, if
  // set, holds back sending; `over` gets the post's error, or null.
  void start(std::uint64_t id, const CancelToken& cancel, std::string_view endpoint,
             AsyncInputs inputs, const PostOptions& options, std::function<void(Response&&)> each,
             std::function<bool()> accepting, std::function<void(std::exception_ptr)> over,
             std::function<void(const std::shared_ptr<GuardedWake>&)> share_wake = nullptr) {
    auto post = std::make_shared<LoopPost>();
    post->client = client_;
    post->endpoint = std::string(endpoint);
    post->inputs = std::move(inputs);
    post->options = options;
    const bool first_here = starts_here(post->inputs.inputs(), post->options);
    loop_->add(
        [&](PostLoop::Wake loop_wake) -> PostLoop::Poll {
          auto wake = std::make_shared<GuardedWake>(std::move(loop_wake));
          if (share_wake) share_wake(wake);
          return [this, id, cancel, post, wake, each = std::move(each),
                  accepting = std::move(accepting),
                  over = std::move(over)](std::optional<Clock::time_point>& deadline) mutable {
            std::exception_ptr error;
            std::optional<InputQueue> queue = post->inputs.queue();  // shares the queue
            try {
              if (!post->driver) prepare(post, cancel, each, accepting, wake);
              if (!post->driver->poll(deadline)) return false;
              // The queue ended because of a cancel, not a close: the post
              // is incomplete.
              if (queue && post->source && queue->abandoned()) {
                throw Cancelled("post to " + post->endpoint + " was cancelled");
              }
            } catch (...) {
              error = std::current_exception();
            }
            // Over: a generator read still queued is not made, and nothing
            // wakes the loop's job, which goes once this returns.
            if (post->source) post->source->on_ready(nullptr);
            // No-op after a clean end; wakes a blocked producer otherwise. Not
            // for a queue this post was refused (another post reads it).
            if (queue && post->source) queue->abandon();
            wake->clear();
            over(std::move(error));
            return true;
          };
        },
        first_here);
  }

  // The post's engine, on its first poll.
  void prepare(const std::shared_ptr<LoopPost>& shared, const CancelToken& cancel,
               std::function<void(Response&&)>& each, std::function<bool()>& accepting,
               const std::shared_ptr<GuardedWake>& wake) {
    LoopPost& post = *shared;
    // The user's token cancels this post too; the post listens to ours.
    post.user_token = std::move(post.options.cancel);
    if (post.user_token) {
      post.user_handle =
          post.user_token->add_listener([token = cancel]() mutable { token.cancel(); });
    }
    post.options.cancel = cancel;
    // Jobs on the executor keep the post alive until they have run (only
    // the post's own poll and jobs hand jobs over, so it is alive then), and
    // are counted until the executor lets go of them, run or not, so that
    // the AsyncClient's end waits for them.
    Executor for_post = [this, weak = std::weak_ptr<LoopPost>(shared)](std::function<void()> job) {
      std::shared_ptr<LoopPost> alive = weak.lock();
      if (!alive) return;
      {
        std::lock_guard lock(jobs_mu_);
        ++jobs_;
      }
      std::shared_ptr<void> ticket(nullptr, [this](void*) { job_over(); });
      executor_([this, alive = std::move(alive), job = std::move(job),
                 ticket = std::move(ticket)]() mutable {
        running_user_code_of = this;
        job();
        running_user_code_of = nullptr;
        job = nullptr;
        alive.reset();  // the post may go here, before the count says so
        ticket.reset();
      });
    };
    Offload offload{.accepting = std::move(accepting)};
    if (std::optional<InputQueue> queue = post.inputs.queue()) {
      post.source = std::make_unique<QueueSource>(*queue);
      // A cancelled post stops reading and wakes a producer blocked on it.
      post.queue_token = cancel;
      post.queue_handle = cancel.add_listener([q = *queue]() mutable { q.abandon(); });
    } else if (!post.inputs.inputs().size() && !post.inputs.inputs().none()) {
      post.source = std::make_unique<GeneratorSource>(post.inputs.inputs(), for_post);
    }
    offload.inputs = post.source.get();
    if (post.options.on_done || post.options.on_error || post.options.on_always) {
      post.outcomes = std::make_shared<Serial>(for_post);
      offload.deliver = [outcomes = post.outcomes](std::function<void()> job) {
        outcomes->submit(std::move(job));
      };
    }
    post.driver = std::make_unique<PostDriver>(
        client_->transport(), client_->formats(), post.endpoint, post.inputs.inputs(), post.options,
        client_->random(), PostResults{.each = std::move(each), .stats = &client_->stats()},
        as_function(wake), std::move(offload));
  }

  void job_over() {
    std::lock_guard lock(jobs_mu_);
    if (--jobs_ == 0) jobs_done_.notify_all();
  }

  // A task's sink for responses: kept for get(), handed to on_iter.
  static std::function<void(Response&&)> keep_responses(const std::shared_ptr<TaskState>& task) {
    return [task](Response&& response) {
      std::unique_lock lock(task->mu);
      task->responses.push_back(std::move(response));
      if (!task->iters.empty()) schedule_pump(task, lock);
    };
  }

  static DocumentArray all_docs(TaskState& task) {
    DocumentArray docs;
    std::lock_guard lock(task.mu);
    for (const Response& response : task.responses) docs.extend(response.docs());
    return docs;
  }

  // The post is over: the task's callbacks run next.
  void settle(std::uint64_t id, const std::shared_ptr<TaskState>& task, TaskOutcome outcome) {
    untrack(id);
    std::unique_lock lock(task->mu);
    task->outcome = std::move(outcome);
    task->finished = true;
    schedule_pump(task, lock);
  }

  std::uint64_t track(const CancelToken& token) {
    std::lock_guard lock(mu_);
    std::uint64_t id = next_id_++;
    running_.emplace(id, token);
    return id;
  }

  void untrack(std::uint64_t id) {
    std::lock_guard lock(mu_);
    running_.erase(id);
  }

  std::shared_ptr<ClientCore> client_;
  std::shared_ptr<CallbackThread> callbacks_;
  std::mutex mu_;
  std::map<std::uint64_t, CancelToken> running_;
  std::uint64_t next_id_ = 0;
  std::unique_ptr<CallbackPool> pool_;  // unless the user gave an executor
  Executor executor_;
  std::mutex jobs_mu_;
  std::condition_variable jobs_done_;
  std::size_t jobs_ = 0;            // handed to executor_, not yet run
  std::unique_ptr<PostLoop> loop_;  // last: first to go
};

}  // namespace internal

// --- PostTask ------------------------------------------------------------

namespace {

internal::TaskState& checked(const std::shared_ptr<internal::TaskState>& state) {
  if (!state) throw InvalidArgument("this PostTask belongs to no post (default-constructed)");
  return *state;
}

}  // namespace

void PostTask::add_final(internal::FinalCallback callback) {
  internal::TaskState& t = checked(state_);
  std::unique_lock lock(t.mu);
  t.finals.push_back(std::move(callback));
  if (t.finished) internal::schedule_pump(state_, lock);
}

void PostTask::add_iter(internal::IterCallback callback) {
  internal::TaskState& t = checked(state_);
  std::unique_lock lock(t.mu);
  t.iters.push_back({std::move(callback), 0});
  // Attached after the post settled (it can be that quick): its result
  // still updates the outcome, for get() and the callbacks attached later.
  t.finalized = false;
  internal::schedule_pump(state_, lock);
}

DocumentArray PostTask::get() const {
  internal::TaskState& t = checked(state_);
  std::unique_lock lock(t.mu);
  if (!t.settled && std::this_thread::get_id() == t.callback_thread) {
    throw Error(absl::StatusCode::kFailedPrecondition,
                "PostTask::get() in a callback of the same AsyncClient would wait forever: "
                "attach a callback instead");
  }
  if (!t.settled && internal::running_user_code_of == t.core) {
    throw Error(absl::StatusCode::kFailedPrecondition,
                "PostTask::get() in a PostOptions callback or generator of the same AsyncClient "
                "could wait for the thread it holds: attach a callback instead");
  }
  t.settled_cv.wait(lock, [&] { return t.settled; });
  if (t.outcome.error) std::rethrow_exception(t.outcome.error);
  return *t.outcome.docs;
}

bool PostTask::wait_until(std::chrono::steady_clock::time_point deadline) const {
  internal::TaskState& t = checked(state_);
  std::unique_lock lock(t.mu);
  return t.settled_cv.wait_until(lock, deadline, [&] { return t.settled; });
}

bool PostTask::done() const {
  internal::TaskState& t = checked(state_);
  std::lock_guard lock(t.mu);
  return t.settled;
}

void PostTask::cancel() const { checked(state_).cancel.cancel(); }

// --- ResponseStream --------------------------------------------------------

ResponseStream::ResponseStream(std::shared_ptr<internal::StreamState> state)
    : state_(std::move(state)) {}
ResponseStream::ResponseStream(ResponseStream&&) noexcept = default;
ResponseStream& ResponseStream::operator=(ResponseStream&& other) noexcept {
  if (this != &other) {
    if (state_) cancel();
    state_ = std::move(other.state_);
  }
  return *this;
}

ResponseStream::~ResponseStream() {
  if (state_) cancel();
}

ResponseStream::iterator ResponseStream::begin() {
  iterator it(this);
  it.current_ = next();
  return it;
}

ResponseStream::iterator& ResponseStream::iterator::operator++() {
  current_.reset();
  current_ = stream_->next();
  return *this;
}

std::optional<Response> ResponseStream::next() {
  if (!state_) throw InvalidArgument("this ResponseStream was moved from");
  internal::StreamState& s = *state_;
  std::unique_lock lock(s.mu);
  s.changed.wait(lock, [&] { return !s.waiting.empty() || s.finished; });
  if (!s.waiting.empty()) {
    std::optional<Response> response = std::move(s.waiting.front());
    s.waiting.pop_front();
    if (s.waiting.empty() && s.wake) s.wake();  // the post may send again
    return response;
  }
  if (s.error) std::rethrow_exception(s.error);
  return std::nullopt;
}

void ResponseStream::cancel() {
  internal::StreamState& s = *state_;
  {
    std::lock_guard lock(s.mu);
    if (s.finished && s.waiting.empty()) return;
    s.abandoned = true;
    s.waiting.clear();
    s.changed.notify_all();
  }
  s.cancel.cancel();
}

// --- AsyncClient -----------------------------------------------------------

AsyncClient::AsyncClient(std::string_view host) : AsyncClient(host, ClientOptions{}) {}
AsyncClient::AsyncClient(std::string_view host, ClientOptions options)
    : core_(std::make_unique<internal::AsyncCore>(internal::make_core(host, std::move(options)))) {}
AsyncClient::AsyncClient(ClientOptions options)
    : AsyncClient(std::string_view(), std::move(options)) {}
AsyncClient::AsyncClient(std::shared_ptr<internal::Transport> transport, ClientOptions options)
    : core_(std::make_unique<internal::AsyncCore>(
          std::make_shared<internal::ClientCore>(std::move(transport), std::move(options)))) {}
AsyncClient::~AsyncClient() = default;
AsyncClient::AsyncClient(AsyncClient&&) noexcept = default;
AsyncClient& AsyncClient::operator=(AsyncClient&&) noexcept = default;

PostTask AsyncClient::post(std::string_view endpoint, AsyncInputs inputs,
                           const PostOptions& options) {
  return core_->post(endpoint, std::move(inputs), options);
}

ResponseStream AsyncClient::stream(std::string_view endpoint, AsyncInputs inputs,
                                   const PostOptions& options) {
  return core_->stream(endpoint, std::move(inputs), options);
}

DocStream AsyncClient::stream_doc(std::string_view endpoint, Document document,
                                  const StreamDocOptions& options) {
  return Client::stream_doc_on(core_->client(), endpoint, std::move(document), options);
}

std::future<nlohmann::json> AsyncClient::mutate(std::string mutation, nlohmann::json variables,
                                                double timeout) {
  // GraphQL is one rare blocking exchange: a thread of its own keeps it off
  // the post loops and the users' callback executor. Detached (not
  // std::async), so that a dropped future does not wait.
  std::packaged_task<nlohmann::json()> task(
      [core = core_->client(), mutation = std::move(mutation), variables = std::move(variables),
       timeout] { return Client::mutate_on(*core, mutation, variables, timeout); });
  std::future<nlohmann::json> answer = task.get_future();
  std::thread(std::move(task)).detach();
  return answer;
}

std::string AsyncClient::target() const { return core_->transport().target(); }
Protocol AsyncClient::protocol() const { return core_->client()->protocol(); }
std::string AsyncClient::uri() const { return core_->client()->uri(); }

ClientStats AsyncClient::stats() const { return core_->stats(); }

}  // namespace jina
