#include "flow/info.h"

#include <google/protobuf/stubs/common.h>
#include <grpcpp/grpcpp.h>
#include <sys/utsname.h>

#include <cstdlib>
#include <ctime>

namespace jina::flow {
namespace {

// The jina release whose protocol this Flow speaks.
constexpr char kJinaVersion[] = "3.34.0";
constexpr char kJinaProtoVersion[] = "0.1.27";

std::string protobuf_version() {
  int v = GOOGLE_PROTOBUF_VERSION;  // e.g. 3021012
  return std::to_string(v / 1000000) + "." + std::to_string(v / 1000 % 1000) + "." +
         std::to_string(v % 1000);
}

}  // namespace

std::string utc_now_iso() {
  std::time_t t = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
  return text;
}

const char* docarray_version(DocFormat format) {
  return format == DocFormat::kV1 ? "0.21.0" : "0.40.1";
}

FlowInfo flow_info(DocFormat format, const std::string& started_at_iso,
                   const std::string& session_id) {
  FlowInfo info;
  info.jina = {
      {"jina", kJinaVersion},
      {"docarray", docarray_version(format)},
      {"jina-proto", kJinaProtoVersion},
      {"jina-cpp", "0.1.0"},
      {"protobuf", protobuf_version()},
      {"proto-backend", "cpp"},
      {"grpcio", grpc::Version()},
      {"session-id", session_id},
      {"uptime", started_at_iso},
      {"ci-vendor", "(unset)"},
      {"internal", "False"},
  };
  utsname host{};
  if (uname(&host) == 0) {
    info.jina["platform"] = host.sysname;
    info.jina["platform-release"] = host.release;
    info.jina["platform-version"] = host.version;
    info.jina["architecture"] = host.machine;
    info.jina["processor"] = host.machine;
  }
  for (const char* name :
       {"JINA_DEFAULT_HOST", "JINA_DEFAULT_TIMEOUT_CTRL", "JINA_DEPLOYMENT_NAME",
        "JINA_DISABLE_UVLOOP", "JINA_EARLY_STOP", "JINA_FULL_CLI", "JINA_GATEWAY_IMAGE",
        "JINA_GRPC_RECV_BYTES", "JINA_GRPC_SEND_BYTES", "JINA_HUB_NO_IMAGE_REBUILD",
        "JINA_LOCKS_ROOT", "JINA_LOG_CONFIG", "JINA_LOG_LEVEL", "JINA_LOG_NO_COLOR",
        "JINA_MP_START_METHOD", "JINA_OPTOUT_TELEMETRY", "JINA_RANDOM_PORT_MAX",
        "JINA_RANDOM_PORT_MIN", "JINA_STREAMER_ARGS"}) {
    const char* value = std::getenv(name);
    info.envs[name] = value ? value : "(unset)";
  }
  return info;
}

}  // namespace jina::flow
