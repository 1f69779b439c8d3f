#include "workflows/outbox/slack_executor.hpp"

#include <cstring>

#include "workflows/outbox/effect_kinds.hpp"
#include "workflows/outbox/executor_args.hpp"

namespace contexten::workflows::outbox {
namespace {

using nlohmann::json;
namespace slack = integrations::slack;

json Blocks(const json& args) {
  auto it = args.find("blocks");
  return it != args.end() && it->is_array() ? *it : json();
}

json Posted(const slack::PostedMessage& posted) {
  return {{"channel", posted.channel}, {"ts", posted.ts}};
}

}  // namespace

core::Result<json> SlackExecutor::Execute(const store::EffectRecord& effect) {
  auto parsed = ParseArgs(effect);
  if (!parsed) return core::Unexpected(parsed.error());
  const json& args = *parsed;
  if (effect.kind == kSlackPostMessage) {
    auto channel = RequiredString(args, "channel", effect);
    if (!channel) return core::Unexpected(channel.error());
    slack::OutgoingMessage message;
    message.channel = *channel;
    message.text = OptionalString(args, "text");
    message.blocks = Blocks(args);
    message.thread_ts = OptionalString(args, "thread_ts");
    // Checked, not args.value(): that throws on a non-boolean, and a malformed row must come
    // back as an error the relay dead-letters, not an exception out of a lane thread.
    auto broadcast = args.find("broadcast");
    if (broadcast != args.end() && !broadcast->is_boolean() && !broadcast->is_null()) {
      return core::Unexpected(core::MakeError(core::ErrorKind::kInvalidInput,
                                              effect.kind + " needs 'broadcast' to be a boolean"));
    }
    message.reply_broadcast = broadcast != args.end() && broadcast->is_boolean() && *broadcast;
    // The idempotency key rides along as message metadata, so an attempt whose outcome is
    // unknown can be found instead of posted twice (Lookup).
    message.metadata = json{{"event_type", kSlackEffectEventType},
                            {"event_payload", {{"key", effect.idempotency_key()}}}};
    auto posted = slack_.PostMessage(message);
    if (!posted) return core::Unexpected(posted.error());
    return Posted(*posted);
  }
  if (effect.kind == kSlackUpdateMessage) {
    auto channel = RequiredString(args, "channel", effect);
    if (!channel) return core::Unexpected(channel.error());
    auto ts = RequiredString(args, "ts", effect);
    if (!ts) return core::Unexpected(ts.error());
    slack::MessageUpdate update;
    update.channel = *channel;
    update.ts = *ts;
    update.text = OptionalString(args, "text");
    update.blocks = Blocks(args);
    auto updated = slack_.UpdateMessage(update);
    if (!updated) return core::Unexpected(updated.error());
    return Posted(*updated);
  }
  if (effect.kind == kSlackPostEphemeral) {
    auto channel = RequiredString(args, "channel", effect);
    if (!channel) return core::Unexpected(channel.error());
    auto user = RequiredString(args, "user", effect);
    if (!user) return core::Unexpected(user.error());
    slack::EphemeralMessage message;
    message.channel = *channel;
    message.user = *user;
    message.text = OptionalString(args, "text");
    message.blocks = Blocks(args);
    message.thread_ts = OptionalString(args, "thread_ts");
    auto ts = slack_.PostEphemeral(message);
    if (!ts) return core::Unexpected(ts.error());
    return json{{"ts", *ts}};
  }
  if (effect.kind == kSlackUserInfo) {
    auto user = RequiredString(args, "user", effect);
    if (!user) return core::Unexpected(user.error());
    auto info = slack_.GetUserInfo(*user);
    if (!info) return core::Unexpected(info.error());
    return json{{"id", info->id},
                {"name", info->name},
                {"real_name", info->real_name},
                {"display_name", info->display_name},
                {"email", info->email}};
  }
  return core::Unexpected(UnknownKind(effect));
}

core::Result<std::optional<json>> SlackExecutor::Lookup(const store::EffectRecord& effect) {
  // Updates, ephemeral messages and reads are safe to perform again; a post is looked for by
  // the idempotency key it carries in its metadata.
  if (effect.kind != kSlackPostMessage) return std::optional<json>();
  auto parsed = ParseArgs(effect);
  if (!parsed) return core::Unexpected(parsed.error());
  auto channel = RequiredString(*parsed, "channel", effect);
  if (!channel) return core::Unexpected(channel.error());
  std::optional<std::string> thread;
  if (auto t = OptionalString(*parsed, "thread_ts"); !t.empty()) thread = t;
  auto found = slack_.FindMessageByMetadata(*channel, kSlackEffectEventType, "key",
                                            effect.idempotency_key(), thread);
  if (!found) return core::Unexpected(found.error());
  if (!*found) return std::optional<json>();
  return std::optional<json>(Posted(**found));
}

}  // namespace contexten::workflows::outbox
