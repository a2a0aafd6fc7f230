// Shared pieces of the v1 and v2 ndarray encodings (DenseNdArrayProto is the
// same message in both formats).
#ifndef JINA_SRC_WIRE_NDARRAY_WIRE_H_
#define JINA_SRC_WIRE_NDARRAY_WIRE_H_

#include <limits>

#include "jina/ndarray.h"

namespace jina::wire {

template <class DenseProto>
void encode_dense(const NdArray& a, DenseProto* out) {
  out->set_buffer(a.bytes());
  auto* shape = out->mutable_shape();
  shape->Reserve(static_cast<int>(a.ndim()));
  for (std::int64_t d : a.shape()) {
    if (d > std::numeric_limits<std::uint32_t>::max())
      throw InvalidArgument("NdArray dimension " + std::to_string(d) +
                            " does not fit the wire's uint32");
    shape->Add(static_cast<std::uint32_t>(d));
  }
  out->set_dtype(std::string(dtype_name(a.dtype())));
}

}  // namespace jina::wire

#endif  // JINA_SRC_WIRE_NDARRAY_WIRE_H_
