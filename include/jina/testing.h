// Test doubles for code that uses jina::Client or jina::AsyncClient: a Flow
// gateway inside the process, so that an application's unit tests need no
// network and no Flow.
//
//   jina::testing::FakeGateway gateway([](const jina::DataRequest& request) {
//     jina::Response response = request;           // the request, answered
//     for (auto& doc : response.docs()) doc.set_text("seen");
//     return std::optional<jina::Response>(response);
//   });
//   jina::Client client = gateway.client();
//   MyIndexer indexer(client);                     // the code under test
//   indexer.run();
//   EXPECT_EQ(gateway.requests().size(), 3u);
//
// The Client is a real one: batching, callbacks, retries, timeouts and
// cancel run as against a Flow; only the wire is fake.
#ifndef JINA_TESTING_H_
#define JINA_TESTING_H_

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "jina/async_client.h"
#include "jina/client.h"
#include "jina/options.h"
#include "jina/request.h"

namespace jina {
namespace internal {
class FakeTransport;
}  // namespace internal

namespace testing {

// A gateway that answers every request with `handler`, called on a thread of
// the fake (one per post, as a real transport's threads), one request at a
// time per post. It speaks docarray v2.
//
// Thread-safe. Clients made from it keep it alive.
class FakeGateway {
 public:
  // The response to one request: typically the request itself with its
  // Documents changed, or with header().mutable_status() set to an Executor
  // error (then on_error or BadServer, as a real Executor error). nullopt:
  // no answer (a hung Executor; a post with a `timeout` then times out).
  using Handler = std::function<std::optional<Response>(const DataRequest& request)>;

  // Echoes every request: its Documents come back as sent.
  FakeGateway();
  explicit FakeGateway(Handler handler);

  // A Client whose every call goes to this gateway. `options` as a real
  // Client's; the host is not used. Throws InvalidArgument for doc_format v1.
  Client client(ClientOptions options = {}) const;
  AsyncClient async_client(ClientOptions options = {}) const;

  // The next `attempts` connection attempts (posts' streams and status
  // calls) fail at once with `status`: absl::UnavailableError for a Flow
  // that is down (retried with max_attempts), any other code for one that
  // refuses (see docs/errors.md for what each becomes).
  void fail_next(int attempts, absl::Status status);
  // While on, requests are taken but not answered (a slow Flow); off
  // answers them.
  void hold(bool on);
  // Every request answered so far, in the order the gateway took them.
  std::vector<DataRequest> requests() const;

 private:
  std::shared_ptr<internal::FakeTransport> transport_;
};

}  // namespace testing
}  // namespace jina

#endif  // JINA_TESTING_H_
