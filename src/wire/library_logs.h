// The log lines of the libraries underneath (gRPC's core, protobuf) go
// through the library's sink and level (jina/log.h), instead of straight to
// stderr whatever the application chose.
#ifndef JINA_SRC_WIRE_LIBRARY_LOGS_H_
#define JINA_SRC_WIRE_LIBRARY_LOGS_H_

namespace jina::internal {

// Installs, once per process, gRPC's log function and protobuf's log handler
// that hand each line to internal::log (components "grpc" and "protobuf").
// Both are process-wide settings: an application that sets its own after a
// Client or Flow was made wins. Thread-safe.
void route_library_logs();

}  // namespace jina::internal

#endif  // JINA_SRC_WIRE_LIBRARY_LOGS_H_
