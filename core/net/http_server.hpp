#pragma once
// HTTP/1.1 server (optionally TLS) with exact-path routes and WebSocket upgrade routes.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/net/http_types.hpp"
#include "core/net/io_runtime.hpp"
#include "core/net/tls.hpp"
#include "core/net/websocket.hpp"
#include "core/result.hpp"

namespace contexten::core::net {

struct HttpServerOptions {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 0;                     // 0 = pick a free port; see HttpServer::port()
  std::size_t body_limit = 1024 * 1024;  // larger bodies get 413 before the handler runs
  std::chrono::milliseconds read_timeout{10000};
  TlsServerOptions tls;
};

// Call exactly once, from any thread; the response is written on the connection's strand.
using HttpResponder = std::function<void(HttpResponse)>;

// Instead of answering: drops the connection without a response, with a TCP reset, as a peer
// that crashed mid-request would (sandboxes inject this fault). Takes the place of the one call
// to `respond`. A responder that does not come from HttpServer is answered 500 instead.
void AbortConnection(HttpResponder respond);
using HttpHandler = std::function<void(HttpRequest&& request, HttpResponder respond)>;
// Called when a WebSocket upgrade on a registered path completes; returns the callbacks for
// the new connection (installed before the first read).
using WebSocketAcceptor = std::function<WebSocketCallbacks(std::shared_ptr<WebSocket> socket,
                                                           const HttpRequest& upgrade)>;

class HttpServer {
 public:
  HttpServer(IoRuntime& io, HttpServerOptions options);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Register before Start(). Unknown path: 404; known path, other method: 405.
  void Route(std::string method, std::string path, HttpHandler handler);
  // Matches any path that starts with `prefix` (after exact routes).
  void RoutePrefix(std::string method, std::string prefix, HttpHandler handler);
  void RouteWebSocket(std::string path, WebSocketAcceptor acceptor);

  Status Start();               // binds and listens; kUnavailable naming the address on failure
  uint16_t port() const;        // the bound port, valid after Start()
  std::string BaseUrl() const;  // "http://127.0.0.1:port" or "https://..."
  // TCP connections accepted so far (metrics; tests use it to see keep-alive reuse).
  std::uint64_t accepted_connections() const;
  // Connections (HTTP and WebSocket) currently open.
  std::size_t open_connections() const;
  // Graceful: stop accepting, let in-flight requests finish (bounded), close WebSockets.
  void Stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace contexten::core::net
