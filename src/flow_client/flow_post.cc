// Flow::post and the CRUD methods, as jina's `f.post`: a Client connected to
// the Flow's own first protocol. Here, in a layer above both, because the
// Flow may not use the client layer (docs/architecture.md).
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jina/client.h"
#include "jina/error.h"
#include "jina/flow.h"
#include "jina/options.h"
#include "jina/protocol.h"
#include "transport/target.h"

namespace jina {

namespace {

// Where a client on this machine reaches an address the Flow listens on: a
// wildcard means every interface, loopback among them.
std::string reachable_host(const std::string& host) {
  if (host.empty() || host == "0.0.0.0") return "127.0.0.1";
  if (host == "::" || host == "[::]") return "[::1]";
  if (host.find(':') != std::string::npos && host.front() != '[') return "[" + host + "]";
  return host;
}

}  // namespace

Client Flow::post_client() {
  if (!is_running()) {
    throw Error(absl::StatusCode::kFailedPrecondition,
                "Flow::post: the Flow is not running (call start() first; a stopped Flow "
                "cannot post)");
  }
  std::lock_guard lock(post_mu_);
  if (!post_client_) {
    const FlowOptions& o = options();
    const bool tls = !o.ssl_certfile.empty();
    const Protocol protocol = o.protocols.front();
    ClientOptions client_options;
    // The Flow says which format it speaks: no need to ask its _status.
    client_options.doc_format = o.doc_format;
    // The certificate is the Flow's own, and need not name this address.
    client_options.tls_insecure_skip_verify = tls;
    post_client_ =
        std::make_shared<Client>(internal::scheme_of(protocol, tls) + "://" +
                                     reachable_host(o.host) + ":" + std::to_string(port(protocol)),
                                 std::move(client_options));
  }
  return *post_client_;  // a copy shares the connection
}

DocumentArray Flow::post(std::string_view endpoint, Inputs inputs, const PostOptions& options) {
  return post_client().post(endpoint, std::move(inputs), options);
}

std::vector<Response> Flow::post_responses(std::string_view endpoint, Inputs inputs,
                                           const PostOptions& options) {
  return post_client().post_responses(endpoint, std::move(inputs), options);
}

DocumentArray Flow::index(Inputs inputs, const PostOptions& options) {
  return post_client().index(std::move(inputs), options);
}
DocumentArray Flow::search(Inputs inputs, const PostOptions& options) {
  return post_client().search(std::move(inputs), options);
}
DocumentArray Flow::update(Inputs inputs, const PostOptions& options) {
  return post_client().update(std::move(inputs), options);
}
DocumentArray Flow::remove(Inputs inputs, const PostOptions& options) {
  return post_client().remove(std::move(inputs), options);
}

}  // namespace jina
