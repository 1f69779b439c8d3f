#include "integrations/linear/linear_json.hpp"

#include "core/json_fields.hpp"

namespace contexten::integrations::linear {
namespace {

using core::json_fields::At;
using core::json_fields::Str;

using Json = nlohmann::json;

double Num(const Json& j, const char* key) {
  const Json& v = At(j, key);
  return v.is_number() ? v.get<double>() : 0.0;
}

Json OrNull(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

}  // namespace

Issue IssueFromJson(const Json& j) {
  Issue issue;
  issue.id = Str(j, "id");
  issue.identifier = Str(j, "identifier");
  issue.number = static_cast<int>(Num(j, "number"));
  issue.title = Str(j, "title");
  issue.description = Str(j, "description");
  issue.url = Str(j, "url");
  issue.branch_name = Str(j, "branchName");
  issue.priority = static_cast<int>(Num(j, "priority"));
  issue.created_at = Str(j, "createdAt");
  issue.updated_at = Str(j, "updatedAt");
  const Json& state = At(j, "state");
  issue.state = {Str(state, "id"), Str(state, "name"), Str(state, "type")};
  issue.team_id = Str(At(j, "team"), "id");
  issue.team_key = Str(At(j, "team"), "key");
  if (const Json& a = At(j, "assignee"); a.is_object()) {
    issue.assignee = UserRef{Str(a, "id"), Str(a, "name"), Str(a, "displayName"), Str(a, "email")};
  }
  if (const Json& nodes = At(At(j, "labels"), "nodes"); nodes.is_array()) {
    for (const Json& l : nodes)
      issue.labels.push_back({Str(l, "id"), Str(l, "name"), Str(l, "color")});
  }
  return issue;
}

Comment CommentFromJson(const Json& j) {
  return Comment{Str(j, "id"),
                 Str(j, "body"),
                 Str(j, "url"),
                 Str(j, "createdAt"),
                 Str(At(j, "user"), "id"),
                 Str(At(j, "user"), "name"),
                 Str(At(j, "issue"), "id"),
                 Str(At(j, "issue"), "identifier")};
}

Attachment AttachmentFromJson(const Json& j) {
  return Attachment{Str(j, "id"),  Str(j, "title"),           Str(j, "subtitle"),
                    Str(j, "url"), Str(At(j, "issue"), "id"), Str(At(j, "issue"), "identifier")};
}

Team TeamFromJson(const Json& j) { return Team{Str(j, "id"), Str(j, "key"), Str(j, "name")}; }

WorkflowState WorkflowStateFromJson(const Json& j) {
  return WorkflowState{
      Str(j, "id"),    Str(j, "name"),           Str(j, "type"),           Num(j, "position"),
      Str(j, "color"), Str(At(j, "team"), "id"), Str(At(j, "team"), "key")};
}

User UserFromJson(const Json& j) {
  const Json& active = At(j, "active");
  return User{Str(j, "id"), Str(j, "name"), Str(j, "displayName"), Str(j, "email"),
              active.is_boolean() ? active.get<bool>() : true};
}

Label LabelFromJson(const Json& j) {
  return Label{Str(j, "id"), Str(j, "name"), Str(j, "color"), Str(At(j, "team"), "id"),
               Str(At(j, "team"), "key")};
}

Json ToJson(const Issue& issue) {
  Json labels = Json::array();
  for (const auto& l : issue.labels)
    labels.push_back({{"id", l.id}, {"name", l.name}, {"color", l.color}});
  Json assignee = nullptr;
  if (issue.assignee) {
    assignee = {{"id", issue.assignee->id},
                {"name", issue.assignee->name},
                {"displayName", issue.assignee->display_name},
                {"email", issue.assignee->email}};
  }
  return {
      {"id", issue.id},
      {"identifier", issue.identifier},
      {"number", issue.number},
      {"title", issue.title},
      {"description", OrNull(issue.description)},
      {"url", issue.url},
      {"branchName", issue.branch_name},
      {"priority", issue.priority},
      {"createdAt", issue.created_at},
      {"updatedAt", issue.updated_at},
      {"state", {{"id", issue.state.id}, {"name", issue.state.name}, {"type", issue.state.type}}},
      {"team", {{"id", issue.team_id}, {"key", issue.team_key}}},
      {"assignee", assignee},
      {"labels", {{"nodes", labels}}}};
}

Json ToJson(const Comment& c) {
  return {
      {"id", c.id},
      {"body", c.body},
      {"url", c.url},
      {"createdAt", c.created_at},
      {"user", c.user_id.empty() ? Json(nullptr) : Json{{"id", c.user_id}, {"name", c.user_name}}},
      {"issue", {{"id", c.issue_id}, {"identifier", c.issue_identifier}}}};
}

Json ToJson(const Attachment& a) {
  return {{"id", a.id},
          {"title", a.title},
          {"subtitle", OrNull(a.subtitle)},
          {"url", a.url},
          {"issue", {{"id", a.issue_id}, {"identifier", a.issue_identifier}}}};
}

Json ToJson(const Team& t) { return {{"id", t.id}, {"key", t.key}, {"name", t.name}}; }

Json ToJson(const WorkflowState& s) {
  return {{"id", s.id},       {"name", s.name},
          {"type", s.type},   {"position", s.position},
          {"color", s.color}, {"team", {{"id", s.team_id}, {"key", s.team_key}}}};
}

Json ToJson(const User& u) {
  return {{"id", u.id},
          {"name", u.name},
          {"displayName", u.display_name},
          {"email", u.email},
          {"active", u.active}};
}

Json ToJson(const Label& l) {
  return {
      {"id", l.id},
      {"name", l.name},
      {"color", l.color},
      {"team", l.team_id.empty() ? Json(nullptr) : Json{{"id", l.team_id}, {"key", l.team_key}}}};
}

}  // namespace contexten::integrations::linear
