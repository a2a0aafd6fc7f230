// DataRequest <-> jina.DataRequestProto (v2) / jina.v1.DataRequestProto (v1),
// and the pieces shared by other messages (header, status, routes).
#ifndef JINA_SRC_WIRE_REQUEST_CODEC_H_
#define JINA_SRC_WIRE_REQUEST_CODEC_H_

#include <string>
#include <string_view>

#include "jina.pb.h"
#include "jina/protocol.h"
#include "jina/request.h"
#include "jina_v1.pb.h"

namespace jina::wire {

void encode(const DataRequest& req, jina::DataRequestProto* out);
void encode(const DataRequest& req, jina::v1::DataRequestProto* out);
DataRequest decode(const jina::DataRequestProto& in);
DataRequest decode(const jina::v1::DataRequestProto& in);

void encode(const Status& status, jina::StatusProto* out);
Status decode(const jina::StatusProto& in);
void encode(const Header& header, jina::HeaderProto* out);
Header decode(const jina::HeaderProto& in);
void encode(const Route& route, jina::RouteProto* out);
Route decode(const jina::RouteProto& in);

// jina.SingleDocumentRequestProto, the request and each item of a
// `stream_doc` call, as a DataRequest with at most one Document: has_data()
// tells whether `document` is present. Throws InvalidArgument for more than
// one Document, unparsable bytes or what encode() refuses.
std::string serialize_single_document(const DataRequest& req, DocFormat format);
DataRequest parse_single_document(std::string_view bytes, DocFormat format);

}  // namespace jina::wire

#endif  // JINA_SRC_WIRE_REQUEST_CODEC_H_
