#include "intents/understanding.hpp"

#include <algorithm>
#include <cmath>

#include "intents/grammar.hpp"
#include "intents/natural_language.hpp"
#include "intents/text.hpp"

namespace contexten::intents {
namespace {

// Slack caps a message at 40,000 characters; nobody asks a bot anything in more than this. The
// rest is never looked at, which bounds the work on hostile input.
constexpr std::size_t kMaxInputBytes = 16 * 1024;

// Commands a mention may also spell as in `/ctx`: when the first word is one of these and the
// grammar reads the rest without complaint, the grammar's reading stands. Others ("status of
// ENG-1", "deploy acme/web to prod") read better as prose.
constexpr std::string_view kMentionCommands[] = {
    "issue",       "help",          "report", "trace", "subscribe",
    "unsubscribe", "subscriptions", "whoami", "audit", "ping"};

std::string FirstWordAfterMention(std::string_view text) {
  text = TrimSpace(text);
  if (text.starts_with("<@")) {
    const auto close = text.find('>');
    if (close != std::string_view::npos) text = TrimSpace(text.substr(close + 1));
  }
  return AsciiLower(text.substr(0, text.find_first_of(" \t\n")));
}

std::string AfterMention(std::string_view text) {
  std::string_view t = TrimSpace(text);
  if (t.starts_with("<@")) {
    const auto close = t.find('>');
    if (close != std::string_view::npos) t = TrimSpace(t.substr(close + 1));
  }
  return std::string(t);
}

// Two decimals: enough to compare with a threshold, and stable in transcripts.
double Rounded(double confidence) { return std::round(confidence * 100) / 100; }

}  // namespace

Understanding Understand(std::string_view text, const UtteranceContext& context) {
  try {
    const std::string clean = SanitizeUtf8(text, kMaxInputBytes);
    if (context.source == UtteranceContext::Source::kSlashCommand) {
      Understanding command = ParseCommand(clean);
      // "/ctx create a bug in ENG for ..." is prose after the slash: read it as such.
      if (command.intent == "none" && !command.offending_word.empty() &&
          command.suggestion.empty()) {
        Understanding prose = UnderstandNaturalLanguage(clean, context);
        if (prose.intent != "none") return prose;
      }
      return command;
    }
    const std::string first = FirstWordAfterMention(clean);
    if (std::find(std::begin(kMentionCommands), std::end(kMentionCommands), first) !=
        std::end(kMentionCommands)) {
      Understanding command = ParseCommand(AfterMention(clean));
      const bool known_topic =
          command.intent != "help" || !command.entities.contains("topic") ||
          !HelpText(command.entities["topic"].get<std::string>()).starts_with("No help");
      if (command.error.empty() && command.missing.empty() && command.confidence >= 1 &&
          known_topic) {
        return command;
      }
    } else if (Understanding command = ParseCommand(AfterMention(clean));
               !command.suggestion.empty() && command.error.empty() && command.missing.empty() &&
               std::find(std::begin(kMentionCommands), std::end(kMentionCommands),
                         command.suggestion.substr(0, command.suggestion.find(' '))) !=
                   std::end(kMentionCommands)) {
      // "isue create ENG ..." in a mention: the command it almost is, to be confirmed.
      return command;
    }
    return UnderstandNaturalLanguage(clean, context);
  } catch (const std::exception& e) {
    // Parsing allocates; nothing else should throw. Never let a message take the bot down.
    Understanding out;
    out.error = "could not read that message";
    return out;
  }
}

bool IsDestructive(std::string_view intent) {
  return intent == "close" || intent == "deploy" || intent == "rerun" || intent == "unsubscribe";
}

nlohmann::json ToJson(const Understanding& u) {
  nlohmann::json out = {
      {"intent", u.intent}, {"confidence", Rounded(u.confidence)}, {"entities", u.entities}};
  if (!u.missing.empty()) out["missing"] = u.missing;
  if (!u.error.empty()) out["error"] = u.error;
  if (!u.suggestion.empty()) out["suggestion"] = u.suggestion;
  if (!u.offending_word.empty()) out["offending_word"] = u.offending_word;
  if (!u.alternatives.empty()) {
    nlohmann::json alternatives = nlohmann::json::array();
    for (const auto& alt : u.alternatives) {
      alternatives.push_back({{"intent", alt.intent}, {"confidence", Rounded(alt.confidence)}});
    }
    out["alternatives"] = alternatives;
  }
  return out;
}

std::optional<UtteranceContext::Source> SourceFromName(std::string_view name) {
  using Source = UtteranceContext::Source;
  if (name == "command" || name == "slash") return Source::kSlashCommand;
  if (name == "mention") return Source::kMention;
  if (name == "dm" || name == "im") return Source::kDirectMessage;
  if (name == "thread") return Source::kThreadReply;
  return std::nullopt;
}

std::string_view SourceName(UtteranceContext::Source source) {
  switch (source) {
    case UtteranceContext::Source::kSlashCommand:
      return "command";
    case UtteranceContext::Source::kMention:
      return "mention";
    case UtteranceContext::Source::kDirectMessage:
      return "dm";
    case UtteranceContext::Source::kThreadReply:
      return "thread";
  }
  return "mention";
}

}  // namespace contexten::intents
