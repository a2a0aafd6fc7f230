#include "client/async_threads.h"

#include <algorithm>
#include <utility>

#include "common/log.h"

namespace jina::internal {

struct PostLoop::Job {
  enum class State { kIdle, kQueued, kRunning, kRerun, kOver };
  Poll poll;
  State state = State::kQueued;
  std::optional<std::multimap<std::chrono::steady_clock::time_point, Job*>::iterator> timer;
};

PostLoop::PostLoop(int threads) {
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { work(); });
}

PostLoop::~PostLoop() {
  {
    std::unique_lock lock(mu_);
    all_over_.wait(lock, [&] { return jobs_ == 0; });
    stopping_ = true;
  }
  changed_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void PostLoop::add(const std::function<Poll(Wake wake)>& make, bool first_poll_here) {
  auto* job = new Job;
  job->poll = make([this, job] { wake(job); });
  if (!first_poll_here) {
    std::lock_guard lock(mu_);
    ++jobs_;
    ready_.push_back(job);
    changed_.notify_one();
    return;
  }
  // Handing the first poll (open the stream, send what can be sent) to a loop
  // thread costs a wake-up, a large part of the CPU of a small post.
  std::unique_lock lock(mu_);
  ++jobs_;
  job->state = Job::State::kRunning;  // a wake during the poll asks for another
  lock.unlock();
  run(job, lock, /*on_loop=*/false);
}

// Polls `job` (its state kRunning, `lock` not held), then files it by the
// outcome; returns with `lock` held. A loop thread polls a job queued again
// itself; another thread wakes one.
void PostLoop::run(Job* job, std::unique_lock<std::mutex>& lock, bool on_loop) {
  std::optional<std::chrono::steady_clock::time_point> deadline;
  bool over = true;
  try {
    over = job->poll(deadline);
  } catch (...) {
    // Poll functions handle their errors; one that throws anyway is over.
  }
  lock.lock();
  if (over) {
    job->state = Job::State::kOver;  // wakes from here on are ignored
    lock.unlock();
    job->poll = nullptr;  // the post and its stream go: no more wakes after this
    delete job;
    lock.lock();
    if (--jobs_ == 0) all_over_.notify_all();
    return;
  }
  if (job->state == Job::State::kRerun) {
    job->state = Job::State::kQueued;
    ready_.push_back(job);
    if (!on_loop) changed_.notify_one();
  } else {
    job->state = Job::State::kIdle;
    if (deadline) {
      job->timer = timers_.emplace(*deadline, job);
      // Another thread may be sleeping past this deadline.
      changed_.notify_one();
    }
  }
}

bool PostLoop::on_loop_thread() const {
  for (const std::thread& t : threads_) {
    if (t.get_id() == std::this_thread::get_id()) return true;
  }
  return false;
}

void PostLoop::wake(Job* job) {
  std::lock_guard lock(mu_);
  switch (job->state) {
    case Job::State::kIdle:
      if (job->timer) {
        timers_.erase(*job->timer);
        job->timer.reset();
      }
      job->state = Job::State::kQueued;
      ready_.push_back(job);
      changed_.notify_one();
      return;
    case Job::State::kRunning:
      job->state = Job::State::kRerun;  // polled again once this poll returns
      return;
    default:
      return;
  }
}

void PostLoop::work() {
  std::unique_lock lock(mu_);
  while (true) {
    auto now = std::chrono::steady_clock::now();
    while (!timers_.empty() && timers_.begin()->first <= now) {
      Job* due = timers_.begin()->second;
      timers_.erase(timers_.begin());
      due->timer.reset();
      due->state = Job::State::kQueued;
      ready_.push_back(due);
      if (ready_.size() > 1) changed_.notify_one();
    }
    if (ready_.empty()) {
      if (stopping_) return;
      if (timers_.empty()) {
        changed_.wait(lock);
      } else {
        // A copy: wait_until reads the time after relocking, and a wake on
        // another thread may have erased that timer node meanwhile.
        const auto until = timers_.begin()->first;
        changed_.wait_until(lock, until);
      }
      continue;
    }
    Job* job = ready_.front();
    ready_.pop_front();
    job->state = Job::State::kRunning;
    lock.unlock();
    run(job, lock, /*on_loop=*/true);
  }
}

CallbackPool::CallbackPool(int max_threads, std::chrono::milliseconds idle_timeout)
    : max_threads_(static_cast<std::size_t>(std::max(max_threads, 1))),
      idle_timeout_(idle_timeout) {}

CallbackPool::~CallbackPool() {
  std::unique_lock lock(mu_);
  stopping_ = true;
  has_work_.notify_all();
  // Threads leave once the queue is empty; each moves itself to exited_.
  all_exited_.wait(lock, [&] { return threads_.empty(); });
  join_exited(lock);
}

void CallbackPool::submit(std::function<void()> job) {
  std::unique_lock lock(mu_);
  join_exited(lock);
  jobs_.push_back(std::move(job));
  if (jobs_.size() > idle_ && threads_.size() < max_threads_) {
    threads_.emplace_front();
    auto self = threads_.begin();
    *self = std::thread([this, self] { work(self); });
  } else {
    has_work_.notify_one();
  }
}

std::size_t CallbackPool::threads() const {
  std::lock_guard lock(mu_);
  return threads_.size();
}

void CallbackPool::work(std::list<std::thread>::iterator self) {
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

void CallbackPool::join_exited(std::unique_lock<std::mutex>& lock) {
  std::list<std::thread> exited;
  exited.swap(exited_);
  lock.unlock();
  for (std::thread& t : exited) t.join();
  lock.lock();
}

void Serial::submit(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(std::move(job));
    if (scheduled_) return;
    scheduled_ = true;
  }
  schedule();
}

void Serial::schedule() {
  try {
    executor_([self = shared_from_this()] { self->drain(); });
  } catch (...) {
    // An executor that refuses work would leave the post waiting forever.
    log(LogLevel::kError, "client", "the callback executor threw; running its job here");
    drain();
  }
}

void Serial::drain() {
  // A few jobs per turn, so that one busy post does not starve the others.
  constexpr int kJobsPerTurn = 16;
  for (int i = 0; i < kJobsPerTurn; ++i) {
    std::function<void()> job;
    {
      std::lock_guard lock(mu_);
      if (jobs_.empty()) {
        scheduled_ = false;
        return;
      }
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
  schedule();
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
