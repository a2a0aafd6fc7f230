// Errors thrown by the library.
//
// Every error is a `jina::Error` (a std::runtime_error) that carries an
// absl::Status, so callers can branch on a code instead of parsing text.
// Subclasses name the situations a caller usually handles differently.
#ifndef JINA_ERROR_H_
#define JINA_ERROR_H_

#include <stdexcept>
#include <string>
#include <utility>

#include "absl/status/status.h"

namespace jina {

class Error : public std::runtime_error {
 public:
  explicit Error(absl::Status status)
      : std::runtime_error(std::string(status.message())), status_(std::move(status)) {}
  Error(absl::StatusCode code, const std::string& message) : Error(absl::Status(code, message)) {}

  const absl::Status& status() const noexcept { return status_; }
  absl::StatusCode code() const noexcept { return status_.code(); }

 private:
  absl::Status status_;
};

// Bad input from the caller: a malformed URI, an option out of range, a
// Document that cannot be encoded, bytes that do not parse. Never retried.
class InvalidArgument : public Error {
 public:
  explicit InvalidArgument(const std::string& message)
      : Error(absl::StatusCode::kInvalidArgument, message) {}
};

// The Flow could not be reached, or the connection broke, after all retries.
class ConnectionError : public Error {
 public:
  explicit ConnectionError(const std::string& message,
                           absl::StatusCode code = absl::StatusCode::kUnavailable)
      : Error(code, message) {}
};

// An Executor reported an error (header.status is ERROR) and the caller gave
// neither `on_error` nor `continue_on_error`.
class BadServer : public Error {
 public:
  explicit BadServer(const std::string& message) : Error(absl::StatusCode::kInternal, message) {}
};

// A request's deadline (`timeout`) passed before its response arrived.
class Timeout : public Error {
 public:
  explicit Timeout(const std::string& message)
      : Error(absl::StatusCode::kDeadlineExceeded, message) {}
};

// The operation was cancelled by the caller.
class Cancelled : public Error {
 public:
  explicit Cancelled(const std::string& message) : Error(absl::StatusCode::kCancelled, message) {}
};

}  // namespace jina

#endif  // JINA_ERROR_H_
