#include "bot/handlers/state_request.hpp"

#include <spdlog/spdlog.h>

#include "core/logging.hpp"
#include "workflows/builtin/file_issue_events.hpp"

namespace contexten::bot::handlers {

bool MovesIssue(const std::string& intent) {
  return intent == "close" || intent == "reopen" || intent == "change_state" ||
         intent == "assign" || intent == "change_priority";
}

std::size_t NoteStateRequest(workflows::engine::Engine& engine, const std::string& intent,
                             const nlohmann::json& entities, const std::string& user,
                             const std::string& dedupe_key) {
  const std::string issue = entities.is_object() ? entities.value("issue", "") : "";
  if (!MovesIssue(intent) || issue.empty() || user.empty()) return 0;
  nlohmann::json data = {{"user", user}};
  // Which change: the card's run names the person for that one only.
  if (intent == "assign") data["change"] = "assignee";
  if (intent == "change_priority") data["change"] = "priority";
  // The types the intent_action run moves to (workflows/builtin/intent_action.hpp).
  if (intent == "close") data["state_type"] = "completed";
  if (intent == "reopen") data["state_type"] = "unstarted";
  if (intent == "change_state") data["state_name"] = entities.value("state", "");
  auto taken =
      engine.DeliverToWaiting(workflows::builtin::LinearIssueKey(issue),
                              {workflows::builtin::kSlackStateRequestEvent, data, dedupe_key});
  if (!taken) {
    static auto log = core::Logger("state_request");
    log->warn("telling {}'s runs who asked failed: {}", issue, taken.error().Describe());
    return 0;
  }
  return *taken;
}

}  // namespace contexten::bot::handlers
