#pragma once
// GraphQL JSON <-> the typed Linear model, in the shape our documents select. The client parses
// with the *FromJson functions (total: missing or null fields become empty values); the sandbox
// answers with the *ToJson functions, so both sides agree on one shape.

#include <nlohmann/json.hpp>

#include "integrations/linear/linear_api.hpp"

namespace contexten::integrations::linear {

Issue IssueFromJson(const nlohmann::json& j);
Comment CommentFromJson(const nlohmann::json& j);
Attachment AttachmentFromJson(const nlohmann::json& j);
Team TeamFromJson(const nlohmann::json& j);
WorkflowState WorkflowStateFromJson(const nlohmann::json& j);
User UserFromJson(const nlohmann::json& j);
Label LabelFromJson(const nlohmann::json& j);

nlohmann::json ToJson(const Issue& issue);
nlohmann::json ToJson(const Comment& comment);
nlohmann::json ToJson(const Attachment& attachment);
nlohmann::json ToJson(const Team& team);
nlohmann::json ToJson(const WorkflowState& state);
nlohmann::json ToJson(const User& user);
nlohmann::json ToJson(const Label& label);

}  // namespace contexten::integrations::linear
