#pragma once
// What a listener gets, in the spirit of Bolt's ({ ack, respond, say, client, body }): the typed
// interaction, ack() with the payloads Slack allows, respond() over the response_url, say()
// into the channel or thread, and the Web API client.

#include <atomic>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.hpp"
#include "integrations/slack/interaction.hpp"
#include "integrations/slack/slack_api.hpp"
#include "integrations/slack/socket_mode_client.hpp"

namespace contexten::integrations::slack::listeners {

class ListenerContext {
 public:
  // `ack` may be null (a delivery replayed from the inbox after a restart: its socket is gone).
  ListenerContext(const integrations::slack::Interaction& interaction,
                  integrations::slack::SlackApi& client, integrations::slack::AckFn ack,
                  std::string bot_user_id,
                  std::chrono::microseconds inbox_latency = std::chrono::microseconds(0));
  ListenerContext(const ListenerContext&) = delete;
  ListenerContext& operator=(const ListenerContext&) = delete;

  const integrations::slack::Interaction& interaction() const { return interaction_; }
  integrations::slack::SlackApi& client() { return client_; }
  const std::string& bot_user_id() const { return bot_user_id_; }
  // How long the inbox took to make this delivery durable.
  std::chrono::microseconds inbox_latency() const { return inbox_latency_; }

  // Acknowledges the delivery (once; a second ack is kConflict). Slack waits at most 3 s.
  core::Status Ack();
  // Ack with a payload, only where Slack reads one: a slash command's reply message
  // ({text, blocks, response_type}), or a view_submission's {response_action: errors|update|
  // push|clear, ...}. Anything else is kInvalidInput and nothing is sent. A slash-command reply
  // whose socket is gone goes over the response_url instead.
  core::Status Ack(const nlohmann::json& payload);
  // view_submission helpers: field errors keyed by the input's block_id; replace the modal;
  // push a modal on top; close the whole stack.
  core::Status AckWithErrors(const std::map<std::string, std::string>& errors_by_block_id);
  core::Status AckUpdate(const nlohmann::json& view);
  core::Status AckPush(const nlohmann::json& view);
  core::Status AckClear();
  bool acked() const { return acked_.load(); }

  // Posts `body` (a message payload) to the interaction's response_url.
  core::Status Respond(const nlohmann::json& body);
  // Posts into the interaction's channel; into its thread when it happened in one.
  core::Result<integrations::slack::PostedMessage> Say(std::string text,
                                                       nlohmann::json blocks = nullptr);
  // Replies in the thread of the message the interaction is about (the event's message, the
  // message a button or message shortcut was used on), starting a thread if there is none.
  core::Result<integrations::slack::PostedMessage> ReplyInThread(std::string text,
                                                                 nlohmann::json blocks = nullptr,
                                                                 bool broadcast = false);

 private:
  core::Status SendAck(const nlohmann::json* payload);

  const integrations::slack::Interaction& interaction_;
  integrations::slack::SlackApi& client_;
  integrations::slack::AckFn ack_;
  std::string bot_user_id_;
  std::chrono::microseconds inbox_latency_;
  std::atomic<bool> acked_{false};
};

// Whether `payload` is an ack payload Slack accepts for an interaction of `kind`; the reason
// when it is not.
core::Status ValidateAckPayload(integrations::slack::InteractionKind kind,
                                const nlohmann::json& payload);

}  // namespace contexten::integrations::slack::listeners
