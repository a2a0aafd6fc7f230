#include "client/progress.h"

#include <unistd.h>

#include <algorithm>
#include <string>

namespace jina::internal {

Progress::Progress(bool show, bool force, std::optional<std::uint64_t> total_requests,
                   std::FILE* out)
    : terminal_(isatty(fileno(out)) == 1),
      enabled_(show && (force || terminal_)),
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
  using ull = unsigned long long;
  char count[80];
  char eta[32] = "";
  if (!total_) {
    std::snprintf(count, sizeof count, "%llu requests", static_cast<ull>(requests_));
  } else if (*total_ == 0) {
    std::snprintf(count, sizeof count, "%llu/0 requests", static_cast<ull>(requests_));
  } else {
    std::uint64_t done = std::min(requests_, *total_);
    std::snprintf(count, sizeof count, "%llu/%llu requests (%llu %%)", static_cast<ull>(requests_),
                  static_cast<ull>(*total_), static_cast<ull>(done * 100 / *total_));
    // The time left at the rate so far, once there is a rate.
    if (!final && done > 0 && done < *total_) {
      std::snprintf(eta, sizeof eta, ", ETA %.0f s",
                    elapsed * static_cast<double>(*total_ - done) / static_cast<double>(done));
    }
  }
  // On a terminal "\x1b[K" clears what a longer line drawn before left
  // behind; a log file gets no escape codes.
  std::fprintf(out_, "\r%s%s, %llu docs, %.0f docs/s, %.1f s%s%s%s", bar.c_str(), count,
               static_cast<ull>(docs_), rate, elapsed, eta, final ? " done" : "",
               terminal_ ? "\x1b[K" : "");
  std::fflush(out_);
}

}  // namespace jina::internal
