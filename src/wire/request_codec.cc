#include "wire/request_codec.h"

#include <google/protobuf/arena.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <limits>
#include <string>
#include <type_traits>

#include "common/utf8.h"
#include "wire/docarray_codec.h"
#include "wire/struct_json.h"

namespace jina {

const std::string& DataRequest::failed_executor() const {
  for (const Route& route : routes_) {
    if (!route.status().ok()) return route.executor();
  }
  static const std::string kNone;
  return kNone;
}

const std::string& Header::empty_string() {
  static const std::string kEmpty;
  return kEmpty;
}

namespace wire {

using internal::require_utf8;

namespace {

google::protobuf::Timestamp to_timestamp(Route::TimePoint t) {
  const auto ns = t.time_since_epoch().count();
  google::protobuf::Timestamp ts;
  std::int64_t seconds = ns / 1'000'000'000;
  std::int64_t nanos = ns % 1'000'000'000;
  if (nanos < 0) {
    nanos += 1'000'000'000;
    --seconds;
  }
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<std::int32_t>(nanos));
  return ts;
}

// Saturates outside about +-285 years around 1970, which int64 nanoseconds
// cannot hold (a peer's timestamp must not overflow; found by fuzz_response_v2).
Route::TimePoint from_timestamp(const google::protobuf::Timestamp& ts) {
  constexpr std::int64_t kMaxSeconds = 9'000'000'000;
  std::int64_t seconds = std::clamp<std::int64_t>(ts.seconds(), -kMaxSeconds, kMaxSeconds);
  return Route::TimePoint(std::chrono::nanoseconds(seconds * 1'000'000'000 + ts.nanos()));
}

// The parts of DataRequestProto common to both docarray formats.
template <class Proto>
void encode_common(const DataRequest& req, Proto* out) {
  encode(req.header(), out->mutable_header());
  if (!req.parameters().is_null()) json_to_struct(req.parameters(), out->mutable_parameters());
  out->mutable_routes()->Reserve(static_cast<int>(req.routes().size()));
  for (const auto& r : req.routes()) encode(r, out->add_routes());
}

template <class Proto>
DataRequest decode_common(const Proto& in) {
  DataRequest req;
  req.header() = decode(in.header());
  if (in.has_parameters()) req.parameters() = struct_to_json(in.parameters());
  req.routes().reserve(static_cast<std::size_t>(in.routes_size()));
  for (const auto& r : in.routes()) req.routes().push_back(decode(r));
  return req;
}

}  // namespace

void encode(const Status& status, jina::StatusProto* out) {
  out->set_code(status.code() == StatusCode::kError ? jina::StatusProto::ERROR
                                                    : jina::StatusProto::SUCCESS);
  require_utf8(status.description(), "a status description");
  out->set_description(status.description());
  const ExceptionInfo& e = status.exception();
  if (e.empty()) return;
  auto* ex = out->mutable_exception();
  require_utf8(e.name(), "an exception name");
  ex->set_name(e.name());
  for (const auto& a : e.args()) {
    require_utf8(a, "an exception argument");
    ex->add_args(a);
  }
  for (const auto& s : e.stacks()) {
    require_utf8(s, "an exception stack line");
    ex->add_stacks(s);
  }
  require_utf8(e.executor(), "an exception executor");
  ex->set_executor(e.executor());
}

Status decode(const jina::StatusProto& in) {
  Status s;
  // Codes other than SUCCESS (a newer peer's, say) are errors: never mistake them for success.
  s.set_code(in.code() == jina::StatusProto::SUCCESS ? StatusCode::kSuccess : StatusCode::kError);
  s.set_description(in.description());
  if (in.has_exception()) {
    const auto& ex = in.exception();
    s.mutable_exception()
        .set_name(ex.name())
        .set_args({ex.args().begin(), ex.args().end()})
        .set_stacks({ex.stacks().begin(), ex.stacks().end()})
        .set_executor(ex.executor());
  }
  return s;
}

void encode(const Header& header, jina::HeaderProto* out) {
  require_utf8(header.request_id(), "a request id");
  out->set_request_id(header.request_id());
  if (!header.status().empty()) encode(header.status(), out->mutable_status());
  if (header.has_exec_endpoint()) {
    require_utf8(header.exec_endpoint(), "an endpoint");
    out->set_exec_endpoint(header.exec_endpoint());
  }
  if (header.has_target_executor()) {
    require_utf8(header.target_executor(), "a target_executor");
    out->set_target_executor(header.target_executor());
  }
  if (header.timeout()) out->set_timeout(*header.timeout());
}

Header decode(const jina::HeaderProto& in) {
  Header h;
  h.set_request_id(in.request_id());
  if (in.has_status()) h.set_status(decode(in.status()));
  if (in.has_exec_endpoint()) h.set_exec_endpoint(in.exec_endpoint());
  if (in.has_target_executor()) h.set_target_executor(in.target_executor());
  if (in.has_timeout()) h.set_timeout(in.timeout());
  return h;
}

void encode(const Route& route, jina::RouteProto* out) {
  require_utf8(route.executor(), "a route executor");
  out->set_executor(route.executor());
  if (route.has_start_time()) *out->mutable_start_time() = to_timestamp(route.start_time());
  if (route.has_end_time()) *out->mutable_end_time() = to_timestamp(route.end_time());
  if (!route.status().empty()) encode(route.status(), out->mutable_status());
}

Route decode(const jina::RouteProto& in) {
  Route r(in.executor());
  if (in.has_start_time()) r.set_start_time(from_timestamp(in.start_time()));
  if (in.has_end_time()) r.set_end_time(from_timestamp(in.end_time()));
  if (in.has_status()) r.set_status(decode(in.status()));
  return r;
}

void encode(const DataRequest& req, jina::DataRequestProto* out) {
  encode_common(req, out);
  if (req.has_data()) encode_v2(req.docs(), out->mutable_data()->mutable_docs());
}

void encode(const DataRequest& req, jina::v1::DataRequestProto* out) {
  encode_common(req, out);
  if (req.has_data()) encode_v1(req.docs(), out->mutable_data()->mutable_docs());
}

DataRequest decode(const jina::DataRequestProto& in) {
  DataRequest req = decode_common(in);
  req.set_has_data(in.has_data());
  if (in.data().has_docs()) {
    req.docs() = decode_v2(in.data().docs());
  } else if (in.data().has_docs_bytes()) {
    docarray::DocListProto docs;
    if (!docs.ParseFromString(in.data().docs_bytes()))
      throw InvalidArgument("data.docs_bytes is not a serialized DocListProto");
    req.docs() = decode_v2(docs);
  }
  return req;
}

DataRequest decode(const jina::v1::DataRequestProto& in) {
  DataRequest req = decode_common(in);
  req.set_has_data(in.has_data());
  if (in.data().has_docs()) {
    req.docs() = decode_v1(in.data().docs());
  } else if (in.data().has_docs_bytes()) {
    throw InvalidArgument(
        "data.docs_bytes of a docarray v1 request is Python pickle, which cannot be decoded");
  }
  return req;
}

namespace {

template <class Proto>
void encode_single(const DataRequest& req, Proto* out) {
  encode_common(req, out);
  if (!req.has_data()) return;
  if (req.docs().size() > 1) {
    throw InvalidArgument("a single-document request carries at most one Document, not " +
                          std::to_string(req.docs().size()));
  }
  if (req.docs().empty()) return;
  if constexpr (std::is_same_v<Proto, jina::v1::SingleDocumentRequestProto>) {
    encode_v1(req.docs()[0], out->mutable_document());
  } else {
    encode_v2(req.docs()[0], out->mutable_document());
  }
}

template <class Proto>
DataRequest decode_single(const Proto& in) {
  DataRequest req = decode_common(in);
  req.set_has_data(in.has_document());
  if (!in.has_document()) return req;
  DocumentArray docs;
  if constexpr (std::is_same_v<Proto, jina::v1::SingleDocumentRequestProto>) {
    docs.push_back(decode_v1(in.document()));
  } else {
    docs.push_back(decode_v2(in.document()));
  }
  req.docs() = std::move(docs);
  return req;
}

template <class Proto>
std::string serialize_single_as(const DataRequest& req) {
  google::protobuf::Arena arena;
  auto* msg = google::protobuf::Arena::CreateMessage<Proto>(&arena);
  encode_single(req, msg);
  // Deterministic: a Document's fields (a protobuf map) in key order, as
  // jina sends them, and the same bytes every time for the same request.
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    if (!msg->SerializeToCodedStream(&coded)) {
      throw InvalidArgument("a single-document request could not be serialized");
    }
  }
  return out;
}

template <class Proto>
DataRequest parse_single_as(std::string_view bytes) {
  google::protobuf::Arena arena;
  auto* msg = google::protobuf::Arena::CreateMessage<Proto>(&arena);
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      !msg->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    throw InvalidArgument("malformed jina.SingleDocumentRequestProto (" +
                          std::to_string(bytes.size()) + " bytes)");
  }
  return decode_single(*msg);
}

}  // namespace

std::string serialize_single_document(const DataRequest& req, DocFormat format) {
  return format == DocFormat::kV1 ? serialize_single_as<jina::v1::SingleDocumentRequestProto>(req)
                                  : serialize_single_as<jina::SingleDocumentRequestProto>(req);
}

DataRequest parse_single_document(std::string_view bytes, DocFormat format) {
  return format == DocFormat::kV1 ? parse_single_as<jina::v1::SingleDocumentRequestProto>(bytes)
                                  : parse_single_as<jina::SingleDocumentRequestProto>(bytes);
}

}  // namespace wire

namespace {
template <class Proto>
std::string serialize_as(const DataRequest& req) {
  google::protobuf::Arena arena;
  auto* msg = google::protobuf::Arena::CreateMessage<Proto>(&arena);
  wire::encode(req, msg);
  std::string out;
  if (!msg->SerializeToString(&out)) throw InvalidArgument("DataRequest could not be serialized");
  return out;
}

template <class Proto>
DataRequest parse_as(std::string_view bytes) {
  google::protobuf::Arena arena;
  auto* msg = google::protobuf::Arena::CreateMessage<Proto>(&arena);
  if (bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      !msg->ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw InvalidArgument("malformed jina.DataRequestProto (" + std::to_string(bytes.size()) +
                          " bytes)");
  return wire::decode(*msg);
}
}  // namespace

std::string DataRequest::serialize(DocFormat format) const {
  return format == DocFormat::kV1 ? serialize_as<jina::v1::DataRequestProto>(*this)
                                  : serialize_as<jina::DataRequestProto>(*this);
}

DataRequest DataRequest::parse(std::string_view bytes, DocFormat format) {
  return format == DocFormat::kV1 ? parse_as<jina::v1::DataRequestProto>(bytes)
                                  : parse_as<jina::DataRequestProto>(bytes);
}

}  // namespace jina
