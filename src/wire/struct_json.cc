#include "wire/struct_json.h"

#include "common/utf8.h"
#include "jina/error.h"

namespace jina::wire {

using internal::require_utf8;

void json_to_value(const nlohmann::json& j, google::protobuf::Value* out) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      out->set_null_value(google::protobuf::NULL_VALUE);
      break;
    case nlohmann::json::value_t::boolean:
      out->set_bool_value(j.get<bool>());
      break;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      out->set_number_value(j.get<double>());
      break;
    case nlohmann::json::value_t::string: {
      const auto& s = j.get_ref<const std::string&>();
      require_utf8(s, "a parameter string");
      out->set_string_value(s);
      break;
    }
    case nlohmann::json::value_t::array: {
      auto* list = out->mutable_list_value();
      list->mutable_values()->Reserve(static_cast<int>(j.size()));
      for (const auto& item : j) json_to_value(item, list->add_values());
      break;
    }
    case nlohmann::json::value_t::object:
      json_to_struct(j, out->mutable_struct_value());
      break;
    case nlohmann::json::value_t::binary:
      throw InvalidArgument("binary JSON values cannot be sent as parameters");
  }
}

void json_to_struct(const nlohmann::json& j, google::protobuf::Struct* out) {
  if (!j.is_object())
    throw InvalidArgument("parameters must be a JSON object, got " + std::string(j.type_name()));
  auto* fields = out->mutable_fields();
  for (const auto& [key, value] : j.items()) {
    require_utf8(key, "a parameter name");
    json_to_value(value, &(*fields)[key]);
  }
}

nlohmann::json value_to_json(const google::protobuf::Value& v) {
  switch (v.kind_case()) {
    case google::protobuf::Value::kNullValue:
    case google::protobuf::Value::KIND_NOT_SET:
      return nullptr;
    case google::protobuf::Value::kNumberValue:
      return v.number_value();
    case google::protobuf::Value::kStringValue:
      return v.string_value();
    case google::protobuf::Value::kBoolValue:
      return v.bool_value();
    case google::protobuf::Value::kStructValue:
      return struct_to_json(v.struct_value());
    case google::protobuf::Value::kListValue: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& item : v.list_value().values()) arr.push_back(value_to_json(item));
      return arr;
    }
  }
  return nullptr;
}

nlohmann::json struct_to_json(const google::protobuf::Struct& s) {
  nlohmann::json obj = nlohmann::json::object();
  for (const auto& [key, value] : s.fields()) obj[key] = value_to_json(value);
  return obj;
}

}  // namespace jina::wire
