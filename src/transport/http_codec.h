// The JSON side of Jina's HTTP gateway, without any networking: which route
// a request goes to, its JSON body, and how an HTTP answer becomes a
// Response or a failure. Pure functions, so tests need no server.
#ifndef JINA_SRC_TRANSPORT_HTTP_CODEC_H_
#define JINA_SRC_TRANSPORT_HTTP_CODEC_H_

#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "jina/options.h"
#include "jina/protocol.h"
#include "jina/request.h"

namespace jina::internal {

// One HTTP POST for one DataRequest.
struct HttpCall {
  std::string path;
  nlohmann::json body;
};

// The most Documents jina's docarray-v2 HTTP gateway answers for in one
// POST. Its POST route (jina 3.34, gateway/http_fastapi_app_docarrayv2.py)
// hands the body to GatewayStreamer.stream_docs without a request_size, whose
// default (gateway/streamer.py) is 100: a longer body is cut into requests of
// 100 that all reach the Executors, but the route answers with the first one
// to finish only, HTTP 200 and no error; the rest is thrown away (issue 19).
// No gateway option changes it. So the HTTP transport POSTs a longer request
// to a docarray-v2 gateway in pieces of this many and joins the answers.
inline constexpr std::size_t kV2HttpGatewayBatch = 100;

// A DataRequest as the HTTP transport keeps it from encoding to sending: its
// header, and its Documents and parameters already written as JSON text, so
// that sending needs no protobuf and a re-send no encoding. pack() makes it
// the one string a RequestStream carries (Transport::encode).
struct HttpRequestForm {
  std::string request_id;
  std::string exec_endpoint;
  std::optional<std::string> target_executor;
  std::string data;        // the Documents, JSON in the stream's docarray format
  std::string parameters;  // a JSON object
  // In docarray v2 with more than kV2HttpGatewayBatch Documents: where each
  // piece of kV2HttpGatewayBatch Documents but the last ends in `data` (the
  // offset of the ',' after its last Document), so that the transport can
  // cut `data` into pieces without parsing it. Empty otherwise.
  std::vector<std::size_t> piece_ends;
  std::size_t doc_count = 0;

  // Throws InvalidArgument for Documents that JSON cannot carry.
  static HttpRequestForm from(const DataRequest& request, DocFormat format);
  // How many POSTs a docarray-v2 gateway needs for this request (1 when it
  // is not cut).
  std::size_t piece_count() const { return piece_ends.size() + 1; }
  // Piece `i` (< piece_count()) as a request of its own: the same header and
  // parameters, its Documents only.
  HttpRequestForm piece(std::size_t i) const;
  std::string pack() const;
  // Throws InvalidArgument for a string pack() did not make.
  static HttpRequestForm unpack(std::string_view packed);
  // The request again, in `format` (to hand it back with an error).
  DataRequest request(DocFormat format) const;
};

// One HTTP POST, its body as sent.
struct HttpPost {
  std::string path;
  std::string body;
  // A per-endpoint route (docarray v2's shape), not the generic "/post".
  bool per_endpoint = false;
};

// The POST paths of an OpenAPI document ("/default", "/foo", "/post" ...).
std::set<std::string> openapi_post_paths(const nlohmann::json& openapi);

// Where and what to POST for `request`, following Jina's client: the
// endpoint's own route when the gateway has it, else "/default" (docarray v2
// gateways), else the generic "/post" (docarray v1 gateways). `post_paths`
// empty means unknown: then `format` decides (v1 -> "/post"). `api` forces
// one or the other. Docs are written as JSON in `format`. The path is
// percent-encoded (anything but letters, digits, "-._~/"). The body parsed
// back into JSON: for tests and fuzzing; the transport sends http_post_for's.
HttpCall http_call_for(const DataRequest& request, DocFormat format,
                       const std::set<std::string>& post_paths, HttpApi api);
// The same from the request's form, with the body as text.
HttpPost http_post_for(const HttpRequestForm& form, DocFormat format,
                       const std::set<std::string>& post_paths, HttpApi api);

// The Response to `request` from an HTTP answer with `status` and `body`:
// 2xx parses the JSON (v1 camelCase or snake_case keys, v2's reduced
// header); a 500 with `{"detail": ...}` (how docarray v2 gateways report an
// Executor error) becomes `request` with ERROR status and that text. Any
// other answer is a failure: UNAVAILABLE (retryable) for 5xx, NOT_FOUND for
// 404, INVALID_ARGUMENT for other 4xx, DATA_LOSS for a malformed body.
absl::StatusOr<DataRequest> response_from_http(int status, std::string_view body,
                                               const DataRequest& request);
// The same for a request sent from its form (decoded only when the answer
// is an Executor error, which hands the request back).
absl::StatusOr<DataRequest> response_from_http(int status, std::string_view body,
                                               const HttpRequestForm& form, DocFormat format);

// The one Response to a request that was POSTed in pieces (HttpRequestForm::
// piece), from the pieces' Responses in order, all of them successes: the
// Documents joined in order; header, parameters and routes of the first
// piece (the header's request id is the request's anyway).
DataRequest join_piece_responses(std::vector<DataRequest> pieces);
// The Response to a request POSTed in pieces when a piece's answer carries
// an Executor error `status`: the whole request handed back (every
// Document as sent) with that status, as one POST's Executor error is.
DataRequest piece_error_response(const HttpRequestForm& form, DocFormat format,
                                 const Status& status);

// An HTTP answer that is a failure (not 2xx) as a Status: UNAVAILABLE
// (retryable) for 5xx, NOT_FOUND for 404, INVALID_ARGUMENT for other 4xx
// (and anything else), with `message`.
absl::Status http_failure(int status, std::string message);

// One call of a streaming endpoint over Server-Sent Events: `GET <path>`
// with the Document itself as the JSON body (jina 3.34's HTTP gateway,
// docs/streaming-protocol.md §3.1).
struct SseRequest {
  std::string path;  // "/" + the endpoint without its slashes, percent-encoded
  std::string body;  // the Document's docarray v2 JSON
};
// The request for `request`'s endpoint and first Document. Its parameters
// are not sent: jina's SSE route reads the body as the Document only and has
// no place for them (its Python client drops them too). Throws
// InvalidArgument for a Document that JSON cannot carry.
SseRequest sse_request_for(const DataRequest& request);
// Whether the answer to an SSE request starts a stream: OK for 200 with
// Content-Type text/event-stream. Otherwise why not, for `what` ("GET /x
// at host:port"): 404 NOT_FOUND (no such streaming endpoint), 405
// FAILED_PRECONDITION (an ordinary endpoint: jina answers `allow: POST`),
// 422 INVALID_ARGUMENT, 5xx UNAVAILABLE, a 200 of another type DATA_LOSS.
// `body` is (the start of) the answer's body, for the message.
absl::Status sse_answer_status(int status, std::string_view content_type, std::string_view allow,
                               std::string_view body, const std::string& what);
// An `update` event's data (a Document's JSON) as a Response with that one
// Document and `exec_endpoint`; DATA_LOSS when it is not a Document.
absl::StatusOr<DataRequest> sse_item_from(std::string_view data, const std::string& exec_endpoint);
// An `error` event's data as the Executor's error: a StatusProto's JSON
// with an error code (the local Flow sends the Executor's exception so);
// nullopt for anything else.
std::optional<Status> sse_error_status(std::string_view data);

// GET /dry_run's StatusProto JSON: OK for code 0, kInternal with the
// description otherwise.
absl::Status dry_run_result(const nlohmann::json& status);

// The data endpoints an OpenAPI document lists: POST paths but the
// gateway's own ("/post", "/graphql").
std::vector<std::string> openapi_endpoints(const nlohmann::json& openapi);

}  // namespace jina::internal

#endif  // JINA_SRC_TRANSPORT_HTTP_CODEC_H_
