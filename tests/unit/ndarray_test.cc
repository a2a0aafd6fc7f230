#include "jina/ndarray.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace jina {
namespace {

struct DTypeCase {
  DType dtype;
  std::string_view name;
  std::string_view alias;
  std::size_t size;
};

class DTypeTest : public testing::TestWithParam<DTypeCase> {};

TEST_P(DTypeTest, NameSizeAndParsing) {
  const DTypeCase& c = GetParam();
  EXPECT_EQ(dtype_name(c.dtype), c.name);
  EXPECT_EQ(dtype_size(c.dtype), c.size);
  EXPECT_EQ(parse_dtype(c.name), c.dtype);
  EXPECT_EQ(parse_dtype(c.alias), c.dtype);
  // numpy's byte-order spellings of the same type.
  const std::string bare(c.name.substr(1));
  EXPECT_EQ(parse_dtype("=" + bare), c.dtype);
  EXPECT_EQ(parse_dtype(">" + bare), c.dtype);
}

INSTANTIATE_TEST_SUITE_P(AllDTypes, DTypeTest,
                         testing::Values(DTypeCase{DType::kBool, "|b1", "bool", 1},
                                         DTypeCase{DType::kInt8, "|i1", "int8", 1},
                                         DTypeCase{DType::kInt16, "<i2", "int16", 2},
                                         DTypeCase{DType::kInt32, "<i4", "int32", 4},
                                         DTypeCase{DType::kInt64, "<i8", "int64", 8},
                                         DTypeCase{DType::kUint8, "|u1", "uint8", 1},
                                         DTypeCase{DType::kUint16, "<u2", "uint16", 2},
                                         DTypeCase{DType::kUint32, "<u4", "uint32", 4},
                                         DTypeCase{DType::kUint64, "<u8", "uint64", 8},
                                         DTypeCase{DType::kFloat16, "<f2", "float16", 2},
                                         DTypeCase{DType::kFloat32, "<f4", "float32", 4},
                                         DTypeCase{DType::kFloat64, "<f8", "float64", 8}),
                         [](const testing::TestParamInfo<DTypeCase>& info) {
                           return std::string(info.param.alias);
                         });

TEST(ParseDType, RejectsWhatCannotBeRepresented) {
  for (const char* name : {"", "<f16", "<c8", "complex64", "object", "|O", "<U5", "<M8[ns]", "f4x",
                           "<f", "float", "<<f4", "\xff\xfe"}) {
    EXPECT_EQ(parse_dtype(name), std::nullopt) << name;
  }
}

TEST(NdArray, DefaultIsEmpty) {
  NdArray a;
  EXPECT_TRUE(a.empty());
  EXPECT_EQ(a.ndim(), 0u);
  EXPECT_EQ(a.num_elements(), 0u);
  EXPECT_TRUE(a.values<float>().empty());
  EXPECT_TRUE(a.as_floats().empty());
  EXPECT_EQ(a, NdArray());
}

TEST(NdArray, ZeroSizedArrayIsNotEmpty) {
  NdArray a(DType::kFloat32, {0}, "");
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a.ndim(), 1u);
  EXPECT_EQ(a.num_elements(), 0u);
  EXPECT_NE(a, NdArray());
  NdArray b(DType::kInt64, {3, 0}, "");
  EXPECT_EQ(b.shape(), (std::vector<std::int64_t>{3, 0}));
}

TEST(NdArray, FromKeepsValuesShapeAndDType) {
  const NdArray a = NdArray::from({1.5f, -2.0f, 3.25f, 4.0f, 5.0f, 6.0f}, {2, 3});
  EXPECT_EQ(a.dtype(), DType::kFloat32);
  EXPECT_EQ(a.shape(), (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(a.ndim(), 2u);
  EXPECT_EQ(a.num_elements(), 6u);
  EXPECT_EQ(a.bytes().size(), 24u);
  EXPECT_EQ(a.values<float>(), (std::vector<float>{1.5f, -2.0f, 3.25f, 4.0f, 5.0f, 6.0f}));
}

template <class T>
class TypedNdArrayTest : public testing::Test {};
// bool is left out: std::vector<bool> has no contiguous storage to copy from.
using ElementTypes =
    testing::Types<std::int8_t, std::int16_t, std::int32_t, std::int64_t, std::uint8_t,
                   std::uint16_t, std::uint32_t, std::uint64_t, float, double>;
TYPED_TEST_SUITE(TypedNdArrayTest, ElementTypes);

TYPED_TEST(TypedNdArrayTest, RoundTripsAndConvertsToFloat) {
  using T = TypeParam;
  const std::vector<T> values = {T(0), T(1), T(1), T(0)};
  const NdArray a = NdArray::from(values, {2, 2});
  EXPECT_EQ(a.dtype(), dtype_of<T>());
  EXPECT_EQ(a.bytes().size(), 4 * sizeof(T));
  EXPECT_EQ(a.values<T>(), values);
  EXPECT_EQ(a.as_floats(), (std::vector<float>{0, 1, 1, 0}));
  // A copy is deep and equal; another dtype with the same bytes is not equal.
  NdArray copy = a;
  EXPECT_EQ(copy, a);
}

TEST(NdArray, ValuesOfTheWrongTypeThrow) {
  const NdArray a = NdArray::from({1, 2, 3});  // int
  EXPECT_EQ(a.dtype(), DType::kInt32);
  EXPECT_THROW(a.values<float>(), InvalidArgument);
  EXPECT_THROW(a.values<std::int64_t>(), InvalidArgument);
  EXPECT_EQ(a.values<std::int32_t>(), (std::vector<std::int32_t>{1, 2, 3}));
}

TEST(NdArray, AsFloatsConvertsEveryNumericDType) {
  EXPECT_EQ(NdArray::from({0.5, -1.25}).as_floats(), (std::vector<float>{0.5f, -1.25f}));
  EXPECT_EQ(NdArray::from<std::int64_t>({-7, 9}).as_floats(), (std::vector<float>{-7, 9}));
  EXPECT_EQ(NdArray::from<std::uint8_t>({0, 255}).as_floats(), (std::vector<float>{0, 255}));
  EXPECT_EQ(NdArray::from<std::int8_t>({-128, 127}).as_floats(), (std::vector<float>{-128, 127}));
}

TEST(NdArray, BoolArraysHoldOneBytePerElement) {
  const NdArray a = NdArray::from({true, false, true});
  EXPECT_EQ(a.dtype(), DType::kBool);
  EXPECT_EQ(a.bytes(), std::string("\x01\x00\x01", 3));
  EXPECT_EQ(a.as_floats(), (std::vector<float>{1, 0, 1}));
}

TEST(NdArray, Float16IsStoredButNotConverted) {
  const NdArray a(DType::kFloat16, {2}, std::string("\x00\x3c\x00\x40", 4));  // 1.0, 2.0
  EXPECT_EQ(a.num_elements(), 2u);
  EXPECT_THROW(a.as_floats(), InvalidArgument);
}

TEST(NdArray, ByteLengthMustMatchShape) {
  EXPECT_THROW(NdArray(DType::kFloat32, {3}, std::string(8, '\0')), InvalidArgument);
  EXPECT_THROW(NdArray(DType::kFloat32, {2}, std::string(9, '\0')), InvalidArgument);
  EXPECT_THROW(NdArray(DType::kFloat64, {2, 2}, std::string(16, '\0')), InvalidArgument);
  EXPECT_THROW(NdArray(DType::kFloat32, {}, std::string(8, '\0')), InvalidArgument);
  EXPECT_THROW(NdArray::from({1.0f, 2.0f, 3.0f}, {2, 2}), InvalidArgument);
  EXPECT_NO_THROW(NdArray(DType::kFloat64, {2, 2}, std::string(32, '\0')));
}

TEST(NdArray, ZeroDimensionalArrayHoldsOneElement) {
  // numpy's scalar arrays: shape () and one element.
  const NdArray scalar(DType::kFloat32, {}, NdArray::from({2.5f}).bytes());
  EXPECT_FALSE(scalar.empty());
  EXPECT_EQ(scalar.ndim(), 0u);
  EXPECT_EQ(scalar.num_elements(), 1u);
  EXPECT_EQ(scalar.values<float>(), std::vector<float>{2.5f});
}

TEST(NdArray, NegativeDimensionThrows) {
  EXPECT_THROW(NdArray(DType::kUint8, {-1}, ""), InvalidArgument);
  EXPECT_THROW(NdArray(DType::kUint8, {2, -2}, std::string(4, '\0')), InvalidArgument);
}

TEST(NdArray, OverflowingShapeThrowsInsteadOfWrapping) {
  const std::int64_t big = std::numeric_limits<std::int64_t>::max();
  EXPECT_THROW(NdArray(DType::kFloat64, {big, big}, ""), InvalidArgument);
  // 2^32 * 2^32 * 8 wraps to 0 in 64 bits: must not pass as an empty buffer.
  EXPECT_THROW(NdArray(DType::kFloat64, {1LL << 32, 1LL << 32}, ""), InvalidArgument);
  EXPECT_THROW(NdArray(DType::kUint8, {1LL << 32, 1LL << 32}, ""), InvalidArgument);
  EXPECT_THROW(NdArray(DType::kFloat32, {1LL << 62}, std::string(4, '\0')), InvalidArgument);
}

TEST(NdArray, ErrorsAreJinaErrorsWithInvalidArgumentCode) {
  try {
    NdArray(DType::kFloat32, {3}, "ab");
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()), "");
  }
}

TEST(NdArray, EqualityLooksAtDTypeShapeAndBytes) {
  const NdArray a = NdArray::from({1.0f, 2.0f});
  EXPECT_EQ(a, NdArray::from({1.0f, 2.0f}));
  EXPECT_NE(a, NdArray::from({1.0f, 2.0f}, {1, 2}));
  EXPECT_NE(a, NdArray::from({1.0f, 3.0f}));
  EXPECT_NE(a, NdArray(DType::kInt32, {2}, a.bytes()));
}

TEST(NdArray, NanAndInfAreKeptBitExact) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const NdArray a = NdArray::from({nan, inf, -inf});
  const std::vector<float> v = a.values<float>();
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_EQ(v[1], inf);
  EXPECT_EQ(v[2], -inf);
  EXPECT_EQ(a, NdArray::from({nan, inf, -inf}));  // byte equality, unlike float ==
}

}  // namespace
}  // namespace jina
