// The docarray wire format a Flow speaks, as a Client's posts learn it: given
// (ClientOptions::doc_format) or asked from the Flow's status once, for all
// posts of the Client, without any lock held across the network call. A post
// asks and goes on with other work (its deadline and its cancel still apply);
// the answer arrives as a callback.
#ifndef JINA_SRC_CLIENT_FORMAT_LOOKUP_H_
#define JINA_SRC_CLIENT_FORMAT_LOOKUP_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "absl/status/statusor.h"
#include "jina/protocol.h"
#include "transport/transport.h"

namespace jina::internal {

// Thread-safe. Keep it in a shared_ptr: a running lookup holds it (and the
// transport) until the Flow answers or the lookup's timeout passes.
class FormatLookup : public std::enable_shared_from_this<FormatLookup> {
 public:
  // The format, or the retryable transport error of an unreachable Flow. A
  // Flow that answers without the status call (not a connection failure)
  // gets v2, Jina's default install, as an answer.
  using Result = absl::StatusOr<DocFormat>;
  using Listener = std::function<void(const Result&)>;

  // A lookup that never asks: every post uses `format`.
  static std::shared_ptr<FormatLookup> fixed(DocFormat format);
  // Asks `transport` unless `given` is set.
  FormatLookup(std::shared_ptr<Transport> transport, std::optional<DocFormat> given);

  // The format once known (given, or a Flow answered).
  std::optional<DocFormat> known() const;

  // Asks the Flow, unless a lookup is running already: `done` gets the result
  // of the next one to end, on the thread that ran it, unless forget() came
  // first. `timeout` bounds a lookup this call starts. Returns a handle > 0.
  std::uint64_t ask(std::chrono::steady_clock::duration timeout, Listener done);
  // Drops a listener; once this returns, it is not running and never will.
  void forget(std::uint64_t handle);

  // Waits up to `timeout` for a lookup (blocking; Client::doc_format()).
  Result wait(std::chrono::steady_clock::duration timeout);

  // docarray < 0.30 is the v1 wire format.
  static DocFormat format_of(const nlohmann::json& status);

 private:
  void finish(const Result& result);

  std::shared_ptr<Transport> transport_;
  mutable std::mutex mu_;
  std::condition_variable called_;
  std::optional<DocFormat> known_;               // under mu_
  bool running_ = false;                         // under mu_
  std::map<std::uint64_t, Listener> listeners_;  // under mu_
  std::uint64_t next_handle_ = 1;                // under mu_
  std::set<std::uint64_t> calling_;              // listeners running now; under mu_
};

}  // namespace jina::internal

#endif  // JINA_SRC_CLIENT_FORMAT_LOOKUP_H_
