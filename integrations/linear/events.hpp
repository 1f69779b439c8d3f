#pragma once
// Typed Linear data-change webhooks: the envelope every delivery shares plus the fields
// workflows use for the entity types we act on. Parsing is total (never throws); fields Linear
// leaves out or sends as null are empty / nullopt.
// https://linear.app/developers/webhooks ; shapes: *WebhookPayload types in
// ../shared/contracts/linear/schema.graphql.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace contexten::integrations::linear {

struct LinearUserRef {
  std::string id;
  std::string name;
  std::string email;
};

struct LinearLabelRef {
  std::string id;
  std::string name;
  std::string color;
};

struct LinearIssueData {
  std::string id;
  std::string identifier;  // "ENG-123"
  std::string title;
  std::string description;
  std::string state_name;  // "In Progress"
  std::string state_type;  // "triage" | "backlog" | "unstarted" | "started" | "completed" | ...
  std::string team_key;    // "ENG"; from data.team, else the identifier's prefix
  std::optional<LinearUserRef> assignee;
  int priority = 0;  // 0 none, 1 urgent, 2 high, 3 medium, 4 low
  std::string priority_label;
  std::string url;
  std::vector<LinearLabelRef> labels;
  // ISO 8601 with milliseconds, as Linear writes it: orders deliveries of one issue, which
  // Linear does not promise to deliver (or retry) in order.
  std::string updated_at;
};

struct LinearCommentData {
  std::string id;
  std::string body;
  std::string issue_id;
  std::string issue_identifier;  // from data.issue when Linear includes it
  std::optional<LinearUserRef> user;
  // ISO 8601 with milliseconds: orders deliveries of one comment's edits, which Linear does not
  // promise to deliver (or retry) in order.
  std::string updated_at;
};

struct LinearAttachmentData {
  std::string id;
  std::string url;
  std::string title;
  std::string subtitle;
  std::string issue_id;
  std::string source_type;  // "github", "slack", ...
};

struct LinearIssueLabelData {
  std::string id;
  std::string name;
  std::string color;
};

struct LinearProjectData {
  std::string id;
  std::string name;
  std::string state;  // legacy "state", else the project status name
  std::string url;
};

// Any other entity type (Cycle, Reaction, ProjectUpdate, ...); acked and recorded only.
struct UnhandledLinearEvent {
  std::string type;
  std::string action;
};

using LinearEventData = std::variant<LinearIssueData, LinearCommentData, LinearAttachmentData,
                                     LinearIssueLabelData, LinearProjectData, UnhandledLinearEvent>;

struct LinearEvent {
  std::string action;  // "create" | "update" | "remove" (others passed through)
  std::string type;    // "Issue", "Comment", "Attachment", "IssueLabel", "Project", ...
  std::string created_at;
  std::string url;
  std::optional<int64_t> webhook_timestamp_ms;
  std::string webhook_id;
  std::string organization_id;
  std::optional<LinearUserRef> actor;
  // Previous values of the changed fields on "update" (e.g. {"stateId": "..."}); null otherwise.
  nlohmann::json updated_from;
  LinearEventData data;
};

// Invalid JSON, a non-object body, a missing "action" or "type", or a handled type without a
// "data" object -> kInvalidInput.
core::Result<LinearEvent> ParseLinearWebhook(std::string_view body);

}  // namespace contexten::integrations::linear
