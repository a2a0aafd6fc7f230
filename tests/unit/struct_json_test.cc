// google.protobuf.Struct / Value <-> nlohmann::json (request parameters,
// docarray v1 tags and _metadata).
#include "wire/struct_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "jina/error.h"

namespace jina {
namespace {

using json = nlohmann::json;
using google::protobuf::Struct;
using google::protobuf::Value;

json round_trip(const json& j) {
  Struct s;
  wire::json_to_struct(j, &s);
  Struct parsed;
  EXPECT_TRUE(parsed.ParseFromString(s.SerializeAsString()));
  return wire::struct_to_json(parsed);
}

struct ScalarCase {
  std::string name;
  json in;
  Value::KindCase kind;
  json out;
};

class StructScalarTest : public testing::TestWithParam<ScalarCase> {};

TEST_P(StructScalarTest, MapsToTheProtobufKind) {
  const ScalarCase& c = GetParam();
  Value v;
  wire::json_to_value(c.in, &v);
  EXPECT_EQ(v.kind_case(), c.kind);
  const json back = wire::value_to_json(v);
  EXPECT_EQ(back, c.out);
  EXPECT_EQ(back.type(), c.out.type());
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, StructScalarTest,
    testing::Values(ScalarCase{"null", nullptr, Value::kNullValue, nullptr},
                    ScalarCase{"true", true, Value::kBoolValue, true},
                    ScalarCase{"false", false, Value::kBoolValue, false},
                    // Every number comes back as a double, as Python's Struct does.
                    ScalarCase{"integer", 3, Value::kNumberValue, 3.0},
                    ScalarCase{"negative", -7, Value::kNumberValue, -7.0},
                    ScalarCase{"unsigned", 4000000000u, Value::kNumberValue, 4000000000.0},
                    ScalarCase{"float", 0.25, Value::kNumberValue, 0.25},
                    ScalarCase{"string", "s", Value::kStringValue, "s"},
                    ScalarCase{"unicode", "ünï ✓", Value::kStringValue, "ünï ✓"},
                    ScalarCase{"empty_string", "", Value::kStringValue, ""},
                    ScalarCase{"list", json::array({1, "a", nullptr}), Value::kListValue,
                               json::array({1.0, "a", nullptr})},
                    ScalarCase{"empty_list", json::array(), Value::kListValue, json::array()},
                    ScalarCase{"object", json{{"k", 1}}, Value::kStructValue, json{{"k", 1.0}}},
                    ScalarCase{"empty_object", json::object(), Value::kStructValue,
                               json::object()}),
    [](const testing::TestParamInfo<ScalarCase>& info) { return info.param.name; });

TEST(StructJson, NumbersComeBackAsDoubles) {
  const json back = round_trip({{"top_k", 5}, {"big", 1LL << 53}});
  EXPECT_TRUE(back["top_k"].is_number_float());
  EXPECT_EQ(back["top_k"].get<double>(), 5.0);
  EXPECT_EQ(back["big"].get<double>(), 9007199254740992.0);
}

TEST(StructJson, NestedRoundTrip) {
  const json j = {
      {"__results__", json::object()},
      {"a", {{"b", {{"c", json::array({true, json::array({"x"}), json{{"d", nullptr}}})}}}}},
      {"s", "v"}};
  EXPECT_EQ(round_trip(j), j);
}

TEST(StructJson, EmptyStructIsAnEmptyObject) {
  const json back = wire::struct_to_json(Struct());
  EXPECT_TRUE(back.is_object());
  EXPECT_TRUE(back.empty());
}

TEST(StructJson, UnsetValueKindIsNull) { EXPECT_TRUE(wire::value_to_json(Value()).is_null()); }

TEST(StructJson, OnlyObjectsMakeAStruct) {
  for (const json& j : {json(nullptr), json(1), json("s"), json::array({1}), json(true)}) {
    Struct s;
    EXPECT_THROW(wire::json_to_struct(j, &s), InvalidArgument) << j.dump();
  }
}

TEST(StructJson, InvalidUtf8IsRejected) {
  for (const char* bad : {"\xff", "a\x80", "\xed\xa0\x80", "\xc0\xaf"}) {
    Struct s;
    EXPECT_THROW(wire::json_to_struct({{"k", bad}}, &s), InvalidArgument);
    EXPECT_THROW(wire::json_to_struct({{bad, 1}}, &s), InvalidArgument);
    EXPECT_THROW(wire::json_to_struct({{"k", {{"deep", json::array({bad})}}}}, &s),
                 InvalidArgument);
    Value v;
    EXPECT_THROW(wire::json_to_value(bad, &v), InvalidArgument);
  }
}

TEST(StructJson, BinaryJsonIsRejected) {
  Value v;
  EXPECT_THROW(wire::json_to_value(json::binary({1, 2, 3}), &v), InvalidArgument);
}

// NaN and Inf are numbers to protobuf: they travel as such (JSON text would
// print them as null, but parameters go over the wire as Struct).
TEST(StructJson, NanAndInfTravelAsDoubles) {
  const double inf = std::numeric_limits<double>::infinity();
  const json back = round_trip({{"nan", std::nan("")}, {"inf", inf}, {"ninf", -inf}});
  EXPECT_TRUE(std::isnan(back["nan"].get<double>()));
  EXPECT_EQ(back["inf"].get<double>(), inf);
  EXPECT_EQ(back["ninf"].get<double>(), -inf);
}

}  // namespace
}  // namespace jina
