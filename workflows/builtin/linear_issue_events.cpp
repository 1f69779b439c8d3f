#include "workflows/builtin/linear_issue_events.hpp"

#include "workflows/builtin/file_issue_events.hpp"

namespace contexten::workflows::builtin {
namespace {

using nlohmann::json;
namespace linear = integrations::linear;

json User(const std::optional<linear::LinearUserRef>& user) {
  if (!user) return nullptr;
  return {{"id", user->id}, {"name", user->name}};
}

}  // namespace

std::optional<RoutedEvent> RouteLinearEvent(const linear::LinearEvent& event,
                                            const std::string& event_key) {
  const std::string actor = event.actor ? event.actor->name : "";
  if (const auto* issue = std::get_if<linear::LinearIssueData>(&event.data)) {
    if (event.action != "update" && event.action != "create") return std::nullopt;
    json changed = json::array();
    if (event.updated_from.is_object()) {
      for (const auto& [field, value] : event.updated_from.items()) changed.push_back(field);
    }
    json data = {{"issue",
                  {{"id", issue->id},
                   {"identifier", issue->identifier},
                   {"title", issue->title},
                   {"url", issue->url},
                   {"priority", issue->priority},
                   {"state", {{"name", issue->state_name}, {"type", issue->state_type}}},
                   {"assignee", User(issue->assignee)},
                   {"updated_at", issue->updated_at}}},
                 {"actor", actor},
                 {"changed", changed}};
    return RoutedEvent{LinearIssueKey(issue->id), {kLinearIssueEvent, std::move(data), event_key}};
  }
  if (const auto* comment = std::get_if<linear::LinearCommentData>(&event.data)) {
    // Synced threads follow edits and deletions too (issue 10): "update" and "remove" reach the
    // run with their action, which finds the Slack reply that mirrors the comment.
    const bool known =
        event.action == "create" || event.action == "update" || event.action == "remove";
    if (!known || comment->issue_id.empty()) return std::nullopt;
    json data = {{"comment",
                  {{"id", comment->id},
                   {"body", comment->body},
                   {"user", comment->user ? comment->user->name : actor},
                   {"updated_at", comment->updated_at}}},
                 {"actor", actor},
                 {"action", event.action}};
    return RoutedEvent{LinearIssueKey(comment->issue_id),
                       {kLinearCommentEvent, std::move(data), event_key}};
  }
  return std::nullopt;
}

}  // namespace contexten::workflows::builtin
