#include "transport/http_codec.h"

#include <cctype>
#include <utility>

#include "jina/error.h"

namespace jina::internal {
namespace {

using json = nlohmann::json;

// The value under `snake` or its camelCase alias `camel`, or null.
const json* field(const json& object, const char* snake, const char* camel) {
  if (!object.is_object()) return nullptr;
  for (const char* key : {snake, camel}) {
    auto it = object.find(key);
    if (it != object.end() && !it->is_null()) return &*it;
  }
  return nullptr;
}

std::string string_field(const json& object, const char* snake, const char* camel) {
  const json* value = field(object, snake, camel);
  return value && value->is_string() ? value->get<std::string>() : std::string();
}

std::vector<std::string> strings(const json* array) {
  std::vector<std::string> out;
  if (!array || !array->is_array()) return out;
  for (const json& item : *array)
    out.push_back(item.is_string() ? item.get<std::string>() : item.dump());
  return out;
}

// StatusProto JSON: code as a number or an enum name.
Status status_from_json(const json& j) {
  Status status;
  if (const json* code = field(j, "code", "code")) {
    bool error =
        code->is_number() ? code->get<double>() != 0 : (code->is_string() && *code == "ERROR");
    status.set_code(error ? StatusCode::kError : StatusCode::kSuccess);
  }
  status.set_description(string_field(j, "description", "description"));
  if (const json* e = field(j, "exception", "exception"); e && e->is_object()) {
    ExceptionInfo info;
    info.set_name(string_field(*e, "name", "name"))
        .set_args(strings(field(*e, "args", "args")))
        .set_stacks(strings(field(*e, "stacks", "stacks")))
        .set_executor(string_field(*e, "executor", "executor"));
    status.set_exception(std::move(info));
  }
  return status;
}

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

HttpCall http_call_for(const DataRequest& request, DocFormat format,
                       const std::set<std::string>& post_paths, HttpApi api) {
  const Header& header = request.header();
  std::string name = header.exec_endpoint();
  while (!name.empty() && name.front() == '/') name.erase(name.begin());
  while (!name.empty() && name.back() == '/') name.pop_back();
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

  HttpCall call;
  json data = request.docs().to_json(format);
  json parameters = request.parameters().is_null() ? json::object() : request.parameters();
  if (per_endpoint) {
    call.path = url_path(path);
    json h = {{"request_id", header.request_id()}, {"exec_endpoint", header.exec_endpoint()}};
    if (header.has_target_executor()) h["target_executor"] = header.target_executor();
    call.body = {{"data", std::move(data)}, {"parameters", std::move(parameters)}, {"header", h}};
  } else {
    call.path = "/post";
    call.body = {{"data", std::move(data)},
                 {"execEndpoint", header.exec_endpoint()},
                 {"parameters", std::move(parameters)}};
    if (header.has_target_executor()) call.body["targetExecutor"] = header.target_executor();
  }
  return call;
}

absl::StatusOr<DataRequest> response_from_http(int status, std::string_view body,
                                               const DataRequest& request) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (status == 500 && j.is_object() && j.contains("detail")) {
    const json& detail = j["detail"];
    return error_response(request, detail.is_string() ? detail.get<std::string>() : detail.dump());
  }
  if (status < 200 || status >= 300) {
    std::string message = "HTTP " + std::to_string(status) + " from the gateway";
    // v1 gateways put the failure of an unreachable Executor in the header.
    if (const json* h = field(j, "header", "header")) {
      if (const json* s = field(*h, "status", "status")) {
        std::string description = status_from_json(*s).description();
        if (!description.empty()) message += ": " + description;
      }
    } else if (!body.empty()) {
      message += ": " + snippet(body);
    }
    if (status >= 500) return absl::UnavailableError(message);
    if (status == 404) return absl::NotFoundError(message);
    return absl::InvalidArgumentError(message);
  }
  if (!j.is_object()) {
    return absl::DataLossError("the gateway answered with no JSON object: " + snippet(body));
  }
  DataRequest response;
  try {
    // Each POST carries one request, so the answer is that request's even
    // where the gateway forgets the id (v1 builds a new request).
    response.header().set_request_id(request.header().request_id());
    response.header().set_exec_endpoint(request.header().exec_endpoint());
    if (request.header().has_target_executor()) {
      response.header().set_target_executor(request.header().target_executor());
    }
    if (const json* h = field(j, "header", "header")) {
      if (const json* s = field(*h, "status", "status")) {
        response.header().set_status(status_from_json(*s));
      }
    }
    if (const json* p = field(j, "parameters", "parameters"); p && p->is_object()) {
      response.parameters() = *p;
    }
    if (const json* routes = field(j, "routes", "routes"); routes && routes->is_array()) {
      for (const json& r : *routes) {
        Route route(string_field(r, "executor", "executor"));
        if (const json* s = field(r, "status", "status")) route.set_status(status_from_json(*s));
        response.routes().push_back(std::move(route));
      }
    }
    if (const json* data = field(j, "data", "data")) {
      response.set_docs(DocumentArray::from_json(*data));
    }
  } catch (const std::exception& e) {
    return absl::DataLossError(std::string("malformed response from the gateway: ") + e.what());
  }
  return response;
}

absl::Status dry_run_result(const json& status) {
  if (!status.is_object()) return absl::DataLossError("GET /dry_run returned no JSON object");
  Status s = status_from_json(status);
  if (s.ok()) return absl::OkStatus();
  return absl::InternalError(s.description().empty() ? "the Flow failed its dry run"
                                                     : s.description());
}

}  // namespace jina::internal
