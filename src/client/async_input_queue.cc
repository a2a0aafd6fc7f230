#include <algorithm>
#include <condition_variable>
#include <deque>
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
  return true;
}

void InputQueue::close() {
  std::lock_guard lock(state_->mu);
  state_->closed = true;
  state_->changed.notify_all();
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
}

bool InputQueue::abandoned() const {
  std::lock_guard lock(state_->mu);
  return state_->cut_short;
}

}  // namespace jina
