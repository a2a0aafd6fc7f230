#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "jina/document.h"

namespace jina {
namespace {

using Kind = Value::Kind;

TEST(Value, DefaultIsNull) {
  const Value v;
  EXPECT_TRUE(v.is_null());
  EXPECT_EQ(v.kind(), Kind::kNull);
  EXPECT_EQ(v.type(), "");
  EXPECT_EQ(v.to_json(), nullptr);
  EXPECT_EQ(v, Value());
}

TEST(Value, FactoriesAndAccessors) {
  EXPECT_EQ(Value::text("s").as_text(), "s");
  EXPECT_EQ(Value::text("https://x", "image_url").type(), "image_url");
  EXPECT_EQ(Value::integer(-5).as_integer(), -5);
  EXPECT_EQ(Value::integer(7).as_float(), 7.0);  // integers read as floats
  EXPECT_EQ(Value::floating(2.5).as_float(), 2.5);
  EXPECT_TRUE(Value::boolean(true).as_boolean());
  EXPECT_EQ(Value::blob(std::string("\0\xff", 2)).as_blob(), std::string("\0\xff", 2));
  EXPECT_EQ(Value::blob("b", "image_bytes").type(), "image_bytes");
  EXPECT_EQ(Value::ndarray(NdArray::from({1.0f})).as_ndarray(), NdArray::from({1.0f}));
  EXPECT_EQ(Value::ndarray(NdArray::from({1.0f})).type(), "ndarray");
  EXPECT_EQ(Value::document(Document().set_id("d")).as_document().id(), "d");
  EXPECT_EQ(Value::document_array(DocumentArray{Document().set_id("d")}).as_document_array().size(),
            1u);
  EXPECT_EQ(Value::list({Value::integer(1), Value::text("a")}).as_list().size(), 2u);
  EXPECT_EQ(Value::list({Value::integer(1)}, Kind::kSet).kind(), Kind::kSet);
  EXPECT_EQ(Value::list({Value::integer(1)}, Kind::kTuple).as_list()[0].as_integer(), 1);
  EXPECT_EQ(Value::dict({{"k", Value::boolean(false)}}).as_dict().at("k").as_boolean(), false);
}

TEST(Value, SetTypeChains) {
  Value v = Value::text("x");
  v.set_type("id").set_type("text_url");
  EXPECT_EQ(v.type(), "text_url");
}

// Each accessor on every other kind throws InvalidArgument.
TEST(Value, AccessorsOfTheWrongKindThrow) {
  const std::vector<Value> values = {Value(),
                                     Value::text("t"),
                                     Value::integer(1),
                                     Value::floating(1),
                                     Value::boolean(true),
                                     Value::blob("b"),
                                     Value::ndarray(NdArray::from({1})),
                                     Value::document(Document()),
                                     Value::document_array({}),
                                     Value::list({}),
                                     Value::dict({})};
  const std::vector<std::pair<Kind, std::function<void(const Value&)>>> accessors = {
      {Kind::kText, [](const Value& v) { (void)v.as_text(); }},
      {Kind::kInteger, [](const Value& v) { (void)v.as_integer(); }},
      {Kind::kBoolean, [](const Value& v) { (void)v.as_boolean(); }},
      {Kind::kBlob, [](const Value& v) { (void)v.as_blob(); }},
      {Kind::kNdArray, [](const Value& v) { (void)v.as_ndarray(); }},
      {Kind::kDocument, [](const Value& v) { (void)v.as_document(); }},
      {Kind::kDocumentArray, [](const Value& v) { (void)v.as_document_array(); }},
      {Kind::kList, [](const Value& v) { (void)v.as_list(); }},
      {Kind::kDict, [](const Value& v) { (void)v.as_dict(); }},
  };
  for (const Value& v : values) {
    for (const auto& [kind, access] : accessors) {
      if (v.kind() == kind) {
        EXPECT_NO_THROW(access(v));
      } else {
        EXPECT_THROW(access(v), InvalidArgument)
            << static_cast<int>(v.kind()) << " as " << static_cast<int>(kind);
      }
    }
    const bool numeric = v.kind() == Kind::kFloat || v.kind() == Kind::kInteger;
    if (!numeric) {
      EXPECT_THROW((void)v.as_float(), InvalidArgument);
    }
  }
}

TEST(Value, EqualityIncludesKindAndType) {
  EXPECT_EQ(Value::text("a"), Value::text("a"));
  EXPECT_NE(Value::text("a"), Value::text("a", "id"));
  EXPECT_NE(Value::text("a"), Value::blob("a"));
  EXPECT_NE(Value::integer(1), Value::floating(1));
  EXPECT_NE(Value::list({Value::integer(1)}), Value::list({Value::integer(1)}, Kind::kTuple));
  EXPECT_NE(Value::dict({{"a", Value()}}), Value::dict({}));
  EXPECT_EQ(Value::document(Document().set_id("x")), Value::document(Document().set_id("x")));
  EXPECT_NE(Value::document(Document().set_id("x")), Value::document(Document().set_id("y")));
}

TEST(Value, CopiesAreDeep) {
  Document inner = Document().set_id("inner").set_text("before");
  const Value original = Value::dict(
      {{"doc", Value::document(inner)}, {"list", Value::list({Value::document(inner)})}});
  Value copy = original;
  EXPECT_EQ(copy, original);
  Value moved = std::move(copy);
  EXPECT_EQ(moved, original);
  copy = original;  // assignment after move
  EXPECT_EQ(copy, original);
}

TEST(Value, FromJsonPicksTheKind) {
  EXPECT_EQ(Value::from_json(nullptr).kind(), Kind::kNull);
  EXPECT_EQ(Value::from_json("s").as_text(), "s");
  EXPECT_EQ(Value::from_json(3).as_integer(), 3);
  EXPECT_EQ(Value::from_json(-3).as_integer(), -3);
  EXPECT_EQ(Value::from_json(2.5).as_float(), 2.5);
  EXPECT_EQ(Value::from_json(true).as_boolean(), true);
  const Value list = Value::from_json({1, "a", nullptr});
  ASSERT_EQ(list.kind(), Kind::kList);
  EXPECT_EQ(list.as_list().size(), 3u);
  EXPECT_TRUE(list.as_list()[2].is_null());
  const Value dict = Value::from_json({{"a", {{"b", 1}}}});
  ASSERT_EQ(dict.kind(), Kind::kDict);
  EXPECT_EQ(dict.as_dict().at("a").as_dict().at("b").as_integer(), 1);
}

TEST(Value, JsonRoundTripOfPlainJson) {
  const nlohmann::json j = {{"s", "x"},        {"i", 42},      {"f", 0.5},
                            {"b", false},      {"n", nullptr}, {"l", {1, 2.5, "z", {{"k", true}}}},
                            {"o", {{"p", {}}}}};
  EXPECT_EQ(Value::from_json(j).to_json(), j);
}

TEST(Value, ToJsonOfNonJsonKinds) {
  EXPECT_EQ(Value::blob("raw").to_json(), "raw");
  EXPECT_EQ(Value::ndarray(NdArray::from({1, 2, 3, 4}, {2, 2})).to_json(),
            (nlohmann::json{{1, 2}, {3, 4}}));
  const nlohmann::json doc = Value::document(Document().set_id("d").set_text("t")).to_json();
  EXPECT_EQ(doc["id"], "d");
  EXPECT_EQ(doc["text"], "t");
  const nlohmann::json docs =
      Value::document_array(DocumentArray{Document().set_id("a"), Document().set_id("b")})
          .to_json();
  ASSERT_TRUE(docs.is_array());
  EXPECT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[1]["id"], "b");
  EXPECT_EQ(Value::list({Value::integer(1)}, Kind::kSet).to_json(), (nlohmann::json{1}));
}

}  // namespace
}  // namespace jina
