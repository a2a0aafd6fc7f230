#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

#include "jina/async_client.h"

namespace jina {

struct InputQueue::State {
  explicit State(std::size_t capacity) : capacity(std::max<std::size_t>(capacity, 1)) {}
  const std::size_t capacity;
  mutable std::mutex mu;
  std::condition_variable changed;
  std::deque<Document> docs;
  bool closed = false;
  bool abandoned = false;
  bool cut_short = false;
  // take_now()'s listener, and when to call it: once `wanted` are queued.
  std::function<void()> listener;
  std::size_t wanted = 0;

  // With `mu` held: a push or close may let a take_now() that came up short
  // make progress. Under the lock, so no call starts after set_listener().
  void notify(bool always) {
    if (!listener || (!always && (wanted == 0 || docs.size() < wanted))) return;
    wanted = 0;
    listener();
  }
};

InputQueue::InputQueue(std::size_t capacity) : state_(std::make_shared<State>(capacity)) {}

bool InputQueue::push(Document doc) {
  std::unique_lock lock(state_->mu);
  if (state_->closed) throw InvalidArgument("InputQueue::push after close()");
  state_->changed.wait(lock,
                       [&] { return state_->abandoned || state_->docs.size() < state_->capacity; });
  if (state_->abandoned) return false;
  state_->docs.push_back(std::move(doc));
  state_->changed.notify_all();
  state_->notify(/*always=*/false);
  return true;
}

void InputQueue::close() {
  std::lock_guard lock(state_->mu);
  state_->closed = true;
  state_->changed.notify_all();
  state_->notify(/*always=*/true);
}

bool InputQueue::closed() const {
  std::lock_guard lock(state_->mu);
  return state_->closed;
}

std::optional<Document> InputQueue::operator()() {
  std::unique_lock lock(state_->mu);
  state_->changed.wait(
      lock, [&] { return state_->abandoned || state_->closed || !state_->docs.empty(); });
  if (state_->abandoned || state_->docs.empty()) return std::nullopt;
  Document doc = std::move(state_->docs.front());
  state_->docs.pop_front();
  state_->changed.notify_all();
  return doc;
}

void InputQueue::abandon() {
  std::lock_guard lock(state_->mu);
  if (state_->abandoned) return;
  state_->abandoned = true;
  state_->cut_short = !(state_->closed && state_->docs.empty());
  state_->docs.clear();
  state_->changed.notify_all();
  state_->notify(/*always=*/true);
}

bool InputQueue::take_now(std::size_t max, std::vector<Document>& out) {
  std::lock_guard lock(state_->mu);
  State& s = *state_;
  std::size_t n = std::min(max, s.docs.size());
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(std::move(s.docs.front()));
    s.docs.pop_front();
  }
  if (n > 0) s.changed.notify_all();  // room for a blocked push
  const bool over = s.abandoned || (s.closed && s.docs.empty());
  s.wanted = over ? 0 : std::min(max - n, s.capacity);
  return over;
}

void InputQueue::set_listener(std::function<void()> listener) {
  std::lock_guard lock(state_->mu);
  if (listener && state_->listener) {
    // Two posts taking turns would each miss the other's wake-ups.
    throw InvalidArgument("this InputQueue already feeds a running post: one queue, one post");
  }
  state_->listener = std::move(listener);
}

bool InputQueue::abandoned() const {
  std::lock_guard lock(state_->mu);
  return state_->cut_short;
}

}  // namespace jina
