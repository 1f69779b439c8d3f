#include "core/net/net_support.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

namespace contexten::core::net::detail {

Error TransportError(const boost::system::error_code& ec, std::string_view what) {
  const std::string prefix = std::string(what) + ": ";
  if (ec == beast::error::timeout || ec == asio::error::timed_out) {
    return MakeError(ErrorKind::kTimeout, prefix + "timed out");
  }
  if (ec == asio::error::connection_refused) {
    return MakeError(ErrorKind::kTransient, prefix + "connection refused");
  }
  if (ec == http::error::body_limit || ec == websocket::error::message_too_big ||
      ec == websocket::error::buffer_overflow) {
    return MakeError(ErrorKind::kTooLarge, prefix + "message over the size limit");
  }
  if (ec.category() == asio::error::get_ssl_category() ||
      ec == asio::ssl::error::stream_truncated) {
    return MakeError(ErrorKind::kTls, prefix + ec.message());
  }
  if (ec == asio::error::host_not_found || ec == asio::error::host_not_found_try_again) {
    return MakeError(ErrorKind::kUnavailable, prefix + "host not found");
  }
  return MakeError(ErrorKind::kTransient, prefix + ec.message());
}

bool IsStaleConnection(const boost::system::error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::ssl::error::stream_truncated || ec == http::error::partial_message;
}

Result<std::shared_ptr<ssl::context>> MakeClientTlsContext(const TlsClientOptions& options) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  context->set_verify_mode(ssl::verify_peer, ec);
  if (!options.ca_file.empty()) {
    context->load_verify_file(options.ca_file, ec);
    if (ec) {
      return Unexpected(MakeError(
          ErrorKind::kTls, "cannot load TLS CA file '" + options.ca_file + "': " + ec.message()));
    }
  } else {
    context->set_default_verify_paths(ec);
    if (ec) {
      return Unexpected(
          MakeError(ErrorKind::kTls, "cannot load the system CA store: " + ec.message()));
    }
  }
  return context;
}

Result<std::shared_ptr<ssl::context>> MakeServerTlsContext(const TlsServerOptions& options) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                           ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                           ssl::context::no_tlsv1_1,
                       ec);
  context->use_certificate_chain_file(options.cert_file, ec);
  if (ec) {
    return Unexpected(
        MakeError(ErrorKind::kInvalidInput,
                  "cannot load TLS certificate '" + options.cert_file + "': " + ec.message()));
  }
  context->use_private_key_file(options.key_file, ssl::context::pem, ec);
  if (ec) {
    return Unexpected(MakeError(ErrorKind::kInvalidInput,
                                "cannot load TLS key '" + options.key_file + "': " + ec.message()));
  }
  return context;
}

Status PrepareTlsClient(beast::ssl_stream<beast::tcp_stream>& stream, const std::string& host,
                        std::shared_ptr<std::string> failure) {
  // SNI must name a DNS host; OpenSSL rejects IP literals there, and they need none.
  boost::system::error_code parse_ec;
  asio::ip::make_address(host, parse_ec);
  if (parse_ec && !SSL_set_tlsext_host_name(stream.native_handle(), host.c_str())) {
    return Unexpected(MakeError(ErrorKind::kTls, "cannot set TLS SNI host name '" + host + "'"));
  }
  boost::system::error_code ec;
  stream.set_verify_mode(ssl::verify_peer, ec);
  stream.set_verify_callback(
      [check = ssl::host_name_verification(host), host, failure](
          bool preverified, ssl::verify_context& context) mutable {
        if (!preverified) {
          const int err = X509_STORE_CTX_get_error(context.native_handle());
          if (failure->empty()) *failure = X509_verify_cert_error_string(err);
          return false;
        }
        if (!check(preverified, context)) {
          *failure = "host name mismatch: the certificate does not name '" + host + "'";
          return false;
        }
        return true;
      },
      ec);
  if (ec)
    return Unexpected(MakeError(ErrorKind::kTls, "cannot set TLS verification: " + ec.message()));
  return Ok();
}

Error TlsHandshakeError(const boost::system::error_code& ec, std::string_view host_port,
                        const std::string& failure) {
  std::string message = "TLS handshake with " + std::string(host_port) + " failed: ";
  if (ec == beast::error::timeout) {
    return MakeError(ErrorKind::kTimeout, message + "timed out");
  }
  if (!failure.empty()) {
    message += "certificate verify failed (" + failure + ")";
  } else {
    message += ec.message();
  }
  const bool tls_error = ec.category() == asio::error::get_ssl_category() || !failure.empty();
  return MakeError(tls_error ? ErrorKind::kTls : ErrorKind::kTransient, message);
}

}  // namespace contexten::core::net::detail
