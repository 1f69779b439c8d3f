#pragma once
// The `/ctx ...` grammar: words, commands and suggestions. Pure text, no I/O, no Slack types.
// ParseSlashCommand (text -> typed Intent) is declared in intent.hpp.

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "intents/intent.hpp"

namespace contexten::intents {

struct CommandSpec {
  std::string name;     // "ping"
  std::string usage;    // "ping"
  std::string summary;  // one line for `/ctx help`
};

// Every command the bot understands, in the order `help` lists them.
const std::vector<CommandSpec>& Commands();

struct Word {
  std::string text;
  bool quoted = false;  // written in quotes: never read as an option such as priority:high
};

// Splits on whitespace. A quote that starts a word ("..." '...' “...” ‘...’) groups words up to
// the matching quote that ends a word. Elsewhere quotes are text, so apostrophes in prose
// ("can't", "users'") stay as written, and so does a lone opening apostrophe ("'tis").
// An unmatched opening double quote is kInvalidInput.
core::Result<std::vector<Word>> SplitWords(std::string_view text);

// SplitWords without the quoted flags.
core::Result<std::vector<std::string>> Tokenize(std::string_view text);

// Commands whose names are within a small edit distance of `word`, closest first.
std::vector<std::string> SuggestCommands(std::string_view word);

}  // namespace contexten::intents
