// The fuzz targets' bodies, shared by the libFuzzer executables (fuzz/*.cc)
// and by tests/unit/fuzz_regressions_test.cc, which replays the inputs that
// once crashed them. Each takes arbitrary bytes; a crash, a sanitizer report
// or an exception other than jina::InvalidArgument is a bug.
#ifndef JINA_FUZZ_TARGETS_H_
#define JINA_FUZZ_TARGETS_H_

#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "jina/document.h"
#include "jina/error.h"
#include "jina/request.h"
#include "transport/http_codec.h"
#include "transport/target.h"
#include "wire/sse.h"

namespace jina::fuzz {

// A broken invariant: abort so that libFuzzer (and the replay test) see it.
inline void check(bool ok) {
  if (!ok) std::abort();
}

inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Host strings and URIs (ClientOptions::host, the Client's first argument).
inline void uri(const std::uint8_t* data, std::size_t size) {
  std::string_view text = text_of(data, size);
  try {
    internal::parse_host(text);
    // What the parser accepts must be usable as a target.
    internal::Target target = internal::resolve_target(text, ClientOptions{});
    check(target.port >= 1 && target.port <= 65535);
    (void)target.address();
  } catch (const InvalidArgument&) {
  }
}

inline void round_trip(const DocumentArray& docs) {
  for (DocFormat format : {DocFormat::kV2, DocFormat::kV1}) {
    try {
      (void)docs.to_json(format).dump();
      DataRequest request;
      request.set_docs(docs);
      (void)DataRequest::parse(request.serialize(format), format);
    } catch (const InvalidArgument&) {
      // Documents a format cannot hold (extras in v1, float16 as JSON).
    }
  }
}

// JSON -> Document / DocumentArray (what an HTTP gateway answers), and back.
inline void document_json(const std::uint8_t* data, std::size_t size) {
  nlohmann::json j = nlohmann::json::parse(text_of(data, size), nullptr, false);
  if (j.is_discarded()) return;
  try {
    round_trip(DocumentArray{Document::from_json(j)});
  } catch (const InvalidArgument&) {
  }
  try {
    round_trip(DocumentArray::from_json(j));
  } catch (const InvalidArgument&) {
  }
}

// Protobuf bytes from a gateway -> Response (jina.DataRequestProto with
// docarray v2 or v1 documents), then what a caller reads from it.
inline void response(const std::uint8_t* data, std::size_t size, DocFormat format) {
  try {
    DataRequest response = DataRequest::parse(text_of(data, size), format);
    (void)response.header().status().description();
    for (const auto& doc : response.docs()) (void)doc.text();
    try {
      (void)response.docs().to_json(format).dump();
    } catch (const InvalidArgument&) {
    }
    // What was parsed can be sent again.
    (void)DataRequest::parse(response.serialize(format), format);
  } catch (const InvalidArgument&) {
  }
}

// An HTTP gateway's answer -> Response or failure (transport/http_codec):
// the first two bytes pick the status code, the rest is the body, also read
// as an OpenAPI document and as GET /dry_run's answer.
inline void http_response(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return;
  // Mostly the statuses the codec branches on, sometimes any number.
  constexpr int kStatuses[] = {200, 201, 204, 400, 404, 422, 500, 502, 503, 301};
  int status = data[0] < 200 ? kStatuses[data[0] % 10] : (data[0] << 8 | data[1]) % 1000;
  std::string_view body = text_of(data + 2, size - 2);

  DataRequest request;
  request.header().set_request_id("0123456789abcdef0123456789abcdef").set_exec_endpoint("/foo");
  auto parsed = internal::response_from_http(status, body, request);
  if (parsed.ok()) {
    for (DocFormat format : {DocFormat::kV2, DocFormat::kV1}) {
      try {
        (void)DataRequest::parse(parsed->serialize(format), format);
      } catch (const InvalidArgument&) {
      }
    }
  } else {
    check(!parsed.status().message().empty());  // a failure says what failed
  }
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) return;
  (void)internal::openapi_endpoints(j);
  (void)internal::dry_run_result(j);
  try {
    (void)internal::http_call_for(request, DocFormat::kV2, internal::openapi_post_paths(j),
                                  HttpApi::kAuto);
  } catch (const InvalidArgument&) {
  }
}

// What the library reads from a WebSocket peer, as raw frames after a real
// handshake over an in-memory stream (Beast's frame parser included):
//   data[0] even: the Client's side. The gateway's frames are responses
//     (jina.DataRequestProto), then a close whose code and reason become
//     the post's error (websocket_transport.cc, read_all).
//   data[0] odd: the local Flow's side. The client's (masked) frames are
//     requests or the one-byte 0x00 end-of-input marker (web_socket.cc).
inline void websocket(const std::uint8_t* data, std::size_t size) {
  namespace beast = boost::beast;
  namespace websocket = beast::websocket;
  using Ws = websocket::stream<beast::test::stream>;
  if (size < 1) return;
  bool flow_side = data[0] & 1;
  boost::asio::io_context io;
  Ws client(io), server(io);
  client.next_layer().connect(server.next_layer());
  beast::error_code client_ec, server_ec;
  client.async_handshake("localhost", "/", [&](beast::error_code ec) { client_ec = ec; });
  server.async_accept([&](beast::error_code ec) { server_ec = ec; });
  io.run();
  check(!client_ec && !server_ec);                                    // the harness itself works
  client.read_message_max(jina::ClientOptions{}.max_response_bytes);  // as the Client
  server.read_message_max(64 * 1024 * 1024);

  Ws& peer = flow_side ? client : server;
  Ws& reader = flow_side ? server : client;
  beast::error_code ec;
  peer.next_layer().write_some(boost::asio::buffer(data + 1, size - 1), ec);
  peer.next_layer().close();  // then EOF

  beast::flat_buffer buffer;
  for (int i = 0; i < 1000; ++i) {
    reader.read(buffer, ec);
    if (ec) break;
    std::string bytes = beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
    if (flow_side && bytes.size() == 1 && bytes[0] == '\0') break;  // end of input
    try {
      (void)DataRequest::parse(bytes, DocFormat::kV2);
    } catch (const InvalidArgument&) {
    }
  }
  if (!flow_side && ec == websocket::error::closed) {
    const websocket::close_reason& reason = reader.reason();
    std::string text =
        reason.reason.empty() ? std::string("no reason given") : std::string(reason.reason.c_str());
    (void)(std::to_string(reason.code) + ": " + text);
  }
}

// An event stream from an HTTP gateway (wire/sse, what the HTTP transport
// reads of a streaming endpoint's body): data[0] picks the size of the
// pieces it is fed in and data[1] the bound on one event; the rest is the
// body. Split or whole, the bytes give the same events and the same error;
// every event is within the bound and writes back (sse_event) to itself;
// each `update` goes through the transport's Document decoding.
inline void sse(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return;
  const std::size_t piece = 1 + data[0] % 64;
  const std::size_t limit = data[1] < 128 ? 16 + data[1] * 8 : std::size_t{1} << 20;
  const std::string_view body = text_of(data + 2, size - 2);

  struct Run {
    std::vector<wire::SseEvent> events;
    absl::Status status;
  };
  auto run = [&](std::size_t step) {
    Run out;
    wire::SseParser parser(limit);
    std::string_view rest = body;
    while (!rest.empty() && out.status.ok()) {
      std::string_view input = rest.substr(0, step);
      rest.remove_prefix(input.size());
      while (!input.empty()) {
        auto event = parser.next(input);
        if (!event.ok()) {
          out.status = event.status();
          check(event.status().code() == absl::StatusCode::kDataLoss);
          break;
        }
        if (*event) out.events.push_back(std::move(**event));
      }
    }
    return out;
  };
  Run whole = run(body.size() + 1);
  Run split = run(piece);
  check(whole.events == split.events);
  check(whole.status == split.status);
  if (whole.status.ok()) {
    wire::SseParser parser(limit);
    std::string_view rest = body;
    while (!rest.empty()) (void)parser.next(rest);
    check(parser.bytes_consumed() == body.size());
  }
  for (const wire::SseEvent& event : whole.events) {
    check(event.data.size() <= limit && event.type.size() <= limit);
    check(event.type.find_first_of("\r\n") == std::string::npos);
    check(event.data.find('\r') == std::string::npos);
    const std::string again = wire::sse_event(event.type, event.data);
    wire::SseParser parser(again.size());
    std::string_view input = again;
    auto back = parser.next(input);
    check(back.ok() && back->has_value() && **back == event);
    auto after = parser.next(input);  // the LF of the last CRLF: nothing more
    check(after.ok() && !after->has_value() && input.empty());
    if (event.type == "update") {
      auto item = internal::sse_item_from(event.data, "/stream");
      check(item.ok() ? item->docs().size() == 1
                      : item.status().code() == absl::StatusCode::kDataLoss);
    }
  }
}

}  // namespace jina::fuzz

#endif  // JINA_FUZZ_TARGETS_H_
