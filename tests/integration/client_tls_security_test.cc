// TLS security of jina::Client on gRPC, HTTP and WebSocket (issue 8, point
// 5): verification on by default, off only through the explicit
// tls_insecure_skip_verify (with a warning), clear errors for a TLS/plain
// mismatch, and no credentials or Document contents in the log output.
// Certificates are made with the openssl CLI, as in client_tls_test.cc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "integration/tls_testing.h"
#include "jina/client.h"
#include "jina/error.h"
#include "jina/flow.h"

namespace jina {
namespace {

using ::testing::HasSubstr;
using testing::read_file;

// A self-signed server certificate for localhost/127.0.0.1 and a client
// certificate (self-signed too), made once per test binary.
class Certificates : public testing::CertificateDir {
 public:
  Certificates() : CertificateDir("jina-tls-security") {
    run("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost "
        "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout server.key -out server.pem");
    run("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=jina-client "
        "-keyout client.key -out client.pem");
  }
};

const Certificates& certificates() {
  static const Certificates* certs = new Certificates();
  return *certs;
}

class Upper : public Executor {
 public:
  Upper() { on_default(&Upper::upper); }
  void upper(ExecutorRequest& req) {
    for (auto& doc : req.docs) {
      std::string t = doc.text();
      for (auto& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      doc.set_text(t);
    }
  }
};

constexpr Protocol kProtocols[] = {Protocol::kGrpc, Protocol::kHttp, Protocol::kWebsocket};

// A local Flow on 127.0.0.1 serving all three protocols, with or without TLS.
std::unique_ptr<Flow> start_flow(bool tls) {
  FlowOptions o;
  o.host = "127.0.0.1";
  o.protocols = {kProtocols[0], kProtocols[1], kProtocols[2]};
  if (tls) {
    o.ssl_certfile = certificates().path("server.pem");
    o.ssl_keyfile = certificates().path("server.key");
  }
  auto flow = std::make_unique<Flow>(o);
  flow->add<Upper>({.name = "upper"});
  flow->start();
  return flow;
}

std::string scheme(Protocol p, bool tls) {
  switch (p) {
    case Protocol::kHttp:
      return tls ? "https" : "http";
    case Protocol::kWebsocket:
      return tls ? "wss" : "ws";
    case Protocol::kGrpc:
      break;
  }
  return tls ? "grpcs" : "grpc";
}

std::string url(const Flow& flow, Protocol p, bool tls, const std::string& host = "localhost") {
  return scheme(p, tls) + "://" + host + ":" + std::to_string(flow.port(p));
}

// Bounded: a failing connection must not hang the test.
const PostOptions kBounded{.timeout = 20};

DocumentArray one_doc(const std::string& text = "secret") {
  return DocumentArray{Document().set_text(text)};
}

// The message of the ConnectionError a post fails with ("" if it did not).
std::string connection_error(Client& client) {
  try {
    client.post("/", one_doc(), kBounded);
  } catch (const ConnectionError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a ConnectionError: " << e.what();
    return e.what();
  }
  ADD_FAILURE() << "the post succeeded";
  return "";
}

// What `body` writes to stderr; the capture ends even when `body` fails.
std::string captured_stderr(const std::function<void()>& body) {
  ::testing::internal::CaptureStderr();
  try {
    body();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "unexpected exception: " << e.what();
  }
  return ::testing::internal::GetCapturedStderr();
}

class ClientTlsSecurityTest : public ::testing::TestWithParam<Protocol> {
 protected:
  static void SetUpTestSuite() {
    tls_flow_ = start_flow(true).release();
    plain_flow_ = start_flow(false).release();
  }
  static void TearDownTestSuite() {
    delete tls_flow_;
    delete plain_flow_;
  }
  static Flow* tls_flow_;
  static Flow* plain_flow_;
};
Flow* ClientTlsSecurityTest::tls_flow_ = nullptr;
Flow* ClientTlsSecurityTest::plain_flow_ = nullptr;

TEST_P(ClientTlsSecurityTest, PlainClientToTlsFlowFailsWithATlsHint) {
  Client client(url(*tls_flow_, GetParam(), false), {.doc_format = DocFormat::kV2});
  std::string message = connection_error(client);
  EXPECT_THAT(message, HasSubstr("TLS")) << message;
}

TEST_P(ClientTlsSecurityTest, TlsClientToPlainFlowFailsWithATlsHint) {
  Client client(url(*plain_flow_, GetParam(), true),
                {.tls_root_certificates_file = certificates().path("server.pem"),
                 .doc_format = DocFormat::kV2});
  std::string message = connection_error(client);
  EXPECT_THAT(message, HasSubstr("TLS")) << message;
}

TEST_P(ClientTlsSecurityTest, SelfSignedServerFailsVerificationByDefault) {
  Client client(url(*tls_flow_, GetParam(), true), {.doc_format = DocFormat::kV2});
  std::string message = connection_error(client);
  EXPECT_THAT(message, HasSubstr("TLS")) << message;
}

TEST_P(ClientTlsSecurityTest, TrustingTheCertificateExplicitlyWorks) {
  Client client(url(*tls_flow_, GetParam(), true),
                {.tls_root_certificates_file = certificates().path("server.pem"),
                 .doc_format = DocFormat::kV2});
  EXPECT_EQ(client.post("/", one_doc(), kBounded).texts(), std::vector<std::string>{"SECRET"});
}

TEST_P(ClientTlsSecurityTest, SkipVerifyWorksAndWarnsOncePerClient) {
  std::string err = captured_stderr([&] {
    Client client(url(*tls_flow_, GetParam(), true, "127.0.0.1"),
                  {.tls_server_name = "not-the-server.example",
                   .tls_insecure_skip_verify = true,
                   .doc_format = DocFormat::kV2});
    EXPECT_EQ(client.post("/", one_doc(), kBounded).texts(), std::vector<std::string>{"SECRET"});
    Client copy = client;  // shares the connection: no second warning
    EXPECT_EQ(copy.post("/", one_doc(), kBounded).size(), 1u);
  });
  std::string warning = "certificate verification is OFF";
  ASSERT_THAT(err, HasSubstr(warning));
  EXPECT_EQ(err.find(warning), err.rfind(warning)) << err;
  EXPECT_THAT(err, HasSubstr("tls_insecure_skip_verify"));
}

TEST_P(ClientTlsSecurityTest, SkipVerifyNeedsTls) {
  EXPECT_THAT(
      [&] { Client(url(*plain_flow_, GetParam(), false), {.tls_insecure_skip_verify = true}); },
      ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("TLS is off")));
}

// No TLS key, Authorization-like header, parameter or Document text in what
// the library writes to stderr at the default log level, whether the post
// succeeds or fails.
TEST_P(ClientTlsSecurityTest, NoSecretsInLogOutput) {
  const std::string token = "Bearer SECRET-TOKEN-9f8e7d";
  const std::string text = "SECRET-DOCUMENT-CONTENT-1a2b3c";
  const std::string password = "SECRET-PARAMETER-4d5e6f";
  ClientOptions options{.tls_certificate_chain_file = certificates().path("client.pem"),
                        .tls_private_key_file = certificates().path("client.key"),
                        .tls_insecure_skip_verify = true,
                        .doc_format = DocFormat::kV2};
  PostOptions post{.parameters = {{"password", password}}, .timeout = 20};
  post.metadata = {{"authorization", token}};

  std::string err = captured_stderr([&] {
    Client ok(url(*tls_flow_, GetParam(), true), options);
    EXPECT_EQ(ok.post("/", one_doc(text), post).size(), 1u);
    Client wrong(url(*plain_flow_, GetParam(), true), options);
    EXPECT_THROW(wrong.post("/", one_doc(text), post), ConnectionError);
  });
  EXPECT_THAT(err, HasSubstr("certificate verification is OFF"));  // stderr was captured
  for (const std::string& secret : {std::string("SECRET-TOKEN"), text, password}) {
    EXPECT_EQ(err.find(secret), std::string::npos) << secret << " in:\n" << err;
  }
  // Any line of the private key's base64 body.
  std::istringstream key(read_file(certificates().path("client.key")));
  for (std::string line; std::getline(key, line);) {
    if (line.empty() || line.starts_with("-----")) continue;
    EXPECT_EQ(err.find(line), std::string::npos) << "key material in:\n" << err;
  }
}

INSTANTIATE_TEST_SUITE_P(AllProtocols, ClientTlsSecurityTest, ::testing::ValuesIn(kProtocols),
                         [](const ::testing::TestParamInfo<Protocol>& info) {
                           return std::string(protocol_name(info.param));
                         });

}  // namespace
}  // namespace jina
