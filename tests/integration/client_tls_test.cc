// TLS and mutual TLS for jina::Client, with certificates the test makes with
// the openssl CLI (issue 4, point 8).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "integration/client_fake_gateway.h"
#include "integration/tls_testing.h"
#include "jina/client.h"
#include "jina/error.h"

namespace jina {
namespace {

using testing::FakeGateway;
using ::testing::HasSubstr;
using testing::read_file;

// A CA, a server certificate for localhost/127.0.0.1 and a client
// certificate, all signed by the CA; made once per test binary.
class Certificates : public testing::CertificateDir {
 public:
  Certificates() : CertificateDir("jina-tls") {
    std::ofstream(path("san.cnf")) << "subjectAltName=DNS:localhost,IP:127.0.0.1\n";
    run("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=jina-test-ca -keyout ca.key "
        "-out ca.pem");
    run("openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key -out "
        "server.csr");
    run("openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
        "-extfile san.cnf -out server.pem");
    run("openssl req -newkey rsa:2048 -nodes -subj /CN=jina-client -keyout client.key -out "
        "client.csr");
    run("openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
        "-out client.pem");
  }

  std::shared_ptr<grpc::ServerCredentials> server(bool require_client_cert) const {
    grpc::SslServerCredentialsOptions options(
        require_client_cert ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                            : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
    options.pem_root_certs = read_file(path("ca.pem"));
    options.pem_key_cert_pairs.push_back(
        {read_file(path("server.key")), read_file(path("server.pem"))});
    return grpc::SslServerCredentials(options);
  }
};

const Certificates& certificates() {
  static const Certificates* certs = new Certificates();
  return *certs;
}

DocumentArray one_doc() { return DocumentArray{Document().set_text("secret")}; }

TEST(ClientTlsTest, CustomCaFile) {
  FakeGateway gateway(0, certificates().server(false));
  Client client("grpcs://localhost:" + std::to_string(gateway.port()),
                {.tls_root_certificates_file = certificates().path("ca.pem")});
  EXPECT_EQ(client.post("/", one_doc()).texts(), std::vector<std::string>{"SECRET"});
  EXPECT_TRUE(client.is_flow_ready());
  // By address, as the certificate also names 127.0.0.1.
  Client by_ip({.host = "127.0.0.1",
                .port = gateway.port(),
                .tls = true,
                .tls_root_certificates_file = certificates().path("ca.pem")});
  EXPECT_EQ(by_ip.post("/", one_doc()).size(), 1u);
}

TEST(ClientTlsTest, SystemRootsDoNotTrustATestCa) {
  FakeGateway gateway(0, certificates().server(false));
  Client client("grpcs://localhost:" + std::to_string(gateway.port()));
  EXPECT_THROW(client.post("/", one_doc()), ConnectionError);
  EXPECT_FALSE(client.is_flow_ready());
}

TEST(ClientTlsTest, ServerNameMustMatchTheCertificate) {
  FakeGateway gateway(0, certificates().server(false));
  Client client("grpcs://127.0.0.1:" + std::to_string(gateway.port()),
                {.tls_root_certificates_file = certificates().path("ca.pem"),
                 .tls_server_name = "not-the-server.example"});
  EXPECT_THROW(client.post("/", one_doc()), ConnectionError);
  Client named("grpcs://127.0.0.1:" + std::to_string(gateway.port()),
               {.tls_root_certificates_file = certificates().path("ca.pem"),
                .tls_server_name = "localhost"});
  EXPECT_EQ(named.post("/", one_doc()).size(), 1u);
}

TEST(ClientTlsTest, MutualTls) {
  FakeGateway gateway(0, certificates().server(true));
  std::string host = "grpcs://localhost:" + std::to_string(gateway.port());
  Client with_cert(host, {.tls_root_certificates_file = certificates().path("ca.pem"),
                          .tls_certificate_chain_file = certificates().path("client.pem"),
                          .tls_private_key_file = certificates().path("client.key")});
  EXPECT_EQ(with_cert.post("/", one_doc()).texts(), std::vector<std::string>{"SECRET"});
  Client without_cert(host, {.tls_root_certificates_file = certificates().path("ca.pem")});
  EXPECT_THROW(without_cert.post("/", one_doc()), ConnectionError);
}

TEST(ClientTlsTest, PlainClientCannotTalkToTlsServer) {
  FakeGateway gateway(0, certificates().server(false));
  Client client("grpc://localhost:" + std::to_string(gateway.port()));
  EXPECT_THROW(client.post("/", one_doc()), ConnectionError);
}

TEST(ClientTlsTest, BadFilesAreErrorsNamingTheFile) {
  std::string missing = certificates().path("does-not-exist.pem");
  EXPECT_THAT([&] { Client("grpcs://localhost:1", {.tls_root_certificates_file = missing}); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr(missing)));
  std::string empty = certificates().path("empty.pem");
  std::ofstream{empty};
  EXPECT_THAT([&] { Client("grpcs://localhost:1", {.tls_root_certificates_file = empty}); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr(empty)));
  std::string directory = certificates().path("");
  EXPECT_THROW(Client("grpcs://localhost:1", {.tls_root_certificates_file = directory}),
               InvalidArgument);
  EXPECT_THAT(
      [&] {
        Client("grpcs://localhost:1",
               {.tls_certificate_chain_file = certificates().path("client.pem"),
                .tls_private_key_file = missing});
      },
      ::testing::ThrowsMessage<InvalidArgument>(HasSubstr(missing)));
  // Half a key pair, or TLS files without TLS, are mistakes too.
  EXPECT_THROW(Client("grpcs://localhost:1",
                      {.tls_certificate_chain_file = certificates().path("client.pem")}),
               InvalidArgument);
  EXPECT_THROW(
      Client("grpc://localhost:1", {.tls_root_certificates_file = certificates().path("ca.pem")}),
      InvalidArgument);
}

}  // namespace
}  // namespace jina
