#include <string>
#include <utility>

#include "client/client_access.h"
#include "jina/error.h"
#include "jina/testing.h"
#include "testing/fake_transport.h"

namespace jina::testing {
namespace {

ClientOptions v2_only(ClientOptions options) {
  if (options.doc_format && *options.doc_format != DocFormat::kV2) {
    throw InvalidArgument("FakeGateway speaks docarray v2 only (ClientOptions::doc_format)");
  }
  options.doc_format = DocFormat::kV2;
  return options;
}

}  // namespace

FakeGateway::FakeGateway() : transport_(std::make_shared<internal::FakeTransport>()) {}

FakeGateway::FakeGateway(Handler handler)
    : transport_(std::make_shared<internal::FakeTransport>(
          [handler = std::move(handler)](const DataRequest& request) -> std::optional<std::string> {
            std::optional<Response> response = handler(request);
            if (!response) return std::nullopt;
            return response->serialize();
          })) {}

Client FakeGateway::client(ClientOptions options) const {
  return internal::ClientAccess::client(transport_, v2_only(std::move(options)));
}

AsyncClient FakeGateway::async_client(ClientOptions options) const {
  return internal::ClientAccess::async_client(transport_, v2_only(std::move(options)));
}

void FakeGateway::fail_next(int attempts, absl::Status status) {
  transport_->fail_next(attempts, std::move(status));
}

void FakeGateway::hold(bool on) { transport_->hold(on); }

std::vector<DataRequest> FakeGateway::requests() const { return transport_->requests(); }

}  // namespace jina::testing
