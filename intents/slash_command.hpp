#pragma once
// The `/ctx ...` grammar: pure text -> Intent. No I/O, no Slack types.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace contexten::intents {

struct CommandSpec {
  std::string name;     // "ping"
  std::string usage;    // "ping"
  std::string summary;  // one line for `/ctx help`
};

// Every command the bot understands, in the order `help` lists them.
const std::vector<CommandSpec>& Commands();

struct Intent {
  std::string name;               // a CommandSpec name
  std::vector<std::string> args;  // words after the command; "quoted words" stay together
};

// Splits on whitespace; double or single quotes group words; unmatched quote -> error.
core::Result<std::vector<std::string>> Tokenize(std::string_view text);

// Parses the text after the slash command ("help", "ping"). Empty text means help. An unknown
// command is kInvalidInput whose message says so and suggests the closest commands.
core::Result<Intent> ParseSlashCommand(std::string_view text);

// Commands whose names are within a small edit distance of `word`, closest first.
std::vector<std::string> SuggestCommands(std::string_view word);

}  // namespace contexten::intents
