#include "jina/async_client.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
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
};

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

// Where a stream()'s responses wait for the consumer: one at a time, so that
// a slow consumer holds the post's thread back (the backpressure).
struct StreamState {
  std::mutex mu;
  std::condition_variable changed;
  std::optional<Response> waiting;  // one response handed over at a time
  bool finished = false;
  bool abandoned = false;
  std::exception_ptr error;
  CancelToken cancel;

  void push(Response&& response) {
    std::unique_lock lock(mu);
    changed.wait(lock, [&] { return abandoned || !waiting; });
    if (abandoned) return;
    waiting = std::move(response);
    changed.notify_all();
  }

  void finish(std::exception_ptr e) {
    std::lock_guard lock(mu);
    finished = true;
    error = std::move(e);
    changed.notify_all();
  }
};

// Everything an AsyncClient owns. Destroyed in reverse order: the post
// threads are joined before the callback thread, so every callback a post
// schedules still runs.
class AsyncCore {
 public:
  explicit AsyncCore(std::shared_ptr<ClientCore> client)
      : client_(std::move(client)), callbacks_(std::make_shared<CallbackThread>()) {}

  ~AsyncCore() {
    std::map<std::uint64_t, CancelToken> running;
    {
      std::lock_guard lock(mu_);
      running = running_;
    }
    for (auto& [id, token] : running) token.cancel();
    posts_.reset();      // waits for every post
    loop_.reset();       // likewise
    callbacks_.reset();  // runs the callbacks they scheduled
  }

  Transport& transport() const { return client_->transport(); }
  ClientStats stats() const { return client_->stats().snapshot(); }

  PostTask post(std::string_view endpoint, AsyncInputs inputs, const PostOptions& options) {
    auto task = std::make_shared<TaskState>();
    task->callbacks = callbacks_;
    task->callback_thread = callbacks_->id();
    std::uint64_t id = track(task->cancel);
    if (runs_on_loop(inputs, options)) {
      on_loop(id, task, endpoint, std::move(inputs), options);
      return PostTask(std::move(task));
    }
    posts_->submit([this, id, task, endpoint = std::string(endpoint), inputs = std::move(inputs),
                    options = PostOptions(options)]() mutable {
      TaskOutcome outcome;
      try {
        run(endpoint, inputs, options, task->cancel, keep_responses(task));
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
    posts_->submit([this, id, state, endpoint = std::string(endpoint), inputs = std::move(inputs),
                    options = PostOptions(options)]() mutable {
      std::exception_ptr error;
      try {
        run(endpoint, inputs, options, state->cancel,
            [&state](Response&& response) { state->push(std::move(response)); });
      } catch (...) {
        error = std::current_exception();
      }
      untrack(id);
      state->finish(std::move(error));
    });
    return ResponseStream(std::move(state));
  }

 private:
  // A post whose every step is quick runs on the loop: in-memory inputs and
  // no PostOptions callbacks (they may block: they get a thread, as
  // documented). Learning the Flow's format does not block: the engine asks
  // and waits for the answer as for any other event.
  static bool runs_on_loop(AsyncInputs& inputs, const PostOptions& options) {
    if (inputs.queue() || !inputs.inputs().size()) return false;
    return !options.on_done && !options.on_error && !options.on_always;
  }

  // Whether a post on the loop takes its first step inside post(): when that
  // step is short (one request, a transport that only queues it), as it
  // spares a thread hand-off, a large part of the cost of a small post.
  bool starts_here(const Inputs& inputs, const PostOptions& options) const {
    const std::optional<std::size_t> size = inputs.size();
    return client_->transport().opens_streams_at_once() && size &&
           (options.request_size <= 0 || *size <= static_cast<std::size_t>(options.request_size));
  }

  // What a post on the loop keeps until it is over.
  struct LoopPost {
    std::string endpoint;
    AsyncInputs inputs;
    PostOptions options;
    std::optional<CancelToken> user_token;
    int user_handle = 0;
    std::unique_ptr<PostDriver> driver;  // last: goes first

    ~LoopPost() {
      driver.reset();
      if (user_token) user_token->remove_listener(user_handle);
    }
  };

  void on_loop(std::uint64_t id, const std::shared_ptr<TaskState>& task, std::string_view endpoint,
               AsyncInputs inputs, const PostOptions& options) {
    auto post = std::make_shared<LoopPost>();
    post->endpoint = std::string(endpoint);
    post->inputs = std::move(inputs);
    post->options = options;
    loop_->add(
        [&](PostLoop::Wake wake) -> PostLoop::Poll {
          return [this, id, task, post,
                  wake = std::move(wake)](std::optional<Clock::time_point>& deadline) {
            TaskOutcome outcome;
            try {
              if (!post->driver) {
                // The user's token cancels this post too; the post listens to ours.
                post->user_token = std::move(post->options.cancel);
                if (post->user_token) {
                  post->user_handle = post->user_token->add_listener(
                      [token = task->cancel]() mutable { token.cancel(); });
                }
                post->options.cancel = task->cancel;
                post->driver = std::make_unique<PostDriver>(
                    client_->transport(), client_->formats(), post->endpoint, post->inputs.inputs(),
                    post->options, client_->random(),
                    PostResults{.each = keep_responses(task), .stats = &client_->stats()}, wake);
              }
              if (!post->driver->poll(deadline)) return false;
              outcome.docs = all_docs(*task);
            } catch (...) {
              set_error(outcome, std::current_exception());
            }
            settle(id, task, std::move(outcome));
            return true;
          };
        },
        starts_here(post->inputs.inputs(), post->options));
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

  // One post on this thread, as Client::post runs it; `each` gets every
  // response. Throws what Client::post throws.
  void run(const std::string& endpoint, AsyncInputs& inputs, PostOptions& options,
           const CancelToken& cancel, std::function<void(Response&&)> each) {
    // The user's token cancels this post too; the post itself listens to ours.
    std::optional<CancelToken> user_token = std::move(options.cancel);
    int user_handle =
        user_token ? user_token->add_listener([token = cancel]() mutable { token.cancel(); }) : 0;
    options.cancel = cancel;
    // A post waiting for the producer of a queue must wake up when cancelled.
    std::optional<InputQueue> queue = inputs.queue();
    int queue_handle = queue ? cancel.add_listener([q = *queue]() mutable { q.abandon(); }) : 0;
    struct Cleanup {
      ~Cleanup() {
        if (user) user->remove_listener(user_handle);
        if (q) {
          token.remove_listener(queue_handle);
          q->abandon();  // no-op after a clean end; wakes a blocked producer otherwise
        }
      }
      const std::optional<CancelToken>& user;
      int user_handle;
      std::optional<InputQueue>& q;
      const CancelToken& token;
      int queue_handle;
    } cleanup{user_token, user_handle, queue, cancel, queue_handle};

    client_->post(endpoint, inputs.inputs(), options,
                  PostResults{.each = std::move(each), .stats = &client_->stats()});
    // The queue ended because of a cancel, not a close: the post is incomplete.
    if (queue && queue->abandoned()) {
      throw Cancelled("post to " + endpoint + " was cancelled");
    }
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
  std::unique_ptr<PostLoop> loop_ = std::make_unique<PostLoop>(kLoopThreads);
  std::unique_ptr<PostThreads> posts_ = std::make_unique<PostThreads>();  // last: first to go
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
  s.changed.wait(lock, [&] { return s.waiting || s.finished; });
  if (s.waiting) {
    std::optional<Response> response = std::move(s.waiting);
    s.waiting.reset();
    s.changed.notify_all();
    return response;
  }
  if (s.error) std::rethrow_exception(s.error);
  return std::nullopt;
}

void ResponseStream::cancel() {
  internal::StreamState& s = *state_;
  {
    std::lock_guard lock(s.mu);
    if (s.finished && !s.waiting) return;
    s.abandoned = true;
    s.waiting.reset();
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

std::string AsyncClient::target() const { return core_->transport().target(); }

ClientStats AsyncClient::stats() const { return core_->stats(); }

}  // namespace jina
