#include "integrations/slack/listeners/listener_context.hpp"

namespace contexten::integrations::slack::listeners {
namespace {

using integrations::slack::InteractionKind;
using nlohmann::json;

core::Unexpected Invalid(std::string reason) {
  return core::Unexpected(core::MakeError(core::ErrorKind::kInvalidInput, std::move(reason)));
}

}  // namespace

core::Status ValidateAckPayload(InteractionKind kind, const json& payload) {
  if (!payload.is_object()) return Invalid("an ack payload must be a JSON object");
  if (kind == InteractionKind::kSlashCommand) {
    if (!payload.contains("text") && !payload.contains("blocks")) {
      return Invalid("a slash command reply needs text or blocks");
    }
    return core::Ok();
  }
  if (kind != InteractionKind::kViewSubmission) {
    return Invalid("Slack ignores an ack payload for a " +
                   std::string(integrations::slack::ToString(kind)));
  }
  const std::string action = payload.value("response_action", "");
  if (action == "errors") {
    auto errors = payload.find("errors");
    if (errors == payload.end() || !errors->is_object() || errors->empty()) {
      return Invalid("response_action errors needs a non-empty errors object");
    }
    for (const auto& [block_id, message] : errors->items()) {
      if (!message.is_string()) return Invalid("error for block '" + block_id + "' is no string");
    }
    return core::Ok();
  }
  if (action == "update" || action == "push") {
    auto view = payload.find("view");
    if (view == payload.end() || !view->is_object()) {
      return Invalid("response_action " + action + " needs a view");
    }
    return core::Ok();
  }
  if (action == "clear") return core::Ok();
  return Invalid("view_submission ack payload needs response_action errors|update|push|clear");
}

ListenerContext::ListenerContext(const integrations::slack::Interaction& interaction,
                                 integrations::slack::SlackApi& client,
                                 integrations::slack::AckFn ack, std::string bot_user_id,
                                 std::chrono::microseconds inbox_latency)
    : interaction_(interaction),
      client_(client),
      ack_(std::move(ack)),
      bot_user_id_(std::move(bot_user_id)),
      inbox_latency_(inbox_latency) {}

core::Status ListenerContext::SendAck(const json* payload) {
  if (acked_.exchange(true)) {
    return core::Unexpected(core::MakeError(core::ErrorKind::kConflict, "already acknowledged"));
  }
  if (ack_ && ack_(payload)) return core::Ok();
  // No socket to ack on. An empty ack has nobody waiting for it any more; a slash-command reply
  // still reaches the user through the response_url (valid 30 minutes).
  if (payload == nullptr) return core::Ok();
  if (interaction_.kind == InteractionKind::kSlashCommand && !interaction_.response_url.empty()) {
    return client_.Respond(interaction_.response_url, *payload);
  }
  return core::Unexpected(
      core::MakeError(core::ErrorKind::kUnavailable, "the connection to ack on is gone"));
}

core::Status ListenerContext::Ack() { return SendAck(nullptr); }

core::Status ListenerContext::Ack(const json& payload) {
  if (auto valid = ValidateAckPayload(interaction_.kind, payload); !valid) return valid;
  return SendAck(&payload);
}

core::Status ListenerContext::AckWithErrors(const std::map<std::string, std::string>& errors) {
  json payload = {{"response_action", "errors"}, {"errors", json::object()}};
  for (const auto& [block_id, message] : errors) payload["errors"][block_id] = message;
  return Ack(payload);
}

core::Status ListenerContext::AckUpdate(const json& view) {
  return Ack(json{{"response_action", "update"}, {"view", view}});
}

core::Status ListenerContext::AckPush(const json& view) {
  return Ack(json{{"response_action", "push"}, {"view", view}});
}

core::Status ListenerContext::AckClear() { return Ack(json{{"response_action", "clear"}}); }

core::Status ListenerContext::Respond(const json& body) {
  if (interaction_.response_url.empty()) {
    return Invalid("this " + std::string(integrations::slack::ToString(interaction_.kind)) +
                   " has no response_url");
  }
  return client_.Respond(interaction_.response_url, body);
}

core::Result<integrations::slack::PostedMessage> ListenerContext::Say(std::string text,
                                                                      json blocks) {
  if (interaction_.channel_id.empty()) return Invalid("this interaction has no channel");
  integrations::slack::OutgoingMessage message;
  message.channel = interaction_.channel_id;
  message.text = std::move(text);
  message.blocks = std::move(blocks);
  message.thread_ts = interaction_.thread_ts();
  return client_.PostMessage(message);
}

core::Result<integrations::slack::PostedMessage> ListenerContext::ReplyInThread(std::string text,
                                                                                json blocks,
                                                                                bool broadcast) {
  if (interaction_.channel_id.empty()) return Invalid("this interaction has no channel");
  std::string thread = interaction_.thread_ts();
  if (thread.empty()) {
    thread = interaction_.event ? interaction_.event->ts : interaction_.message_ts;
  }
  if (thread.empty()) return Invalid("this interaction is not about a message");
  integrations::slack::OutgoingMessage message;
  message.channel = interaction_.channel_id;
  message.text = std::move(text);
  message.blocks = std::move(blocks);
  message.thread_ts = std::move(thread);
  message.reply_broadcast = broadcast;
  return client_.PostMessage(message);
}

}  // namespace contexten::integrations::slack::listeners
