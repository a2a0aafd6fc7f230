// The threads of an AsyncClient: a pool that runs each post on a thread of
// its own (a post blocks on its inputs and responses, so posts cannot share
// a thread), and the one thread that runs PostTask callbacks.
#ifndef JINA_SRC_CLIENT_ASYNC_THREADS_H_
#define JINA_SRC_CLIENT_ASYNC_THREADS_H_

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>

namespace jina::internal {

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
