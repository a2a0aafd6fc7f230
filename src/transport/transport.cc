#include "transport/transport.h"

#include <exception>
#include <string>

namespace jina::internal {

void deliver_serialized(StreamObserver& observer, std::string_view bytes, DocFormat format) {
  Response response;
  try {
    response = DataRequest::parse(bytes, format);
  } catch (const std::exception& e) {
    observer.on_bad_response(
        absl::DataLossError(std::string("malformed response from the Flow: ") + e.what()),
        bytes.size());
    return;
  }
  observer.on_response(std::move(response), bytes.size());
}

}  // namespace jina::internal
