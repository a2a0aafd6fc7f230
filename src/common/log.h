// The library's side of jina/log.h.
#ifndef JINA_SRC_COMMON_LOG_H_
#define JINA_SRC_COMMON_LOG_H_

#include <string>
#include <string_view>

#include "jina/log.h"

namespace jina::internal {

// Whether a record at `level` would reach the sink: check it before building
// an expensive message.
bool log_enabled(LogLevel level);

// Hands one record to the sink when `level` is enabled.
void log(LogLevel level, std::string_view component, std::string_view message);

}  // namespace jina::internal

#endif  // JINA_SRC_COMMON_LOG_H_
