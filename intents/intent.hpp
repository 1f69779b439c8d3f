#pragma once
// Typed intents: what a user asked for, parsed from text with no I/O and no Slack types
// (../shared/DESIGN.md §2, intents/). Handlers turn an Intent into a workflow start.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/result.hpp"

namespace contexten::intents {

// `/ctx help [topic]`, and empty text.
struct HelpIntent {
  std::string topic;  // "" = the command list
  bool operator==(const HelpIntent&) const = default;
};

// `/ctx ping`.
struct PingIntent {
  bool operator==(const PingIntent&) const = default;
};

// `/ctx new`: open the new-issue modal (needs the interaction's trigger_id).
struct NewIssueFormIntent {
  bool operator==(const NewIssueFormIntent&) const = default;
};

// `/ctx issue create <TEAM> <title words...> [priority:<p>]`; lines after the first are the
// description.
struct CreateIssueIntent {
  std::string team_key;     // upper case, shaped like a Linear team key; not checked to exist
  std::string title;        // the remaining words, one space apart
  std::string description;  // "" unless the text has more lines
  int priority = 0;         // Linear: 0 none, 1 urgent, 2 high, 3 medium, 4 low
  bool operator==(const CreateIssueIntent&) const = default;
};

// `/ctx status`: the health of the integrations and of the outbox, dead letters first.
struct StatusIntent {
  bool operator==(const StatusIntent&) const = default;
};

// `/ctx retry all|<effect id>`: dead-lettered effects back to the outbox.
struct RetryIntent {
  std::optional<std::int64_t> effect_id;  // nullopt: all of them
  bool operator==(const RetryIntent&) const = default;
};

// A first word that is no command. `suggestion` is the closest command name, or "".
struct UnknownIntent {
  std::string word;
  std::string suggestion;
  bool operator==(const UnknownIntent&) const = default;
};

using Intent = std::variant<HelpIntent, PingIntent, NewIssueFormIntent, CreateIssueIntent,
                            StatusIntent, RetryIntent, UnknownIntent>;

// "help", "ping", "new_issue_form", "create_issue", "status", "retry", "unknown".
std::string_view IntentName(const Intent& intent);

// Parses the text after the slash command. Empty text is HelpIntent; an unknown first word is
// UnknownIntent. Malformed arguments (unmatched double quote, missing team or title, unknown
// priority) are kInvalidInput whose message says what is missing, with an example.
core::Result<Intent> ParseSlashCommand(std::string_view text);

// "Unknown command `x`. Did you mean `y`? Try `help` for the list." for replying to one.
std::string UnknownCommandMessage(const UnknownIntent& unknown);

// Linear priority from "urgent", "high", "medium", "low", "none" (any case) or "0".."4".
std::optional<int> ParsePriority(std::string_view word);

}  // namespace contexten::intents
