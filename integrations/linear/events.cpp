#include "integrations/linear/events.hpp"

#include <cmath>

#include "core/json_fields.hpp"

namespace contexten::integrations::linear {
namespace {

using core::json_fields::At;
using core::json_fields::Str;

using Json = nlohmann::json;

// Linear's schema types counts and timestamps as Float; accept integers and integral floats.
std::optional<int64_t> OptInt(const Json& j, std::string_view key) {
  const Json& v = At(j, key);
  if (v.is_number_integer() || v.is_number_unsigned()) return v.get<int64_t>();
  if (v.is_number_float()) {
    const double d = v.get<double>();
    if (std::isfinite(d) && std::fabs(d) < 9.0e15) return static_cast<int64_t>(d);
  }
  return std::nullopt;
}

std::optional<LinearUserRef> User(const Json& j) {
  if (!j.is_object()) return std::nullopt;
  return LinearUserRef{Str(j, "id"), Str(j, "name"), Str(j, "email")};
}

core::Error Invalid(std::string what) {
  return core::MakeError(core::ErrorKind::kInvalidInput, "linear webhook: " + what);
}

LinearIssueData ParseIssue(const Json& d) {
  LinearIssueData issue;
  issue.id = Str(d, "id");
  issue.identifier = Str(d, "identifier");
  issue.title = Str(d, "title");
  issue.description = Str(d, "description");
  issue.state_name = Str(At(d, "state"), "name");
  issue.state_type = Str(At(d, "state"), "type");
  issue.team_key = Str(At(d, "team"), "key");
  if (issue.team_key.empty()) {
    const auto dash = issue.identifier.find('-');
    if (dash != std::string::npos) issue.team_key = issue.identifier.substr(0, dash);
  }
  issue.assignee = User(At(d, "assignee"));
  issue.priority = static_cast<int>(OptInt(d, "priority").value_or(0));
  issue.priority_label = Str(d, "priorityLabel");
  issue.url = Str(d, "url");
  issue.updated_at = Str(d, "updatedAt");
  const Json& labels = At(d, "labels");
  if (labels.is_array()) {
    for (const Json& l : labels) {
      if (l.is_object()) issue.labels.push_back({Str(l, "id"), Str(l, "name"), Str(l, "color")});
    }
  }
  return issue;
}

LinearCommentData ParseComment(const Json& d) {
  LinearCommentData comment;
  comment.id = Str(d, "id");
  comment.body = Str(d, "body");
  comment.issue_id = Str(d, "issueId");
  const Json& issue = At(d, "issue");
  if (comment.issue_id.empty()) comment.issue_id = Str(issue, "id");
  comment.issue_identifier = Str(issue, "identifier");
  comment.user = User(At(d, "user"));
  comment.updated_at = Str(d, "updatedAt");
  return comment;
}

LinearAttachmentData ParseAttachment(const Json& d) {
  LinearAttachmentData attachment;
  attachment.id = Str(d, "id");
  attachment.url = Str(d, "url");
  attachment.title = Str(d, "title");
  attachment.subtitle = Str(d, "subtitle");
  attachment.issue_id = Str(d, "issueId");
  attachment.source_type = Str(d, "sourceType");
  if (attachment.source_type.empty()) attachment.source_type = Str(At(d, "source"), "type");
  return attachment;
}

LinearIssueLabelData ParseIssueLabel(const Json& d) {
  return {Str(d, "id"), Str(d, "name"), Str(d, "color")};
}

LinearProjectData ParseProject(const Json& d) {
  LinearProjectData project{Str(d, "id"), Str(d, "name"), Str(d, "state"), Str(d, "url")};
  if (project.state.empty()) project.state = Str(At(d, "status"), "name");
  return project;
}

core::Result<LinearEvent> ParseParsed(const Json& body) {
  LinearEvent event;
  event.action = Str(body, "action");
  event.type = Str(body, "type");
  if (event.action.empty()) return Invalid("missing \"action\"");
  if (event.type.empty()) return Invalid("missing \"type\"");
  event.created_at = Str(body, "createdAt");
  event.url = Str(body, "url");
  event.webhook_timestamp_ms = OptInt(body, "webhookTimestamp");
  event.webhook_id = Str(body, "webhookId");
  event.organization_id = Str(body, "organizationId");
  event.actor = User(At(body, "actor"));
  const Json& updated_from = At(body, "updatedFrom");
  if (updated_from.is_object()) event.updated_from = updated_from;

  const Json& data = At(body, "data");
  const bool handled = event.type == "Issue" || event.type == "Comment" ||
                       event.type == "Attachment" || event.type == "IssueLabel" ||
                       event.type == "Project";
  if (!handled) {
    event.data = UnhandledLinearEvent{event.type, event.action};
    return event;
  }
  if (!data.is_object()) return Invalid(event.type + " event without a \"data\" object");
  if (event.type == "Issue") {
    event.data = ParseIssue(data);
  } else if (event.type == "Comment") {
    event.data = ParseComment(data);
  } else if (event.type == "Attachment") {
    event.data = ParseAttachment(data);
  } else if (event.type == "IssueLabel") {
    event.data = ParseIssueLabel(data);
  } else {
    event.data = ParseProject(data);
  }
  // The envelope url is the entity's; fall back to it when data carries none.
  if (auto* issue = std::get_if<LinearIssueData>(&event.data); issue && issue->url.empty()) {
    issue->url = event.url;
  }
  return event;
}

}  // namespace

core::Result<LinearEvent> ParseLinearWebhook(std::string_view body) {
  const Json json = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Invalid("body is not valid JSON");
  if (!json.is_object()) return Invalid("body is not a JSON object");
  // Accessors never throw, but a bug must still not escape as an exception.
  try {
    return ParseParsed(json);
  } catch (const std::exception& e) {
    return Invalid(std::string("unexpected payload shape: ") + e.what());
  }
}

}  // namespace contexten::integrations::linear
