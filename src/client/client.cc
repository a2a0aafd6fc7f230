#include "jina/client.h"

#include <charconv>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "client/balancer.h"
#include "client/client_core.h"
#include "client/errors.h"
#include "client/post_call.h"
#include "client/retry.h"
#include "common/log.h"
#include "jina/error.h"
#include "transport/grpc_transport.h"
#include "transport/http_transport.h"
#include "transport/target.h"
#include "transport/transport.h"
#include "transport/websocket_transport.h"
#include "wire/library_logs.h"

namespace jina {
namespace internal {

namespace {

std::shared_ptr<Transport> make_transport(const Target& target, const ClientOptions& options) {
  switch (target.protocol) {
    case Protocol::kHttp:
      return make_http_transport(target, options);
    case Protocol::kWebsocket:
      return make_websocket_transport(target, options);
    case Protocol::kGrpc:
      break;
  }
  return make_grpc_transport(target, options);
}

std::chrono::steady_clock::duration seconds(double s) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(s > 0 ? s : 0));
}

}  // namespace

// "grpcs://h:443", "http://a:80,b:80", "dns:///name:8080".
std::string uri_of(const std::vector<Target>& targets) {
  std::string out;
  for (const Target& t : targets) {
    if (!out.empty()) out += ",";
    out += t.resolve_all ? "dns:///" : scheme_of(t.protocol, t.tls) + "://";
    out += t.address();
  }
  return out;
}

std::shared_ptr<ClientCore> make_core(std::string_view host, ClientOptions options) {
  route_library_logs();
  std::vector<Target> targets = resolve_targets(host, options);
  const Target& first = targets.front();
  if (!options.stream && first.protocol == Protocol::kWebsocket) {
    throw InvalidArgument(
        "ClientOptions::stream = false (one unary call per request) needs gRPC or HTTP; "
        "a WebSocket gateway only streams");
  }
  std::shared_ptr<Transport> transport;
  if (targets.size() == 1 && !first.resolve_all) {
    transport = make_transport(first, options);
  } else {
    transport = make_balanced_transport(targets, options, make_transport);
  }
  // Once per Client (copies share this core); never silent.
  if (options.tls_insecure_skip_verify) {
    log(LogLevel::kWarning, "tls",
        "certificate verification is OFF for " + transport->target() +
            " (ClientOptions::tls_insecure_skip_verify): anyone on the network path can read "
            "and change this Client's traffic");
  }
  auto core = std::make_shared<ClientCore>(std::move(transport), std::move(options));
  core->set_location(first.protocol, uri_of(targets));
  return core;
}

}  // namespace internal

Client::Client(std::string_view host) : Client(host, ClientOptions{}) {}
Client::Client(std::string_view host, ClientOptions options)
    : core_(internal::make_core(host, std::move(options))) {}
Client::Client(ClientOptions options) : Client(std::string_view(), std::move(options)) {}
Client::Client(std::shared_ptr<internal::Transport> transport, ClientOptions options)
    : core_(std::make_shared<internal::ClientCore>(std::move(transport), std::move(options))) {}
Client::~Client() = default;
Client::Client(const Client&) = default;
Client& Client::operator=(const Client&) = default;
Client::Client(Client&&) noexcept = default;
Client& Client::operator=(Client&&) noexcept = default;

DocumentArray Client::post(std::string_view endpoint, Inputs inputs, const PostOptions& options) {
  DocumentArray docs;
  // The post holds the connection: this Client may be destroyed meanwhile.
  std::shared_ptr<internal::ClientCore> core = core_;
  core->post(endpoint, inputs, options, {.docs = &docs, .stats = &core->stats()});
  return docs;
}

std::vector<Response> Client::post_responses(std::string_view endpoint, Inputs inputs,
                                             const PostOptions& options) {
  std::vector<Response> responses;
  std::shared_ptr<internal::ClientCore> core = core_;  // as in post()
  core->post(endpoint, inputs, options, {.responses = &responses, .stats = &core->stats()});
  return responses;
}

DocumentArray Client::index(Inputs inputs, const PostOptions& options) {
  return post("/index", std::move(inputs), options);
}
DocumentArray Client::search(Inputs inputs, const PostOptions& options) {
  return post("/search", std::move(inputs), options);
}
DocumentArray Client::update(Inputs inputs, const PostOptions& options) {
  return post("/update", std::move(inputs), options);
}
DocumentArray Client::remove(Inputs inputs, const PostOptions& options) {
  return post("/delete", std::move(inputs), options);
}

bool Client::is_flow_ready(double timeout) const {
  absl::Status status;
  try {
    status = core_->transport().dry_run(internal::seconds(timeout));
  } catch (const std::exception& e) {
    status = absl::UnknownError(e.what());
  }
  // As Jina's: a yes or no, never an exception; the reason goes to the log.
  if (!status.ok() && internal::log_enabled(LogLevel::kInfo)) {
    internal::log(LogLevel::kInfo, "client",
                  "the Flow at " + target() + " is not ready: " + status.ToString());
  }
  return status.ok();
}

std::vector<std::string> Client::endpoints(double timeout) const {
  auto result = core_->transport().endpoints(internal::seconds(timeout));
  if (!result.ok()) {
    internal::throw_error_for(result.status().code(), "endpoint discovery at " + target() +
                                                          " failed: " + result.status().ToString());
  }
  return *std::move(result);
}

nlohmann::json Client::status(double timeout) const {
  auto result = core_->transport().info(internal::seconds(timeout));
  if (!result.ok()) {
    internal::throw_error_for(result.status().code(),
                              "status of " + target() + " failed: " + result.status().ToString());
  }
  return *std::move(result);
}

nlohmann::json Client::mutate(std::string_view mutation, const nlohmann::json& variables,
                              double timeout) const {
  return mutate_on(*core_, mutation, variables, timeout);
}

nlohmann::json Client::mutate_on(internal::ClientCore& core, std::string_view mutation,
                                 const nlohmann::json& variables, double timeout) {
  nlohmann::json body = {{"query", std::string(mutation)},
                         {"variables", variables.is_null() ? nlohmann::json::object() : variables}};
  auto result = core.transport().graphql(body, internal::seconds(timeout));
  if (result.ok()) return *std::move(result);
  const absl::Status& status = result.status();
  internal::throw_error_for(status.code(), "GraphQL at " + core.transport().target() +
                                               " failed: " + std::string(status.message()));
}

DocFormat Client::doc_format() const { return core_->doc_format(); }

ClientStats Client::stats() const { return core_->snapshot(); }

std::string Client::target() const { return core_->transport().target(); }
Protocol Client::protocol() const { return core_->protocol(); }
std::string Client::uri() const { return core_->uri(); }

}  // namespace jina
