// Shared pieces of the Document sources: size/sampling limits and reading
// lines with their numbers.
#ifndef JINA_SRC_SOURCES_SOURCES_INTERNAL_H_
#define JINA_SRC_SOURCES_SOURCES_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "jina/error.h"

namespace jina::sources {

// Applies `size` and `sampling_rate` to a stream of candidates.
class Limiter {
 public:
  Limiter(std::optional<std::size_t> size, double sampling_rate, std::optional<std::uint64_t> seed)
      : size_(size), rate_(sampling_rate), rng_(seed ? *seed : std::random_device{}()) {
    if (!(sampling_rate > 0.0 && sampling_rate <= 1.0)) {
      throw InvalidArgument("sampling_rate must be in (0, 1], got " +
                            std::to_string(sampling_rate));
    }
  }
  // Whether `size` Documents were already produced.
  bool full() const { return size_ && taken_ >= *size_; }
  // Whether the next candidate is kept (counts it when it is).
  bool keep() {
    if (rate_ < 1.0 && std::uniform_real_distribution<double>(0.0, 1.0)(rng_) >= rate_)
      return false;
    ++taken_;
    return true;
  }

 private:
  std::optional<std::size_t> size_;
  double rate_;
  std::mt19937_64 rng_;
  std::size_t taken_ = 0;
};

// "name:line: message".
inline InvalidArgument at_line(const std::string& name, std::size_t line, const std::string& what) {
  return InvalidArgument(name + ":" + std::to_string(line) + ": " + what);
}

}  // namespace jina::sources

#endif  // JINA_SRC_SOURCES_SOURCES_INTERNAL_H_
