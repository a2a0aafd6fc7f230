#include "flow/graph.h"

#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <utility>

#include "flow/executor_status.h"
#include "flow/reduce.h"
#include "jina/error.h"

namespace jina::flow {
namespace {

Route::TimePoint now() {
  return std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
}

// The parameters an Executor sees: the root ones, overridden by
// `{"<name>": {...}}` and by `"<name>__<key>": value`.
nlohmann::json executor_parameters(const nlohmann::json& root, const std::string& name) {
  nlohmann::json params = root;
  if (auto it = root.find(name); it != root.end() && it->is_object()) {
    for (const auto& [key, value] : it->items()) params[key] = value;
  }
  const std::string prefix = name + "__";
  for (const auto& [key, value] : root.items()) {
    if (key.size() > prefix.size() && key.compare(0, prefix.size(), prefix) == 0) {
      params[key.substr(prefix.size())] = value;
    }
  }
  return params;
}

// Python's re.match: the pattern must match at the start of the name.
bool matches_target(const std::optional<std::regex>& target, const std::string& name) {
  if (!target) return true;
  return std::regex_search(name, *target, std::regex_constants::match_continuous);
}

// Calls `handler` and returns the docs it passes on; a JSON result goes into
// `results` under the Executor's replica name, `<name>/rep-0`, the key a jina
// 3.34 Flow uses (each Executor of the local Flow is one replica). Throws
// what the handler throws.
DocumentArray invoke(const std::string& name, const Executor::Handler& handler,
                     ExecutorRequest& call, nlohmann::json& results) {
  ExecutorResult result = handler(call);
  if (auto* docs = std::get_if<DocumentArray>(&result)) return std::move(*docs);
  if (auto* value = std::get_if<nlohmann::json>(&result); value && !value->is_null()) {
    if (!value->is_object()) {
      throw InvalidArgument("Executor \"" + name +
                            "\" returned JSON that is not an object: " + value->dump());
    }
    results[name + "/rep-0"] = std::move(*value);
  }
  return std::move(call.docs);
}

}  // namespace

Graph::Graph(std::vector<NodeSpec> specs, RequestObserver observer)
    : observer_(std::move(observer)) {
  std::map<std::string, int, std::less<>> index;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const std::string& name = specs[i].name;
    if (name.empty() || name == kGatewayName) {
      throw InvalidArgument("Flow: \"" + name + "\" cannot name an Executor");
    }
    if (!specs[i].executor) throw InvalidArgument("Flow: Executor \"" + name + "\" is null");
    if (!index.emplace(name, static_cast<int>(i)).second) {
      throw InvalidArgument("Flow: two Executors are named \"" + name + "\"");
    }
  }
  // Upstream indices in spec numbering.
  std::vector<std::vector<int>> upstream(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].needs.empty())
      throw InvalidArgument("Flow: Executor \"" + specs[i].name + "\" needs nothing");
    std::set<int> seen;
    for (const std::string& need : specs[i].needs) {
      int u = kGateway;
      if (need != kGatewayName) {
        auto it = index.find(need);
        if (it == index.end()) {
          throw InvalidArgument("Flow: Executor \"" + specs[i].name + "\" needs unknown \"" + need +
                                "\"");
        }
        u = it->second;
      }
      if (!seen.insert(u).second) {
        throw InvalidArgument("Flow: Executor \"" + specs[i].name + "\" needs \"" + need +
                              "\" twice");
      }
      upstream[i].push_back(u);
    }
  }
  // Kahn's algorithm, preferring add order among ready nodes so that a chain
  // runs exactly in add order.
  std::vector<int> pending(specs.size());
  std::vector<std::vector<int>> downstream(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    for (int u : upstream[i]) {
      if (u == kGateway) continue;
      ++pending[i];
      downstream[u].push_back(static_cast<int>(i));
    }
  }
  std::set<int> ready;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (pending[i] == 0) ready.insert(static_cast<int>(i));
  }
  std::vector<int> order;
  while (!ready.empty()) {
    int i = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(i);
    for (int d : downstream[i]) {
      if (--pending[d] == 0) ready.insert(d);
    }
  }
  if (order.size() != specs.size())
    throw InvalidArgument("Flow: the needs of the Executors form a cycle");

  std::vector<int> position(specs.size());
  for (std::size_t p = 0; p < order.size(); ++p) position[order[p]] = static_cast<int>(p);
  for (int i : order) {
    Node node;
    node.name = specs[i].name;
    node.executor = std::move(specs[i].executor);
    node.disable_reduce = specs[i].disable_reduce;
    for (int u : upstream[i]) node.upstream.push_back(u == kGateway ? kGateway : position[u]);
    node.uses = static_cast<int>(downstream[i].size());
    if (downstream[i].empty()) {
      node.uses = 1;  // read by the end of the Flow
      leaves_.push_back(static_cast<int>(nodes_.size()));
    }
    for (int u : node.upstream) {
      if (u == kGateway) ++gateway_uses_;
    }
    nodes_.push_back(std::move(node));
  }
  if (nodes_.empty()) gateway_uses_ = 1;
}

std::vector<std::string> Graph::endpoints() const {
  std::set<std::string> names{kDryRunEndpoint};
  for (const Node& node : nodes_) {
    for (std::string& endpoint : node.executor->endpoints()) names.insert(std::move(endpoint));
  }
  return {names.begin(), names.end()};
}

std::vector<std::string> Graph::execution_order() const {
  std::vector<std::string> names;
  for (const Node& node : nodes_) names.push_back(node.name);
  return names;
}

Response Graph::process(DataRequest request) const {
  const auto started = std::chrono::steady_clock::now();
  Route gateway_route(kGatewayName);
  gateway_route.set_start_time(now());

  const std::string endpoint = request.header().exec_endpoint();
  const bool had_data = request.has_data();
  const bool dry_run = endpoint == kDryRunEndpoint;
  nlohmann::json parameters =
      request.parameters().is_object() ? std::move(request.parameters()) : nlohmann::json::object();
  const bool had_results = parameters.contains("__results__");
  nlohmann::json results = nlohmann::json::object();
  if (had_results && parameters["__results__"].is_object()) results = parameters["__results__"];

  std::vector<Route> routes;
  std::optional<Status> failure;
  std::optional<DocumentArray> failed_docs;

  // Each node's output docs; the last reader moves them, earlier ones copy.
  std::vector<DocumentArray> outputs(nodes_.size());
  std::vector<int> uses_left(nodes_.size());
  for (std::size_t i = 0; i < nodes_.size(); ++i) uses_left[i] = nodes_[i].uses;
  DocumentArray gateway_docs = std::move(request.docs());
  int gateway_uses_left = gateway_uses_;
  auto take = [&](int u) -> DocumentArray {
    DocumentArray& source = u == kGateway ? gateway_docs : outputs[u];
    int& left = u == kGateway ? gateway_uses_left : uses_left[u];
    return --left == 0 ? std::move(source) : source;
  };

  std::optional<std::regex> target;
  try {
    if (!request.header().target_executor().empty())
      target.emplace(request.header().target_executor());
  } catch (...) {
    failure = exception_status(std::current_exception(), kGatewayName, kGatewayName, endpoint);
  }

  for (std::size_t i = 0; i < nodes_.size() && !failure; ++i) {
    const Node& node = nodes_[i];
    ExecutorRequest call;
    call.endpoint = endpoint;
    if (node.upstream.size() == 1) {
      call.docs = take(node.upstream.front());
    } else {
      for (int u : node.upstream) call.docs_matrix.push_back(take(u));
      call.docs = node.disable_reduce ? call.docs_matrix.front() : reduce_docs(call.docs_matrix);
    }
    const Executor::Handler* handler = node.executor->handler_for(endpoint);
    // A streaming endpoint fails a request, as a Python generator called
    // with a DocList does.
    const bool streams =
        handler == nullptr && node.executor->stream_handler_for(endpoint) != nullptr;
    if (dry_run || (handler == nullptr && !streams) || !matches_target(target, node.name)) {
      outputs[i] = std::move(call.docs);
      continue;
    }
    nlohmann::json visible = parameters;
    if (had_results || !results.empty()) visible["__results__"] = results;
    call.parameters = executor_parameters(visible, node.name);

    Route route(node.name);
    route.set_start_time(now());
    if (streams) {
      failure = python_error_status("ValueError",
                                    "endpoint " + endpoint + " of Executor \"" + node.name +
                                        "\" is a streaming endpoint: call it with stream_doc",
                                    node.executor->class_name());
      route.set_status(*failure);
      failed_docs = std::move(call.docs);
    } else {
      try {
        outputs[i] = invoke(node.name, *handler, call, results);
      } catch (...) {
        failure = exception_status(std::current_exception(), node.executor->class_name(), node.name,
                                   endpoint);
        route.set_status(*failure);
        failed_docs = std::move(call.docs);
      }
    }
    route.set_end_time(now());
    routes.push_back(std::move(route));
  }

  DocumentArray docs;
  if (failed_docs) {
    docs = std::move(*failed_docs);
  } else if (failure) {
    docs = std::move(gateway_docs);  // nothing ran
  } else if (nodes_.empty()) {
    docs = std::move(gateway_docs);
  } else if (leaves_.size() == 1) {
    docs = std::move(outputs[leaves_.front()]);
  } else {
    std::vector<DocumentArray> ends;
    for (int leaf : leaves_) ends.push_back(std::move(outputs[leaf]));
    docs = reduce_docs(std::move(ends));
  }

  Response response;
  response.header() = std::move(request.header());
  response.header().set_target_executor("");  // as the jina gateway resets it
  if (failure) response.header().set_status(std::move(*failure));
  if (had_results || !results.empty()) parameters["__results__"] = std::move(results);
  response.parameters() = std::move(parameters);
  response.set_docs(std::move(docs));
  response.set_has_data(had_data || !response.docs().empty());
  gateway_route.set_end_time(now());
  response.routes().reserve(routes.size() + 1);
  response.routes().push_back(std::move(gateway_route));
  for (Route& route : routes) response.routes().push_back(std::move(route));
  if (observer_ && !dry_run) {
    try {
      observer_(response, std::chrono::duration_cast<std::chrono::microseconds>(
                              std::chrono::steady_clock::now() - started));
    } catch (...) {
      // An observer's failure is not the request's.
    }
  }
  return response;
}

std::string Graph::process_serialized(std::string_view bytes, DocFormat format) const {
  DataRequest request;
  try {
    request = DataRequest::parse(bytes, format);
  } catch (const std::exception& e) {
    throw InvalidArgument(std::string("cannot parse jina.DataRequestProto: ") + e.what());
  }
  Response response = process(std::move(request));
  try {
    return response.serialize(format);
  } catch (...) {
    Status status = exception_status(std::current_exception(), "Flow", kGatewayName,
                                     response.header().exec_endpoint());
    response.header().set_status(status);
    response.set_docs({});
    try {
      return response.serialize(format);
    } catch (const std::exception& e) {
      throw Error(absl::StatusCode::kInternal,
                  std::string("cannot encode the response: ") + e.what());
    }
  }
}

std::vector<std::string> Graph::stream_endpoints() const {
  if (nodes_.empty()) return {};
  return nodes_.front().executor->stream_endpoints();
}

std::optional<Status> Graph::check_stream(std::string_view endpoint) const {
  const std::string name(endpoint);
  if (nodes_.empty()) {
    return python_error_status("ValueError",
                               "endpoint " + name + " does not stream: the Flow has no Executor");
  }
  const Node& first = nodes_.front();
  if (first.executor->stream_handler_for(endpoint) != nullptr) return std::nullopt;
  const std::vector<std::string> bound = first.executor->endpoints();
  if (std::find(bound.begin(), bound.end(), name) != bound.end())
    return python_error_status("ValueError", "endpoint must be generator");  // jina's words

  std::string message = "endpoint " + name +
                        " does not stream: stream_doc runs the Flow's first Executor \"" +
                        first.name + "\", ";
  const std::vector<std::string> streaming = first.executor->stream_endpoints();
  if (streaming.empty()) {
    message += "which has no streaming endpoint";
  } else {
    message += "whose streaming endpoints are";
    for (const std::string& e : streaming) message += " " + e;
  }
  for (std::size_t i = 1; i < nodes_.size(); ++i) {
    if (nodes_[i].executor->stream_handler_for(endpoint) != nullptr) {
      message += " (Executor \"" + nodes_[i].name + "\" streams " + name +
                 " but is not the first: it is never streamed from)";
      break;
    }
  }
  return python_error_status("ValueError", message);
}

std::optional<Status> Graph::stream(DataRequest request, DocEmitter& out) const {
  const std::string endpoint = request.header().exec_endpoint();
  if (nodes_.empty()) return check_stream(endpoint);  // the caller skipped the check
  const Node& first = nodes_.front();
  const Executor::StreamHandler* handler = first.executor->stream_handler_for(endpoint);
  if (handler == nullptr) return check_stream(endpoint);
  StreamRequest call;
  call.endpoint = endpoint;
  if (!request.docs().empty()) call.doc = std::move(request.docs()[0]);
  if (request.parameters().is_object())
    call.parameters = executor_parameters(request.parameters(), first.name);
  try {
    (*handler)(call, out);
  } catch (...) {
    return exception_status(std::current_exception(), first.executor->class_name(), first.name,
                            endpoint);
  }
  return std::nullopt;
}

Status Graph::dry_run() const {
  DataRequest request;
  request.header().set_request_id(new_id()).set_exec_endpoint(kDryRunEndpoint);
  request.set_docs(DocumentArray{Document()});
  return process(std::move(request)).status();
}

}  // namespace jina::flow
