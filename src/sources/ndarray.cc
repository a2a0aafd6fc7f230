// from_ndarray: the slices of an array along one axis, one Document each.
#include "jina/ndarray.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "jina/error.h"
#include "jina/sources.h"

namespace jina {

namespace {

std::string shape_string(const std::vector<std::int64_t>& shape) {
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + (shape.size() == 1 ? ",)" : ")");
}

// Everything a source needs to cut slice `index` out of the array without
// copying it again: a slice is `outer` runs of `run` bytes, `stride` bytes
// apart.
struct Slicer {
  NdArray array;
  std::vector<std::int64_t> slice_shape;
  std::size_t outer = 1;   // product of the dimensions before the axis
  std::size_t run = 0;     // bytes of the dimensions after the axis
  std::size_t stride = 0;  // bytes between two runs of one slice: run * extent

  NdArray slice(std::size_t index) const {
    std::string bytes;
    bytes.reserve(outer * run);
    const std::string& all = array.bytes();
    for (std::size_t o = 0; o < outer; ++o) bytes.append(all, o * stride + index * run, run);
    return NdArray(array.dtype(), slice_shape, std::move(bytes));
  }
};

}  // namespace

DocumentSource from_ndarray(NdArray array, int axis, int size, bool shuffle,
                            std::optional<std::uint64_t> seed) {
  if (array.empty()) throw InvalidArgument("from_ndarray: the array is empty (no shape)");
  const auto ndim = static_cast<int>(array.ndim());
  if (ndim == 0) throw InvalidArgument("from_ndarray: a 0-d array has no axis to iterate over");
  if (axis < -ndim || axis >= ndim) {
    throw InvalidArgument("from_ndarray: axis " + std::to_string(axis) +
                          " is out of range for an array of shape " + shape_string(array.shape()) +
                          " (use -" + std::to_string(ndim) + " .. " + std::to_string(ndim - 1) +
                          ")");
  }
  if (size < -1) {
    throw InvalidArgument("from_ndarray: size must be -1 (all) or at least 0, got " +
                          std::to_string(size));
  }
  const auto a = static_cast<std::size_t>(axis < 0 ? axis + ndim : axis);

  auto slicer = std::make_shared<Slicer>();
  const std::vector<std::int64_t>& shape = array.shape();
  const auto extent = static_cast<std::size_t>(shape[a]);
  std::size_t inner = dtype_size(array.dtype());
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (d < a) slicer->outer *= static_cast<std::size_t>(shape[d]);
    if (d > a) inner *= static_cast<std::size_t>(shape[d]);
    if (d != a) slicer->slice_shape.push_back(shape[d]);
  }
  slicer->run = inner;
  slicer->stride = inner * extent;
  slicer->array = std::move(array);

  std::size_t count = extent;
  if (size >= 0) count = std::min(count, static_cast<std::size_t>(size));
  // The slices in the order given out: all of them when shuffled (so that
  // `size` picks a random subset), else just the first `count`.
  std::vector<std::size_t> order(shuffle ? extent : count);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (shuffle) {
    std::mt19937_64 rng(seed ? *seed : std::random_device{}());
    std::shuffle(order.begin(), order.end(), rng);
    order.resize(count);
  }

  auto position = std::make_shared<std::size_t>(0);
  auto indices = std::make_shared<std::vector<std::size_t>>(std::move(order));
  return DocumentSource([slicer, indices, position]() -> std::optional<Document> {
    if (*position >= indices->size()) return std::nullopt;
    Document doc;
    doc.set_tensor(slicer->slice((*indices)[(*position)++]));
    return doc;
  });
}

}  // namespace jina
