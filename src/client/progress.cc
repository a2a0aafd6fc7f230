#include "client/progress.h"

#include <unistd.h>

#include <algorithm>
#include <string>

namespace jina::internal {

Progress::Progress(bool show, bool force, std::optional<std::uint64_t> total_requests,
                   std::FILE* out)
    : enabled_(show && (force || isatty(fileno(out)) == 1)),
      total_(total_requests),
      out_(out),
      start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() {
  if (enabled_) {
    draw(true);
    std::fputc('\n', out_);
    std::fflush(out_);
  }
}

void Progress::add(std::uint64_t requests, std::uint64_t docs) {
  if (!enabled_) return;
  requests_ += requests;
  docs_ += docs;
  auto now = std::chrono::steady_clock::now();
  // Redrawing per response would cost more than the requests at high rates.
  if (now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw(false);
}

void Progress::draw(bool final) {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = elapsed > 0 ? static_cast<double>(docs_) / elapsed : 0;
  std::string bar;
  if (total_ && *total_ > 0) {
    constexpr int kWidth = 24;
    auto filled = static_cast<int>(std::min<std::uint64_t>(requests_, *total_) * kWidth / *total_);
    // Appended piece by piece: `"[" + std::string(...)` inserts at the front,
    // where GCC 12 -O3 warns (-Wrestrict, a false positive).
    bar += '[';
    bar.append(filled, '#');
    bar.append(kWidth - filled, '.');
    bar += "] ";
  }
  std::string count = std::to_string(requests_);
  if (total_) {
    count += '/';
    count += std::to_string(*total_);
  }
  std::fprintf(out_, "\r%s%s requests, %llu docs, %.0f docs/s, %.1f s%s", bar.c_str(),
               count.c_str(), static_cast<unsigned long long>(docs_), rate, elapsed,
               final ? " done" : "");
  std::fflush(out_);
}

}  // namespace jina::internal
