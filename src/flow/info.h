// What the Flow reports about itself (JinaRPC _status, and HTTP /status
// later): the versions a client uses to detect the wire format, and the
// JINA_* environment.
#ifndef JINA_SRC_FLOW_INFO_H_
#define JINA_SRC_FLOW_INFO_H_

#include <map>
#include <string>

#include "jina/document.h"

namespace jina::flow {

struct FlowInfo {
  std::map<std::string, std::string> jina;  // versions and platform
  std::map<std::string, std::string> envs;  // JINA_* variables, "(unset)" when unset
};

// The docarray version a Python Flow serving `format` would report:
// "0.40.1" for v2, "0.21.0" for v1 (clients treat < 0.30 as v1).
const char* docarray_version(DocFormat format);

// `started_at_iso` is the Flow's start time (the "uptime" key, as jina
// reports it); `session_id` identifies this Flow instance.
// The current UTC time as "YYYY-MM-DDTHH:MM:SS".
std::string utc_now_iso();

FlowInfo flow_info(DocFormat format, const std::string& started_at_iso,
                   const std::string& session_id);

}  // namespace jina::flow

#endif  // JINA_SRC_FLOW_INFO_H_
