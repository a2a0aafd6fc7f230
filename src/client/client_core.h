// What a Client's copies (and an AsyncClient) share: the transport, the
// random source of the retry schedule, the statistics, and the docarray
// format lookup.
#ifndef JINA_SRC_CLIENT_CLIENT_CORE_H_
#define JINA_SRC_CLIENT_CLIENT_CORE_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "client/balancer.h"
#include "client/format_lookup.h"
#include "client/post_call.h"
#include "client/retry.h"
#include "client/stats.h"
#include "jina/options.h"
#include "transport/transport.h"

namespace jina::internal {

// What all copies of a Client share. post() keeps its state in its engine
// (post_call.h), so nothing here is locked across a network call.
class ClientCore {
 public:
  ClientCore(std::shared_ptr<Transport> transport, ClientOptions options)
      : transport_(std::move(transport)),
        options_(std::move(options)),
        formats_(std::make_shared<FormatLookup>(transport_, options_.doc_format)) {
    set_balancer_stats(*transport_, &stats_);
  }

  Transport& transport() const { return *transport_; }
  const ClientOptions& options() const { return options_; }
  const RandomSource& random() const { return random_; }
  StatsRecorder& stats() { return stats_; }
  // Client::stats(): the counters, and each gateway's when there are several.
  ClientStats snapshot() const {
    ClientStats out = stats_.snapshot();
    out.gateways = gateway_stats(*transport_);
    return out;
  }
  // Client::protocol() and Client::uri(); set by make_core. A Client over an
  // injected transport reports gRPC and "grpc://" + its target.
  Protocol protocol() const { return protocol_; }
  std::string uri() const { return uri_.empty() ? "grpc://" + transport_->target() : uri_; }
  void set_location(Protocol protocol, std::string uri) {
    protocol_ = protocol;
    uri_ = std::move(uri);
  }
  FormatLookup& formats() { return *formats_; }

  // The format, asking the Flow (up to 5 s) if not known yet; v2 when it
  // cannot tell. Other posts never wait for this call.
  DocFormat doc_format() {
    auto format = formats_->wait(std::chrono::seconds(5));
    return format.ok() ? *format : DocFormat::kV2;
  }

  // Runs one post as Client::post does; throws as Client::post does.
  void post(std::string_view endpoint, Inputs& inputs, const PostOptions& options,
            PostResults results) {
    run_post(*transport_, *formats_, endpoint, inputs, options, random_, std::move(results));
  }

 private:
  std::shared_ptr<Transport> transport_;
  ClientOptions options_;
  std::shared_ptr<FormatLookup> formats_;
  RandomSource random_ = default_random();
  StatsRecorder stats_;
  Protocol protocol_ = Protocol::kGrpc;
  std::string uri_;
};

// The core of a Client for `host` (see Client's constructors). Throws
// InvalidArgument as they do.
std::shared_ptr<ClientCore> make_core(std::string_view host, ClientOptions options);

}  // namespace jina::internal

#endif  // JINA_SRC_CLIENT_CLIENT_CORE_H_
