// Document <-> docarray protobuf messages, for both wire formats. The field
// mapping is documented in include/jina/document.h.
#ifndef JINA_SRC_WIRE_DOCARRAY_CODEC_H_
#define JINA_SRC_WIRE_DOCARRAY_CODEC_H_

#include "docarray.pb.h"
#include "docarray_v1.pb.h"
#include "jina/document.h"

namespace jina::wire {

// docarray v2 (DocProto / DocListProto). Throw InvalidArgument for what the
// format cannot carry (e.g. an integer outside int32, invalid UTF-8 text).
void encode_v2(const Document& doc, docarray::DocProto* out);
void encode_v2(const DocumentArray& docs, docarray::DocListProto* out);
Document decode_v2(const docarray::DocProto& in);
DocumentArray decode_v2(const docarray::DocListProto& in);
void encode_v2(const NdArray& array, docarray::NdArrayProto* out);
NdArray decode_v2(const docarray::NdArrayProto& in);

// docarray v1 (DocumentProto / DocumentArrayProto).
void encode_v1(const Document& doc, docarray::v1::DocumentProto* out);
void encode_v1(const DocumentArray& docs, docarray::v1::DocumentArrayProto* out);
Document decode_v1(const docarray::v1::DocumentProto& in);
DocumentArray decode_v1(const docarray::v1::DocumentArrayProto& in);
void encode_v1(const NdArray& array, docarray::v1::NdArrayProto* out);
NdArray decode_v1(const docarray::v1::NdArrayProto& in);

// A dense array from its wire parts; big-endian data is byte-swapped.
// Throws InvalidArgument on an unknown dtype or a size mismatch.
NdArray decode_dense(const std::string& buffer,
                     const google::protobuf::RepeatedField<uint32_t>& shape,
                     const std::string& dtype);

}  // namespace jina::wire

#endif  // JINA_SRC_WIRE_DOCARRAY_CODEC_H_
