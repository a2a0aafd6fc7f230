#include "client/async_threads.h"

#include <utility>

namespace jina::internal {

PostThreads::PostThreads(std::chrono::milliseconds idle_timeout) : idle_timeout_(idle_timeout) {}

PostThreads::~PostThreads() {
  std::unique_lock lock(mu_);
  stopping_ = true;
  has_work_.notify_all();
  // Threads leave once the queue is empty; each moves itself to exited_.
  all_exited_.wait(lock, [&] { return threads_.empty(); });
  join_exited(lock);
}

void PostThreads::submit(std::function<void()> job) {
  std::unique_lock lock(mu_);
  join_exited(lock);
  jobs_.push_back(std::move(job));
  if (jobs_.size() > idle_) {
    threads_.emplace_front();
    auto self = threads_.begin();
    *self = std::thread([this, self] { work(self); });
  } else {
    has_work_.notify_one();
  }
}

std::size_t PostThreads::threads() const {
  std::lock_guard lock(mu_);
  return threads_.size();
}

void PostThreads::work(std::list<std::thread>::iterator self) {
  std::unique_lock lock(mu_);
  while (true) {
    if (!jobs_.empty()) {
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      job = nullptr;  // its captures go before the thread counts as idle
      lock.lock();
      continue;
    }
    if (stopping_) break;
    ++idle_;
    bool woken =
        has_work_.wait_for(lock, idle_timeout_, [&] { return stopping_ || !jobs_.empty(); });
    --idle_;
    if (!woken) break;
  }
  exited_.splice(exited_.end(), threads_, self);
  if (threads_.empty()) all_exited_.notify_all();
}

void PostThreads::join_exited(std::unique_lock<std::mutex>& lock) {
  std::list<std::thread> exited;
  exited.swap(exited_);
  lock.unlock();
  for (std::thread& t : exited) t.join();
  lock.lock();
}

CallbackThread::CallbackThread() : thread_([this] { work(); }) {}

CallbackThread::~CallbackThread() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  has_work_.notify_one();
  thread_.join();
}

void CallbackThread::submit(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(std::move(job));
  }
  has_work_.notify_one();
}

void CallbackThread::work() {
  std::unique_lock lock(mu_);
  while (true) {
    has_work_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and everything ran
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job();
    job = nullptr;
    lock.lock();
  }
}

}  // namespace jina::internal
