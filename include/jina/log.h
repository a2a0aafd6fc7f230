// Where the library's log records go.
//
// The library logs little: warnings a user must see (an insecure TLS
// setting, say) and, at lower levels, retries, connection changes and the
// local Flow's request errors. By default records below kWarning are
// dropped and the rest are written to stderr as one line each. Records never
// contain Document contents, parameters or credentials.
//
//   jina::set_log_level(jina::LogLevel::kDebug);
//   jina::set_log_sink([](const jina::LogRecord& r) { my_logger(r.component, r.message); });
//
// Thread-safety: all functions may be called from any thread. A sink is
// called from whichever thread logs, one record at a time (calls are
// serialized), and must not call back into set_log_sink().
#ifndef JINA_LOG_H_
#define JINA_LOG_H_

#include <functional>
#include <string_view>

namespace jina {

enum class LogLevel { kDebug, kInfo, kWarning, kError, kOff };

// "debug", "info", "warning", "error", "off".
std::string_view to_string(LogLevel level);

struct LogRecord {
  LogLevel level = LogLevel::kInfo;
  std::string_view component{};  // "client", "grpc", "http", "websocket", "flow", "tls"
  std::string_view message{};    // one line, no trailing newline
};

using LogSink = std::function<void(const LogRecord&)>;

// Replaces the sink; an empty function restores the default (stderr).
void set_log_sink(LogSink sink);

// Records below `level` are dropped before they are formatted (default
// kWarning; kOff drops everything).
void set_log_level(LogLevel level);
LogLevel log_level();

}  // namespace jina

#endif  // JINA_LOG_H_
