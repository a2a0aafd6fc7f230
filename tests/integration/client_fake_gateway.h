// A small in-process Jina gateway for the Client's tests: it speaks the
// gateway's gRPC services (docarray v2) and can misbehave on purpose (break
// streams, hang, answer out of order, report Executor errors), which a real
// Flow will not do on demand.
//
// Endpoints: any endpoint upper-cases every doc's text and echoes parameters;
// "/fail" answers with header.status ERROR; "/hang" never answers; "/slow"
// waits parameters["delay_ms"] per request; "/reverse" answers each pair of
// requests in reverse order.
#ifndef JINA_TESTS_INTEGRATION_CLIENT_FAKE_GATEWAY_H_
#define JINA_TESTS_INTEGRATION_CLIENT_FAKE_GATEWAY_H_

#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "jina.grpc.pb.h"
#include "jina.pb.h"
#include "wire/request_codec.h"

namespace jina::testing {

// A port nothing listens on right now (for servers that start late).
inline int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class FakeGateway final : public jina::JinaRPC::Service,
                          public jina::JinaSingleDataRequestRPC::Service,
                          public jina::JinaGatewayDryRunRPC::Service,
                          public jina::JinaDiscoverEndpointsRPC::Service,
                          public jina::JinaInfoRPC::Service {
 public:
  // Starts serving on 127.0.0.1:`port` (0 picks one).
  explicit FakeGateway(int port = 0, std::shared_ptr<grpc::ServerCredentials> credentials =
                                         grpc::InsecureServerCredentials()) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:" + std::to_string(port), credentials, &port_);
    builder.SetMaxReceiveMessageSize(-1);
    builder.RegisterService(static_cast<jina::JinaRPC::Service*>(this));
    builder.RegisterService(static_cast<jina::JinaSingleDataRequestRPC::Service*>(this));
    builder.RegisterService(static_cast<jina::JinaGatewayDryRunRPC::Service*>(this));
    builder.RegisterService(static_cast<jina::JinaDiscoverEndpointsRPC::Service*>(this));
    builder.RegisterService(static_cast<jina::JinaInfoRPC::Service*>(this));
    server_ = builder.BuildAndStart();
  }
  ~FakeGateway() override { stop(); }

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  void stop() {
    if (server_)
      server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
    server_.reset();
  }

  // Fault injection: the next `times` streams end with `code` after
  // `responses` responses each.
  void break_streams(int times, int responses, grpc::StatusCode code = grpc::UNAVAILABLE) {
    std::lock_guard lock(mu_);
    breaks_left_ = times;
    break_after_ = responses;
    break_code_ = code;
  }
  // The next `times` process_single_data calls fail with `code`.
  void fail_unary_calls(int times, grpc::StatusCode code = grpc::UNAVAILABLE) {
    std::lock_guard lock(mu_);
    unary_failures_left_ = times;
    unary_failure_code_ = code;
  }
  std::string docarray_version = "0.40.1";
  std::atomic<bool> dry_run_ok{true};

  // What the server saw.
  int streams() const { return streams_.load(); }          // JinaRPC/Call
  int unary_calls() const { return unary_calls_.load(); }  // process_single_data
  std::vector<std::string> request_ids() const {
    std::lock_guard lock(mu_);
    return request_ids_;
  }
  std::vector<std::pair<std::string, std::string>> metadata() const {
    std::lock_guard lock(mu_);
    return metadata_;
  }
  std::vector<DataRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

  grpc::Status Call(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<jina::DataRequestProto, jina::DataRequestProto>* stream) override {
    ++streams_;
    int break_after = -1;
    grpc::StatusCode break_code = grpc::OK;
    {
      std::lock_guard lock(mu_);
      for (const auto& [k, v] : context->client_metadata()) {
        metadata_.emplace_back(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
      }
      if (breaks_left_ > 0) {
        --breaks_left_;
        break_after = break_after_;
        break_code = break_code_;
      }
    }
    int answered = 0;
    bool hung = false;
    std::vector<jina::DataRequestProto> held;  // for "/reverse"
    jina::DataRequestProto in;
    while (stream->Read(&in)) {
      DataRequest request = wire::decode(in);
      {
        std::lock_guard lock(mu_);
        request_ids_.push_back(request.header().request_id());
        requests_.push_back(request);
      }
      const std::string endpoint = request.header().exec_endpoint();
      if (endpoint == "/hang") {
        hung = true;
        continue;
      }
      if (endpoint == "/slow") {
        int ms = request.parameters().value("delay_ms", 0);
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      }
      jina::DataRequestProto out;
      wire::encode(respond(std::move(request)), &out);
      if (endpoint == "/reverse") {
        held.push_back(std::move(out));
        if (held.size() < 2) continue;
        std::reverse(held.begin(), held.end());
      } else {
        held.push_back(std::move(out));
      }
      for (auto& message : held) {
        if (break_after >= 0 && answered >= break_after) {
          return grpc::Status(break_code, "injected failure");
        }
        stream->Write(message);
        ++answered;
      }
      held.clear();
    }
    for (auto& message : held) stream->Write(message);
    // A gateway answers every request before it ends the call: "/hang" holds
    // the call open until the client gives up.
    if (hung) {
      while (!context->IsCancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      return grpc::Status::CANCELLED;
    }
    if (break_after >= 0) return grpc::Status(break_code, "injected failure at the end");
    return grpc::Status::OK;
  }

  // One request, one answer, as for a request of Call ("/hang" and
  // "/reverse" are not special here).
  grpc::Status process_single_data(grpc::ServerContext* context, const jina::DataRequestProto* in,
                                   jina::DataRequestProto* out) override {
    ++unary_calls_;
    DataRequest request = wire::decode(*in);
    {
      std::lock_guard lock(mu_);
      for (const auto& [k, v] : context->client_metadata()) {
        metadata_.emplace_back(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
      }
      request_ids_.push_back(request.header().request_id());
      requests_.push_back(request);
      if (unary_failures_left_ > 0) {
        --unary_failures_left_;
        return grpc::Status(unary_failure_code_, "injected failure");
      }
    }
    if (request.header().exec_endpoint() == "/slow") {
      int ms = request.parameters().value("delay_ms", 0);
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
    wire::encode(respond(std::move(request)), out);
    return grpc::Status::OK;
  }

  grpc::Status dry_run(grpc::ServerContext*, const google::protobuf::Empty*,
                       jina::StatusProto* response) override {
    if (!dry_run_ok) {
      response->set_code(jina::StatusProto::ERROR);
      response->set_description("Exception('not ready')");
    }
    return grpc::Status::OK;
  }

  grpc::Status endpoint_discovery(grpc::ServerContext*, const google::protobuf::Empty*,
                                  jina::EndpointsProto* response) override {
    for (const char* e : {"/fail", "/hang", "/reverse", "/slow", "/upper"})
      response->add_endpoints(e);
    return grpc::Status::OK;
  }

  grpc::Status _status(grpc::ServerContext*, const google::protobuf::Empty*,
                       jina::JinaInfoProto* response) override {
    (*response->mutable_jina())["jina"] = "3.34.0";
    (*response->mutable_jina())["docarray"] = docarray_version;
    (*response->mutable_envs())["JINA_LOG_LEVEL"] = "INFO";
    return grpc::Status::OK;
  }

 private:
  static DataRequest respond(DataRequest request) {
    for (Document& doc : request.docs()) {
      std::string text = doc.text();
      std::transform(text.begin(), text.end(), text.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      doc.set_text(text);
    }
    request.routes().push_back(Route("gateway"));
    if (request.header().exec_endpoint() == "/fail") {
      Status status;
      status.set_code(StatusCode::kError).set_description("ValueError('boom')");
      status.mutable_exception().set_name("ValueError").set_args({"boom"}).set_executor("FailExec");
      request.header().set_status(status);
    }
    return request;
  }

  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::atomic<int> streams_{0};
  std::atomic<int> unary_calls_{0};
  mutable std::mutex mu_;
  int breaks_left_ = 0;
  int break_after_ = 0;
  grpc::StatusCode break_code_ = grpc::UNAVAILABLE;
  int unary_failures_left_ = 0;
  grpc::StatusCode unary_failure_code_ = grpc::UNAVAILABLE;
  std::vector<std::string> request_ids_;
  std::vector<DataRequest> requests_;
  std::vector<std::pair<std::string, std::string>> metadata_;
};

}  // namespace jina::testing

#endif  // JINA_TESTS_INTEGRATION_CLIENT_FAKE_GATEWAY_H_
