#include "integrations/slack/interaction.hpp"

#include "core/json_fields.hpp"

namespace contexten::integrations::slack {
namespace {

using core::json_fields::Arr;
using core::json_fields::Bool;
using core::json_fields::Obj;
using core::json_fields::Str;

using nlohmann::json;

core::Unexpected Invalid(std::string reason) {
  return core::Unexpected(core::MakeError(core::ErrorKind::kInvalidInput, std::move(reason)));
}

// The user's id: `user` is an object in interactivity payloads and a string in events.
std::string UserId(const json& payload) {
  if (auto it = payload.find("user"); it != payload.end()) {
    if (it->is_string()) return it->get<std::string>();
    if (it->is_object()) return Str(*it, "id");
  }
  return Str(payload, "user_id");
}

std::string UserName(const json& payload) {
  const auto& user = Obj(payload, "user");
  std::string name = Str(user, "username");
  return name.empty() ? Str(user, "name") : name;
}

std::string TeamId(const json& payload) {
  if (auto it = payload.find("team"); it != payload.end() && it->is_object()) {
    return Str(*it, "id");
  }
  return Str(payload, "team_id");
}

std::string JoinValues(const json& items, std::string_view key_in_object) {
  std::string out;
  for (const auto& item : items) {
    std::string v = item.is_string() ? item.get<std::string>() : Str(item, key_in_object);
    if (v.empty()) continue;
    if (!out.empty()) out += ",";
    out += v;
  }
  return out;
}

// What one element's state (or one action) says was chosen or typed. Empty when nothing is.
std::string ElementValue(const json& state) {
  if (!state.is_object()) return "";
  if (auto it = state.find("value"); it != state.end() && it->is_string()) {
    return it->get<std::string>();
  }
  if (const auto& option = Obj(state, "selected_option"); !option.empty()) {
    return Str(option, "value");
  }
  for (const char* key : {"selected_date", "selected_time", "selected_user", "selected_channel",
                          "selected_conversation"}) {
    if (auto v = Str(state, key); !v.empty()) return v;
  }
  if (auto it = state.find("selected_date_time"); it != state.end() && it->is_number_integer()) {
    return std::to_string(it->get<long long>());
  }
  if (const auto& options = Arr(state, "selected_options"); !options.empty()) {
    return JoinValues(options, "value");
  }
  for (const char* key : {"selected_users", "selected_channels", "selected_conversations"}) {
    if (const auto& ids = Arr(state, key); !ids.empty()) return JoinValues(ids, "");
  }
  return "";
}

ViewPayload ParseView(const json& view) {
  ViewPayload out;
  out.id = Str(view, "id");
  out.callback_id = Str(view, "callback_id");
  out.private_metadata = Str(view, "private_metadata");
  out.hash = Str(view, "hash");
  out.root_view_id = Str(view, "root_view_id");
  out.external_id = Str(view, "external_id");
  const auto& values = Obj(Obj(view, "state"), "values");
  for (const auto& [block_id, elements] : values.items()) {
    if (!elements.is_object()) continue;
    for (const auto& [action_id, state] : elements.items()) {
      out.block_ids[action_id] = block_id;
      if (auto value = ElementValue(state); !value.empty()) out.values[action_id] = value;
    }
  }
  return out;
}

BlockAction ParseAction(const json& a) {
  BlockAction out;
  out.action_id = Str(a, "action_id");
  out.block_id = Str(a, "block_id");
  out.type = Str(a, "type");
  out.action_ts = Str(a, "action_ts");
  out.value = ElementValue(a);
  if (const auto& option = Obj(a, "selected_option"); !option.empty()) {
    out.text = Str(Obj(option, "text"), "text");
  } else {
    out.text = Str(Obj(a, "text"), "text");
  }
  return out;
}

void ParseMessage(const json& payload, Interaction& out) {
  const auto& message = Obj(payload, "message");
  out.message_ts = Str(payload, "message_ts");
  if (out.message_ts.empty()) out.message_ts = Str(message, "ts");
  out.message_thread_ts = Str(message, "thread_ts");
  // A thread's parent carries thread_ts == ts; that is not "in a thread" for replying purposes.
  if (out.message_thread_ts == out.message_ts) out.message_thread_ts.clear();
  out.message_text = Str(message, "text");
}

core::Result<Interaction> ParseSlashCommand(const json& p, Interaction out) {
  out.kind = InteractionKind::kSlashCommand;
  out.command = Str(p, "command");
  if (out.command.empty()) return Invalid("slash command payload has no command");
  out.text = Str(p, "text");
  out.user_id = Str(p, "user_id");
  out.user_name = Str(p, "user_name");
  out.channel_id = Str(p, "channel_id");
  out.team_id = Str(p, "team_id");
  out.trigger_id = Str(p, "trigger_id");
  out.response_url = Str(p, "response_url");
  return out;
}

core::Result<Interaction> ParseInteractive(const json& p, Interaction out) {
  const std::string type = Str(p, "type");
  out.user_id = UserId(p);
  out.user_name = UserName(p);
  out.team_id = TeamId(p);
  out.trigger_id = Str(p, "trigger_id");
  out.response_url = Str(p, "response_url");
  out.channel_id = Str(Obj(p, "channel"), "id");
  if (type == "block_actions") {
    out.kind = InteractionKind::kBlockAction;
    for (const auto& a : Arr(p, "actions")) {
      if (a.is_object()) out.actions.push_back(ParseAction(a));
    }
    if (out.actions.empty()) return Invalid("block_actions payload has no actions");
    const auto& container = Obj(p, "container");
    if (out.channel_id.empty()) out.channel_id = Str(container, "channel_id");
    if (Str(container, "type") == "message") {
      ParseMessage(p, out);
      if (out.message_ts.empty()) out.message_ts = Str(container, "message_ts");
      out.message_is_ephemeral = Bool(container, "is_ephemeral");
    }
    if (const auto& view = Obj(p, "view"); !view.empty()) {
      out.view = ParseView(view);
      out.callback_id = out.view->callback_id;
    }
    return out;
  }
  if (type == "view_submission" || type == "view_closed") {
    const auto& view = Obj(p, "view");
    if (view.empty()) return Invalid(type + " payload has no view");
    out.kind =
        type == "view_submission" ? InteractionKind::kViewSubmission : InteractionKind::kViewClosed;
    out.view = ParseView(view);
    out.callback_id = out.view->callback_id;
    out.is_cleared = Bool(p, "is_cleared");
    // Present when an input block asked Slack for a response_url (response_url_enabled).
    for (const auto& r : Arr(p, "response_urls")) {
      if (out.response_url.empty()) out.response_url = Str(r, "response_url");
      if (out.channel_id.empty()) out.channel_id = Str(r, "channel_id");
    }
    return out;
  }
  if (type == "shortcut" || type == "message_action") {
    out.callback_id = Str(p, "callback_id");
    if (out.callback_id.empty()) return Invalid(type + " payload has no callback_id");
    if (type == "shortcut") {
      out.kind = InteractionKind::kGlobalShortcut;
    } else {
      out.kind = InteractionKind::kMessageShortcut;
      ParseMessage(p, out);
    }
    return out;
  }
  if (type.empty()) return Invalid("interactive payload has no type");
  return Invalid("interactive payload type '" + type + "' is not supported");
}

core::Result<Interaction> ParseEvent(const json& p, Interaction out) {
  const std::string wrapper = Str(p, "type");
  if (wrapper != "event_callback") {
    return Invalid("events_api payload type '" + wrapper + "' is not event_callback");
  }
  const auto& e = Obj(p, "event");
  EventPayload event;
  event.type = Str(e, "type");
  if (event.type.empty()) return Invalid("events_api payload has no event type");
  event.subtype = Str(e, "subtype");
  event.user = Str(e, "user");
  event.bot_id = Str(e, "bot_id");
  event.text = Str(e, "text");
  event.ts = Str(e, "ts");
  event.thread_ts = Str(e, "thread_ts");
  event.channel_type = Str(e, "channel_type");
  event.event_id = Str(p, "event_id");
  if (event.type == "message" &&
      (event.subtype == "message_changed" || event.subtype == "message_deleted")) {
    const bool deleted = event.subtype == "message_deleted";
    const auto& m = Obj(e, deleted ? "previous_message" : "message");
    event.user = Str(m, "user");
    event.bot_id = Str(m, "bot_id");
    event.text = deleted ? "" : Str(m, "text");
    event.thread_ts = Str(m, "thread_ts");
    event.edited_ts = deleted ? Str(e, "deleted_ts") : Str(m, "ts");
    if (event.edited_ts.empty()) event.edited_ts = Str(m, "ts");
  }
  out.kind = InteractionKind::kEvent;
  out.team_id = Str(p, "team_id");
  out.user_id = event.user;
  out.channel_id = Str(e, "channel");
  // reaction_added and friends name the channel in the item they point at.
  if (out.channel_id.empty()) out.channel_id = Str(Obj(e, "item"), "channel");
  out.event = std::move(event);
  return out;
}

}  // namespace

std::string_view ToString(InteractionKind kind) {
  switch (kind) {
    case InteractionKind::kSlashCommand:
      return "slash_command";
    case InteractionKind::kBlockAction:
      return "block_action";
    case InteractionKind::kViewSubmission:
      return "view_submission";
    case InteractionKind::kViewClosed:
      return "view_closed";
    case InteractionKind::kGlobalShortcut:
      return "global_shortcut";
    case InteractionKind::kMessageShortcut:
      return "message_shortcut";
    case InteractionKind::kEvent:
      return "event";
  }
  return "unknown";
}

std::string Interaction::thread_ts() const {
  if (event) return event->thread_ts;
  return message_thread_ts;
}

core::Result<Interaction> ParseInteraction(const Envelope& envelope) {
  if (!envelope.payload.is_object()) {
    return Invalid("envelope " + envelope.envelope_id + " has no payload object");
  }
  Interaction out;
  out.envelope_id = envelope.envelope_id;
  if (envelope.type == "slash_commands") return ParseSlashCommand(envelope.payload, std::move(out));
  if (envelope.type == "interactive") return ParseInteractive(envelope.payload, std::move(out));
  if (envelope.type == "events_api") return ParseEvent(envelope.payload, std::move(out));
  return Invalid("envelope type '" + envelope.type + "' is not one the bot handles");
}

}  // namespace contexten::integrations::slack
