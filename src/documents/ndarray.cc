#include "jina/ndarray.h"

#include <bit>
#include <limits>

namespace jina {

static_assert(std::endian::native == std::endian::little,
              "NdArray keeps little-endian bytes and assumes a little-endian host");

namespace {
struct DTypeInfo {
  DType dtype;
  std::string_view name;   // numpy dtype.str
  std::string_view alias;  // numpy dtype.name
  std::size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::kBool, "|b1", "bool", 1},       {DType::kInt8, "|i1", "int8", 1},
    {DType::kInt16, "<i2", "int16", 2},     {DType::kInt32, "<i4", "int32", 4},
    {DType::kInt64, "<i8", "int64", 8},     {DType::kUint8, "|u1", "uint8", 1},
    {DType::kUint16, "<u2", "uint16", 2},   {DType::kUint32, "<u4", "uint32", 4},
    {DType::kUint64, "<u8", "uint64", 8},   {DType::kFloat16, "<f2", "float16", 2},
    {DType::kFloat32, "<f4", "float32", 4}, {DType::kFloat64, "<f8", "float64", 8},
};

const DTypeInfo& info(DType dtype) {
  for (const auto& i : kDTypes)
    if (i.dtype == dtype) return i;
  throw InvalidArgument("unknown DType");
}

template <class T>
void append_as_floats(const std::string& bytes, std::vector<float>& out) {
  const std::size_t n = bytes.size() / sizeof(T);
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, bytes.data() + i * sizeof(T), sizeof(T));
    out.push_back(static_cast<float>(v));
  }
}
}  // namespace

std::size_t dtype_size(DType dtype) { return info(dtype).size; }
std::string_view dtype_name(DType dtype) { return info(dtype).name; }

std::optional<DType> parse_dtype(std::string_view name) {
  for (const auto& i : kDTypes)
    if (name == i.name || name == i.alias) return i.dtype;
  if (name.size() == 3 && (name[0] == '<' || name[0] == '>' || name[0] == '=' || name[0] == '|')) {
    // Byte-order variants: '=' is native (little here), '|' is "not applicable" (1-byte types),
    // '>' is big-endian; the codecs byte-swap big-endian buffers on decode.
    for (const auto& i : kDTypes)
      if (name.substr(1) == i.name.substr(1)) return i.dtype;
  }
  return std::nullopt;
}

NdArray::NdArray(DType dtype, std::vector<std::int64_t> shape, std::string bytes)
    : dtype_(dtype), shape_(std::move(shape)), bytes_(std::move(bytes)) {
  const std::size_t item = dtype_size(dtype_);
  // Checked product: a hostile shape must not overflow into a small size.
  std::size_t n = 1;
  for (std::int64_t d : shape_) {
    if (d < 0) throw InvalidArgument("NdArray shape has a negative dimension");
    if (d != 0 && n > std::numeric_limits<std::size_t>::max() / item / static_cast<std::size_t>(d))
      throw InvalidArgument("NdArray shape is too large");
    n *= static_cast<std::size_t>(d);
  }
  if (shape_.empty() && bytes_.empty()) return;  // the empty array
  if (n * item != bytes_.size()) {
    throw InvalidArgument("NdArray of " + std::to_string(n) + " " +
                          std::string(dtype_name(dtype_)) + " elements needs " +
                          std::to_string(n * item) + " bytes, got " +
                          std::to_string(bytes_.size()));
  }
}

std::size_t NdArray::num_elements() const { return bytes_.size() / dtype_size(dtype_); }

std::vector<float> NdArray::as_floats() const {
  std::vector<float> out;
  switch (dtype_) {
    case DType::kFloat32:
      return values<float>();
    case DType::kFloat64:
      append_as_floats<double>(bytes_, out);
      break;
    case DType::kBool:
    case DType::kUint8:
      append_as_floats<std::uint8_t>(bytes_, out);
      break;
    case DType::kInt8:
      append_as_floats<std::int8_t>(bytes_, out);
      break;
    case DType::kInt16:
      append_as_floats<std::int16_t>(bytes_, out);
      break;
    case DType::kInt32:
      append_as_floats<std::int32_t>(bytes_, out);
      break;
    case DType::kInt64:
      append_as_floats<std::int64_t>(bytes_, out);
      break;
    case DType::kUint16:
      append_as_floats<std::uint16_t>(bytes_, out);
      break;
    case DType::kUint32:
      append_as_floats<std::uint32_t>(bytes_, out);
      break;
    case DType::kUint64:
      append_as_floats<std::uint64_t>(bytes_, out);
      break;
    case DType::kFloat16:
      throw InvalidArgument("float16 NdArray cannot be converted to float here");
  }
  return out;
}

}  // namespace jina
