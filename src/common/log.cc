#include "common/log.h"

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <utility>

namespace jina {
namespace {

std::atomic<LogLevel> min_level{LogLevel::kWarning};

void write_to_stderr(const LogRecord& record) {
  std::fprintf(stderr, "jina %.*s [%.*s]: %.*s\n", static_cast<int>(to_string(record.level).size()),
               to_string(record.level).data(), static_cast<int>(record.component.size()),
               record.component.data(), static_cast<int>(record.message.size()),
               record.message.data());
}

// One lock for replacing and for calling the sink: records reach it one at a time.
std::mutex& sink_mutex() {
  static std::mutex mu;
  return mu;
}

LogSink& sink() {
  static LogSink current = write_to_stderr;
  return current;
}

}  // namespace

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
    case LogLevel::kOff:
      break;
  }
  return "off";
}

void set_log_sink(LogSink new_sink) {
  std::lock_guard lock(sink_mutex());
  sink() = new_sink ? std::move(new_sink) : LogSink(write_to_stderr);
}

void set_log_level(LogLevel level) { min_level.store(level, std::memory_order_relaxed); }

LogLevel log_level() { return min_level.load(std::memory_order_relaxed); }

namespace internal {

bool log_enabled(LogLevel level) {
  LogLevel min = min_level.load(std::memory_order_relaxed);
  return level != LogLevel::kOff && min != LogLevel::kOff && level >= min;
}

void log(LogLevel level, std::string_view component, std::string_view message) {
  if (!log_enabled(level)) return;
  std::lock_guard lock(sink_mutex());
  // A throwing sink must not take a post or a Flow down with it.
  try {
    sink()(LogRecord{level, component, message});
  } catch (...) {
  }
}

}  // namespace internal
}  // namespace jina
