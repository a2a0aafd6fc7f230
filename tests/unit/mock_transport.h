// The unit tests' Transport without any network: the library's own fake
// (src/testing/fake_transport.h), which jina::testing::FakeGateway wraps.
#ifndef JINA_TESTS_UNIT_MOCK_TRANSPORT_H_
#define JINA_TESTS_UNIT_MOCK_TRANSPORT_H_

#include "testing/fake_transport.h"

namespace jina::testing {

using internal::RequestStream;
using internal::StreamObserver;
using internal::StreamOptions;
using internal::Transport;
using MockTransport = internal::FakeTransport;

}  // namespace jina::testing

#endif  // JINA_TESTS_UNIT_MOCK_TRANSPORT_H_
