#include "intents/slash_command.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <utility>

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

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

struct QuotePair {
  std::string_view open, close;
  bool required;  // unmatched is an error (double quotes) rather than text (apostrophes)
};

// Slack clients on macOS and iOS turn typed quotes into typographic ones.
constexpr std::array<QuotePair, 4> kQuotes = {{
    {"\"", "\"", true},
    {"\u201c", "\u201d", true},
    {"'", "'", false},
    {"\u2018", "\u2019", false},
}};

// Position of the `close` quote that ends a word (followed by whitespace or the end), if any.
// Looks at most kMaxQuoted bytes ahead, so that text full of quotes stays linear to split.
constexpr std::size_t kMaxQuoted = 4096;

// The bytes all quote searches of one SplitWords may look at together.
constexpr std::size_t kQuoteBudget = 32 * 1024;

std::optional<std::size_t> ClosingQuote(std::string_view text, std::size_t from,
                                        std::string_view close, std::size_t& budget) {
  const std::size_t limit = std::min({text.size(), from + kMaxQuoted, from + budget});
  budget -= std::min(budget, limit - from);
  for (auto at = text.find(close, from); at != std::string_view::npos && at < limit;
       at = text.find(close, at + 1)) {
    const std::size_t after = at + close.size();
    if (after == text.size() || IsSpace(text[after])) return at;
  }
  return std::nullopt;
}

}  // namespace

const std::vector<CommandSpec>& Commands() {
  static const std::vector<CommandSpec> commands = {
      {"help", "help", "List the commands and what they do"},
      {"ping", "ping", "Check that Contexten is alive: version and round-trip times"},
      {"new", "new", "Open a form to file a new issue"},
      {"issue", "issue create <TEAM> <title> [priority:urgent|high|medium|low]",
       "File a Linear issue in one line, e.g. `issue create ENG Login fails on Safari`"},
      {"status", "status", "Integrations, queued work and dead letters"},
      {"retry", "retry all|<effect id>", "Send dead-lettered work again (ids are in `status`)"},
  };
  return commands;
}

core::Result<std::vector<Word>> SplitWords(std::string_view text) {
  std::vector<Word> words;
  std::size_t i = 0;
  std::size_t quote_budget = kQuoteBudget;
  while (i < text.size()) {
    if (IsSpace(text[i])) {
      ++i;
      continue;
    }
    bool grouped = false;
    for (const auto& quote : kQuotes) {
      if (!text.substr(i).starts_with(quote.open)) continue;
      const std::size_t inner = i + quote.open.size();
      if (auto close = ClosingQuote(text, inner, quote.close, quote_budget)) {
        words.push_back({std::string(text.substr(inner, *close - inner)), true});
        i = *close + quote.close.size();
        grouped = true;
      } else if (quote.required) {
        return core::Unexpected(core::MakeError(
            core::ErrorKind::kInvalidInput,
            "unmatched " + std::string(quote.open) + " quote: close it, or leave quotes out"));
      }
      break;
    }
    if (grouped) continue;
    const std::size_t start = i;
    while (i < text.size() && !IsSpace(text[i])) ++i;
    words.push_back({std::string(text.substr(start, i - start)), false});
  }
  return words;
}

core::Result<std::vector<std::string>> Tokenize(std::string_view text) {
  auto words = SplitWords(text);
  if (!words) return core::Unexpected(words.error());
  std::vector<std::string> out;
  out.reserve(words->size());
  for (auto& word : *words) out.push_back(std::move(word.text));
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

}  // namespace contexten::intents
