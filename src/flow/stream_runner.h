// The threads that run streaming Executor methods (stream_doc calls): one
// thread per call, up to a bound.
//
// Not the WorkerPool: a streaming method blocks in DocEmitter::emit() for as
// long as its client reads slowly (that is the backpressure), so on the pool
// a few slow clients would hold every worker and stall all other requests.
#ifndef JINA_SRC_FLOW_STREAM_RUNNER_H_
#define JINA_SRC_FLOW_STREAM_RUNNER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace jina::flow {

// Items of a streaming call that wait, serialized, behind the one being
// written (gRPC and HTTP alike); emit() blocks while this many wait.
inline constexpr std::size_t kStreamItemsQueued = 4;

class StreamRunner {
 public:
  enum class Start { kStarted, kBusy, kStopping };

  // At most `max_threads` tasks run at once (positive).
  explicit StreamRunner(int max_threads);
  // Shuts down.
  ~StreamRunner();
  StreamRunner(const StreamRunner&) = delete;
  StreamRunner& operator=(const StreamRunner&) = delete;

  // Runs `task` on a thread of its own. kBusy: `max_threads` tasks are
  // running; kStopping: shutdown() began. Then `task` is not run.
  // Thread-safe. `task` must not throw.
  Start start(std::function<void()> task);
  // Refuses new tasks and waits for the running ones to return. Idempotent.
  void shutdown();

 private:
  std::vector<std::thread> take_finished();  // under mu_

  const int max_threads_;
  std::mutex mu_;
  bool stopping_ = false;
  int running_ = 0;
  std::uint64_t next_key_ = 0;
  std::map<std::uint64_t, std::thread> threads_;  // not joined yet
  std::vector<std::uint64_t> finished_;           // returned, to be joined
};

}  // namespace jina::flow

#endif  // JINA_SRC_FLOW_STREAM_RUNNER_H_
