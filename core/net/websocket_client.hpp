#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/net/http_types.hpp"
#include "core/net/io_runtime.hpp"
#include "core/net/tls.hpp"
#include "core/net/websocket.hpp"

namespace contexten::core::net {

struct WebSocketClientOptions {
  std::chrono::milliseconds connect_timeout{10000};  // TCP + TLS + upgrade
  // Close the connection when nothing at all arrives for this long (0 = never).
  std::chrono::milliseconds idle_timeout{0};
  HttpHeaders headers;  // extra upgrade request headers
  TlsClientOptions tls;
  std::size_t max_message_size = 4 * 1024 * 1024;
};

// Connects to a ws:// or wss:// URL. `callbacks` are installed before the first read, so no
// message is missed. `on_connected` runs once on an I/O thread with the socket or the reason
// (kTls for certificate/host name problems, kTransient for refused/reset, kTimeout).
void ConnectWebSocket(IoRuntime& io, std::string url, WebSocketClientOptions options,
                      WebSocketCallbacks callbacks,
                      std::function<void(Result<std::shared_ptr<WebSocket>>)> on_connected);

}  // namespace contexten::core::net
