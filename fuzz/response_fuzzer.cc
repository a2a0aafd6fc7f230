#include "targets.h"

// JINA_FUZZ_DOC_FORMAT (kV2 or kV1) is set per executable.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  jina::fuzz::response(data, size, jina::DocFormat::JINA_FUZZ_DOC_FORMAT);
  return 0;
}
