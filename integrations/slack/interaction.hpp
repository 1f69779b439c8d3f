#pragma once
// The typed model of what a Socket Mode envelope asks of the bot: a slash command, a click, a
// modal submission or close, a shortcut or an Events API event. Listeners read these fields
// instead of digging through Slack's payload shapes, which differ per kind (user is `user_id`
// in a slash command, `user.id` in interactivity, `event.user` in events).

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "integrations/slack/envelope.hpp"

namespace contexten::integrations::slack {

enum class InteractionKind {
  kSlashCommand,
  kBlockAction,
  kViewSubmission,
  kViewClosed,
  kGlobalShortcut,
  kMessageShortcut,
  kEvent,
};

std::string_view ToString(InteractionKind kind);

// One element of a block_actions payload's `actions`.
struct BlockAction {
  std::string action_id;
  std::string block_id;
  std::string type;   // button, static_select, overflow, datepicker, ...
  std::string value;  // button value, or the selected option's value, date, user, ...
  std::string text;   // button label, or the selected option's text
  std::string action_ts;
};

// A modal as it comes back in view_submission, view_closed and block_actions inside a view.
struct ViewPayload {
  std::string id;
  std::string callback_id;
  std::string private_metadata;
  std::string hash;
  std::string root_view_id;
  std::string external_id;
  // state.values flattened by action_id: the text typed, the selected option's value, the
  // date, the user/channel id; multi-selects joined with ','. Unset fields are absent.
  std::map<std::string, std::string> values;
  // The block_id of the input block each action_id sits in (what `errors` are keyed by).
  std::map<std::string, std::string> block_ids;
};

// An Events API event (the inner `event` object of an event_callback).
struct EventPayload {
  std::string type;     // app_mention, message, reaction_added, ...
  std::string subtype;  // message subtypes: message_changed, bot_message, thread_broadcast, ...
  std::string user;
  std::string bot_id;  // set when a bot (maybe us) wrote the message
  std::string text;
  std::string ts;
  std::string thread_ts;     // set when the message is in a thread
  std::string channel_type;  // channel, group, im, mpim
  std::string event_id;      // from the event_callback wrapper
  // message_changed / message_deleted: the ts of the message edited or deleted (Slack's
  // `message.ts` / `deleted_ts`). For these, user, bot_id, text and thread_ts describe that
  // message (Slack's `message`, or `previous_message` for a deletion: docs.slack.dev,
  // reference/events/message/message_changed and message_deleted), while `ts` stays the event's
  // own; the top level of such an event names no author.
  std::string edited_ts;
};

struct Interaction {
  InteractionKind kind = InteractionKind::kEvent;
  std::string envelope_id;
  std::string team_id;
  std::string user_id;
  std::string user_name;
  std::string channel_id;  // empty where Slack has no channel (global shortcut, most modals)
  std::string trigger_id;  // for views.open: valid 3 s, once
  std::string response_url;

  // kSlashCommand
  std::string command;  // "/ctx"
  std::string text;     // what the user typed after the command

  // kBlockAction: every action in the payload; Bolt routes on the first.
  std::vector<BlockAction> actions;

  // kViewSubmission, kViewClosed, kBlockAction inside a modal
  std::optional<ViewPayload> view;
  bool is_cleared = false;  // view_closed: the whole stack was closed

  // kGlobalShortcut, kMessageShortcut (and the view's callback id for view kinds)
  std::string callback_id;

  // kMessageShortcut, kBlockAction on a message: the message acted on.
  std::string message_ts;
  std::string message_thread_ts;  // set when that message is a thread reply
  std::string message_text;
  bool message_is_ephemeral = false;

  // kEvent
  std::optional<EventPayload> event;

  // The first action, or null for kinds without actions.
  const BlockAction* action() const { return actions.empty() ? nullptr : &actions.front(); }
  // The ts of the thread this interaction belongs to, if any (the event's or message's
  // thread_ts); empty for top-level messages.
  std::string thread_ts() const;
};

// Parses the envelope's payload. Total: never throws; a payload this model cannot represent
// (missing type, unknown interactive type, no event) is kInvalidInput with the reason.
core::Result<Interaction> ParseInteraction(const Envelope& envelope);

}  // namespace contexten::integrations::slack
