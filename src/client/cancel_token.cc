#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "jina/options.h"

namespace jina {

struct CancelToken::State {
  std::mutex mu;
  bool cancelled = false;
  int next_handle = 1;
  std::map<int, std::function<void()>> listeners;
};

CancelToken::CancelToken() : state_(std::make_shared<State>()) {}

void CancelToken::cancel() {
  // Listeners run under the lock so that remove_listener() returning means
  // the listener is not running and never will.
  std::lock_guard lock(state_->mu);
  if (state_->cancelled) return;
  state_->cancelled = true;
  for (auto& [handle, listener] : state_->listeners) listener();
}

bool CancelToken::cancelled() const {
  std::lock_guard lock(state_->mu);
  return state_->cancelled;
}

int CancelToken::add_listener(std::function<void()> listener) const {
  std::lock_guard lock(state_->mu);
  if (state_->cancelled) listener();
  int handle = state_->next_handle++;
  state_->listeners.emplace(handle, std::move(listener));
  return handle;
}

void CancelToken::remove_listener(int handle) const {
  std::lock_guard lock(state_->mu);
  state_->listeners.erase(handle);
}

}  // namespace jina
