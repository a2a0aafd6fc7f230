// The JSON shapes of Jina's HTTP gateway that both ends here speak: the
// client's HTTP transport (src/transport/http_codec) and the local Flow's
// web server (src/flow/web_server). Keys come in snake_case (docarray v2
// gateways) or camelCase (v1); a StatusProto's code as a number or a name.
#ifndef JINA_SRC_WIRE_GATEWAY_JSON_H_
#define JINA_SRC_WIRE_GATEWAY_JSON_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "jina/request.h"

namespace jina::wire {

// The value under `snake` or its camelCase alias `camel`; null when `object`
// is no object or has neither (or only nulls).
const nlohmann::json* json_field(const nlohmann::json& object, std::string_view snake,
                                 std::string_view camel);
// The same as a string; empty when absent or not a string.
std::string json_string_field(const nlohmann::json& object, std::string_view snake,
                              std::string_view camel);

// JSON text as a gateway sends and expects it: compact, and bytes that are
// not UTF-8 replaced (U+FFFD) rather than thrown on.
std::string json_text(const nlohmann::json& j);
// JSON text as Python's json.dumps writes it, as jina's SSE events carry
// Documents: ", " and ": " separators, non-ASCII escaped (\u00e9), an "id"
// key first in each object (docarray's field order), the others sorted.
std::string python_json_text(const nlohmann::json& j);

// A StatusProto as the gateways write it ({code, description, exception}),
// and back (code 0 or "SUCCESS" is success, anything else an error).
nlohmann::json status_to_json(const Status& status);
Status status_from_json(const nlohmann::json& j);

}  // namespace jina::wire

#endif  // JINA_SRC_WIRE_GATEWAY_JSON_H_
