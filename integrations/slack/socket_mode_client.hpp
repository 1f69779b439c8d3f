#pragma once
// Slack Socket Mode client: opens `connections` WebSockets via apps.connections.open, hands
// every envelope to the handler together with an ack function, and reconnects with full-jitter
// backoff whenever a socket drops or Slack asks it to.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/net/http_client.hpp"
#include "core/net/io_runtime.hpp"
#include "core/net/websocket.hpp"
#include "integrations/slack/envelope.hpp"

namespace contexten::integrations::slack {

struct SocketModeOptions {
  std::string api_url = "https://slack.com/api";
  std::string app_token;  // xapp-...
  int connections = 1;
  std::chrono::milliseconds reconnect_base{250};
  std::chrono::milliseconds reconnect_cap{30000};
  core::net::TlsClientOptions tls;
};

// Sends the ack for one envelope, optionally with a response payload. Callable once, from any
// thread. Returns false when the socket the envelope came on is gone (Slack will redeliver).
using AckFn = std::function<bool(const nlohmann::json* payload)>;
using EnvelopeHandler = std::function<void(Envelope envelope, AckFn ack)>;

struct SocketModeStats {
  std::uint64_t hellos = 0;
  std::uint64_t envelopes = 0;
  std::uint64_t acks_sent = 0;
  std::uint64_t reconnects = 0;
  std::uint64_t bad_frames = 0;
  int open_connections = 0;
};

class SocketModeClient {
 public:
  SocketModeClient(core::net::IoRuntime& io, core::net::HttpClient& http, SocketModeOptions options,
                   EnvelopeHandler handler);
  ~SocketModeClient();  // Stop()

  void Start();
  void Stop();
  // True while at least one connection has received Slack's hello.
  bool connected() const;
  std::string last_error() const;
  SocketModeStats stats() const;

 private:
  // Callbacks (timers, HTTP completions, socket events) hold a weak_ptr to Impl, so they are
  // harmless after the client is destroyed.
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace contexten::integrations::slack
