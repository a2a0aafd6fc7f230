// The web server's HTTP routes (web_server.h): GET /, /status, /dry_run and
// /openapi.json, POST (v1: also PUT, DELETE) to the Executors' endpoints,
// with the JSON codecs of wire/gateway_json.h, and GET to the streaming
// endpoints (served by web_sse.h). Beast: include from the web
// server's files only (web_common.h).
#ifndef JINA_SRC_FLOW_WEB_ROUTES_H_
#define JINA_SRC_FLOW_WEB_ROUTES_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>

#include "flow/graph.h"
#include "flow/web_common.h"
#include "flow/web_server.h"

namespace jina::flow::web {

class HttpRoutes {
 public:
  // `graph`, `options` and `work` must outlive the routes.
  HttpRoutes(const Graph& graph, const WebServerOptions& options, PoolWork& work);

  // The answer to `request` (not an upgrade); Executors run on the pool, and
  // the coroutine resumes on the caller's executor.
  asio::awaitable<HttpResponse> respond(HttpRequest request);

  // For GET /<streaming endpoint> (docarray v2, the first Executor's
  // on_stream endpoints, as jina's SSE route): the stream_doc request that
  // the body carries (the Document's JSON; without a body, its fields in the
  // query), or the 422 refusing it. nullopt for any other request: respond()
  // answers it.
  std::optional<std::variant<DataRequest, HttpResponse>> stream_request(
      const HttpRequest& request) const;

 private:
  struct HttpRoute {
    http::verb method;
    std::string endpoint;  // exec_endpoint; empty: from the body (v1 /post)
    bool streams = false;  // GET, served as Server-Sent Events
  };

  void build_routes();
  HttpResponse post_v2(const std::string& endpoint, const std::string& body) const;
  HttpResponse post_v1(const std::string& endpoint, const std::string& body) const;
  json info_json() const;

  const Graph& graph_;
  const WebServerOptions& options_;
  PoolWork& work_;
  const std::string started_at_;
  const std::string session_id_;
  std::map<std::string, HttpRoute, std::less<>> routes_;
  std::string openapi_;
};

}  // namespace jina::flow::web

#endif  // JINA_SRC_FLOW_WEB_ROUTES_H_
