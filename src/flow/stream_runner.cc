#include "flow/stream_runner.h"

#include <system_error>
#include <utility>

namespace jina::flow {

StreamRunner::StreamRunner(int max_threads) : max_threads_(max_threads) {}

StreamRunner::~StreamRunner() { shutdown(); }

std::vector<std::thread> StreamRunner::take_finished() {
  std::vector<std::thread> done;
  for (std::uint64_t key : finished_) {
    auto it = threads_.find(key);
    if (it == threads_.end()) continue;
    done.push_back(std::move(it->second));
    threads_.erase(it);
  }
  finished_.clear();
  return done;
}

StreamRunner::Start StreamRunner::start(std::function<void()> task) {
  std::vector<std::thread> finished;
  Start result = Start::kStarted;
  {
    std::lock_guard lock(mu_);
    finished = take_finished();
    if (stopping_) {
      result = Start::kStopping;
    } else if (running_ >= max_threads_) {
      result = Start::kBusy;
    } else {
      const std::uint64_t key = next_key_++;
      try {
        // The thread reports its end under mu_, which is held until it is
        // in threads_.
        threads_.emplace(key, std::thread([this, key, task = std::move(task)]() mutable {
                           task();
                           task = nullptr;  // its captures go before the end is reported
                           std::lock_guard done(mu_);
                           --running_;
                           finished_.push_back(key);
                         }));
        ++running_;
      } catch (const std::system_error&) {  // no thread to be had
        result = Start::kBusy;
      }
    }
  }
  for (std::thread& t : finished) t.join();  // they have returned: this is quick
  return result;
}

void StreamRunner::shutdown() {
  std::map<std::uint64_t, std::thread> threads;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    threads = std::move(threads_);
    threads_.clear();
    finished_.clear();
  }
  for (auto& [key, thread] : threads) thread.join();
}

}  // namespace jina::flow
