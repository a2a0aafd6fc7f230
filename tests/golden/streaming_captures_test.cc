// Golden vectors of jina 3.34's streaming endpoints (tests/golden/captures/
// streaming, docs/streaming-protocol.md): every captured
// jina.SingleDocumentRequestProto decodes, and re-encodes to itself.
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "jina.pb.h"
#include "jina/error.h"
#include "wire/request_codec.h"

namespace jina {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(JINA_CAPTURES_DIR) / "streaming";

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Every stream_doc request and item: <server>_<case>_request.pb and
// <server>_<case>_response_<i>.pb.
std::vector<std::string> message_files() {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(kDir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".pb") continue;
    if (name.find("_request") == std::string::npos && name.find("_response_") == std::string::npos)
      continue;
    out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

class StreamingCaptureTest : public ::testing::TestWithParam<std::string> {};

TEST_P(StreamingCaptureTest, DecodesAndReencodesToTheSameMessage) {
  const std::string bytes = read(kDir / GetParam());
  DataRequest message = wire::parse_single_document(bytes, DocFormat::kV2);
  EXPECT_FALSE(message.header().request_id().empty());
  EXPECT_LE(message.docs().size(), 1u);
  const std::string again = wire::serialize_single_document(message, DocFormat::kV2);
  EXPECT_EQ(wire::parse_single_document(again, DocFormat::kV2), message);
  EXPECT_EQ(again.size(), bytes.size());
}

INSTANTIATE_TEST_SUITE_P(Captures, StreamingCaptureTest, ::testing::ValuesIn(message_files()),
                         [](const auto& info) {
                           std::string name = info.param.substr(0, info.param.size() - 3);
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

TEST(StreamingCaptures, HoldEveryServerAndCase) {
  EXPECT_GE(message_files().size(), 60u);
  EXPECT_TRUE(fs::exists(kDir / "flow_stream_request.pb"));
  EXPECT_TRUE(fs::exists(kDir / "sse_stream_response.http"));
}

TEST(StreamingCaptures, TheRequestIsWhatThisLibraryBuilds) {
  DataRequest request;
  request.header().set_request_id("0123456789abcdef0123456789abcdef");
  request.header().set_exec_endpoint("/stream");
  DocumentArray docs;
  docs.push_back(Document().set_id("d1").set_text("hello"));
  request.set_docs(std::move(docs));
  // The same message (a map's entries may come in another order).
  jina::SingleDocumentRequestProto built;
  jina::SingleDocumentRequestProto captured;
  ASSERT_TRUE(built.ParseFromString(wire::serialize_single_document(request, DocFormat::kV2)));
  ASSERT_TRUE(captured.ParseFromString(read(kDir / "flow_stream_request.pb")));
  std::string report;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&report);
  EXPECT_TRUE(differencer.Compare(captured, built)) << report;
  EXPECT_EQ(built.ByteSizeLong(), captured.ByteSizeLong());
}

TEST(StreamingCaptures, AnItemIsAHeaderWithANewIdAndOneDocument) {
  DataRequest item =
      wire::parse_single_document(read(kDir / "flow_stream_response_0.pb"), DocFormat::kV2);
  EXPECT_EQ(item.header().request_id().size(), 32u);
  EXPECT_NE(item.header().request_id(), "0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(item.header().status().ok());
  EXPECT_FALSE(item.header().has_exec_endpoint());
  EXPECT_TRUE(item.routes().empty());
  EXPECT_TRUE(item.parameters().is_null());
  ASSERT_EQ(item.docs().size(), 1u);
  EXPECT_EQ(item.docs()[0].id(), "d1-0");
  EXPECT_EQ(item.docs()[0].text(), "hello:tok0");
}

TEST(StreamingCaptures, AnItemOfTheWrongTypeIsAnErrorWithoutADocument) {
  DataRequest item =
      wire::parse_single_document(read(kDir / "flow_wrong_type_response_1.pb"), DocFormat::kV2);
  EXPECT_FALSE(item.has_data());
  EXPECT_EQ(item.header().status().code(), StatusCode::kError);
  EXPECT_EQ(item.header().status().exception().name(), "ValueError");
  ASSERT_EQ(item.header().status().exception().args().size(), 1u);
  EXPECT_NE(item.header().status().exception().args()[0].find("does not match"), std::string::npos);
}

TEST(StreamingCaptures, ANonStreamingEndpointEchoesTheRequestWithAnError) {
  DataRequest item =
      wire::parse_single_document(read(kDir / "flow_unary_response_0.pb"), DocFormat::kV2);
  EXPECT_EQ(item.header().status().code(), StatusCode::kError);
  EXPECT_EQ(item.header().status().exception().args(),
            std::vector<std::string>{"endpoint must be generator"});
  EXPECT_EQ(item.header().exec_endpoint(), "/unary");
  ASSERT_EQ(item.docs().size(), 1u);
  EXPECT_EQ(item.docs()[0].text(), "hello");
}

TEST(StreamingCaptures, MoreThanOneDocumentOrBadBytesAreRefused) {
  DataRequest request;
  DocumentArray docs;
  docs.push_back(Document().set_text("a"));
  docs.push_back(Document().set_text("b"));
  request.set_docs(std::move(docs));
  EXPECT_THROW(wire::serialize_single_document(request, DocFormat::kV2), InvalidArgument);
  EXPECT_THROW(wire::parse_single_document("\xff\xff\xff", DocFormat::kV2), InvalidArgument);
}

}  // namespace
}  // namespace jina
