#pragma once
// The typed `/ctx <noun> <verb> ...` grammar (../shared/DESIGN.md §2, intents/): every command of
// the vocabulary with typed arguments, per-command help with examples and typo suggestions.
// Pure: text in, Understanding out.

#include <string>
#include <string_view>
#include <vector>

#include "intents/understanding.hpp"

namespace contexten::intents {

struct CommandDoc {
  std::string noun;                   // "issue"
  std::string verb;                   // "create", or "" for one-word commands
  std::string intent;                 // "create_issue"
  std::string usage;                  // "issue create <TEAM> <title> [priority:high] ..."
  std::string summary;                // one line
  std::vector<std::string> examples;  // text after `/ctx`
};

// Every command, in the order help lists them.
const std::vector<CommandDoc>& CommandDocs();

// `help` with no topic: one line per command. With a topic (a noun, "issue create", or an intent
// name): usage, summary and examples of the matching commands. An unknown topic says so and
// lists the topics.
std::string HelpText(std::string_view topic);

// Parses the text after the slash command (already sanitised). Known commands have confidence 1;
// a typo'd noun or verb (within a small edit distance of exactly one) is read as that command
// with confidence 0.5 and `suggestion` set, so the caller asks first. An unknown first word is
// intent "none" with `error` and `offending_word`; malformed arguments set `error` (quoting the
// offending word) and `offending_word`, with the intent the command would have had.
Understanding ParseCommand(std::string_view text);

// True when the first word of `text` is a command noun (exactly, any case).
bool StartsWithCommandNoun(std::string_view text);

}  // namespace contexten::intents
