#pragma once
// Private to core/net/*.cpp: error mapping and TLS setup shared by the client and server.

#include <memory>
#include <string>
#include <string_view>

#include "core/net/asio.hpp"
#include "core/net/tls.hpp"
#include "core/result.hpp"

namespace contexten::core::net::detail {

// Maps a transport error to an Error whose kind tells callers whether to retry; `what` names
// the operation and peer, e.g. "connect to localhost:443".
Error TransportError(const boost::system::error_code& ec, std::string_view what);

// True for the errors a keep-alive connection shows when the server closed it while idle.
bool IsStaleConnection(const boost::system::error_code& ec);

// A verifying client context: verify_peer always; `options.ca_file` or the system store.
Result<std::shared_ptr<ssl::context>> MakeClientTlsContext(const TlsClientOptions& options);
Result<std::shared_ptr<ssl::context>> MakeServerTlsContext(const TlsServerOptions& options);

// Sets SNI and RFC 6125 host name verification on one client connection. The verify callback
// records why verification failed into `failure`, so the handshake error can say it.
Status PrepareTlsClient(beast::ssl_stream<beast::tcp_stream>& stream, const std::string& host,
                        std::shared_ptr<std::string> failure);

// "TLS handshake with host:port failed: <reason>" as a kTls error.
Error TlsHandshakeError(const boost::system::error_code& ec, std::string_view host_port,
                        const std::string& failure);

}  // namespace contexten::core::net::detail
