#pragma once
// A Slack stand-in on loopback: Web API over HTTP (apps.connections.open, auth.test, chat.*,
// views.*, reactions.add, users.info, conversations.info/history/replies, with Slack's rate
// limits and errors),
// response_urls, Socket Mode over WebSocket (hello, envelopes, acks), and a control interface
// for tests and the terminal console (a simulated user clicks buttons and submits modals). The
// bot talks to it only through its base URL.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/net/io_runtime.hpp"
#include "core/net/tls.hpp"
#include "core/result.hpp"
#include "sandbox/slack/sandbox_types.hpp"
#include "sandbox/slack/web_api_rate_limits.hpp"

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

  // --- Socket Mode behaviour, as Slack does it (tests shorten the delays) -------------------
  // The sandbox's own WebSocket pings to every connection; zero = none.
  std::chrono::milliseconds ping_interval{0};
  // An envelope not acked this long after it was sent is sent again (to any connection) with
  // retry_attempt + 1 and retry_reason "timeout", at most max_retries times; zero = never.
  std::chrono::milliseconds redelivery_delay{4000};
  int max_retries = 3;
  // Slack allows 10 Socket Mode connections per app; one more gets disconnect
  // `too_many_websockets` and is closed.
  int max_connections = 10;
  // Time between a `disconnect` message and the sandbox closing that socket.
  std::chrono::milliseconds disconnect_grace{1000};
  // Fault: a connection told to disconnect keeps getting envelopes (round-robin with the others)
  // until the sandbox closes it, as Slack may until it closes the link. Off: nothing more is
  // delivered on it once the disconnect message is sent.
  bool deliver_while_disconnecting = false;
  // Hand out Socket Mode URLs that go through a TcpRelay, so FreezeConnections() can make
  // connections silent (see tcp_relay.hpp).
  bool relay_links = false;

  // --- Web API behaviour -----------------------------------------------------------------
  // 429 + Retry-After by method tier, chat.postMessage paced per channel.
  SlackRateLimitOptions rate_limits;
  // A slow Slack: every Web API call is applied at once (its events fire on arrival) and
  // answered this much later, on an I/O timer (RunAfter), never by a sleeping I/O thread.
  std::chrono::milliseconds web_api_latency{0};
  // Time for rate limits and trigger_id expiry; nullptr = the system clock.
  core::Clock* clock = nullptr;
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
  // as Slack sends both. A channel whose id starts with D is a direct message with the bot
  // (channel_type im, and no app_mention: Slack sends none in DMs).
  std::string InjectMessage(const std::string& text, const std::string& user = "U0SANDBOXUSER",
                            const std::string& channel = "C0GENERAL",
                            const std::string& thread_ts = "");
  // `user` edits (new `text`) or deletes their message `ts` in `channel`, as in Slack's client:
  // the Events API event is a `message` with subtype message_changed (`message`,
  // `previous_message`) or message_deleted (`deleted_ts`, `previous_message`). Returns the
  // envelope id; kNotFound when there is no such message, kUnauthorized when it is not
  // theirs (Slack lets people edit only their own messages).
  core::Result<std::string> EditMessage(const std::string& channel, const std::string& ts,
                                        const std::string& text,
                                        const std::string& user = "U0SANDBOXUSER");
  core::Result<std::string> DeleteMessage(const std::string& channel, const std::string& ts,
                                          const std::string& user = "U0SANDBOXUSER");
  // Sends a complete envelope as given (tests: fixtures, redeliveries with the same id).
  void PushEnvelope(const nlohmann::json& envelope);
  // The same for an envelope already serialized (benchmarks: no JSON work per envelope).
  void PushEnvelopeText(const std::string& envelope_id, const std::string& type, std::string text);

  std::vector<SandboxMessage> Messages(const std::string& channel = "") const;
  std::vector<AckRecord> Acks() const;
  std::optional<AckRecord> AckFor(const std::string& envelope_id) const;
  int open_connections() const;              // sockets currently open
  std::uint64_t connections_opened() const;  // ever
  // Drops every Socket Mode connection without a close handshake (a network failure).
  void DropConnections();
  // Ids of the Socket Mode connections open now, oldest first.
  std::vector<std::uint64_t> ConnectionIds() const;
  // Sends {"type":"disconnect","reason":reason} on one connection (0 = every connection), stops
  // delivering on it (unless deliver_while_disconnecting) and closes it after disconnect_grace,
  // as Slack does. Returns how many.
  int SendDisconnect(const std::string& reason, std::uint64_t connection = 0);
  // With relay_links: every connection open now goes silent (nothing it sends arrives, nothing
  // is sent to it, pings go unanswered) without being closed. Returns how many were frozen.
  int FreezeConnections();
  // The next `count` calls of Web API `method` are answered 429 with this Retry-After (seconds)
  // and have no effect, whatever the rate-limit buckets say.
  void InjectRateLimit(const std::string& method, int count, int retry_after_seconds);
  // How many Web API calls were answered 429 so far.
  std::uint64_t RateLimitedResponses() const;
  // Adds a workspace member for users.info (or replaces the one with the same id), e.g. with
  // an email. U0SANDBOXUSER starts as sandbox.user@example.com.
  void SeedUser(SandboxUser user);

  // --- a simulated user ---------------------------------------------------------------------
  // Clicks a button (by its text or action_id) or picks an overflow/select option (by its
  // text) in `user`'s top open view, else in the newest message `user` can see that has one.
  // Sends a block_actions envelope with a fresh trigger_id (and a response_url for messages);
  // returns its envelope id. kNotFound says what was searched.
  core::Result<std::string> Click(const std::string& label_or_action_id,
                                  const std::string& user = "U0SANDBOXUSER");
  // The same on one message (`channel`, `message_ts`) only: a test that drives several cards
  // at once clicks the one it means.
  core::Result<std::string> ClickIn(const std::string& channel, const std::string& message_ts,
                                    const std::string& label_or_action_id,
                                    const std::string& user = "U0SANDBOXUSER");
  // Submits an open view with `values` keyed by action_id (or block_id). The ack decides what
  // happens to the view (response_action errors/update/push/clear; none closes it).
  core::Result<std::string> SubmitView(const std::string& view_id,
                                       const std::map<std::string, std::string>& values,
                                       const std::string& user = "U0SANDBOXUSER");
  // Closes a view (and any pushed above it); sends view_closed when the view asked for it
  // (notify_on_close). Returns the envelope id, or "" when none was sent.
  core::Result<std::string> CloseView(const std::string& view_id,
                                      const std::string& user = "U0SANDBOXUSER");
  // A shortcut used by `user`: on message `message_ts` of `channel` (a message shortcut) or,
  // with no message, from the shortcuts menu (a global shortcut). Returns the envelope id;
  // kNotFound when the message does not exist.
  core::Result<std::string> UseShortcut(const std::string& callback_id,
                                        const std::string& user = "U0SANDBOXUSER",
                                        const std::string& channel = "",
                                        const std::string& message_ts = "");
  // Open views of `user` (everyone when empty), each stack root first.
  std::vector<SandboxView> OpenViews(const std::string& user = "") const;
  // A trigger_id for `user` as an interaction would carry (valid 3 s, single use).
  std::string IssueTriggerId(const std::string& user = "U0SANDBOXUSER");
  // A response_url for an interaction by `user` in `channel` (about message `message_ts`).
  std::string IssueResponseUrl(const std::string& user = "U0SANDBOXUSER",
                               const std::string& channel = "C0GENERAL",
                               const std::string& message_ts = "");

  // Observers run on an I/O thread; keep them quick.
  void Subscribe(std::function<void(const SandboxEvent&)> observer);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace contexten::sandbox
