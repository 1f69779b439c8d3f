#pragma once
// Slack Socket Mode client that never goes deaf: keeps `connections` WebSockets open (opened via
// apps.connections.open), hands every envelope to the handler with an ack function, replaces a
// connection *before* retiring it when Slack asks (warning, refresh_requested), detects silent
// connections with its own pings, and reconnects with full-jitter backoff when a socket drops.
//
// Socket budget: at most `connections + 1` sockets exist at any moment (open or being opened,
// counting backoff waits); the one extra is the transient replacement during a refresh. A
// replacement that would exceed the budget is not opened early: the old socket then keeps
// serving until Slack closes it, and the replacement follows.

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
  int connections = 2;
  // Full-jitter reconnect backoff: wait uniform in [0, min(cap, base * 2^failures)].
  std::chrono::milliseconds reconnect_base{250};
  std::chrono::milliseconds reconnect_cap{30000};
  // After `too_many_websockets` the next attempt waits at least this long (plus the jitter).
  std::chrono::milliseconds too_many_websockets_delay{5000};
  // Own pings: every ping_interval a unique payload; no matching pong within ping_timeout means
  // the connection is stale (aborted and replaced). A zero interval disables pings.
  std::chrono::milliseconds ping_interval{10000};
  std::chrono::milliseconds ping_timeout{5000};
  // A connection Slack asked us to leave (warning, refresh_requested) keeps reading and acking
  // after its replacement said hello, until Slack closes it or this grace ends; only then do we
  // close it. Slack may deliver on it until it closes the link, and once our close frame is sent
  // the frames behind it are discarded unread, so closing at once would leave envelopes in
  // flight unacked (slash commands are never retried). Zero closes it at once.
  std::chrono::milliseconds retire_grace{5000};
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
  std::uint64_t reconnects = 0;       // attempts scheduled after a failure or drop
  std::uint64_t refreshes = 0;        // connections replaced on Slack's request (before closing)
  std::uint64_t retire_timeouts = 0;  // retiring connections we closed because Slack did not
  std::uint64_t stale = 0;            // connections declared dead because a ping went unanswered
  std::uint64_t bad_frames = 0;
  int open_connections = 0;  // sockets open now (including one being retired)
  int max_sockets = 0;       // high-water mark of sockets open or being opened
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
  // True once Slack sent `link_disabled`: the client stopped reconnecting for good.
  bool link_disabled() const;
  // Why the client is not (fully) connected; empty when all is well. Never contains the token.
  std::string last_error() const;
  SocketModeStats stats() const;

 private:
  // Callbacks (timers, HTTP completions, socket events) hold a weak_ptr to Impl, so they are
  // harmless after the client is destroyed.
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace contexten::integrations::slack
