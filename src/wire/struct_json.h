// google.protobuf.Struct / Value <-> nlohmann::json.
#ifndef JINA_SRC_WIRE_STRUCT_JSON_H_
#define JINA_SRC_WIRE_STRUCT_JSON_H_

#include <google/protobuf/struct.pb.h>

#include <nlohmann/json.hpp>

namespace jina::wire {

// Every JSON number becomes a double (as on the wire). Throws
// InvalidArgument if `j` is not an object, or holds invalid UTF-8.
void json_to_struct(const nlohmann::json& j, google::protobuf::Struct* out);
void json_to_value(const nlohmann::json& j, google::protobuf::Value* out);
nlohmann::json struct_to_json(const google::protobuf::Struct& s);
nlohmann::json value_to_json(const google::protobuf::Value& v);

}  // namespace jina::wire

#endif  // JINA_SRC_WIRE_STRUCT_JSON_H_
