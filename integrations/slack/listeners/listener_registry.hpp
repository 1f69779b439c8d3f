#pragma once
// A framework, no app logic (the app's handlers live in bot/handlers/ and are registered at the
// composition root). Bolt-style listener registration: commands by name, block actions by action_id
// (or a pattern), view submissions and closes by callback_id, shortcuts (global and message) by
// callback_id, events by type. Register everything at startup; Dispatch() is then safe to call
// from many threads (it only reads).
//
// Events: `message` and `app_mention` from any bot (bot_id set) or from our own bot user are
// ignored, as are message subtypes that are not a person writing (message_changed,
// message_deleted, bot_message, channel_join, ...): answering them would loop or reply to edits.
// thread_broadcast, file_share and me_message are people writing and are delivered.
// A person's edit or deletion of their message (message_changed / message_deleted whose message
// is not a bot's) goes only to listeners registered with MessageEdits; with none, it is ignored.

#include <functional>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "integrations/slack/listeners/listener_context.hpp"

namespace contexten::integrations::slack::listeners {

using Listener = std::function<core::Status(ListenerContext&)>;

enum class DispatchOutcome {
  kHandled,    // at least one listener ran
  kUnmatched,  // no listener for this command/action/callback/event
  kIgnored,    // an event we never answer (our own message, a bot, an edit)
};

struct DispatchResult {
  DispatchOutcome outcome = DispatchOutcome::kUnmatched;
  int listeners_run = 0;
  core::Status status;  // the first failure of a listener that ran
};

class ListenerRegistry {
 public:
  ListenerRegistry& Command(std::string name, Listener fn);  // "/ctx"
  ListenerRegistry& Action(std::string action_id, Listener fn);
  ListenerRegistry& Action(std::regex action_id_pattern, Listener fn);  // whole-id match
  ListenerRegistry& ViewSubmission(std::string callback_id, Listener fn);
  ListenerRegistry& ViewClosed(std::string callback_id, Listener fn);
  ListenerRegistry& Shortcut(std::string callback_id, Listener fn);  // global and message
  ListenerRegistry& Event(std::string type, Listener fn);            // app_mention, message, ...
  // A person edited or deleted a message (Events API `message` with subtype message_changed or
  // message_deleted; EventPayload::edited_ts names it). Registered as a `message` listener.
  ListenerRegistry& MessageEdits(Listener fn);

  // Runs every listener that matches, in registration order (Bolt does the same); the first to
  // ack wins, later acks get kConflict. Never throws: a listener's exception is its failure.
  DispatchResult Dispatch(ListenerContext& context) const;

  std::size_t size() const { return entries_.size(); }

  // What is registered, in registration order: the kind and its key (command name, action_id,
  // callback_id or event type; empty for an action_id pattern). For checks of what the app
  // declares to Slack, such as the app manifest (deploy/slack-app-manifest.yaml).
  struct Registration {
    integrations::slack::InteractionKind kind;  // kGlobalShortcut stands for both shortcuts
    std::string key;
    bool is_pattern = false;
  };
  std::vector<Registration> Registrations() const;

 private:
  struct Entry {
    integrations::slack::InteractionKind kind;  // kGlobalShortcut stands for both shortcuts
    std::string key;
    std::optional<std::regex> pattern;
    Listener fn;
    bool edits = false;  // MessageEdits: only edits and deletions, and no other message
  };
  ListenerRegistry& Add(Entry entry);
  bool Matches(const Entry& entry, const integrations::slack::Interaction& interaction) const;

  std::vector<Entry> entries_;
};

// True for a person's message_changed / message_deleted (not a bot's, not ours).
bool IsPersonEdit(const integrations::slack::EventPayload& event, const std::string& bot_user_id);

// True for events no listener should see (see the comment at the top).
bool IsIgnoredEvent(const integrations::slack::EventPayload& event, const std::string& bot_user_id);

}  // namespace contexten::integrations::slack::listeners
