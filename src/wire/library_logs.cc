#include "wire/library_logs.h"

#include <google/protobuf/stubs/logging.h>
#include <grpc/support/log.h>

#include <mutex>
#include <string>

#include "common/log.h"

namespace jina::internal {
namespace {

void grpc_line(gpr_log_func_args* args) {
  LogLevel level = LogLevel::kError;
  if (args->severity == GPR_LOG_SEVERITY_DEBUG) level = LogLevel::kDebug;
  if (args->severity == GPR_LOG_SEVERITY_INFO) level = LogLevel::kInfo;
  if (!log_enabled(level)) return;
  log(level, "grpc",
      std::string(args->message) + " (" + args->file + ":" + std::to_string(args->line) + ")");
}

void protobuf_line(google::protobuf::LogLevel severity, const char* file, int line,
                   const std::string& message) {
  LogLevel level = LogLevel::kError;
  if (severity == google::protobuf::LOGLEVEL_INFO) level = LogLevel::kInfo;
  if (severity == google::protobuf::LOGLEVEL_WARNING) level = LogLevel::kWarning;
  if (!log_enabled(level)) return;
  log(level, "protobuf", message + " (" + file + ":" + std::to_string(line) + ")");
}

}  // namespace

void route_library_logs() {
  static std::once_flag once;
  std::call_once(once, [] {
    gpr_log_verbosity_init();  // what grpc_init() does: GRPC_VERBOSITY, ERROR by default
    gpr_set_log_function(grpc_line);
    google::protobuf::SetLogHandler(protobuf_line);
  });
}

}  // namespace jina::internal
