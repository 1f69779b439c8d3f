#include "intents/slash_command.hpp"

#include <algorithm>
#include <cctype>

namespace contexten::intents {
namespace {

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

const std::vector<CommandSpec>& Commands() {
  static const std::vector<CommandSpec> commands = {
      {"help", "help", "List the commands and what they do"},
      {"ping", "ping", "Check that Contexten is alive: version and round-trip times"},
      {"new", "new", "Open a form to file a new issue"},
  };
  return commands;
}

core::Result<std::vector<std::string>> Tokenize(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  bool in_token = false;
  char quote = 0;
  for (char c : text) {
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        current.push_back(c);
      }
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
      in_token = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_token) out.push_back(std::move(current));
      current.clear();
      in_token = false;
    } else {
      current.push_back(c);
      in_token = true;
    }
  }
  if (quote != 0) {
    return core::Unexpected(core::MakeError(core::ErrorKind::kInvalidInput,
                                            std::string("unmatched ") + quote + " quote"));
  }
  if (in_token) out.push_back(std::move(current));
  return out;
}

std::vector<std::string> SuggestCommands(std::string_view word) {
  const std::string w = Lower(word);
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& c : Commands()) {
    const std::size_t d = EditDistance(w, c.name);
    const bool prefix = !w.empty() && c.name.starts_with(w);
    if (d <= 2 || prefix) scored.emplace_back(prefix ? 0 : d, c.name);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (auto& [d, name] : scored) out.push_back(name);
  return out;
}

core::Result<Intent> ParseSlashCommand(std::string_view text) {
  auto tokens = Tokenize(text);
  if (!tokens) return core::Unexpected(tokens.error());
  if (tokens->empty()) return Intent{"help", {}};
  const std::string name = Lower(tokens->front());
  for (const auto& c : Commands()) {
    if (c.name == name) {
      return Intent{c.name, std::vector<std::string>(tokens->begin() + 1, tokens->end())};
    }
  }
  std::string message = "Unknown command `" + tokens->front() + "`.";
  const auto suggestions = SuggestCommands(name);
  if (!suggestions.empty()) message += " Did you mean `" + suggestions.front() + "`?";
  message += " Try `help` for the list.";
  return core::Unexpected(core::MakeError(core::ErrorKind::kInvalidInput, message));
}

}  // namespace contexten::intents
