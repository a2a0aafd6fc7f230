#include "wire/gateway_json.h"

#include <utility>
#include <vector>

namespace jina::wire {
namespace {

using json = nlohmann::json;

std::vector<std::string> strings(const json* array) {
  std::vector<std::string> out;
  if (!array || !array->is_array()) return out;
  for (const json& item : *array) {
    out.push_back(item.is_string() ? item.get<std::string>() : item.dump());
  }
  return out;
}

}  // namespace

const json* json_field(const json& object, std::string_view snake, std::string_view camel) {
  if (!object.is_object()) return nullptr;
  for (std::string_view key : {snake, camel}) {
    auto it = object.find(key);
    if (it != object.end() && !it->is_null()) return &*it;
  }
  return nullptr;
}

std::string json_string_field(const json& object, std::string_view snake, std::string_view camel) {
  const json* value = json_field(object, snake, camel);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

std::string json_text(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json status_to_json(const Status& status) {
  json out = {{"code", static_cast<int>(status.code())}, {"description", status.description()}};
  if (status.exception().empty()) {
    out["exception"] = nullptr;
  } else {
    const ExceptionInfo& e = status.exception();
    out["exception"] = {
        {"name", e.name()}, {"args", e.args()}, {"stacks", e.stacks()}, {"executor", e.executor()}};
  }
  return out;
}

Status status_from_json(const json& j) {
  Status status;
  if (const json* code = json_field(j, "code", "code")) {
    bool error =
        code->is_number() ? code->get<double>() != 0 : (code->is_string() && *code == "ERROR");
    status.set_code(error ? StatusCode::kError : StatusCode::kSuccess);
  }
  status.set_description(json_string_field(j, "description", "description"));
  if (const json* e = json_field(j, "exception", "exception"); e && e->is_object()) {
    ExceptionInfo info;
    info.set_name(json_string_field(*e, "name", "name"))
        .set_args(strings(json_field(*e, "args", "args")))
        .set_stacks(strings(json_field(*e, "stacks", "stacks")))
        .set_executor(json_string_field(*e, "executor", "executor"));
    status.set_exception(std::move(info));
  }
  return status;
}

}  // namespace jina::wire
