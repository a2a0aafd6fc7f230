// Clients over any Transport, for the library's own tests and for
// jina::testing::FakeGateway: the constructors that take a Transport are
// not part of the public API.
#ifndef JINA_SRC_CLIENT_CLIENT_ACCESS_H_
#define JINA_SRC_CLIENT_CLIENT_ACCESS_H_

#include <memory>
#include <utility>

#include "jina/async_client.h"
#include "jina/client.h"
#include "transport/transport.h"

namespace jina::internal {

struct ClientAccess {
  static Client client(std::shared_ptr<Transport> transport, ClientOptions options) {
    return Client(std::move(transport), std::move(options));
  }
  static AsyncClient async_client(std::shared_ptr<Transport> transport, ClientOptions options) {
    return AsyncClient(std::move(transport), std::move(options));
  }
};

}  // namespace jina::internal

#endif  // JINA_SRC_CLIENT_CLIENT_ACCESS_H_
