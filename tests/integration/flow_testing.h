// Helpers for the local Flow's integration tests: talk to a Flow with the
// generated gRPC stubs (or raw bytes), never with the library's Client, so
// that the tests also prove wire compatibility.
#ifndef JINA_TESTS_INTEGRATION_FLOW_TESTING_H_
#define JINA_TESTS_INTEGRATION_FLOW_TESTING_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/codegen/client_unary_call.h>
#include <grpcpp/impl/codegen/sync_stream.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "jina.grpc.pb.h"
#include "jina/request.h"

namespace jina::testing {

inline std::shared_ptr<grpc::Channel> channel_to(int port) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  args.SetMaxSendMessageSize(-1);
  return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port),
                                   grpc::InsecureChannelCredentials(), args);
}

inline void set_deadline(grpc::ClientContext& ctx,
                         std::chrono::seconds seconds = std::chrono::seconds(20)) {
  ctx.set_deadline(std::chrono::system_clock::now() + seconds);
}

inline jina::DataRequestProto to_proto(const DataRequest& request) {
  jina::DataRequestProto proto;
  if (!proto.ParseFromString(request.serialize(DocFormat::kV2)))
    throw std::runtime_error("bad request bytes");
  return proto;
}

inline DataRequest from_proto(const jina::DataRequestProto& proto) {
  return DataRequest::parse(proto.SerializeAsString(), DocFormat::kV2);
}

inline std::string read_capture(const std::string& name) {
  std::ifstream in(std::string(JINA_CAPTURES_DIR) + "/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("missing capture " + name);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

inline std::string to_bytes(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  (void)buffer.Dump(&slices);
  for (const grpc::Slice& s : slices)
    out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

inline grpc::ByteBuffer to_buffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

// A unary call with raw message bytes: for methods without a typed stub
// (health), bytes that must not parse, or the v1 docarray format.
inline grpc::Status raw_unary(grpc::Channel& channel, const std::string& method,
                              const std::string& request, std::string* response) {
  grpc::ClientContext ctx;
  set_deadline(ctx);
  grpc::ByteBuffer in = to_buffer(request);
  grpc::ByteBuffer out;
  grpc::internal::RpcMethod rpc(method.c_str(), grpc::internal::RpcMethod::NORMAL_RPC);
  grpc::Status status = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
      &channel, rpc, &ctx, in, &out);
  if (status.ok() && response != nullptr) *response = to_bytes(out);
  return status;
}

// A JinaRPC/Call stream with raw message bytes.
inline std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> raw_call(
    grpc::Channel& channel, grpc::ClientContext& ctx) {
  static const grpc::internal::RpcMethod rpc("/jina.JinaRPC/Call",
                                             grpc::internal::RpcMethod::BIDI_STREAMING);
  return std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>>(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
          &channel, rpc, &ctx));
}

}  // namespace jina::testing

#endif  // JINA_TESTS_INTEGRATION_FLOW_TESTING_H_
