// The threads of an AsyncClient: a loop on which many posts share a few
// threads (a post whose every step is non-blocking), a pool that runs each
// other post on a thread of its own (it may block on its inputs, its
// callbacks or its consumer), and the one thread that runs PostTask
// callbacks.
#ifndef JINA_SRC_CLIENT_ASYNC_THREADS_H_
#define JINA_SRC_CLIENT_ASYNC_THREADS_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <list>
#include <map>
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

// Runs every job at once on an idle thread, or a new one. Threads idle for
// `idle_timeout` exit, so a burst of posts does not leave a thread each.
//
// Thread-safe.
class PostThreads {
 public:
  explicit PostThreads(std::chrono::milliseconds idle_timeout = std::chrono::seconds(2));
  // Runs the queued jobs, then joins every thread.
  ~PostThreads();
  PostThreads(const PostThreads&) = delete;
  PostThreads& operator=(const PostThreads&) = delete;

  void submit(std::function<void()> job);
  // Threads alive now (for tests).
  std::size_t threads() const;

 private:
  void work(std::list<std::thread>::iterator self);
  void join_exited(std::unique_lock<std::mutex>& lock);

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
