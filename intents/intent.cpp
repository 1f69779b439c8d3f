#include "intents/intent.hpp"

#include <algorithm>
#include <cctype>
#include <type_traits>

#include "intents/slash_command.hpp"

namespace contexten::intents {
namespace {

constexpr std::string_view kCreateExample =
    "`/ctx issue create ENG Login fails on Safari priority:high`";
constexpr std::string_view kPriorityOption = "priority:";
// Linear team keys: a letter, then letters or digits, at most ten in all (ENG, OPS2).
constexpr std::size_t kMaxTeamKey = 10;

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

bool IsTeamKey(const Word& word) {
  const auto& t = word.text;
  if (word.quoted || t.empty() || t.size() > kMaxTeamKey ||
      !std::isalpha(static_cast<unsigned char>(t[0]))) {
    return false;
  }
  return std::all_of(t.begin(), t.end(),
                     [](unsigned char c) { return std::isalnum(c) && c < 0x80; });
}

core::Error Invalid(std::string message) {
  return core::MakeError(core::ErrorKind::kInvalidInput, std::move(message));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// `words` are what follows "issue create"; `description` is the text after the first line.
core::Result<Intent> ParseCreateIssue(const std::vector<Word>& words, std::string description) {
  CreateIssueIntent intent;
  intent.description = std::move(description);
  std::vector<std::string> title;
  bool team_seen = false;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const Word& word = words[i];
    if (!word.quoted && Lower(word.text).starts_with(kPriorityOption)) {
      std::string value = word.text.substr(kPriorityOption.size());
      // "priority: high" with a space.
      if (value.empty() && i + 1 < words.size() && !words[i + 1].quoted) value = words[++i].text;
      const auto priority = ParsePriority(value);
      if (!priority) {
        return Invalid("Unknown priority `" + value +
                       "`: use urgent, high, medium, low, none or 1-4. Example: " +
                       std::string(kCreateExample));
      }
      intent.priority = *priority;
      continue;
    }
    if (!team_seen) {
      if (!IsTeamKey(word)) {
        return Invalid(
            "Missing team: the first word after `issue create` is a Linear team key "
            "such as ENG (`" +
            word.text + "` is not one). Example: " + std::string(kCreateExample));
      }
      intent.team_key = Upper(word.text);
      team_seen = true;
      continue;
    }
    if (!word.text.empty()) title.push_back(word.text);
  }
  if (!team_seen) {
    return Invalid("Missing team and title. Example: " + std::string(kCreateExample));
  }
  if (title.empty()) {
    return Invalid("Missing title after team " + intent.team_key +
                   ". Example: " + std::string(kCreateExample));
  }
  for (std::size_t i = 0; i < title.size(); ++i) {
    if (i > 0) intent.title += ' ';
    intent.title += title[i];
  }
  return Intent{std::move(intent)};
}

core::Result<Intent> ParseIssue(const std::vector<Word>& words, std::string description) {
  // words[0] is "issue".
  if (words.size() < 2) {
    return Invalid("Missing what to do with `issue`: try `issue create`. Example: " +
                   std::string(kCreateExample));
  }
  const std::string sub = Lower(words[1].text);
  if (sub == "create" || sub == "new") {
    return ParseCreateIssue(std::vector<Word>(words.begin() + 2, words.end()),
                            std::move(description));
  }
  return Invalid("Unknown `issue` command `" + words[1].text +
                 "`: try `issue create`. Example: " + std::string(kCreateExample));
}

}  // namespace

std::string_view IntentName(const Intent& intent) {
  return std::visit(
      [](const auto& i) -> std::string_view {
        using T = std::decay_t<decltype(i)>;
        if constexpr (std::is_same_v<T, HelpIntent>) return "help";
        if constexpr (std::is_same_v<T, PingIntent>) return "ping";
        if constexpr (std::is_same_v<T, NewIssueFormIntent>) return "new_issue_form";
        if constexpr (std::is_same_v<T, CreateIssueIntent>) return "create_issue";
        if constexpr (std::is_same_v<T, StatusIntent>) return "status";
        if constexpr (std::is_same_v<T, RetryIntent>) return "retry";
        if constexpr (std::is_same_v<T, UnknownIntent>) return "unknown";
      },
      intent);
}

std::optional<int> ParsePriority(std::string_view word) {
  const std::string w = Lower(word);
  if (w == "none" || w == "0") return 0;
  if (w == "urgent" || w == "1") return 1;
  if (w == "high" || w == "2") return 2;
  if (w == "medium" || w == "3") return 3;
  if (w == "low" || w == "4") return 4;
  return std::nullopt;
}

core::Result<Intent> ParseSlashCommand(std::string_view text) {
  // Slack lets a slash command span lines (shift-enter); lines after the first are the
  // description of `issue create` and ignored by other commands.
  const auto newline = text.find('\n');
  const std::string_view first_line = text.substr(0, newline);
  std::string rest =
      newline == std::string_view::npos ? std::string() : std::string(Trim(text.substr(newline)));

  auto words = SplitWords(first_line);
  if (!words) return core::Unexpected(words.error());
  if (words->empty()) {
    if (rest.empty()) return Intent{HelpIntent{}};
    return ParseSlashCommand(rest);
  }
  const std::string name = Lower(words->front().text);
  if (name == "help") {
    return Intent{HelpIntent{words->size() > 1 ? Lower((*words)[1].text) : std::string()}};
  }
  if (name == "ping") return Intent{PingIntent{}};
  if (name == "new") return Intent{NewIssueFormIntent{}};
  if (name == "issue") return ParseIssue(*words, std::move(rest));
  if (name == "status") return Intent{StatusIntent{}};
  if (name == "retry") {
    const std::string target = words->size() > 1 ? Lower((*words)[1].text) : std::string();
    if (target == "all") return Intent{RetryIntent{}};
    if (!target.empty() && target.find_first_not_of("0123456789") == std::string::npos &&
        target.size() < 19) {
      return Intent{RetryIntent{std::stoll(target)}};
    }
    return Invalid("Retry what? `retry all` or `retry <effect id>` (ids are in `status`).");
  }
  const auto suggestions = SuggestCommands(name);
  return Intent{UnknownIntent{words->front().text, suggestions.empty() ? "" : suggestions.front()}};
}

std::string UnknownCommandMessage(const UnknownIntent& unknown) {
  std::string message = "Unknown command `" + unknown.word + "`.";
  if (!unknown.suggestion.empty()) message += " Did you mean `" + unknown.suggestion + "`?";
  message += " Try `help` for the list.";
  return message;
}

}  // namespace contexten::intents
