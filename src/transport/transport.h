// The seam between jina::Client and the wire: a Transport opens request
// streams and answers the gateway's unary calls. gRPC is one implementation;
// HTTP and WebSocket can be others, and tests use a mock.
//
// Each transport says how a request is encoded (encode(): a serialized
// jina.DataRequestProto for gRPC and WebSocket, HTTP's own form with the
// JSON already written); the post encodes each request once and keeps the
// result for a re-send. Responses arrive decoded: each transport turns what
// its gateway sends into a Response on its own thread, in the stream's
// docarray format. Nothing is re-encoded on the way, either way.
#ifndef JINA_SRC_TRANSPORT_TRANSPORT_H_
#define JINA_SRC_TRANSPORT_TRANSPORT_H_

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "jina/options.h"
#include "jina/protocol.h"
#include "jina/request.h"

namespace jina::internal {

// Receives what a stream reads. Calls come from transport threads (or from
// the thread in StreamPump::wait()): on_response calls never overlap each
// other, and on_done is called exactly once, last.
class StreamObserver {
 public:
  virtual ~StreamObserver() = default;
  // One response; `wire_bytes` is its size as received (for statistics).
  virtual void on_response(Response response, std::size_t wire_bytes) = 0;
  // A response that could not be decoded: DATA_LOSS saying why, and how
  // many bytes arrived. The stream goes on; the post decides.
  virtual void on_bad_response(absl::Status status, std::size_t wire_bytes) = 0;
  // The stream is over: OK when the server closed it normally.
  virtual void on_done(absl::Status status) = 0;
};

// One open bidi stream of requests. Destroying it cancels the stream if it is
// still open and waits until the observer got on_done, so an observer may be
// destroyed right after its stream.
class RequestStream {
 public:
  virtual ~RequestStream() = default;
  // Queues one request, as the transport's encode() made it; never blocks.
  // Ignored once the stream is over. The bytes are shared, not copied: the
  // caller keeps them to re-send.
  virtual void write(std::shared_ptr<const std::string> bytes) = 0;
  // write() (write_last() when `last`) of the request whose header says
  // `request_id`: a stream that routes requests over several gateways needs
  // the id to tell which answer settles which request; others ignore it.
  virtual void send(std::string_view request_id, std::shared_ptr<const std::string> bytes,
                    bool last) {
    (void)request_id;
    if (last) {
      write_last(std::move(bytes));
    } else {
      write(std::move(bytes));
    }
  }
  // Half-closes the stream after the queued requests.
  virtual void writes_done() = 0;
  // write(bytes) then writes_done(), which a transport may send together.
  virtual void write_last(std::shared_ptr<const std::string> bytes) {
    write(std::move(bytes));
    writes_done();
  }
  // Ends the stream at once; on_done follows with CANCELLED (or the status it
  // ended with already).
  virtual void cancel() = 0;
};

// A waiting thread lent to a transport. While a post's engine waits for
// events in wait(), the I/O of the streams opened with this pump
// (StreamOptions::pump) runs on that thread and their observers are called
// there, so a response reaches the engine with no thread hand-off: over gRPC
// the hand-off from gRPC's own threads cost ~40 % of the client's CPU per
// one-Document request against a slow Flow (docs/benchmarks.md).
class StreamPump {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~StreamPump() = default;
  // Runs one piece of the streams' work when there is one (which may call
  // their observers), or waits until there is, until wake() or `deadline`
  // (time_point::max(): no deadline). Call from one thread at a time.
  virtual void wait(Clock::time_point deadline) = 0;
  // Makes the wait() in progress, or the next one, return soon. Thread-safe;
  // a no-op on the thread in wait().
  virtual void wake() = 0;
};

struct StreamOptions {
  Compression compression = Compression::kNone;
  bool results_in_order = false;
  int prefetch = 0;  // sent as `__prefetch__` when > 0
  std::vector<std::pair<std::string, std::string>> metadata;
  // The docarray format of the serialized requests and of the responses
  // expected back (transports that re-encode, like HTTP, need it).
  DocFormat doc_format = DocFormat::kV2;
  // Set (from the transport's make_pump()): the stream makes progress only
  // while a thread is in pump->wait(), and is used, and destroyed, on that
  // thread only. The pump must outlive the stream.
  StreamPump* pump = nullptr;
};

// Decodes `bytes`, a serialized DataRequestProto in `format`, for
// `observer`: on_response, or on_bad_response when it is malformed.
void deliver_serialized(StreamObserver& observer, std::string_view bytes, DocFormat format);
// The same for a serialized jina.SingleDocumentRequestProto (an item of a
// stream_doc call): a Response with at most one Document.
void deliver_single_document(StreamObserver& observer, std::string_view bytes, DocFormat format);

// One call of a streaming endpoint (Transport::open_doc_stream): the request
// is sent, and items are read one at a time, each further one only after
// read_next(), so a consumer that does not ask holds the server back
// (backpressure) instead of making the client buffer. Destroying it cancels
// the call if still open and waits until the observer got on_done.
class ItemStream {
 public:
  virtual ~ItemStream() = default;
  // Reads one more item: on_response (or on_bad_response) follows, or
  // on_done when the stream is over. Call once per item delivered.
  virtual void read_next() = 0;
  // Ends the call at once; on_done follows with CANCELLED (or how it ended).
  virtual void cancel() = 0;
};

class Transport {
 public:
  using Duration = std::chrono::steady_clock::duration;

  virtual ~Transport() = default;

  // What a RequestStream of this transport sends for `request` in `format`.
  // Called once per request, on the post's thread. Throws InvalidArgument
  // for a request the protocol cannot carry. Pure, so that a transport that
  // wraps another cannot forget to forward it.
  virtual std::string encode(const DataRequest& request, DocFormat format) const = 0;
  // encode()'s result as a request again (to hand it back with an error).
  // Throws for bytes encode() did not make.
  virtual DataRequest decode(std::string_view encoded, DocFormat format) const = 0;

  // A pump for streams of one post (StreamOptions::pump), or null when the
  // transport's streams run on threads of their own.
  virtual std::unique_ptr<StreamPump> make_pump() { return nullptr; }
  // Opens `/jina.JinaRPC/Call`. `observer` must outlive the stream.
  virtual std::unique_ptr<RequestStream> open_stream(const StreamOptions& options,
                                                     StreamObserver* observer) = 0;
  // Calls the streaming (generator) endpoint request.header().exec_endpoint()
  // with `request` (one Document): jina.JinaSingleDocumentRequestRPC/
  // stream_doc over gRPC, Server-Sent Events over HTTP. The first item is
  // read at once; the observer gets each as a Response with at most one
  // Document. Null for a protocol without streaming endpoints (WebSocket).
  // `options.pump`, when the transport made one, drives the call.
  virtual std::unique_ptr<ItemStream> open_doc_stream(const DataRequest& request,
                                                      const StreamOptions& options,
                                                      StreamObserver* observer) {
    (void)request;
    (void)options;
    (void)observer;
    return nullptr;
  }
  // jina.JinaGatewayDryRunRPC/dry_run: OK when the Flow reported success;
  // the transport error, or kInternal with the Flow's description, otherwise.
  virtual absl::Status dry_run(Duration timeout) = 0;
  // jina.JinaDiscoverEndpointsRPC/endpoint_discovery.
  virtual absl::StatusOr<std::vector<std::string>> endpoints(Duration timeout) = 0;
  // jina.JinaInfoRPC/_status as {"jina": {...}, "envs": {...}}.
  virtual absl::StatusOr<nlohmann::json> info(Duration timeout) = 0;
  // POSTs a GraphQL `{query, variables}` body and returns the JSON answer.
  // NOT_FOUND where the gateway has no GraphQL endpoint; UNIMPLEMENTED for
  // transports without one (gRPC, WebSocket).
  virtual absl::StatusOr<nlohmann::json> graphql(const nlohmann::json& body, Duration timeout) {
    (void)body;
    (void)timeout;
    return absl::UnimplementedError("GraphQL needs an HTTP gateway (http:// or https://), not " +
                                    target());
  }
  // "host:port", for error messages.
  virtual std::string target() const = 0;
  // The protocol's name for error messages ("gRPC", "HTTP", "WebSocket").
  virtual std::string protocol_name() const { return "gRPC"; }
  // Whether open_stream, write and writes_done never wait for the network,
  // so that a post may start on the thread of AsyncClient::post.
  virtual bool opens_streams_at_once() const { return false; }
};

// A transport whose requests are serialized jina.DataRequestProto bytes
// (gRPC, WebSocket, the test fakes).
class ProtobufTransport : public Transport {
 public:
  std::string encode(const DataRequest& request, DocFormat format) const override {
    return request.serialize(format);
  }
  DataRequest decode(std::string_view encoded, DocFormat format) const override {
    return DataRequest::parse(encoded, format);
  }
};

}  // namespace jina::internal

#endif  // JINA_SRC_TRANSPORT_TRANSPORT_H_
