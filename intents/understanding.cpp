#include "intents/understanding.hpp"

#include <algorithm>
#include <variant>

#include "intents/intent.hpp"

namespace contexten::intents {
namespace {

constexpr std::string_view kPriorityNames[] = {"", "urgent", "high", "medium", "low"};

// The slash grammar's typed intents in the shape every source shares.
Understanding FromIntent(const Intent& intent) {
  Understanding out;
  out.confidence = 1.0;
  if (const auto* create = std::get_if<CreateIssueIntent>(&intent)) {
    out.intent = "create_issue";
    out.entities["team"] = create->team_key;
    out.entities["title"] = create->title;
    if (!create->description.empty()) out.entities["body"] = create->description;
    if (create->priority > 0 && create->priority < 5) {
      out.entities["priority"] = std::string(kPriorityNames[create->priority]);
    }
  } else if (const auto* help = std::get_if<HelpIntent>(&intent)) {
    out.intent = "help";
    if (!help->topic.empty()) out.entities["topic"] = help->topic;
  } else if (const auto* unknown = std::get_if<UnknownIntent>(&intent)) {
    out.intent = "none";
    out.confidence = 0;
    out.error = UnknownCommandMessage(*unknown);
    out.suggestion = unknown->suggestion;
  } else {
    out.intent = std::string(IntentName(intent));
  }
  return out;
}

}  // namespace

Understanding Understand(std::string_view text, const UtteranceContext& context) {
  (void)context;
  auto intent = ParseSlashCommand(text);
  if (!intent) {
    Understanding out;
    out.error = intent.error().message;
    return out;
  }
  return FromIntent(*intent);
}

bool IsDestructive(std::string_view intent) {
  return intent == "close" || intent == "deploy" || intent == "rerun" || intent == "unsubscribe";
}

}  // namespace contexten::intents
