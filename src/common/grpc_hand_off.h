// Makes an order that gRPC already keeps visible to ThreadSanitizer.
#ifndef JINA_SRC_COMMON_GRPC_HAND_OFF_H_
#define JINA_SRC_COMMON_GRPC_HAND_OFF_H_

#include <atomic>

namespace jina::internal {

// gRPC hands our objects from one of its threads to another (a reactor built
// on one and reacted on on another; successive reads of one stream), but it
// orders them inside Debian's uninstrumented libgrpc, where TSan cannot see
// it, so TSan takes the accesses on either side for races: reported when the
// earlier stack has left its history, and costly to suppress in any case.
// Call `release()` after the writes and `acquire()` before the accesses on the
// next thread. Free on x86: an ordinary store and load. Thread-safe.
class GrpcHandOff {
 public:
  void release() { flag_.store(true, std::memory_order_release); }
  void acquire() const { (void)flag_.load(std::memory_order_acquire); }

 private:
  std::atomic<bool> flag_{false};
};

}  // namespace jina::internal

#endif  // JINA_SRC_COMMON_GRPC_HAND_OFF_H_
