#include "client/errors.h"

namespace jina::internal {

TypedError error_for(absl::StatusCode code, const std::string& message) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
      return typed(InvalidArgument(message));
    case absl::StatusCode::kDeadlineExceeded:
      return typed(Timeout(message));
    case absl::StatusCode::kCancelled:
      return typed(Cancelled(message));
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kUnimplemented:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kAlreadyExists:
      return typed(Error(code, message));
    default:
      return typed(ConnectionError(
          message, code == absl::StatusCode::kOk ? absl::StatusCode::kUnknown : code));
  }
}

void throw_error_for(absl::StatusCode code, const std::string& message) {
  std::rethrow_exception(error_for(code, message).thrown);
}

}  // namespace jina::internal
