// UTF-8 validation: proto3 `string` fields and JSON text must be valid UTF-8,
// and protobuf would only log (and the peer then fail to parse) otherwise.
#ifndef JINA_SRC_COMMON_UTF8_H_
#define JINA_SRC_COMMON_UTF8_H_

#include <string>
#include <string_view>

#include "jina/error.h"

namespace jina::internal {

bool is_valid_utf8(std::string_view s);

// Throws InvalidArgument naming `what` if `s` is not valid UTF-8.
inline void require_utf8(std::string_view s, std::string_view what) {
  if (!is_valid_utf8(s)) throw InvalidArgument(std::string(what) + " is not valid UTF-8");
}

}  // namespace jina::internal

#endif  // JINA_SRC_COMMON_UTF8_H_
