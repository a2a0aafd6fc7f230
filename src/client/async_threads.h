// The threads of an AsyncClient: a loop on which every post's engine runs
// (no step of it waits), a bounded pool for the user code of posts that may
// block (PostOptions callbacks, generators), and the one thread that runs
// PostTask callbacks.
#ifndef JINA_SRC_CLIENT_ASYNC_THREADS_H_
#define JINA_SRC_CLIENT_ASYNC_THREADS_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace jina::internal {

// Runs jobs that never wait on `threads` threads. A job is a poll function,
// run again after each wake() and once its deadline passes, never on two
// threads at once, until it returns true. One thread sleeping on a futex per
// post (and the wake-ups that go with it) is what this saves.
//
// Thread-safe.
class PostLoop {
 public:
  // Does what is due; true once the job is over (it is then destroyed). Sets
  // `deadline` to be polled again then even without a wake.
  using Poll = std::function<bool(std::optional<std::chrono::steady_clock::time_point>& deadline)>;
  // Asks for another poll; callable from any thread until the job's poll
  // function is destroyed.
  using Wake = std::function<void()>;

  explicit PostLoop(int threads);
  // Waits until every job is over, then joins the threads.
  ~PostLoop();
  PostLoop(const PostLoop&) = delete;
  PostLoop& operator=(const PostLoop&) = delete;

  // Adds a job: `make(wake)` builds its poll function, polled on the loop's
  // threads; the first time on the calling thread if `first_poll_here`.
  void add(const std::function<Poll(Wake wake)>& make, bool first_poll_here = false);
  // Whether the calling thread is one of the loop's.
  bool on_loop_thread() const;

 private:
  struct Job;
  void wake(Job* job);
  void run(Job* job, std::unique_lock<std::mutex>& lock, bool on_loop);
  void work();

  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::condition_variable all_over_;
  std::deque<Job*> ready_;
  std::multimap<std::chrono::steady_clock::time_point, Job*> timers_;
  std::size_t jobs_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;  // last: start once the rest is ready
};

// What runs jobs elsewhere: soon, on a thread of its choosing.
using Executor = std::function<void(std::function<void()>)>;

// Runs jobs on at most `max_threads` threads, in the order submitted; a job
// waits while every thread is busy. Threads start when jobs need them, and
// those idle for `idle_timeout` exit.
//
// Thread-safe.
class CallbackPool {
 public:
  explicit CallbackPool(int max_threads,
                        std::chrono::milliseconds idle_timeout = std::chrono::seconds(2));
  // Runs the queued jobs, then joins every thread.
  ~CallbackPool();
  CallbackPool(const CallbackPool&) = delete;
  CallbackPool& operator=(const CallbackPool&) = delete;

  void submit(std::function<void()> job);
  // Threads alive now (for tests).
  std::size_t threads() const;

 private:
  void work(std::list<std::thread>::iterator self);
  void join_exited(std::unique_lock<std::mutex>& lock);

  const std::size_t max_threads_;
  const std::chrono::milliseconds idle_timeout_;
  mutable std::mutex mu_;
  std::condition_variable has_work_;
  std::condition_variable all_exited_;
  std::deque<std::function<void()>> jobs_;
  std::size_t idle_ = 0;
  bool stopping_ = false;
  std::list<std::thread> threads_;
  std::list<std::thread> exited_;  // to be joined
};

// Runs its jobs on an Executor one at a time, in the order submitted (what
// one post's callbacks need), while other Serials use the same threads.
// Jobs must not throw.
//
// Thread-safe.
class Serial : public std::enable_shared_from_this<Serial> {
 public:
  explicit Serial(Executor executor) : executor_(std::move(executor)) {}

  void submit(std::function<void()> job);

 private:
  void drain();
  void schedule();

  const Executor executor_;
  std::mutex mu_;
  std::deque<std::function<void()>> jobs_;
  bool scheduled_ = false;  // a drain() is due or running
};

// One thread running jobs in order.
//
// Thread-safe.
class CallbackThread {
 public:
  CallbackThread();
  // Runs the queued jobs, then joins the thread.
  ~CallbackThread();
  CallbackThread(const CallbackThread&) = delete;
  CallbackThread& operator=(const CallbackThread&) = delete;

  void submit(std::function<void()> job);
  std::thread::id id() const { return thread_.get_id(); }

 private:
  void work();

  std::mutex mu_;
  std::condition_variable has_work_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once the rest is ready
};

}  // namespace jina::internal

#endif  // JINA_SRC_CLIENT_ASYNC_THREADS_H_
