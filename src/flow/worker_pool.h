// A fixed set of threads running queued tasks: where the Flow runs
// Executors, so that gRPC's callback threads never block on user code.
#ifndef JINA_SRC_FLOW_WORKER_POOL_H_
#define JINA_SRC_FLOW_WORKER_POOL_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace jina::flow {

class WorkerPool {
 public:
  // A task learns whether the pool is shutting down: then it should only
  // release what it holds, not do the work.
  using Task = std::function<void(bool cancelled)>;

  explicit WorkerPool(int threads);
  // Shuts down.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`. After shutdown() began, runs it at once with cancelled =
  // true on the calling thread.
  void submit(Task task);
  // Runs every queued task with cancelled = true, waits for running ones,
  // joins the threads. Idempotent.
  void shutdown();

 private:
  void run();

  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<Task> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace jina::flow

#endif  // JINA_SRC_FLOW_WORKER_POOL_H_
