#include "transport/transport.h"

#include <exception>
#include <string>

#include "wire/request_codec.h"

namespace jina::internal {
namespace {

template <class Parse>
void deliver_parsed(StreamObserver& observer, std::string_view bytes, Parse parse) {
  Response response;
  try {
    response = parse(bytes);
  } catch (const std::exception& e) {
    observer.on_bad_response(
        absl::DataLossError(std::string("malformed response from the Flow: ") + e.what()),
        bytes.size());
    return;
  }
  observer.on_response(std::move(response), bytes.size());
}

}  // namespace

void deliver_serialized(StreamObserver& observer, std::string_view bytes, DocFormat format) {
  deliver_parsed(observer, bytes,
                 [format](std::string_view b) { return DataRequest::parse(b, format); });
}

void deliver_single_document(StreamObserver& observer, std::string_view bytes, DocFormat format) {
  deliver_parsed(observer, bytes,
                 [format](std::string_view b) { return wire::parse_single_document(b, format); });
}

}  // namespace jina::internal
