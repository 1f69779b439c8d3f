#include "integrations/slack/listeners/listener_registry.hpp"

#include <exception>

namespace contexten::integrations::slack::listeners {
namespace {

using integrations::slack::Interaction;
using integrations::slack::InteractionKind;

bool IsPersonWriting(const std::string& subtype) {
  return subtype.empty() || subtype == "thread_broadcast" || subtype == "file_share" ||
         subtype == "me_message";
}

bool IsEditSubtype(const std::string& subtype) {
  return subtype == "message_changed" || subtype == "message_deleted";
}

}  // namespace

bool IsPersonEdit(const integrations::slack::EventPayload& event, const std::string& bot_user_id) {
  if (event.type != "message" || !IsEditSubtype(event.subtype)) return false;
  // Our own chat.update of a message comes back as message_changed with the bot's bot_id: never
  // a person's edit (no echo).
  if (!event.bot_id.empty()) return false;
  return bot_user_id.empty() || event.user != bot_user_id;
}

bool IsIgnoredEvent(const integrations::slack::EventPayload& event,
                    const std::string& bot_user_id) {
  if (!bot_user_id.empty() && event.user == bot_user_id) return true;
  if (event.type != "message" && event.type != "app_mention") return false;
  if (!event.bot_id.empty()) return true;
  return event.type == "message" && !IsPersonWriting(event.subtype);
}

ListenerRegistry& ListenerRegistry::Add(Entry entry) {
  entries_.push_back(std::move(entry));
  return *this;
}

ListenerRegistry& ListenerRegistry::Command(std::string name, Listener fn) {
  return Add({InteractionKind::kSlashCommand, std::move(name), std::nullopt, std::move(fn)});
}

ListenerRegistry& ListenerRegistry::Action(std::string action_id, Listener fn) {
  return Add({InteractionKind::kBlockAction, std::move(action_id), std::nullopt, std::move(fn)});
}

ListenerRegistry& ListenerRegistry::Action(std::regex pattern, Listener fn) {
  return Add({InteractionKind::kBlockAction, "", std::move(pattern), std::move(fn)});
}

ListenerRegistry& ListenerRegistry::ViewSubmission(std::string callback_id, Listener fn) {
  return Add(
      {InteractionKind::kViewSubmission, std::move(callback_id), std::nullopt, std::move(fn)});
}

ListenerRegistry& ListenerRegistry::ViewClosed(std::string callback_id, Listener fn) {
  return Add({InteractionKind::kViewClosed, std::move(callback_id), std::nullopt, std::move(fn)});
}

ListenerRegistry& ListenerRegistry::Shortcut(std::string callback_id, Listener fn) {
  return Add(
      {InteractionKind::kGlobalShortcut, std::move(callback_id), std::nullopt, std::move(fn)});
}

ListenerRegistry& ListenerRegistry::Event(std::string type, Listener fn) {
  return Add({InteractionKind::kEvent, std::move(type), std::nullopt, std::move(fn)});
}

ListenerRegistry& ListenerRegistry::MessageEdits(Listener fn) {
  return Add({InteractionKind::kEvent, "message", std::nullopt, std::move(fn), true});
}

std::vector<ListenerRegistry::Registration> ListenerRegistry::Registrations() const {
  std::vector<Registration> out;
  out.reserve(entries_.size());
  for (const auto& entry : entries_) {
    out.push_back({entry.kind, entry.key, entry.pattern.has_value()});
  }
  return out;
}

bool ListenerRegistry::Matches(const Entry& entry, const Interaction& interaction) const {
  switch (interaction.kind) {
    case InteractionKind::kSlashCommand:
      return entry.kind == InteractionKind::kSlashCommand && entry.key == interaction.command;
    case InteractionKind::kBlockAction: {
      if (entry.kind != InteractionKind::kBlockAction || interaction.action() == nullptr) {
        return false;
      }
      const auto& id = interaction.action()->action_id;
      return entry.pattern ? std::regex_match(id, *entry.pattern) : entry.key == id;
    }
    case InteractionKind::kViewSubmission:
    case InteractionKind::kViewClosed:
      return entry.kind == interaction.kind && entry.key == interaction.callback_id;
    case InteractionKind::kGlobalShortcut:
    case InteractionKind::kMessageShortcut:
      return entry.kind == InteractionKind::kGlobalShortcut && entry.key == interaction.callback_id;
    case InteractionKind::kEvent:
      return entry.kind == InteractionKind::kEvent && interaction.event &&
             entry.key == interaction.event->type &&
             entry.edits == (interaction.event->type == "message" &&
                             IsEditSubtype(interaction.event->subtype));
  }
  return false;
}

DispatchResult ListenerRegistry::Dispatch(ListenerContext& context) const {
  DispatchResult result;
  const auto& interaction = context.interaction();
  const bool edit = interaction.event && IsPersonEdit(*interaction.event, context.bot_user_id());
  if (interaction.event && !edit && IsIgnoredEvent(*interaction.event, context.bot_user_id())) {
    result.outcome = DispatchOutcome::kIgnored;
    return result;
  }
  for (const auto& entry : entries_) {
    if (!Matches(entry, interaction)) continue;
    ++result.listeners_run;
    core::Status status;
    try {
      status = entry.fn(context);
    } catch (const std::exception& e) {
      status = core::Unexpected(
          core::MakeError(core::ErrorKind::kInternal, std::string("listener threw: ") + e.what()));
    }
    if (!status && result.status) result.status = std::move(status);
  }
  result.outcome = result.listeners_run > 0 ? DispatchOutcome::kHandled
                   : edit                   ? DispatchOutcome::kIgnored  // nobody follows edits
                                            : DispatchOutcome::kUnmatched;
  return result;
}

}  // namespace contexten::integrations::slack::listeners
