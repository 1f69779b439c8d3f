#include "workflows/subscriptions/linear_feed.hpp"

#include "workflows/subscriptions/subscription.hpp"

namespace contexten::workflows::subscriptions {
namespace {

namespace lin = integrations::linear;

std::string TeamOf(const std::string& identifier) {
  const auto dash = identifier.find('-');
  return dash == std::string::npos ? "" : identifier.substr(0, dash);
}

std::string Actor(const lin::LinearEvent& event) { return event.actor ? event.actor->name : ""; }

std::optional<FeedEvent> FromIssue(const lin::LinearEvent& event,
                                   const lin::LinearIssueData& issue) {
  FeedEvent e;
  e.platform = kLinear;
  e.target = issue.team_key.empty() ? TeamOf(issue.identifier) : issue.team_key;
  e.entity_key = "linear_issue:" + issue.identifier;
  e.author = Actor(event);
  e.priority = issue.priority;
  for (const auto& label : issue.labels) e.labels.push_back(label.name);
  e.title = issue.identifier + " " + issue.title;
  e.url = issue.url;
  const std::string by = e.author.empty() ? "" : " by " + e.author;
  if (event.action == "create") {
    e.feature = "created";
    e.action = "created";
    e.opens = true;
    e.line = "created" + by;
    return e;
  }
  const bool state_moved = event.action == "update" && event.updated_from.is_object() &&
                           event.updated_from.contains("stateId");
  if (!state_moved) return std::nullopt;
  e.feature = "states";
  e.action = issue.state_type == "completed" ? "closed" : "moved";
  e.state_change = true;
  e.line = "moved to " + issue.state_name + by;
  return e;
}

std::optional<FeedEvent> FromComment(const lin::LinearEvent& event,
                                     const lin::LinearCommentData& comment) {
  if (event.action != "create" || comment.issue_identifier.empty()) return std::nullopt;
  FeedEvent e;
  e.platform = kLinear;
  e.target = TeamOf(comment.issue_identifier);
  e.feature = "comments";
  e.action = "commented";
  e.entity_key = "linear_issue:" + comment.issue_identifier;
  e.author = comment.user ? comment.user->name : Actor(event);
  e.title = comment.issue_identifier;
  e.comment_id = comment.id;
  e.url = event.url;
  std::string body = comment.body.substr(0, 300);
  if (body.size() < comment.body.size()) body += "…";
  e.line = (e.author.empty() ? std::string("Someone") : e.author) + " commented: " + body;
  return e;
}

}  // namespace

std::optional<FeedEvent> FromLinear(const lin::LinearEvent& event) {
  if (const auto* issue = std::get_if<lin::LinearIssueData>(&event.data)) {
    return FromIssue(event, *issue);
  }
  if (const auto* comment = std::get_if<lin::LinearCommentData>(&event.data)) {
    return FromComment(event, *comment);
  }
  return std::nullopt;
}

}  // namespace contexten::workflows::subscriptions
