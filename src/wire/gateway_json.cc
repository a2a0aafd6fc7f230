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

namespace {

void put_python_json(std::string& out, const json& j) {
  if (j.is_object()) {
    out += '{';
    bool first = true;
    auto put_member = [&](const std::string& key, const json& value) {
      if (!first) out += ", ";
      first = false;
      out += json(key).dump(-1, ' ', true, json::error_handler_t::replace);
      out += ": ";
      put_python_json(out, value);
    };
    if (auto id = j.find("id"); id != j.end()) put_member("id", *id);
    for (const auto& [key, value] : j.items())
      if (key != "id") put_member(key, value);
    out += '}';
  } else if (j.is_array()) {
    out += '[';
    for (std::size_t i = 0; i < j.size(); ++i) {
      if (i > 0) out += ", ";
      put_python_json(out, j[i]);
    }
    out += ']';
  } else {
    out += j.dump(-1, ' ', true, json::error_handler_t::replace);
  }
}

}  // namespace

std::string python_json_text(const json& j) {
  std::string out;
  put_python_json(out, j);
  return out;
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
