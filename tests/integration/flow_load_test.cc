// 100,000 docs through one local Flow on one JinaRPC/Call stream: none may
// be lost or duplicated. Prints the Flow's throughput in docs/s.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <thread>
#include <unordered_set>

#include "integration/flow_testing.h"
#include "jina/flow.h"

namespace {

using ::jina::DataRequest;
using ::jina::Document;
using ::jina::DocumentArray;

constexpr int kDocs = 100'000;
constexpr int kRequestSize = 100;

class Upper : public jina::Executor {
 public:
  Upper() {
    on_default([](jina::ExecutorRequest& req) {
      for (Document& d : req.docs) {
        std::string t = d.text();
        for (char& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        d.set_text(std::move(t));
      }
    });
  }
};

TEST(FlowLoadTest, HundredThousandDocsThroughOneFlow) {
  jina::Flow flow({.port = 0, .host = "127.0.0.1"});
  flow.add<Upper>({.name = "upper"});
  flow.start();

  // Built before the clock starts: the client's encoding is not the Flow's work.
  const std::string text(90, 'x');
  std::vector<jina::DataRequestProto> requests;
  for (int r = 0; r < kDocs / kRequestSize; ++r) {
    DocumentArray docs;
    docs.reserve(kRequestSize);
    for (int i = 0; i < kRequestSize; ++i) {
      docs.push_back(
          Document().set_id("doc-" + std::to_string(r * kRequestSize + i)).set_text(text));
    }
    DataRequest request;
    request.header().set_request_id("req-" + std::to_string(r)).set_exec_endpoint("/index");
    request.set_docs(std::move(docs));
    requests.push_back(jina::testing::to_proto(request));
  }

  auto stub = jina::JinaRPC::NewStub(jina::testing::channel_to(flow.port()));
  grpc::ClientContext ctx;
  jina::testing::set_deadline(ctx, std::chrono::seconds(60));
  auto started = std::chrono::steady_clock::now();
  auto stream = stub->Call(&ctx);
  std::thread writer([&] {
    for (const auto& request : requests) {
      if (!stream->Write(request)) return;
    }
    stream->WritesDone();
  });

  std::unordered_set<std::string> ids;
  ids.reserve(kDocs);
  std::size_t docs_received = 0;
  int responses = 0;
  bool all_upper = true;
  const std::string upper_text(90, 'X');
  jina::DataRequestProto proto;
  while (stream->Read(&proto)) {
    DataRequest response = jina::testing::from_proto(proto);
    ++responses;
    EXPECT_TRUE(response.status().ok()) << response.status().description();
    for (const Document& d : response.docs()) {
      ids.insert(d.id());
      all_upper = all_upper && d.text() == upper_text;
      ++docs_received;
    }
  }
  writer.join();
  grpc::Status status = stream->Finish();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(responses, kDocs / kRequestSize);
  EXPECT_EQ(docs_received, static_cast<std::size_t>(kDocs));
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kDocs));
  EXPECT_TRUE(all_upper);
  std::cout << "local Flow: " << kDocs << " docs in " << seconds
            << " s = " << static_cast<long>(kDocs / seconds) << " docs/s (request_size "
            << kRequestSize << ", client decoding included)\n";
}

}  // namespace
