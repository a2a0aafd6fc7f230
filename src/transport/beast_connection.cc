#include "transport/beast_connection.h"

#include <openssl/ssl.h>

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/error.hpp>
#include <fstream>
#include <utility>

#include "jina/error.h"

namespace jina::internal::beast_io {
namespace {

void require_readable(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidArgument(std::string("cannot read ") + what + " file '" + path + "'");
  if (in.peek() == std::ifstream::traits_type::eof()) {
    throw InvalidArgument(std::string(what) + " file '" + path + "' is empty");
  }
}

// Runs one OpenSSL-backed setter, turning its failure into InvalidArgument.
template <class F>
void load(const std::string& path, const char* what, F&& setter) {
  require_readable(path, what);
  boost::system::error_code error;
  setter(error);
  if (error) {
    throw InvalidArgument(std::string("cannot use ") + what + " file '" + path +
                          "': " + error.message());
  }
}

std::shared_ptr<asio::ssl::context> tls_context(const ClientOptions& options) {
  bool has_cert = !options.tls_certificate_chain_file.empty();
  bool has_key = !options.tls_private_key_file.empty();
  if (has_cert != has_key) {
    throw InvalidArgument(
        "mutual TLS needs both tls_certificate_chain_file and tls_private_key_file");
  }
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  // Only the explicit, documented option turns verification off.
  context->set_verify_mode(options.tls_insecure_skip_verify ? asio::ssl::verify_none
                                                            : asio::ssl::verify_peer);
  if (options.tls_root_certificates_file.empty()) {
    context->set_default_verify_paths();
  } else {
    const std::string& roots = options.tls_root_certificates_file;
    load(roots, "TLS root certificates",
         [&](boost::system::error_code& e) { context->load_verify_file(roots, e); });
  }
  if (has_cert) {
    const std::string& chain = options.tls_certificate_chain_file;
    const std::string& key = options.tls_private_key_file;
    load(chain, "TLS certificate chain",
         [&](boost::system::error_code& e) { context->use_certificate_chain_file(chain, e); });
    load(key, "TLS private key", [&](boost::system::error_code& e) {
      context->use_private_key_file(key, asio::ssl::context::pem, e);
    });
  }
  return context;
}

bool is_ip_literal(const std::string& host) {
  boost::system::error_code error;
  asio::ip::make_address(host, error);
  return !error;
}

}  // namespace

Endpoint Endpoint::from(const Target& target, const ClientOptions& options) {
  Endpoint endpoint;
  endpoint.host = target.dial_host();
  endpoint.port = std::to_string(target.port);
  endpoint.host_header = target.address();
  endpoint.server_name = options.tls_server_name.empty() ? endpoint.host : options.tls_server_name;
  endpoint.max_response_bytes = static_cast<std::size_t>(options.max_response_bytes);
  endpoint.keepalive = std::chrono::milliseconds(
      static_cast<std::int64_t>(std::min(options.keepalive * 1000, 1e12)));
  if (options.connect_timeout > 0) {
    endpoint.connect_timeout = std::chrono::milliseconds(
        std::max<std::int64_t>(1, std::min(options.connect_timeout * 1000, 1e12)));
  }
  if (target.tls) {
    endpoint.tls = tls_context(options);
  } else if (!options.tls_root_certificates_file.empty() ||
             !options.tls_certificate_chain_file.empty() || !options.tls_private_key_file.empty()) {
    throw InvalidArgument(
        "TLS files are given but TLS is off (use https://, wss:// or tls = true)");
  }
  return endpoint;
}

asio::awaitable<std::unique_ptr<Connection>> Connection::open(
    const Endpoint& endpoint, std::chrono::milliseconds connect_timeout,
    std::function<void()>* abort) {
  auto executor = co_await asio::this_coro::executor;
  // Resets `*abort` on every way out (the locals it refers to go then).
  struct AbortScope {
    std::function<void()>* abort;
    ~AbortScope() {
      if (abort) *abort = nullptr;
    }
  } scope{abort};
  tcp::resolver resolver(executor);
  if (abort) *abort = [&resolver] { resolver.cancel(); };
  auto addresses =
      co_await resolver.async_resolve(endpoint.host, endpoint.port, asio::use_awaitable);
  beast::tcp_stream tcp_stream(executor);
  if (abort) *abort = [&tcp_stream] { tcp_stream.cancel(); };
  tcp_stream.expires_after(connect_timeout);
  co_await tcp_stream.async_connect(addresses, asio::use_awaitable);
  tcp_stream.socket().set_option(tcp::no_delay(true));
  if (!endpoint.tls) {
    tcp_stream.expires_never();
    co_return std::unique_ptr<Connection>(new Connection(std::move(tcp_stream)));
  }
  TlsStream tls_stream(std::move(tcp_stream), *endpoint.tls);
  if (abort) *abort = [&tls_stream] { beast::get_lowest_layer(tls_stream).cancel(); };
  // SNI only for names: RFC 6066 forbids IP literals there.
  if (!is_ip_literal(endpoint.server_name)) {
    SSL_set_tlsext_host_name(tls_stream.native_handle(), endpoint.server_name.c_str());
  }
  tls_stream.set_verify_callback(asio::ssl::host_name_verification(endpoint.server_name));
  co_await tls_stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
  beast::get_lowest_layer(tls_stream).expires_never();
  co_return std::unique_ptr<Connection>(new Connection(std::move(tls_stream)));
}

absl::Status network_status(const boost::system::error_code& error, const std::string& what) {
  std::string message = what + ": " + error.message();
  // A TLS mismatch shows only as an SSL error or a connection the Flow
  // closed: say what to check.
  if (error.category() == asio::error::get_ssl_category() ||
      error == asio::ssl::error::stream_truncated) {
    message +=
        " (TLS failed: the Flow may not serve TLS (then use http:// or ws://), or its "
        "certificate is not trusted (see ClientOptions::tls_root_certificates_file))";
  } else if (error == beast::http::error::bad_version) {
    // An HTTP/2 server (a gRPC port) answers HTTP/1.1 with its own preface.
    message += " (the answer is not HTTP/1.1: if this is the Flow's gRPC port, use grpc://)";
  } else if (error == beast::http::error::end_of_stream || error == asio::error::eof ||
             error == asio::error::connection_reset) {
    message += " (the Flow closed the connection: if it serves TLS, use https:// or wss://)";
  }
  if (error == beast::error::timeout) return absl::DeadlineExceededError(message);
  if (error == asio::error::operation_aborted) return absl::CancelledError(message);
  return absl::UnavailableError(message);
}

absl::Status connect_status(const boost::system::error_code& error, const std::string& what,
                            std::chrono::milliseconds limit) {
  if (error == beast::error::timeout) {
    return absl::UnavailableError(what + ": no answer within " + std::to_string(limit.count()) +
                                  " ms (nothing answers at that address, or it is silent)");
  }
  return network_status(error, what);
}

}  // namespace jina::internal::beast_io
