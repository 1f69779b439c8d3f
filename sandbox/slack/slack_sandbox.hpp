#pragma once
// A Slack stand-in on loopback: Web API over HTTP (apps.connections.open, auth.test,
// chat.postMessage), Socket Mode over WebSocket (hello, envelopes, acks), and a control
// interface for tests and the terminal console. The bot talks to it only through its base URL.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/net/io_runtime.hpp"
#include "core/net/tls.hpp"
#include "core/result.hpp"

namespace contexten::sandbox {

struct SlackSandboxOptions {
  std::string app_token = "xapp-1-A0SANDBOX-1-sandboxapptoken";
  std::string bot_token = "xoxb-0-sandbox-bot-token";
  std::string verification_token = "sandbox-verification-token";
  std::string team_id = "T0SANDBOX";
  std::string app_id = "A0SANDBOX";
  std::string bot_user_id = "U0CONTEXTEN";
  std::string bot_id = "B0CONTEXTEN";
  core::net::TlsServerOptions tls;  // serve https/wss when set
};

struct SandboxMessage {
  std::string channel;
  std::string ts;
  std::string thread_ts;  // empty for a top-level message
  std::string user;       // author user id (the bot's user id for bot posts)
  std::string text;
  nlohmann::json blocks;  // null or array
  bool ephemeral = false;  // visible only to `visible_to` (slash-command replies)
  std::string visible_to;
  bool from_bot = false;
  bool reply_broadcast = false;
};

struct AckRecord {
  std::string envelope_id;
  std::string type;
  std::uint64_t connection = 0;
  std::chrono::steady_clock::time_point sent_at;
  std::optional<std::chrono::steady_clock::time_point> acked_at;
  nlohmann::json payload;  // the ack's payload, if any
  int ack_count = 0;       // more than one is a client bug worth seeing in tests

  std::optional<std::chrono::microseconds> latency() const;
};

// What observers (the console) hear about.
struct SandboxEvent {
  enum class Kind { kMessagePosted, kAcked, kConnectionOpened, kConnectionClosed } kind;
  std::optional<SandboxMessage> message;
  std::optional<AckRecord> ack;
};

class SlackSandbox {
 public:
  SlackSandbox(core::net::IoRuntime& io, SlackSandboxOptions options = {});
  ~SlackSandbox();
  SlackSandbox(const SlackSandbox&) = delete;
  SlackSandbox& operator=(const SlackSandbox&) = delete;

  core::Status Start();
  void Stop();
  const SlackSandboxOptions& options() const;
  std::string base_url() const;  // http://127.0.0.1:port
  std::string api_url() const;   // base_url() + "/api", what the bot is configured with

  // --- control interface -------------------------------------------------------------------
  // Each returns the envelope id. Envelopes go to an open, greeted connection (round-robin);
  // with none open they wait and are sent on the next hello, as Slack queues for a while.
  std::string InjectSlashCommand(const std::string& command, const std::string& text,
                                 const std::string& user = "U0SANDBOXUSER",
                                 const std::string& channel = "C0GENERAL");
  // A channel message from a user; one that mentions <@bot> also yields an app_mention event,
  // as Slack sends both.
  std::string InjectMessage(const std::string& text, const std::string& user = "U0SANDBOXUSER",
                            const std::string& channel = "C0GENERAL",
                            const std::string& thread_ts = "");
  // Sends a complete envelope as given (tests: fixtures, redeliveries with the same id).
  void PushEnvelope(const nlohmann::json& envelope);

  std::vector<SandboxMessage> Messages(const std::string& channel = "") const;
  std::vector<AckRecord> Acks() const;
  std::optional<AckRecord> AckFor(const std::string& envelope_id) const;
  int open_connections() const;      // sockets currently open
  std::uint64_t connections_opened() const;  // ever
  // Drops every Socket Mode connection without a close handshake (a network failure).
  void DropConnections();
  // Observers run on an I/O thread; keep them quick.
  void Subscribe(std::function<void(const SandboxEvent&)> observer);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace contexten::sandbox
