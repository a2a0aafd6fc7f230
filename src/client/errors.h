// One table from a failed call's status code to the exception the library
// throws for it (docs/errors.md), so that an exception's class and its
// code() agree wherever the failure came from: a post, status(),
// endpoints(), mutate(), on any protocol.
#ifndef JINA_SRC_CLIENT_ERRORS_H_
#define JINA_SRC_CLIENT_ERRORS_H_

#include <exception>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "jina/error.h"

namespace jina::internal {

// An error as both a throwable and an object for on_error.
struct TypedError {
  std::exception_ptr thrown;
  std::shared_ptr<const Error> error;  // the same error, of the same class
};

template <class E>
TypedError typed(const E& error) {
  return {std::make_exception_ptr(error), std::make_shared<E>(error)};
}

// The error for a call that failed with `code`:
//   INVALID_ARGUMENT                  InvalidArgument (the gateway refused the request)
//   DEADLINE_EXCEEDED                 Timeout
//   CANCELLED                         Cancelled
//   NOT_FOUND, UNIMPLEMENTED,
//   DATA_LOSS, FAILED_PRECONDITION,
//   OUT_OF_RANGE, ALREADY_EXISTS      Error (with that code)
//   anything else                     ConnectionError (with that code: UNAVAILABLE, INTERNAL,
//                                     UNKNOWN, RESOURCE_EXHAUSTED, UNAUTHENTICATED, ...)
TypedError error_for(absl::StatusCode code, const std::string& message);

// Throws error_for(code, message).
[[noreturn]] void throw_error_for(absl::StatusCode code, const std::string& message);

}  // namespace jina::internal

#endif  // JINA_SRC_CLIENT_ERRORS_H_
