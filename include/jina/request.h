// DataRequest: one Jina request or response (jina.DataRequestProto) as plain
// C++ values, and its encoding for either docarray wire format.
//
// Response is the same type: the gateway sends back the request, with docs
// processed, `routes` filled and `header.status` set.
//
// Thread-safety: value types; const access from several threads is safe.
#ifndef JINA_REQUEST_H_
#define JINA_REQUEST_H_

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jina/document.h"

namespace jina {

// jina.StatusProto.StatusCode.
enum class StatusCode { kSuccess = 0, kError = 1 };

// jina.StatusProto.ExceptionProto: what an Executor raised.
class ExceptionInfo {
 public:
  const std::string& name() const { return name_; }  // exception type, e.g. "ValueError"
  const std::vector<std::string>& args() const { return args_; }
  const std::vector<std::string>& stacks() const { return stacks_; }  // traceback lines
  const std::string& executor() const { return executor_; }           // Executor class name

  ExceptionInfo& set_name(std::string v) {
    name_ = std::move(v);
    return *this;
  }
  ExceptionInfo& set_args(std::vector<std::string> v) {
    args_ = std::move(v);
    return *this;
  }
  ExceptionInfo& set_stacks(std::vector<std::string> v) {
    stacks_ = std::move(v);
    return *this;
  }
  ExceptionInfo& set_executor(std::string v) {
    executor_ = std::move(v);
    return *this;
  }

  bool empty() const {
    return name_.empty() && args_.empty() && stacks_.empty() && executor_.empty();
  }
  friend bool operator==(const ExceptionInfo&, const ExceptionInfo&) = default;

 private:
  std::string name_;
  std::vector<std::string> args_;
  std::vector<std::string> stacks_;
  std::string executor_;
};

// jina.StatusProto.
class Status {
 public:
  StatusCode code() const { return code_; }
  bool ok() const { return code_ == StatusCode::kSuccess; }
  // Python repr of the exception, e.g. "ValueError('boom')".
  const std::string& description() const { return description_; }
  const ExceptionInfo& exception() const { return exception_; }
  ExceptionInfo& mutable_exception() { return exception_; }

  Status& set_code(StatusCode v) {
    code_ = v;
    return *this;
  }
  Status& set_description(std::string v) {
    description_ = std::move(v);
    return *this;
  }
  Status& set_exception(ExceptionInfo v) {
    exception_ = std::move(v);
    return *this;
  }

  bool empty() const {
    return code_ == StatusCode::kSuccess && description_.empty() && exception_.empty();
  }
  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kSuccess;
  std::string description_;
  ExceptionInfo exception_;
};

// jina.HeaderProto. exec_endpoint and target_executor are optional on the
// wire: `has_*` tells whether they were present.
class Header {
 public:
  const std::string& request_id() const { return request_id_; }
  const std::string& exec_endpoint() const {
    return exec_endpoint_ ? *exec_endpoint_ : empty_string();
  }
  bool has_exec_endpoint() const { return exec_endpoint_.has_value(); }
  const std::string& target_executor() const {
    return target_executor_ ? *target_executor_ : empty_string();
  }
  bool has_target_executor() const { return target_executor_.has_value(); }
  std::optional<std::uint32_t> timeout() const { return timeout_; }
  const Status& status() const { return status_; }
  Status& mutable_status() { return status_; }

  Header& set_request_id(std::string v) {
    request_id_ = std::move(v);
    return *this;
  }
  Header& set_exec_endpoint(std::string v) {
    exec_endpoint_ = std::move(v);
    return *this;
  }
  Header& clear_exec_endpoint() {
    exec_endpoint_.reset();
    return *this;
  }
  Header& set_target_executor(std::string v) {
    target_executor_ = std::move(v);
    return *this;
  }
  Header& clear_target_executor() {
    target_executor_.reset();
    return *this;
  }
  Header& set_timeout(std::optional<std::uint32_t> v) {
    timeout_ = v;
    return *this;
  }
  Header& set_status(Status v) {
    status_ = std::move(v);
    return *this;
  }

  friend bool operator==(const Header&, const Header&) = default;

 private:
  static const std::string& empty_string();

  std::string request_id_;
  std::optional<std::string> exec_endpoint_;
  std::optional<std::string> target_executor_;
  std::optional<std::uint32_t> timeout_;
  Status status_;
};

// jina.RouteProto: one hop (the gateway or an Executor) with its timings.
class Route {
 public:
  using TimePoint = std::chrono::time_point<std::chrono::system_clock, std::chrono::nanoseconds>;

  Route() = default;
  explicit Route(std::string executor) : executor_(std::move(executor)) {}

  const std::string& executor() const { return executor_; }
  TimePoint start_time() const { return start_; }
  TimePoint end_time() const { return end_; }
  bool has_start_time() const { return has_start_; }
  bool has_end_time() const { return has_end_; }
  const Status& status() const { return status_; }
  Status& mutable_status() { return status_; }

  Route& set_executor(std::string v) {
    executor_ = std::move(v);
    return *this;
  }
  Route& set_start_time(TimePoint t) {
    start_ = t;
    has_start_ = true;
    return *this;
  }
  Route& set_end_time(TimePoint t) {
    end_ = t;
    has_end_ = true;
    return *this;
  }
  Route& set_status(Status v) {
    status_ = std::move(v);
    return *this;
  }

  friend bool operator==(const Route&, const Route&) = default;

 private:
  std::string executor_;
  TimePoint start_{};
  TimePoint end_{};
  bool has_start_ = false;
  bool has_end_ = false;
  Status status_;
};

class DataRequest {
 public:
  // An empty request: no request id, no endpoint, null parameters, no docs.
  DataRequest() = default;

  Header& header() { return header_; }
  const Header& header() const { return header_; }
  // Shortcut for header().status().
  const Status& status() const { return header_.status(); }

  // A JSON object (google.protobuf.Struct on the wire), or null when the
  // request has no parameters. Numbers always come back as doubles.
  nlohmann::json& parameters() { return parameters_; }
  const nlohmann::json& parameters() const { return parameters_; }

  std::vector<Route>& routes() { return routes_; }
  const std::vector<Route>& routes() const { return routes_; }
  // The Flow's name of the Executor that failed the request ("upper"): the
  // executor of the first route with an error status. status().exception()
  // .executor() is its class instead ("UpperExecutor"), as jina reports it.
  // Empty when no route failed, and over a docarray-v2 HTTP gateway, whose
  // error answers carry no routes (docs/errors.md).
  const std::string& failed_executor() const;

  DocumentArray& docs() { return docs_; }
  const DocumentArray& docs() const { return docs_; }
  DataRequest& set_docs(DocumentArray docs) {
    docs_ = std::move(docs);
    has_data_ = true;
    return *this;
  }
  // Whether the `data` field is on the wire. A request built without inputs
  // (parameters only) has none; setting docs turns it on.
  bool has_data() const { return has_data_ || !docs_.empty(); }
  DataRequest& set_has_data(bool v) {
    has_data_ = v;
    return *this;
  }

  // The gateway that sent this response ("host:port"), when the Client has
  // several (ClientOptions::hosts); empty otherwise. Not on the wire and not
  // compared by ==.
  const std::string& gateway() const { return gateway_; }
  DataRequest& set_gateway(std::string v) {
    gateway_ = std::move(v);
    return *this;
  }

  // The serialized jina.DataRequestProto with docs in `format`. Throws
  // InvalidArgument if a Document or the parameters cannot be encoded.
  std::string serialize(DocFormat format = DocFormat::kV2) const;
  // Parses a serialized jina.DataRequestProto. Docs in `data.docs_bytes`
  // are decoded too (v2 only: v1 gateways put Python pickle there, which
  // throws InvalidArgument). Throws InvalidArgument on malformed bytes.
  static DataRequest parse(std::string_view bytes, DocFormat format = DocFormat::kV2);

  friend bool operator==(const DataRequest& a, const DataRequest& b) {
    return a.header_ == b.header_ && a.parameters_ == b.parameters_ && a.routes_ == b.routes_ &&
           a.docs_ == b.docs_ && a.has_data() == b.has_data();
  }

 private:
  Header header_;
  nlohmann::json parameters_;
  std::vector<Route> routes_;
  DocumentArray docs_;
  bool has_data_ = false;
  std::string gateway_;
};

// What the Flow sends back: a DataRequest with status and routes.
using Response = DataRequest;

}  // namespace jina

#endif  // JINA_REQUEST_H_
