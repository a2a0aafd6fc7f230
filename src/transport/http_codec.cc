#include "transport/http_codec.h"

#include <cctype>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "jina/error.h"
#include "wire/gateway_json.h"

namespace jina::internal {
namespace {

using json = nlohmann::json;

using wire::json_field;
using wire::json_string_field;
using wire::json_text;
using wire::status_from_json;

// The exception type at the front of a Python repr: "ValueError('x')" -> ValueError.
std::string exception_name(const std::string& repr) {
  std::size_t end = repr.find('(');
  if (end == std::string::npos || end == 0) return "Exception";
  for (std::size_t i = 0; i < end; ++i) {
    char c = repr[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.') return "Exception";
  }
  return repr.substr(0, end);
}

DataRequest error_response(const DataRequest& request, const std::string& detail) {
  DataRequest response = request;
  Status& status = response.header().mutable_status();
  status.set_code(StatusCode::kError).set_description(detail);
  status.mutable_exception().set_name(exception_name(detail)).set_args({detail});
  return response;
}

// Length-prefixed fields ("5:hello"), for HttpRequestForm::pack.
void put_field(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
}

std::string_view take_field(std::string_view& in) {
  std::size_t colon = in.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 19) {
    throw InvalidArgument("not a packed HTTP request: no field length");
  }
  std::size_t size = 0;
  for (char c : in.substr(0, colon)) {
    if (c < '0' || c > '9') throw InvalidArgument("not a packed HTTP request: bad field length");
    size = size * 10 + static_cast<std::size_t>(c - '0');
  }
  if (size > in.size() - colon - 1) {
    throw InvalidArgument("not a packed HTTP request: a field runs past its end");
  }
  std::string_view field = in.substr(colon + 1, size);
  in.remove_prefix(colon + 1 + size);
  return field;
}

// A field of HttpRequestForm::pack that is a number.
std::size_t decimal(std::string_view text) {
  if (text.empty() || text.size() > 19) {
    throw InvalidArgument("not a packed HTTP request: bad number");
  }
  std::size_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') throw InvalidArgument("not a packed HTTP request: bad number");
    value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  return value;
}

std::string snippet(std::string_view body) {
  constexpr std::size_t kMax = 300;
  if (body.size() <= kMax) return std::string(body);
  return std::string(body.substr(0, kMax)) + "...";
}

// The endpoint as a URL path: bytes other than unreserved characters and
// '/' are percent-encoded, so spaces, CR/LF or '?' cannot break (or inject
// into) the request line.
std::string url_path(std::string_view path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::set<std::string> openapi_post_paths(const json& openapi) {
  std::set<std::string> out;
  auto paths = openapi.find("paths");
  if (paths == openapi.end() || !paths->is_object()) return out;
  for (const auto& [path, methods] : paths->items()) {
    if (methods.is_object() && methods.contains("post")) out.insert(path);
  }
  return out;
}

std::vector<std::string> openapi_endpoints(const json& openapi) {
  std::vector<std::string> out;
  for (const std::string& path : openapi_post_paths(openapi)) {
    if (path != "/post" && path != "/graphql") out.push_back(path);
  }
  return out;
}

HttpRequestForm HttpRequestForm::from(const DataRequest& request, DocFormat format) {
  const Header& header = request.header();
  HttpRequestForm form;
  form.request_id = header.request_id();
  form.exec_endpoint = header.exec_endpoint();
  if (header.has_target_executor()) form.target_executor = header.target_executor();
  const DocumentArray& docs = request.docs();
  form.doc_count = docs.size();
  if (format == DocFormat::kV2 && docs.size() > kV2HttpGatewayBatch) {
    // The same text as json_text(docs.to_json(format)), one Document at a
    // time, noting where each piece ends.
    std::string& data = form.data;
    data += '[';
    for (std::size_t i = 0; i < docs.size(); ++i) {
      if (i > 0) {
        if (i % kV2HttpGatewayBatch == 0) form.piece_ends.push_back(data.size());
        data += ',';
      }
      data += json_text(docs[i].to_json(format));
    }
    data += ']';
  } else {
    form.data = json_text(docs.to_json(format));
  }
  form.parameters =
      json_text(request.parameters().is_null() ? json::object() : request.parameters());
  return form;
}

HttpRequestForm HttpRequestForm::piece(std::size_t i) const {
  HttpRequestForm out;
  out.request_id = request_id;
  out.exec_endpoint = exec_endpoint;
  out.target_executor = target_executor;
  out.parameters = parameters;
  if (piece_ends.empty()) {
    out.data = data;
    out.doc_count = doc_count;
    return out;
  }
  const bool last = i >= piece_ends.size();
  const std::size_t begin = i == 0 ? 1 : piece_ends[i - 1] + 1;    // past '[' or ','
  const std::size_t end = last ? data.size() - 1 : piece_ends[i];  // at ']' or ','
  out.data.reserve(end - begin + 2);
  out.data += '[';
  out.data.append(data, begin, end - begin);
  out.data += ']';
  out.doc_count = last ? doc_count - kV2HttpGatewayBatch * piece_ends.size() : kV2HttpGatewayBatch;
  return out;
}

std::string HttpRequestForm::pack() const {
  std::string out;
  out.reserve(data.size() + parameters.size() + request_id.size() + exec_endpoint.size() + 40);
  put_field(out, request_id);
  put_field(out, exec_endpoint);
  put_field(out, target_executor ? "1" + *target_executor : std::string("0"));
  put_field(out, data);
  put_field(out, parameters);
  put_field(out, std::to_string(doc_count));
  std::string ends;
  for (std::size_t end : piece_ends) {
    if (!ends.empty()) ends += ',';
    ends += std::to_string(end);
  }
  put_field(out, ends);
  return out;
}

HttpRequestForm HttpRequestForm::unpack(std::string_view packed) {
  HttpRequestForm form;
  form.request_id = take_field(packed);
  form.exec_endpoint = take_field(packed);
  std::string_view target = take_field(packed);
  if (target.empty()) throw InvalidArgument("not a packed HTTP request: no target flag");
  if (target[0] == '1') form.target_executor = std::string(target.substr(1));
  form.data = take_field(packed);
  form.parameters = take_field(packed);
  form.doc_count = decimal(take_field(packed));
  std::string_view ends = take_field(packed);
  for (bool more = !ends.empty(); more;) {
    std::size_t comma = ends.find(',');
    std::size_t end = decimal(ends.substr(0, comma));
    // Each a ',' between Documents, in order, inside the array.
    if (end == 0 || end >= form.data.size() || form.data[end] != ',' ||
        (!form.piece_ends.empty() && end <= form.piece_ends.back())) {
      throw InvalidArgument("not a packed HTTP request: a piece ends at no comma");
    }
    form.piece_ends.push_back(end);
    more = comma != std::string_view::npos;
    if (more) ends.remove_prefix(comma + 1);
  }
  if (!form.piece_ends.empty() &&
      (form.data.front() != '[' || form.data.back() != ']' ||
       form.doc_count <= kV2HttpGatewayBatch * form.piece_ends.size())) {
    throw InvalidArgument("not a packed HTTP request: pieces of no Document array");
  }
  if (!packed.empty()) throw InvalidArgument("not a packed HTTP request: trailing bytes");
  return form;
}

DataRequest HttpRequestForm::request(DocFormat format) const {
  (void)format;  // the Documents' JSON says which format it is in
  DataRequest request;
  request.header().set_request_id(request_id).set_exec_endpoint(exec_endpoint);
  if (target_executor) request.header().set_target_executor(*target_executor);
  request.parameters() = json::parse(parameters);
  request.set_docs(DocumentArray::from_json(json::parse(data)));
  return request;
}

namespace {

// The endpoint without its leading and trailing slashes.
std::string route_name(std::string_view endpoint) {
  while (!endpoint.empty() && endpoint.front() == '/') endpoint.remove_prefix(1);
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.remove_suffix(1);
  return std::string(endpoint);
}

}  // namespace

HttpPost http_post_for(const HttpRequestForm& form, DocFormat format,
                       const std::set<std::string>& post_paths, HttpApi api) {
  std::string name = route_name(form.exec_endpoint);
  std::string own = "/" + (name.empty() ? std::string("default") : name);

  bool per_endpoint = false;
  std::string path = own;
  switch (api) {
    case HttpApi::kPerEndpoint:
      per_endpoint = true;
      break;
    case HttpApi::kPost:
      break;
    case HttpApi::kAuto:
      if (post_paths.empty()) {
        per_endpoint = format == DocFormat::kV2;
      } else if (post_paths.contains("/" + name)) {
        per_endpoint = true;
        path = "/" + name;
      } else if (post_paths.contains("/default")) {
        per_endpoint = true;
        path = "/default";
      }
      break;
  }

  // Keys in the order nlohmann::json writes an object's (sorted), as before
  // the body was assembled from pre-written parts.
  HttpPost post;
  std::string& body = post.body;
  body.reserve(form.data.size() + form.parameters.size() + 160);
  body += R"({"data":)";
  body += form.data;
  post.per_endpoint = per_endpoint;
  if (per_endpoint) {
    post.path = url_path(path);
    body += R"(,"header":{"exec_endpoint":)";
    body += json_text(form.exec_endpoint);
    body += R"(,"request_id":)";
    body += json_text(form.request_id);
    if (form.target_executor) {
      body += R"(,"target_executor":)";
      body += json_text(*form.target_executor);
    }
    body += R"(},"parameters":)";
    body += form.parameters;
  } else {
    post.path = "/post";
    body += R"(,"execEndpoint":)";
    body += json_text(form.exec_endpoint);
    body += R"(,"parameters":)";
    body += form.parameters;
    if (form.target_executor) {
      body += R"(,"targetExecutor":)";
      body += json_text(*form.target_executor);
    }
  }
  body += '}';
  return post;
}

HttpCall http_call_for(const DataRequest& request, DocFormat format,
                       const std::set<std::string>& post_paths, HttpApi api) {
  HttpPost post = http_post_for(HttpRequestForm::from(request, format), format, post_paths, api);
  return HttpCall{std::move(post.path), json::parse(post.body)};
}

namespace {

// response_from_http for a request known by its header's fields; `request`
// builds the whole request, needed only for an Executor error.
absl::StatusOr<DataRequest> response_from(int status, std::string_view body,
                                          const std::string& request_id,
                                          const std::string& exec_endpoint,
                                          const std::optional<std::string>& target_executor,
                                          const std::function<DataRequest()>& request) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (status == 500 && j.is_object() && j.contains("detail")) {
    const json& detail = j["detail"];
    try {
      return error_response(request(),
                            detail.is_string() ? detail.get<std::string>() : detail.dump());
    } catch (const std::exception& e) {
      return absl::DataLossError(std::string("cannot hand the request back: ") + e.what());
    }
  }
  if (status < 200 || status >= 300) {
    std::string message = "HTTP " + std::to_string(status) + " from the gateway";
    // v1 gateways put the failure of an unreachable Executor in the header.
    if (const json* h = json_field(j, "header", "header")) {
      if (const json* s = json_field(*h, "status", "status")) {
        std::string description = status_from_json(*s).description();
        if (!description.empty()) message += ": " + description;
      }
    } else if (!body.empty()) {
      message += ": " + snippet(body);
    }
    if (status == 404) {
      // docs/protocols.md, "An endpoint no Executor serves".
      message += " (no route for endpoint '" + exec_endpoint +
                 "': no Executor binds it and none has a default binding; over gRPC and "
                 "WebSocket its Documents would come back untouched)";
    }
    return http_failure(status, std::move(message));
  }
  if (!j.is_object()) {
    return absl::DataLossError("the gateway answered with no JSON object: " + snippet(body));
  }
  DataRequest response;
  try {
    // Each POST carries one request, so the answer is that request's even
    // where the gateway forgets the id (v1 builds a new request).
    response.header().set_request_id(request_id);
    response.header().set_exec_endpoint(exec_endpoint);
    if (target_executor) response.header().set_target_executor(*target_executor);
    if (const json* h = json_field(j, "header", "header")) {
      if (const json* s = json_field(*h, "status", "status")) {
        response.header().set_status(status_from_json(*s));
      }
    }
    if (const json* p = json_field(j, "parameters", "parameters"); p && p->is_object()) {
      response.parameters() = *p;
    }
    if (const json* routes = json_field(j, "routes", "routes"); routes && routes->is_array()) {
      for (const json& r : *routes) {
        Route route(json_string_field(r, "executor", "executor"));
        if (const json* s = json_field(r, "status", "status"))
          route.set_status(status_from_json(*s));
        response.routes().push_back(std::move(route));
      }
    }
    if (const json* data = json_field(j, "data", "data")) {
      response.set_docs(DocumentArray::from_json(*data));
    }
  } catch (const std::exception& e) {
    return absl::DataLossError(std::string("malformed response from the gateway: ") + e.what());
  }
  return response;
}

}  // namespace

DataRequest join_piece_responses(std::vector<DataRequest> pieces) {
  if (pieces.empty()) return DataRequest();
  DataRequest joined = std::move(pieces.front());
  std::size_t total = 0;
  for (const DataRequest& piece : pieces) total += piece.docs().size();
  DocumentArray docs = std::move(joined.docs());
  docs.reserve(total);
  for (std::size_t i = 1; i < pieces.size(); ++i) {
    for (Document& doc : pieces[i].docs()) docs.push_back(std::move(doc));
  }
  joined.set_docs(std::move(docs));
  return joined;
}

DataRequest piece_error_response(const HttpRequestForm& form, DocFormat format,
                                 const Status& status) {
  DataRequest response = form.request(format);
  response.header().set_status(status);
  return response;
}

absl::Status http_failure(int status, std::string message) {
  if (status >= 500 && status < 600) return absl::UnavailableError(message);
  if (status == 404) return absl::NotFoundError(message);
  return absl::InvalidArgumentError(message);
}

SseRequest sse_request_for(const DataRequest& request) {
  SseRequest out;
  out.path = "/" + url_path(route_name(request.header().exec_endpoint()));
  // jina's route reads the body as the Document itself: no {data,
  // parameters} envelope, so the parameters stay behind.
  out.body = request.docs().empty() ? std::string("{}")
                                    : json_text(request.docs()[0].to_json(DocFormat::kV2));
  return out;
}

absl::Status sse_answer_status(int status, std::string_view content_type, std::string_view allow,
                               std::string_view body, const std::string& what) {
  std::string answered = what + " answered HTTP " + std::to_string(status);
  if (!body.empty()) answered += " " + snippet(body);
  if (status == 200) {
    std::string type(content_type.substr(0, content_type.find(';')));
    for (char& c : type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!type.empty() && type.back() == ' ') type.pop_back();
    if (type == "text/event-stream") return absl::OkStatus();
    return absl::DataLossError(what + " answered with Content-Type '" + std::string(content_type) +
                               "', not an event stream (text/event-stream): not a jina streaming "
                               "endpoint, or not a jina HTTP gateway");
  }
  if (status == 404) {
    return absl::NotFoundError(answered +
                               ": the gateway has no such streaming endpoint (jina serves "
                               "generator endpoints over HTTP only with docarray v2, and not on "
                               "WebSocket gateways)");
  }
  if (status == 405) {
    std::string methods = allow.empty() ? "" : " (allow: " + std::string(allow) + ")";
    return absl::FailedPreconditionError(what + " answered HTTP 405" + methods +
                                         ": not a streaming endpoint; call it with post()");
  }
  return http_failure(status, answered);
}

absl::StatusOr<DataRequest> sse_item_from(std::string_view data, const std::string& exec_endpoint) {
  json j = json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) {
    return absl::DataLossError("an item of the stream is not a JSON object: " + snippet(data));
  }
  DataRequest response;
  try {
    response.header().set_exec_endpoint(exec_endpoint);
    DocumentArray docs;
    docs.push_back(Document::from_json(j));
    response.set_docs(std::move(docs));
  } catch (const std::exception& e) {
    return absl::DataLossError(std::string("an item of the stream is not a Document: ") + e.what());
  }
  return response;
}

std::optional<Status> sse_error_status(std::string_view data) {
  json j = json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("code") || !j.contains("description")) return std::nullopt;
  Status status = status_from_json(j);
  if (status.ok()) return std::nullopt;
  return status;
}

absl::StatusOr<DataRequest> response_from_http(int status, std::string_view body,
                                               const DataRequest& request) {
  const Header& header = request.header();
  std::optional<std::string> target;
  if (header.has_target_executor()) target = header.target_executor();
  return response_from(status, body, header.request_id(), header.exec_endpoint(), target,
                       [&request] { return request; });
}

absl::StatusOr<DataRequest> response_from_http(int status, std::string_view body,
                                               const HttpRequestForm& form, DocFormat format) {
  return response_from(status, body, form.request_id, form.exec_endpoint, form.target_executor,
                       [&form, format] { return form.request(format); });
}

absl::Status dry_run_result(const json& status) {
  if (!status.is_object()) return absl::DataLossError("GET /dry_run returned no JSON object");
  Status s = status_from_json(status);
  if (s.ok()) return absl::OkStatus();
  return absl::InternalError(s.description().empty() ? "the Flow failed its dry run"
                                                     : s.description());
}

}  // namespace jina::internal
