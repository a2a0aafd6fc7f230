// The one table from a status code to the exception thrown (src/client/errors.h):
// the class and code() agree, for the thrown exception and for on_error's copy.
#include "client/errors.h"

#include <gtest/gtest.h>

#include <string>
#include <typeinfo>

#include "jina/error.h"

namespace jina::internal {
namespace {

// The class's name, as thrown.
std::string thrown_class(const TypedError& e) {
  try {
    std::rethrow_exception(e.thrown);
  } catch (const InvalidArgument&) {
    return "InvalidArgument";
  } catch (const Timeout&) {
    return "Timeout";
  } catch (const Cancelled&) {
    return "Cancelled";
  } catch (const ConnectionError&) {
    return "ConnectionError";
  } catch (const BadServer&) {
    return "BadServer";
  } catch (const Error&) {
    return "Error";
  }
  return "?";
}

TEST(ErrorTableTest, EveryCodeHasOneClassAndKeepsItsCode) {
  using C = absl::StatusCode;
  const struct {
    C code;
    const char* cls;
  } table[] = {
      {C::kInvalidArgument, "InvalidArgument"},
      {C::kDeadlineExceeded, "Timeout"},
      {C::kCancelled, "Cancelled"},
      {C::kNotFound, "Error"},
      {C::kUnimplemented, "Error"},
      {C::kDataLoss, "Error"},
      {C::kFailedPrecondition, "Error"},
      {C::kOutOfRange, "Error"},
      {C::kAlreadyExists, "Error"},
      {C::kUnavailable, "ConnectionError"},
      {C::kInternal, "ConnectionError"},
      {C::kUnknown, "ConnectionError"},
      {C::kResourceExhausted, "ConnectionError"},
      {C::kUnauthenticated, "ConnectionError"},
      {C::kPermissionDenied, "ConnectionError"},
      {C::kAborted, "ConnectionError"},
  };
  for (const auto& row : table) {
    SCOPED_TRACE(absl::StatusCodeToString(row.code));
    TypedError e = error_for(row.code, "what happened");
    EXPECT_EQ(thrown_class(e), row.cls);
    EXPECT_EQ(e.error->code(), row.code);
    EXPECT_STREQ(e.error->what(), "what happened");
    // on_error's copy is of the same class as what the post throws.
    EXPECT_EQ(typeid(*e.error).name(), [&] {
      try {
        std::rethrow_exception(e.thrown);
      } catch (const Error& thrown) {
        return std::string(typeid(thrown).name());
      }
    }());
  }
  // No error is ever OK: an OK code from a transport is UNKNOWN.
  EXPECT_EQ(error_for(absl::StatusCode::kOk, "odd").error->code(), absl::StatusCode::kUnknown);
  EXPECT_THROW(throw_error_for(absl::StatusCode::kInvalidArgument, "x"), InvalidArgument);
}

}  // namespace
}  // namespace jina::internal
