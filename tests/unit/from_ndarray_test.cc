// jina::from_ndarray: the slices of an array along an axis, one Document
// each.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "jina/error.h"
#include "jina/ndarray.h"
#include "jina/sources.h"

namespace jina {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// 0, 1, 2, ... as int32 in the given shape.
NdArray iota(std::vector<std::int64_t> shape) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  std::vector<std::int32_t> values(static_cast<std::size_t>(n));
  std::iota(values.begin(), values.end(), 0);
  return NdArray::from(values, std::move(shape));
}

std::vector<std::vector<std::int32_t>> rows_of(DocumentSource source) {
  std::vector<std::vector<std::int32_t>> rows;
  for (Document& doc : source) rows.push_back(doc.tensor().values<std::int32_t>());
  return rows;
}

TEST(FromNdarrayTest, RowsOfAMatrix) {
  DocumentArray docs = from_ndarray(iota({3, 2})).collect();
  ASSERT_EQ(docs.size(), 3u);
  for (const Document& doc : docs) {
    EXPECT_EQ(doc.tensor().dtype(), DType::kInt32);
    EXPECT_THAT(doc.tensor().shape(), ElementsAre(2));
    EXPECT_FALSE(doc.id().empty());
  }
  EXPECT_NE(docs[0].id(), docs[1].id());
  EXPECT_THAT(docs[0].tensor().values<std::int32_t>(), ElementsAre(0, 1));
  EXPECT_THAT(docs[2].tensor().values<std::int32_t>(), ElementsAre(4, 5));
}

TEST(FromNdarrayTest, ColumnsOfAMatrixWithAxisOne) {
  EXPECT_THAT(rows_of(from_ndarray(iota({3, 2}), 1)),
              ElementsAre(ElementsAre(0, 2, 4), ElementsAre(1, 3, 5)));
  // A negative axis counts from the end, as in numpy.
  EXPECT_THAT(rows_of(from_ndarray(iota({3, 2}), -1)),
              ElementsAre(ElementsAre(0, 2, 4), ElementsAre(1, 3, 5)));
}

TEST(FromNdarrayTest, SlicesOfAThreeDimensionalArray) {
  // Shape (2, 3, 4): element (i, j, k) is 12 i + 4 j + k.
  DocumentArray axis0 = from_ndarray(iota({2, 3, 4})).collect();
  ASSERT_EQ(axis0.size(), 2u);
  EXPECT_THAT(axis0[1].tensor().shape(), ElementsAre(3, 4));
  std::vector<std::int32_t> second(12);
  std::iota(second.begin(), second.end(), 12);
  EXPECT_EQ(axis0[1].tensor().values<std::int32_t>(), second);

  DocumentArray axis1 = from_ndarray(iota({2, 3, 4}), 1).collect();
  ASSERT_EQ(axis1.size(), 3u);
  EXPECT_THAT(axis1[1].tensor().shape(), ElementsAre(2, 4));
  EXPECT_THAT(axis1[1].tensor().values<std::int32_t>(), ElementsAre(4, 5, 6, 7, 16, 17, 18, 19));

  DocumentArray axis2 = from_ndarray(iota({2, 3, 4}), 2).collect();
  ASSERT_EQ(axis2.size(), 4u);
  EXPECT_THAT(axis2[3].tensor().shape(), ElementsAre(2, 3));
  EXPECT_THAT(axis2[3].tensor().values<std::int32_t>(), ElementsAre(3, 7, 11, 15, 19, 23));
}

TEST(FromNdarrayTest, KeepsTheDtype) {
  NdArray floats = NdArray::from<double>({0.5, 1.5, 2.5, 3.5}, {2, 2});
  DocumentArray docs = from_ndarray(floats).collect();
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[1].tensor().dtype(), DType::kFloat64);
  EXPECT_THAT(docs[1].tensor().values<double>(), ElementsAre(2.5, 3.5));
}

TEST(FromNdarrayTest, OneDimensionalArrayGivesScalars) {
  DocumentArray docs = from_ndarray(NdArray::from<float>({1.f, 2.f, 3.f})).collect();
  ASSERT_EQ(docs.size(), 3u);
  EXPECT_TRUE(docs[2].tensor().shape().empty());
  EXPECT_THAT(docs[2].tensor().values<float>(), ElementsAre(3.f));
}

TEST(FromNdarrayTest, SizeLimitsTheDocuments) {
  EXPECT_THAT(rows_of(from_ndarray(iota({4, 2}), 0, 2)),
              ElementsAre(ElementsAre(0, 1), ElementsAre(2, 3)));
  EXPECT_TRUE(rows_of(from_ndarray(iota({4, 2}), 0, 0)).empty());
  EXPECT_EQ(rows_of(from_ndarray(iota({4, 2}), 0, 100)).size(), 4u);
  EXPECT_EQ(rows_of(from_ndarray(iota({4, 2}), 0, -1)).size(), 4u);
  EXPECT_TRUE(rows_of(from_ndarray(iota({0, 2}))).empty());
}

TEST(FromNdarrayTest, ShuffleKeepsTheSetOfRows) {
  const int n = 50;
  std::vector<std::vector<std::int32_t>> in_order = rows_of(from_ndarray(iota({n, 3})));
  std::vector<std::vector<std::int32_t>> shuffled =
      rows_of(from_ndarray(iota({n, 3}), 0, -1, true, 7));
  ASSERT_EQ(shuffled.size(), static_cast<std::size_t>(n));
  EXPECT_NE(shuffled, in_order);  // 50! orders: not the identity for this seed
  std::vector<std::vector<std::int32_t>> sorted = shuffled;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, in_order);
  // The seed makes the order repeatable.
  EXPECT_EQ(rows_of(from_ndarray(iota({n, 3}), 0, -1, true, 7)), shuffled);
}

TEST(FromNdarrayTest, ShuffleWithSizeTakesDistinctRows) {
  std::vector<std::vector<std::int32_t>> rows = rows_of(from_ndarray(iota({20, 2}), 0, 5, true));
  ASSERT_EQ(rows.size(), 5u);
  std::set<std::vector<std::int32_t>> distinct(rows.begin(), rows.end());
  EXPECT_EQ(distinct.size(), 5u);
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 2u);
    EXPECT_EQ(row[0] % 2, 0);
    EXPECT_EQ(row[1], row[0] + 1);
  }
}

TEST(FromNdarrayTest, WorksAsPostInputsAndRangeOnce) {
  DocumentSource source = from_ndarray(iota({2, 2}));
  EXPECT_TRUE(source().has_value());
  EXPECT_TRUE(source().has_value());
  EXPECT_FALSE(source().has_value());
  EXPECT_FALSE(source().has_value());
}

TEST(FromNdarrayTest, BadArgumentsThrowAtOnce) {
  auto message = [](auto&& call) -> std::string {
    try {
      call();
    } catch (const InvalidArgument& e) {
      return e.what();
    }
    return "no InvalidArgument";
  };
  EXPECT_THAT(message([] { from_ndarray(NdArray()); }), HasSubstr("empty"));
  NdArray scalar(DType::kInt32, {}, std::string(4, '\0'));
  EXPECT_THAT(message([&] { from_ndarray(scalar); }), HasSubstr("0-d"));
  EXPECT_THAT(message([] {
                from_ndarray(iota({3, 2}), 2);
              }),
              HasSubstr("axis 2 is out of range for an array of shape (3, 2)"));
  EXPECT_THAT(message([] { from_ndarray(iota({3, 2}), -3); }), HasSubstr("axis -3"));
  EXPECT_THAT(message([] { from_ndarray(iota({3}), 1); }), HasSubstr("shape (3,)"));
  EXPECT_THAT(message([] { from_ndarray(iota({3, 2}), 0, -2); }), HasSubstr("size"));
}

}  // namespace
}  // namespace jina
