#include "jina/client.h"

#include <charconv>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "client/host_uri.h"
#include "client/post_call.h"
#include "client/retry.h"
#include "jina/error.h"
#include "transport/grpc_transport.h"
#include "transport/transport.h"

namespace jina {
namespace internal {

// What all copies of a Client's state share; post() itself keeps its state
// on the caller's stack, so only the format cache needs a lock.
class ClientCore {
 public:
  ClientCore(std::shared_ptr<Transport> transport, ClientOptions options)
      : transport_(std::move(transport)), options_(std::move(options)) {}

  Transport& transport() const { return *transport_; }
  const RandomSource& random() const { return random_; }

  DocFormat doc_format() {
    if (options_.doc_format) return *options_.doc_format;
    std::lock_guard lock(mu_);
    if (detected_) return *detected_;
    auto info = transport_->info(std::chrono::seconds(5));
    // Unreachable now: assume the default install (v2) and ask again next time.
    if (!info.ok()) return DocFormat::kV2;
    detected_ = format_of(*info);
    return *detected_;
  }

 private:
  // docarray < 0.30 is the v1 wire format.
  static DocFormat format_of(const nlohmann::json& info) {
    auto jina = info.find("jina");
    if (jina == info.end() || !jina->contains("docarray") || !(*jina)["docarray"].is_string()) {
      return DocFormat::kV2;
    }
    std::string version = (*jina)["docarray"].get<std::string>();
    int major = 0;
    int minor = 0;
    const char* p = version.data();
    const char* end = version.data() + version.size();
    auto r = std::from_chars(p, end, major);
    if (r.ec != std::errc()) return DocFormat::kV2;
    if (r.ptr < end && *r.ptr == '.') std::from_chars(r.ptr + 1, end, minor);
    return (major == 0 && minor < 30) ? DocFormat::kV1 : DocFormat::kV2;
  }

  std::shared_ptr<Transport> transport_;
  ClientOptions options_;
  RandomSource random_ = default_random();
  std::mutex mu_;
  std::optional<DocFormat> detected_;
};

namespace {

std::shared_ptr<Transport> make_transport(const Target& target, const ClientOptions& options) {
  if (target.protocol != Protocol::kGrpc) {
    throw InvalidArgument("protocol " + std::string(protocol_name(target.protocol)) +
                          " is not supported yet: use grpc");
  }
  return make_grpc_transport(target, options);
}

std::shared_ptr<ClientCore> make_core(std::string_view host, ClientOptions options) {
  Target target = resolve_target(host, options);
  auto transport = make_transport(target, options);
  return std::make_shared<ClientCore>(std::move(transport), std::move(options));
}

std::chrono::steady_clock::duration seconds(double s) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(s > 0 ? s : 0));
}

}  // namespace
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
  internal::run_post(core_->transport(), core_->doc_format(), endpoint, inputs, options,
                     core_->random(), {&docs, nullptr});
  return docs;
}

std::vector<Response> Client::post_responses(std::string_view endpoint, Inputs inputs,
                                             const PostOptions& options) {
  std::vector<Response> responses;
  internal::run_post(core_->transport(), core_->doc_format(), endpoint, inputs, options,
                     core_->random(), {nullptr, &responses});
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
  try {
    return core_->transport().dry_run(internal::seconds(timeout)).ok();
  } catch (...) {
    return false;
  }
}

std::vector<std::string> Client::endpoints(double timeout) const {
  auto result = core_->transport().endpoints(internal::seconds(timeout));
  if (!result.ok()) {
    throw ConnectionError(
        "endpoint discovery at " + target() + " failed: " + result.status().ToString(),
        result.status().code());
  }
  return *std::move(result);
}

nlohmann::json Client::status(double timeout) const {
  auto result = core_->transport().info(internal::seconds(timeout));
  if (!result.ok()) {
    throw ConnectionError("status of " + target() + " failed: " + result.status().ToString(),
                          result.status().code());
  }
  return *std::move(result);
}

DocFormat Client::doc_format() const { return core_->doc_format(); }

std::string Client::target() const { return core_->transport().target(); }

}  // namespace jina
