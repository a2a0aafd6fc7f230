// A one-line progress display for post(): requests done, docs/s, elapsed.
#ifndef JINA_SRC_CLIENT_PROGRESS_H_
#define JINA_SRC_CLIENT_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>

namespace jina::internal {

class Progress {
 public:
  // Draws on `out` when `show` and (`force` or `out` is a terminal).
  // `total_requests` draws a bar when known.
  Progress(bool show, bool force, std::optional<std::uint64_t> total_requests,
           std::FILE* out = stderr);
  ~Progress();  // ends the line

  bool enabled() const { return enabled_; }
  void add(std::uint64_t requests, std::uint64_t docs);

 private:
  void draw(bool final);

  bool terminal_;
  bool enabled_;
  std::optional<std::uint64_t> total_;
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
  std::uint64_t requests_ = 0;
  std::uint64_t docs_ = 0;
};

}  // namespace jina::internal

#endif  // JINA_SRC_CLIENT_PROGRESS_H_
