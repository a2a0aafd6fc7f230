// NdArray: a dense n-dimensional array as numpy and docarray put it on the
// wire (raw C-order bytes, a shape and a numpy dtype string).
//
// NdArray is a value type: copies are deep, and a const NdArray may be read
// from several threads at once. Byte order is always little-endian in memory;
// big-endian arrays from the wire are converted when decoded.
#ifndef JINA_NDARRAY_H_
#define JINA_NDARRAY_H_

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "jina/error.h"

namespace jina {

// Element types, with their numpy `dtype.str` on the wire.
enum class DType {
  kBool,     // "|b1"
  kInt8,     // "|i1"
  kInt16,    // "<i2"
  kInt32,    // "<i4"
  kInt64,    // "<i8"
  kUint8,    // "|u1"
  kUint16,   // "<u2"
  kUint32,   // "<u4"
  kUint64,   // "<u8"
  kFloat16,  // "<f2" (stored as raw 16-bit values; no arithmetic here)
  kFloat32,  // "<f4"
  kFloat64,  // "<f8"
};

// Bytes per element of `dtype`.
std::size_t dtype_size(DType dtype);
// The numpy dtype string written on the wire, e.g. "<f4".
std::string_view dtype_name(DType dtype);
// Parses a numpy dtype string ("<f4", "float32", "=i8", ">f8", "|u1", ...).
// Returns nullopt for anything this library cannot represent.
std::optional<DType> parse_dtype(std::string_view name);

// The DType of a C++ element type (float -> kFloat32, int64_t -> kInt64, ...).
template <class T>
constexpr DType dtype_of();

class NdArray {
 public:
  // An empty array: no dtype data, no shape. `empty()` is true.
  NdArray() = default;

  // Takes ownership of `bytes` (raw little-endian, C order). Throws
  // InvalidArgument if a dimension is negative or if bytes.size() is not
  // product(shape) * dtype_size(dtype).
  NdArray(DType dtype, std::vector<std::int64_t> shape, std::string bytes);

  // A copy of `values` with the given shape (default: one dimension of
  // values.size()). Throws InvalidArgument if the shape does not match.
  template <class T>
  static NdArray from(std::span<const T> values, std::vector<std::int64_t> shape = {});
  template <class T>
  static NdArray from(std::initializer_list<T> values, std::vector<std::int64_t> shape = {}) {
    return from(std::span<const T>(values.begin(), values.size()), std::move(shape));
  }
  template <class T>
  static NdArray from(const std::vector<T>& values, std::vector<std::int64_t> shape = {}) {
    return from(std::span<const T>(values.data(), values.size()), std::move(shape));
  }

  DType dtype() const { return dtype_; }
  const std::vector<std::int64_t>& shape() const { return shape_; }
  // Raw little-endian bytes in C order.
  const std::string& bytes() const { return bytes_; }
  std::size_t ndim() const { return shape_.size(); }
  std::size_t num_elements() const;
  // True for a default-constructed array (no shape). A zero-sized array with
  // a shape, e.g. {0}, is not empty: it round-trips as such.
  bool empty() const { return shape_.empty() && bytes_.empty(); }

  // The elements as T. Throws InvalidArgument if T is not the dtype.
  template <class T>
  std::vector<T> values() const;
  // The elements converted to float, for any numeric dtype except float16.
  std::vector<float> as_floats() const;

  friend bool operator==(const NdArray& a, const NdArray& b) {
    return a.dtype_ == b.dtype_ && a.shape_ == b.shape_ && a.bytes_ == b.bytes_;
  }

 private:
  DType dtype_ = DType::kFloat32;
  std::vector<std::int64_t> shape_;
  std::string bytes_;
};

template <class T>
constexpr DType dtype_of() {
  if constexpr (std::is_same_v<T, bool>)
    return DType::kBool;
  else if constexpr (std::is_same_v<T, std::int8_t>)
    return DType::kInt8;
  else if constexpr (std::is_same_v<T, std::int16_t>)
    return DType::kInt16;
  else if constexpr (std::is_same_v<T, std::int32_t>)
    return DType::kInt32;
  else if constexpr (std::is_same_v<T, std::int64_t>)
    return DType::kInt64;
  else if constexpr (std::is_same_v<T, std::uint8_t>)
    return DType::kUint8;
  else if constexpr (std::is_same_v<T, std::uint16_t>)
    return DType::kUint16;
  else if constexpr (std::is_same_v<T, std::uint32_t>)
    return DType::kUint32;
  else if constexpr (std::is_same_v<T, std::uint64_t>)
    return DType::kUint64;
  else if constexpr (std::is_same_v<T, float>)
    return DType::kFloat32;
  else if constexpr (std::is_same_v<T, double>)
    return DType::kFloat64;
  else
    static_assert(sizeof(T) == 0, "unsupported NdArray element type");
}

template <class T>
NdArray NdArray::from(std::span<const T> values, std::vector<std::int64_t> shape) {
  if (shape.empty()) shape.push_back(static_cast<std::int64_t>(values.size()));
  std::string bytes(values.size() * sizeof(T), '\0');
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return NdArray(dtype_of<T>(), std::move(shape), std::move(bytes));
}

template <class T>
std::vector<T> NdArray::values() const {
  if (dtype_of<T>() != dtype_ || empty()) {
    if (empty()) return {};
    throw InvalidArgument("NdArray holds " + std::string(dtype_name(dtype_)) + " elements, not " +
                          std::string(dtype_name(dtype_of<T>())));
  }
  std::vector<T> out(bytes_.size() / sizeof(T));
  if constexpr (std::is_same_v<T, bool>) {
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = bytes_[i] != 0;  // vector<bool> has no data()
  } else {
    if (!out.empty()) std::memcpy(out.data(), bytes_.data(), bytes_.size());
  }
  return out;
}

}  // namespace jina

#endif  // JINA_NDARRAY_H_
