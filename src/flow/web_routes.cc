#include "flow/web_routes.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <exception>
#include <functional>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "flow/info.h"
#include "jina/document.h"
#include "wire/gateway_json.h"

namespace jina::flow::web {
namespace {

// FastAPI's shape for a body that fails validation.
HttpResponse unprocessable(std::string where, std::string message) {
  json loc = json::array({"body"});
  if (!where.empty()) loc.push_back(std::move(where));
  return json_response(
      http::status::unprocessable_entity,
      {{"detail",
        json::array({{{"loc", loc}, {"msg", std::move(message)}, {"type", "value_error"}}})}});
}

// A protobuf Timestamp as JSON: RFC 3339 in UTC with nanoseconds.
std::string timestamp_json(Route::TimePoint t) {
  auto ns = t.time_since_epoch().count();
  std::time_t seconds = static_cast<std::time_t>(ns / 1000000000);
  long fraction = static_cast<long>(ns % 1000000000);
  if (fraction < 0) {
    fraction += 1000000000;
    --seconds;
  }
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[48];
  std::size_t n = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + n, sizeof(text) - n, ".%09ldZ", fraction);
  return text;
}

// A query string's value or name: '+' is a space, %XX a byte.
std::string url_decoded(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() &&
               std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// The query of `target` as a JSON object of strings, as jina's SSE route
// takes a Document's fields when the request has no body.
json query_fields(std::string_view target) {
  json fields = json::object();
  const std::size_t start = target.find('?');
  if (start == std::string_view::npos) return fields;
  std::string_view query = target.substr(start + 1);
  while (!query.empty()) {
    std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    if (pair.empty()) continue;
    const std::size_t equals = pair.find('=');
    std::string value =
        equals == std::string_view::npos ? std::string() : url_decoded(pair.substr(equals + 1));
    fields[url_decoded(pair.substr(0, equals))] = std::move(value);
  }
  return fields;
}

HttpResponse method_not_allowed(beast::string_view allowed) {
  HttpResponse response = detail_response(http::status::method_not_allowed, "Method Not Allowed");
  response.set(http::field::allow, allowed);
  return response;
}

json operation(std::string summary, bool with_body) {
  json op = {{"summary", std::move(summary)},
             {"responses", {{"200", {{"description", "Successful Response"}}}}}};
  if (with_body) {
    op["requestBody"] = {{"content", {{"application/json", {{"schema", {{"type", "object"}}}}}}},
                         {"required", true}};
    op["responses"]["422"] = {{"description", "Validation Error"}};
  }
  return op;
}

// What v1 and v2 bodies share, into `request`: target_executor (from
// `fields`: the body, or v2's header) and parameters (from the body). The
// answer when parameters is not an object.
std::optional<HttpResponse> read_target_and_parameters(const json& body, const json& fields,
                                                       DataRequest& request) {
  if (std::string target = wire::json_string_field(fields, "target_executor", "targetExecutor");
      !target.empty())
    request.header().set_target_executor(std::move(target));
  if (auto parameters = body.find("parameters");
      parameters != body.end() && !parameters->is_null()) {
    if (!parameters->is_object()) return unprocessable("parameters", "an object is required");
    request.parameters() = *parameters;
  }
  return std::nullopt;
}

// out["data"]: the response's docs in `format`. The answer when they cannot
// be encoded.
std::optional<HttpResponse> put_docs(json& out, const Response& response, DocFormat format) {
  try {
    out["data"] = response.docs().to_json(format);
  } catch (const std::exception& e) {
    return detail_response(http::status::internal_server_error,
                           std::string("cannot encode the response docs: ") + e.what());
  }
  return std::nullopt;
}

}  // namespace

HttpResponse json_response(http::status status, const json& body) {
  HttpResponse response(status, 11);
  response.set(http::field::content_type, "application/json");
  response.body() = wire::json_text(body);
  return response;
}

HttpResponse detail_response(http::status status, std::string detail) {
  return json_response(status, {{"detail", std::move(detail)}});
}

std::string path_of(beast::string_view target) {
  std::string_view text(target.data(), target.size());
  return std::string(text.substr(0, text.find('?')));
}

HttpRoutes::HttpRoutes(const Graph& graph, const WebServerOptions& options, PoolWork& work)
    : graph_(graph),
      options_(options),
      work_(work),
      started_at_(utc_now_iso()),
      session_id_(new_id()) {
  build_routes();
}

void HttpRoutes::build_routes() {
  json paths = json::object();
  paths["/"]["get"] = operation("Get the health of Jina Gateway service", false);
  paths["/status"]["get"] = operation("Get the status of Jina service", false);
  paths["/dry_run"]["get"] = operation("Get the readiness of Jina Flow service", false);
  auto add = [&](std::string path, http::verb method, std::string endpoint, bool streams = false) {
    std::string verb(http::to_string(method));
    for (char& c : verb) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    paths[path][verb] = operation("Endpoint " + path, true);
    routes_[std::move(path)] = HttpRoute{method, std::move(endpoint), streams};
  };
  if (options_.doc_format == DocFormat::kV2) {
    // jina's SSE routes: GET only, and no POST for a streaming endpoint.
    const std::vector<std::string> streaming = graph_.stream_endpoints();
    for (const std::string& endpoint : graph_.endpoints()) {
      if (endpoint == kDryRunEndpoint || endpoint.empty() || endpoint.front() != '/') continue;
      if (endpoint == "/" || endpoint == "/status" || endpoint == "/dry_run") continue;
      const bool streams = std::binary_search(streaming.begin(), streaming.end(), endpoint);
      add(endpoint, streams ? http::verb::get : http::verb::post, endpoint, streams);
    }
  } else {
    add("/post", http::verb::post, "");
    add("/index", http::verb::post, "/index");
    add("/search", http::verb::post, "/search");
    add("/update", http::verb::put, "/update");
    add("/delete", http::verb::delete_, "/delete");
  }
  openapi_ = json{{"openapi", "3.0.2"},
                  {"info", {{"title", "Jina local Flow (jina-cpp)"}, {"version", "3.34.0"}}},
                  {"paths", std::move(paths)}}
                 .dump();
}

asio::awaitable<HttpResponse> HttpRoutes::respond(HttpRequest request) {
  const std::string path = path_of(request.target());
  const http::verb method = request.method();
  if (method == http::verb::get) {
    if (path == "/") co_return json_response(http::status::ok, json::object());
    if (path == "/status") co_return json_response(http::status::ok, info_json());
    if (path == "/openapi.json") {
      HttpResponse response(http::status::ok, 11);
      response.set(http::field::content_type, "application/json");
      response.body() = openapi_;
      co_return response;
    }
    if (path == "/dry_run") {
      std::function<HttpResponse(bool)> work = [this](bool stopping) {
        if (stopping)
          return detail_response(http::status::service_unavailable, "the Flow is stopping");
        return json_response(http::status::ok, wire::status_to_json(graph_.dry_run()));
      };
      auto executor = co_await asio::this_coro::executor;
      HttpResponse response = co_await work_.on_pool(executor, std::move(work));
      co_return response;
    }
  }
  auto route = routes_.find(path);
  if (route == routes_.end()) {
    bool known = path == "/" || path == "/status" || path == "/openapi.json" || path == "/dry_run";
    co_return known ? method_not_allowed("GET")
                    : detail_response(http::status::not_found, "Not Found");
  }
  if (route->second.method != method)
    co_return method_not_allowed(http::to_string(route->second.method));
  if (route->second.streams) {  // the web server serves these (stream_request)
    co_return detail_response(http::status::internal_server_error,
                              "a streaming endpoint is served as Server-Sent Events");
  }
  std::function<HttpResponse(bool)> work = [this, endpoint = route->second.endpoint,
                                            body = std::move(request.body())](bool stopping) {
    if (stopping) return detail_response(http::status::service_unavailable, "the Flow is stopping");
    return options_.doc_format == DocFormat::kV2 ? post_v2(endpoint, body)
                                                 : post_v1(endpoint, body);
  };
  auto executor = co_await asio::this_coro::executor;
  HttpResponse response = co_await work_.on_pool(executor, std::move(work));
  co_return response;
}

std::optional<std::variant<DataRequest, HttpResponse>> HttpRoutes::stream_request(
    const HttpRequest& request) const {
  if (request.method() != http::verb::get) return std::nullopt;
  auto route = routes_.find(path_of(request.target()));
  if (route == routes_.end() || !route->second.streams) return std::nullopt;
  json fields;
  if (request.body().empty()) {
    fields = query_fields(std::string_view(request.target().data(), request.target().size()));
  } else {
    fields = json::parse(request.body(), nullptr, false);
    if (fields.is_discarded()) return unprocessable("", "the body is not JSON");
  }
  if (!fields.is_object()) return unprocessable("", "a Document (a JSON object) is required");
  DataRequest stream_request;
  try {
    stream_request.set_docs(DocumentArray{Document::from_json(fields)});
  } catch (const std::exception& e) {
    return unprocessable("", e.what());
  }
  stream_request.header().set_request_id(new_id()).set_exec_endpoint(route->second.endpoint);
  return stream_request;
}

// --- HTTP bodies, on the pool -----------------------------------------------

HttpResponse HttpRoutes::post_v2(const std::string& endpoint, const std::string& body) const {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return unprocessable("", "the body is not a JSON object");
  auto data = j.find("data");
  if (data == j.end() || data->is_null()) return unprocessable("data", "field required");
  DataRequest request;
  try {
    if (data->is_object()) {
      request.set_docs(DocumentArray{Document::from_json(*data)});
    } else if (data->is_array()) {
      request.set_docs(DocumentArray::from_json(*data));
    } else {
      return unprocessable("data", "a document or a list of documents is required");
    }
  } catch (const std::exception& e) {
    return unprocessable("data", e.what());
  }
  const json header = j.value("header", json::object());
  std::string request_id = wire::json_string_field(header, "request_id", "requestId");
  if (request_id.empty())
    request_id = data->is_object() && !j.contains("header") ? request.docs()[0].id() : new_id();
  request.header().set_request_id(std::move(request_id)).set_exec_endpoint(endpoint);
  if (auto error = read_target_and_parameters(j, header, request)) return std::move(*error);

  Response response = graph_.process(std::move(request));
  if (!response.status().ok())
    return detail_response(http::status::internal_server_error, response.status().description());
  json out;
  if (auto error = put_docs(out, response, DocFormat::kV2)) return std::move(*error);
  out["parameters"] = response.parameters().is_object() ? response.parameters() : json::object();
  out["header"] = {{"requestId", response.header().request_id()},
                   {"targetExecutor", response.header().target_executor()}};
  return json_response(http::status::ok, out);
}

// `endpoint` empty: the generic /post route, which names it in the body.
HttpResponse HttpRoutes::post_v1(const std::string& endpoint, const std::string& body) const {
  json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return unprocessable("", "the body is not a JSON object");
  DataRequest request;
  if (auto data = j.find("data"); data != j.end() && !data->is_null()) {
    try {
      request.set_docs(DocumentArray::from_json(*data));
    } catch (const std::exception& e) {
      return unprocessable("data", e.what());
    }
  }
  std::string exec_endpoint = endpoint;
  if (exec_endpoint.empty())
    exec_endpoint = wire::json_string_field(j, "exec_endpoint", "execEndpoint");
  if (exec_endpoint.empty()) exec_endpoint.push_back('/');  // not = "/": GCC 12 -O3 -Wrestrict
  request.header().set_request_id(new_id()).set_exec_endpoint(exec_endpoint);
  if (auto error = read_target_and_parameters(j, j, request)) return std::move(*error);

  Response response = graph_.process(std::move(request));
  json out;
  if (auto error = put_docs(out, response, DocFormat::kV1)) return std::move(*error);
  json header = {{"requestId", response.header().request_id()},
                 {"execEndpoint", response.header().exec_endpoint()},
                 {"targetExecutor", response.header().target_executor()}};
  if (!response.status().empty()) header["status"] = wire::status_to_json(response.status());
  json routes = json::array();
  for (const Route& route : response.routes()) {
    json r = {{"executor", route.executor()}};
    if (route.has_start_time()) r["startTime"] = timestamp_json(route.start_time());
    if (route.has_end_time()) r["endTime"] = timestamp_json(route.end_time());
    if (!route.status().empty()) r["status"] = wire::status_to_json(route.status());
    routes.push_back(std::move(r));
  }
  out["header"] = std::move(header);
  out["parameters"] = response.parameters().is_object() ? response.parameters() : json::object();
  out["routes"] = std::move(routes);
  return json_response(http::status::ok, out);
}

json HttpRoutes::info_json() const {
  FlowInfo info = flow_info(options_.doc_format, started_at_, session_id_);
  return {{"jina", info.jina}, {"envs", info.envs}};
}

}  // namespace jina::flow::web
