// Bad input, one table (issue 8, point 2): every case either throws
// jina::InvalidArgument with a message naming the problem, or shows the
// documented behaviour for that input. Never a crash or UB (the asan preset
// runs this file too).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "client/client_access.h"
#include "jina/async_client.h"
#include "jina/client.h"
#include "jina/document.h"
#include "jina/error.h"
#include "jina/ndarray.h"
#include "transport/http_codec.h"
#include "transport/target.h"
#include "transport/transport.h"
#include "unit/mock_transport.h"
#include "wire/docarray_codec.h"

namespace jina {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using ::testing::HasSubstr;

using testing::MockTransport;

DocumentArray five_docs() {
  DocumentArray docs;
  for (int i = 0; i < 5; ++i) docs.push_back(Document().set_text("t" + std::to_string(i)));
  return docs;
}

// Posts through a mock transport that echoes; returns the requests it saw.
std::vector<DataRequest> post_with(const PostOptions& options, DocumentArray docs = five_docs(),
                                   std::string_view endpoint = "/") {
  auto transport = std::make_shared<MockTransport>();
  Client client = internal::ClientAccess::client(transport, {.doc_format = DocFormat::kV2});
  client.post(endpoint, std::move(docs), options);
  return transport->requests();
}

std::vector<DataRequest> post_endpoint(std::string_view endpoint) {
  return post_with({}, DocumentArray{Document().set_text("x")}, endpoint);
}

// The endpoint reaches the gateway unchanged over gRPC/WebSocket (as with
// Jina's client), and as a percent-encoded path over HTTP.
void expect_endpoint_sent_verbatim(const std::string& endpoint) {
  auto seen = post_endpoint(endpoint);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].header().exec_endpoint(), endpoint);
  auto call = internal::http_call_for(seen[0], DocFormat::kV2, {}, HttpApi::kPerEndpoint);
  for (unsigned char c : call.path) {
    EXPECT_TRUE(c > 0x20 && c < 0x7f) << "byte " << int(c) << " in HTTP path " << call.path;
  }
}

std::string target_of(std::string_view host, ClientOptions options = {}) {
  options.doc_format = DocFormat::kV2;
  return Client(host, std::move(options)).target();
}

// Scratch files for the TLS cases, made once.
class Files {
 public:
  Files() {
    dir_ = fs::temp_directory_path() / ("jina-bad-input-" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "a-directory");
    std::ofstream(dir_ / "empty.pem");
    std::ofstream(dir_ / "garbage.pem") << "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n"
                                           "-----END CERTIFICATE-----\n";
    std::ofstream(dir_ / "text.pem") << "hello, I am not PEM at all\n";
  }
  ~Files() {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

 private:
  fs::path dir_;
};

const Files& files() {
  static const Files* f = new Files();
  return *f;
}

json nested(int depth) {
  json j = 1;
  for (int i = 0; i < depth; ++i) j = json{{"k", std::move(j)}};
  return j;
}

struct Case {
  std::string category;
  std::string name;
  std::function<void()> run;
  // Empty: documented behaviour, asserted by `run`, no exception.
  // Otherwise InvalidArgument whose message contains this.
  std::string error;
};

std::vector<Case> uri_cases() {
  return {
      {"uri", "EmptyMeansThisMachine", [] { EXPECT_EQ(target_of(""), "localhost:80"); }, ""},
      {"uri", "SchemeIsCaseInsensitive",
       [] { EXPECT_EQ(target_of("GRPCS://Example.COM"), "Example.COM:443"); }, ""},
      {"uri", "TrailingSlashIsAccepted",
       [] { EXPECT_EQ(target_of("http://host:8080/"), "host:8080"); }, ""},
      {"uri", "UnknownScheme", [] { target_of("ftp://host"); }, "unknown scheme 'ftp'"},
      {"uri", "SchemeWithoutHost", [] { target_of("grpc://"); }, "empty host"},
      {"uri", "PortZero", [] { target_of("host:0"); }, "outside 1..65535"},
      {"uri", "PortTooLarge", [] { target_of("host:65536"); }, "outside 1..65535"},
      {"uri", "PortHuge", [] { target_of("host:99999999999999999999999"); }, "outside 1..65535"},
      {"uri", "PortNegative", [] { target_of("host:-1"); }, "is not a number"},
      {"uri", "PortWithLetters", [] { target_of("host:12ab"); }, "is not a number"},
      {"uri", "PortEmpty", [] { target_of("host:"); }, "empty port"},
      {"uri", "Path", [] { target_of("grpc://host:1/search"); }, "paths are not supported"},
      {"uri", "Query", [] { target_of("host?x=1"); }, "queries and fragments"},
      {"uri", "UserInfo", [] { target_of("user:pw@host"); }, "user info"},
      {"uri", "Whitespace", [] { target_of("ho st"); }, "whitespace"},
      {"uri", "UnclosedIpv6", [] { target_of("[::1"); }, "missing ']'"},
      {"uri", "BadIpv6", [] { target_of("[zz::1]:80"); }, "is not an IPv6 address"},
      {"uri", "TextAfterIpv6", [] { target_of("[::1]x"); }, "unexpected text after ']'"},
      {"uri", "TooManyColons", [] { target_of("a:b:c"); }, "too many ':'"},
      {"uri", "UnicodeHost", [] { target_of("h\xc3\xb6st"); }, "is not allowed in a host name"},
      {"uri", "NulInHost", [] { target_of(std::string_view("ho\0st", 5)); },
       "is not allowed in a host name"},
      {"uri", "HostTooLong", [] { target_of(std::string(300, 'a')); }, "longer than 253"},
      {"uri", "PortTwice", [] { target_of("grpc://host:1", {.port = 2}); },
       "two definitions of port"},
      {"uri", "TlsTwice", [] { target_of("grpcs://host", {.tls = false}); },
       "two definitions of tls"},
      {"uri", "ProtocolTwice", [] { target_of("ws://host", {.protocol = Protocol::kHttp}); },
       "two definitions of protocol"},
      {"uri", "HostTwice", [] { target_of("a", {.host = "b"}); }, "two definitions of host"},
  };
}

std::vector<Case> client_option_cases() {
  return {
      {"client_options", "PortFieldTooLarge", [] { target_of("", {.port = 70000}); },
       "ClientOptions::port 70000"},
      {"client_options", "PortFieldNegative", [] { target_of("", {.port = -5}); },
       "ClientOptions::port -5"},
      {"client_options", "UnknownProtocolValue",
       [] { target_of("host", {.protocol = static_cast<Protocol>(42)}); }, "unknown protocol"},
      {"client_options", "SkipVerifyWithoutTls",
       [] { target_of("grpc://host:1", {.tls_insecure_skip_verify = true}); },
       "tls_insecure_skip_verify is set but TLS is off"},
      {"client_options", "MaxResponseBytesZero",
       [] { target_of("grpc://host:1", {.max_response_bytes = 0}); },
       "max_response_bytes must be > 0 (got 0)"},
      {"client_options", "MaxResponseBytesNegative",
       [] { target_of("http://host:1", {.max_response_bytes = -1}); },
       "max_response_bytes must be > 0 (got -1)"},
      {"client_options", "KeepaliveNegative", [] { target_of("grpc://host:1", {.keepalive = -1}); },
       "keepalive must be a finite number of seconds >= 0"},
      {"client_options", "KeepaliveNaN",
       [] { target_of("ws://host:1", {.keepalive = std::nan("")}); }, "keepalive must be"},
      {"client_options", "ConnectTimeoutNegative",
       [] { target_of("grpc://host:1", {.connect_timeout = -1}); },
       "connect_timeout must be a finite number of seconds >= 0"},
      {"client_options", "ConnectTimeoutInfinite",
       [] { target_of("http://host:1", {.connect_timeout = INFINITY}); },
       "connect_timeout must be"},
      {"client_options", "CallbackThreadsZero",
       [] { AsyncClient client("grpc://host:1", {.callback_threads = 0}); },
       "callback_threads must be 1..1024, got 0"},
      {"client_options", "CallbackThreadsTooMany",
       [] { AsyncClient client("grpc://host:1", {.callback_threads = 5000}); },
       "callback_threads must be 1..1024, got 5000"},
  };
}

std::vector<Case> post_option_cases() {
  return {
      {"post_options", "RequestSizeZeroIsOneRequest",
       [] { EXPECT_EQ(post_with({.request_size = 0}).size(), 1u); }, ""},
      {"post_options", "RequestSizeNegativeIsOneRequest",
       [] { EXPECT_EQ(post_with({.request_size = -3}).size(), 1u); }, ""},
      {"post_options", "RequestSizeIntMax",
       [] { EXPECT_EQ(post_with({.request_size = std::numeric_limits<int>::max()}).size(), 1u); },
       ""},
      {"post_options", "PrefetchNegative", [] { post_with({.prefetch = -1}); }, "prefetch"},
      {"post_options", "PrefetchZeroIsUnbounded",
       [] { EXPECT_EQ(post_with({.request_size = 1, .prefetch = 0}).size(), 5u); }, ""},
      {"post_options", "MaxDocsInFlightNegative", [] { post_with({.max_docs_in_flight = -1}); },
       "max_docs_in_flight"},
      {"post_options", "MaxAttemptsZero", [] { post_with({.max_attempts = 0}); },
       "max_attempts must be at least 1"},
      {"post_options", "MaxAttemptsNegative", [] { post_with({.max_attempts = -2}); },
       "max_attempts must be at least 1"},
      {"post_options", "InitialBackoffNaN", [] { post_with({.initial_backoff = std::nan("")}); },
       "initial_backoff"},
      {"post_options", "InitialBackoffNegative", [] { post_with({.initial_backoff = -1}); },
       "initial_backoff"},
      {"post_options", "MaxBackoffInfinite",
       [] { post_with({.max_backoff = std::numeric_limits<double>::infinity()}); }, "max_backoff"},
      {"post_options", "BackoffMultiplierBelowOne", [] { post_with({.backoff_multiplier = 0.5}); },
       "backoff_multiplier"},
      {"post_options", "BackoffMultiplierNaN",
       [] { post_with({.backoff_multiplier = std::nan("")}); }, "backoff_multiplier"},
      {"post_options", "TimeoutNaN", [] { post_with({.timeout = std::nan("")}); }, "timeout"},
      {"post_options", "TimeoutNegative", [] { post_with({.timeout = -1}); }, "timeout"},
      {"post_options", "TimeoutInfinite",
       [] { post_with({.timeout = std::numeric_limits<double>::infinity()}); }, "timeout"},
      {"post_options", "MetadataKeyUppercase",
       [] {
         post_with({.metadata = {{"Authorization", "x"}}});
       },
       "metadata key 'Authorization'"},
      {"post_options", "MetadataKeyEmpty",
       [] {
         post_with({.metadata = {{"", "x"}}});
       },
       "metadata key ''"},
      {"post_options", "MetadataValueNewline",
       [] {
         post_with({.metadata = {{"k", "a\r\nb"}}});
       },
       "metadata value of 'k'"},
      {"post_options", "MetadataBinaryKeyTakesAnyBytes",
       [] {
         EXPECT_EQ(post_with({.metadata = {{"k-bin", std::string("\0\xff", 2)}}}).size(), 1u);
       },
       ""},
  };
}

std::vector<Case> parameter_cases() {
  return {
      {"parameters", "Array",
       [] {
         post_with({.parameters = json::array({1, 2})});
       },
       "parameters must be a JSON object, got array"},
      {"parameters", "String", [] { post_with({.parameters = "top_k=5"}); },
       "parameters must be a JSON object, got string"},
      {"parameters", "Number", [] { post_with({.parameters = 5}); },
       "parameters must be a JSON object, got number"},
      {"parameters", "Boolean", [] { post_with({.parameters = true}); },
       "parameters must be a JSON object, got boolean"},
      {"parameters", "NullIsEmptyObject",
       [] {
         auto seen = post_with({.parameters = nullptr});
         ASSERT_EQ(seen.size(), 1u);
         EXPECT_EQ(seen[0].parameters(), json({{"__results__", json::object()}}));
       },
       ""},
      {"parameters", "ResultsNotAnObjectIsReplaced",
       [] {
         auto seen = post_with({.parameters = {{"__results__", 3}}});
         EXPECT_EQ(seen.at(0).parameters()["__results__"], json::object());
       },
       ""},
      {"parameters", "Binary",
       [] {
         post_with({.parameters = {{"b", json::binary({1, 2})}}});
       },
       "binary JSON values"},
      {"parameters", "InvalidUtf8Value",
       [] {
         post_with({.parameters = {{"k", "\xff\xfe"}}});
       },
       "not valid UTF-8"},
      {"parameters", "InvalidUtf8Key",
       [] {
         post_with({.parameters = {{"\xc3", 1}}});
       },
       "not valid UTF-8"},
      {"parameters", "NestingThatFitsIsSent",
       [] { EXPECT_EQ(post_with({.parameters = nested(30)}).size(), 1u); }, ""},
      {"parameters", "HugeNesting", [] { post_with({.parameters = nested(100000)}); },
       "nest deeper than"},
  };
}

std::vector<Case> document_cases() {
  return {
      {"documents", "JsonArrayIsNoDocument", [] { Document::from_json(json::array()); },
       "a Document must be a JSON object, got array"},
      {"documents", "JsonIdNumber",
       [] {
         Document::from_json({{"id", 5}});
       },
       "'id' must be a string"},
      {"documents", "JsonTextNumber",
       [] {
         Document::from_json({{"text", 1}});
       },
       "'text' must be a string"},
      {"documents", "JsonBlobNotBase64",
       [] {
         Document::from_json({{"blob", "!!!"}});
       },
       "'blob' must be base64"},
      {"documents", "JsonRaggedEmbedding",
       [] {
         Document::from_json({{"embedding", {{1, 2}, {3}}}});
       },
       "not a rectangular array"},
      {"documents", "JsonLocationNotArray",
       [] {
         Document::from_json({{"location", "x"}});
       },
       "'location' must be an array"},
      {"documents", "JsonArrayOfNumbers",
       [] {
         DocumentArray::from_json({1, 2});
       },
       "a Document must be a JSON object, got number"},
      {"documents", "InvalidUtf8Text",
       [] { post_with({}, DocumentArray{Document().set_text("\xff")}); }, "not valid UTF-8"},
      {"documents", "InvalidUtf8Id", [] { post_with({}, DocumentArray{Document("\xc3(")}); },
       "not valid UTF-8"},
      {"documents", "EmptyIdIsSentAsIs",
       [] {
         auto seen = post_with({}, DocumentArray{Document("")});
         EXPECT_EQ(seen.at(0).docs().at(0).id(), "");
       },
       ""},
      {"documents", "ExtraNamedLikeAField", [] { Document().set_extra("text", Value::integer(1)); },
       "'text' is a Document field"},
      {"documents", "ExtraWithEmptyName", [] { Document().set_extra("", Value::integer(1)); },
       "non-empty name"},
      {"documents", "ExtraInV1",
       [] {
         DataRequest r;
         r.set_docs(DocumentArray{Document().set_extra("x", Value::integer(1))});
         r.serialize(DocFormat::kV1);
       },
       "docarray v1 has no room for extra field 'x'"},
      {"documents", "AtOutOfRange", [] { five_docs().at(5); }, "out of range"},
      {"documents", "MalformedResponseBytes", [] { DataRequest::parse("\xff\xff\xff"); },
       "malformed jina.DataRequestProto"},
  };
}

std::vector<Case> ndarray_cases() {
  return {
      {"ndarray", "ShapeBytesMismatch",
       [] {
         NdArray(DType::kFloat32, {2, 3}, std::string(20, '\0'));
       },
       "needs 24 bytes, got 20"},
      {"ndarray", "NegativeDimension", [] { NdArray(DType::kFloat32, {-1}, ""); },
       "negative dimension"},
      {"ndarray", "ShapeOverflow",
       [] {
         NdArray(DType::kFloat64, {1LL << 40, 1LL << 40}, "");
       },
       "shape is too large"},
      {"ndarray", "UnknownDTypeValue", [] { NdArray(static_cast<DType>(99), {1}, "x"); },
       "unknown DType"},
      {"ndarray", "UnknownDTypeStringParsesToNothing",
       [] {
         EXPECT_EQ(parse_dtype("<c16"), std::nullopt);
         EXPECT_EQ(parse_dtype(""), std::nullopt);
         EXPECT_EQ(parse_dtype("float128"), std::nullopt);
       },
       ""},
      {"ndarray", "UnknownDTypeOnTheWire",
       [] {
         google::protobuf::RepeatedField<uint32_t> shape;
         shape.Add(1);
         wire::decode_dense(std::string(16, '\0'), shape, "<c16");
       },
       "unsupported ndarray dtype '<c16'"},
      {"ndarray", "WireShapeBytesMismatch",
       [] {
         google::protobuf::RepeatedField<uint32_t> shape;
         shape.Add(4000000000u);
         shape.Add(4000000000u);
         wire::decode_dense(std::string(8, '\0'), shape, "<f4");
       },
       "NdArray"},
      {"ndarray", "WrongElementType",
       [] {
         NdArray::from<float>({1.f, 2.f}).values<std::int32_t>();
       },
       "holds <f4 elements"},
      {"ndarray", "Float16AsFloats", [] { NdArray(DType::kFloat16, {1}, "ab").as_floats(); },
       "float16"},
      {"ndarray", "Float16AsJson",
       [] { Document().set_tensor(NdArray(DType::kFloat16, {1}, "ab")).to_json(); }, "float16"},
      {"ndarray", "ScalarIsZeroDimensional",
       [] {
         NdArray scalar(DType::kInt32, {}, std::string(4, '\0'));
         EXPECT_EQ(scalar.ndim(), 0u);
         EXPECT_EQ(scalar.num_elements(), 1u);
       },
       ""},
      {"ndarray", "ZeroSizedIsNotEmpty",
       [] {
         NdArray zero(DType::kInt32, {0, 5}, "");
         EXPECT_FALSE(zero.empty());
         EXPECT_EQ(zero.num_elements(), 0u);
       },
       ""},
  };
}

std::vector<Case> tls_cases() {
  std::vector<Case> out;
  for (const char* scheme : {"grpcs", "https", "wss"}) {
    std::string host = std::string(scheme) + "://localhost:1";
    auto add = [&](std::string name, ClientOptions options, std::string error) {
      out.push_back({"tls", std::string(scheme) + "_" + name,
                     [host, options] { target_of(host, options); }, std::move(error)});
    };
    add("MissingRoots", {.tls_root_certificates_file = files().path("missing.pem")},
        files().path("missing.pem"));
    add("EmptyRoots", {.tls_root_certificates_file = files().path("empty.pem")}, "is empty");
    add("DirectoryAsRoots", {.tls_root_certificates_file = files().path("a-directory")},
        files().path("a-directory"));
    add("GarbagePemRoots", {.tls_root_certificates_file = files().path("garbage.pem")},
        files().path("garbage.pem"));
    add("NotPemRoots", {.tls_root_certificates_file = files().path("text.pem")},
        files().path("text.pem"));
    add("KeyWithoutCertificate", {.tls_private_key_file = files().path("text.pem")},
        "mutual TLS needs both");
    add("CertificateWithoutKey", {.tls_certificate_chain_file = files().path("text.pem")},
        "mutual TLS needs both");
    add("GarbageCertificateChain",
        {.tls_certificate_chain_file = files().path("garbage.pem"),
         .tls_private_key_file = files().path("text.pem")},
        files().path("garbage.pem"));
  }
  out.push_back({"tls", "FilesWithoutTls",
                 [] { target_of("grpc://localhost:1", {.tls_root_certificates_file = "x.pem"}); },
                 "TLS files are given but TLS is off"});
  return out;
}

std::vector<Case> endpoint_cases() {
  return {
      {"endpoints", "Empty", [] { expect_endpoint_sent_verbatim(""); }, ""},
      {"endpoints", "NoLeadingSlash", [] { expect_endpoint_sent_verbatim("search"); }, ""},
      {"endpoints", "Spaces", [] { expect_endpoint_sent_verbatim("/my search"); }, ""},
      {"endpoints", "Unicode", [] { expect_endpoint_sent_verbatim("/s\xc3\xbc\xc3\x9f"); }, ""},
      {"endpoints", "CrLfCannotInjectHttp",
       [] { expect_endpoint_sent_verbatim("/a HTTP/1.1\r\nX-Injected: 1\r\n"); }, ""},
      {"endpoints", "QueryAndFragmentChars", [] { expect_endpoint_sent_verbatim("/a?b=c#d%"); },
       ""},
      {"endpoints", "VeryLong",
       [] { expect_endpoint_sent_verbatim("/" + std::string(100000, 'e')); }, ""},
      {"endpoints", "InvalidUtf8", [] { post_endpoint("/\xff"); }, "endpoint"},
      {"endpoints", "HttpPathIsPercentEncoded",
       [] {
         DataRequest r;
         r.header().set_exec_endpoint("/my search/\xc3\xbc");
         EXPECT_EQ(internal::http_call_for(r, DocFormat::kV2, {}, HttpApi::kPerEndpoint).path,
                   "/my%20search/%C3%BC");
       },
       ""},
  };
}

std::vector<Case> all_cases() {
  std::vector<Case> all;
  for (auto part : {uri_cases(), client_option_cases(), post_option_cases(), parameter_cases(),
                    document_cases(), ndarray_cases(), tls_cases(), endpoint_cases()}) {
    all.insert(all.end(), part.begin(), part.end());
  }
  return all;
}

class BadInputTest : public ::testing::TestWithParam<Case> {};

TEST_P(BadInputTest, ClearErrorOrDocumentedBehaviour) {
  const Case& c = GetParam();
  if (c.error.empty()) {
    EXPECT_NO_THROW(c.run());
  } else {
    EXPECT_THAT(c.run, ::testing::ThrowsMessage<InvalidArgument>(HasSubstr(c.error)));
  }
}

INSTANTIATE_TEST_SUITE_P(Table, BadInputTest, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.category + "_" + info.param.name;
                         });

TEST(BadInputTableTest, HasAtLeastSixtyCasesInEveryCategory) {
  auto all = all_cases();
  EXPECT_GE(all.size(), 60u);
  std::set<std::string> categories;
  for (const Case& c : all) categories.insert(c.category);
  EXPECT_EQ(categories.size(), 8u);
}

}  // namespace
}  // namespace jina
