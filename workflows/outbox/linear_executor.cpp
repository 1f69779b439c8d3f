#include "workflows/outbox/linear_executor.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <vector>

#include "workflows/outbox/effect_kinds.hpp"
#include "workflows/outbox/executor_args.hpp"

namespace contexten::workflows::outbox {
namespace {

using nlohmann::json;
namespace linear = integrations::linear;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

core::Result<std::string> TeamId(linear::LinearApi& api, const std::string& key) {
  auto teams = api.Teams();
  if (!teams) return core::Unexpected(teams.error());
  for (const auto& team : *teams) {
    if (team.key == key) return team.id;
  }
  return core::Unexpected(
      core::MakeError(core::ErrorKind::kNotFound, "Linear has no team with key " + key));
}

core::Result<std::string> StateId(linear::LinearApi& api, const std::string& team_key,
                                  const std::string& name) {
  auto states = api.WorkflowStates(team_key);
  if (!states) return core::Unexpected(states.error());
  for (const auto& state : *states) {
    if (Lower(state.name) == Lower(name)) return state.id;
  }
  return core::Unexpected(core::MakeError(
      core::ErrorKind::kNotFound, "team " + team_key + " has no workflow state '" + name + "'"));
}

// The team's first state of `type` (Linear lists states by position: the first "completed" is
// the one its UI calls Done).
core::Result<std::string> StateIdOfType(linear::LinearApi& api, const std::string& team_key,
                                        const std::string& type) {
  auto states = api.WorkflowStates(team_key);
  if (!states) return core::Unexpected(states.error());
  for (const auto& state : *states) {
    if (state.type == type) return state.id;
  }
  return core::Unexpected(core::MakeError(
      core::ErrorKind::kNotFound, "team " + team_key + " has no workflow state of type " + type));
}

core::Result<json> CreateIssue(
    linear::LinearApi& api, const store::EffectRecord& effect, const json& args,
    const std::function<core::Result<std::string>(const std::string&)>& team_id_for) {
  auto id = RequiredString(args, "id", effect);
  if (!id) return core::Unexpected(id.error());
  auto team_key = RequiredString(args, "team_key", effect);
  if (!team_key) return core::Unexpected(team_key.error());
  auto title = RequiredString(args, "title", effect);
  if (!title) return core::Unexpected(title.error());
  auto team_id = team_id_for(*team_key);
  if (!team_id) return core::Unexpected(team_id.error());
  linear::IssueCreateRequest request;
  request.id = *id;
  request.team_id = *team_id;
  request.title = *title;
  if (auto d = OptionalString(args, "description"); !d.empty()) request.description = d;
  if (auto a = OptionalString(args, "assignee_id"); !a.empty()) request.assignee_id = a;
  if (args.contains("priority") && args["priority"].is_number_integer()) {
    request.priority = args["priority"].get<int>();
  }
  if (args.contains("label_ids") && args["label_ids"].is_array()) {
    for (const auto& label : args["label_ids"]) {
      if (label.is_string()) request.label_ids.push_back(label.get<std::string>());
    }
  }
  auto created = api.CreateIssue(request);
  if (!created) {
    if (created.error().kind == core::ErrorKind::kConflict) {
      // Linear refuses a second entity with an id: an earlier attempt created it.
      auto existing = api.IssueByIdentifier(*id);
      if (existing) return IssueJson(*existing);
    }
    return core::Unexpected(created.error());
  }
  return IssueJson(*created);
}

core::Result<json> UpdateIssue(linear::LinearApi& api, const store::EffectRecord& effect,
                               const json& args) {
  auto issue_id = RequiredString(args, "issue_id", effect);
  if (!issue_id) return core::Unexpected(issue_id.error());
  linear::IssueUpdateRequest request;
  if (auto a = OptionalString(args, "assignee_id"); !a.empty()) request.assignee_id = a;
  if (auto t = OptionalString(args, "title"); !t.empty()) request.title = t;
  if (args.contains("priority") && args["priority"].is_number_integer()) {
    request.priority = args["priority"].get<int>();
  }
  if (auto state = OptionalString(args, "state_name"); !state.empty()) {
    auto team_key = RequiredString(args, "team_key", effect);
    if (!team_key) return core::Unexpected(team_key.error());
    auto state_id = StateId(api, *team_key, state);
    if (!state_id) return core::Unexpected(state_id.error());
    request.state_id = *state_id;
  } else if (auto type = OptionalString(args, "state_type"); !type.empty()) {
    auto team_key = RequiredString(args, "team_key", effect);
    if (!team_key) return core::Unexpected(team_key.error());
    auto state_id = StateIdOfType(api, *team_key, type);
    if (!state_id) return core::Unexpected(state_id.error());
    request.state_id = *state_id;
  }
  auto updated = api.UpdateIssue(*issue_id, request);
  if (!updated) return core::Unexpected(updated.error());
  return IssueJson(*updated);
}

core::Result<json> UserByEmail(linear::LinearApi& api, const store::EffectRecord& effect,
                               const json& args) {
  const std::string name = Lower(OptionalString(args, "name"));
  auto email = name.empty() ? RequiredString(args, "email", effect) : core::Result<std::string>("");
  if (!email) return core::Unexpected(email.error());
  auto users = api.Users();
  if (!users) return core::Unexpected(users.error());
  for (const auto& user : *users) {
    const bool match = name.empty() ? Lower(user.email) == Lower(*email)
                                    : Lower(user.name) == name || Lower(user.display_name) == name;
    if (user.active && match) {
      return json{{"found", true},
                  {"user",
                   {{"id", user.id},
                    {"name", user.name},
                    {"display_name", user.display_name},
                    {"email", user.email}}}};
    }
  }
  return json{{"found", false}};
}

core::Result<json> CreateComment(linear::LinearApi& api, const store::EffectRecord& effect,
                                 const json& args) {
  auto id = RequiredString(args, "id", effect);
  if (!id) return core::Unexpected(id.error());
  auto issue_id = RequiredString(args, "issue_id", effect);
  if (!issue_id) return core::Unexpected(issue_id.error());
  auto body = RequiredString(args, "body", effect);
  if (!body) return core::Unexpected(body.error());
  auto comment = api.CreateComment({*id, *issue_id, *body});
  if (!comment) return core::Unexpected(comment.error());
  return json{{"id", comment->id}, {"url", comment->url}};
}

core::Result<json> UpdateComment(linear::LinearApi& api, const store::EffectRecord& effect,
                                 const json& args) {
  auto id = RequiredString(args, "id", effect);
  if (!id) return core::Unexpected(id.error());
  auto body = RequiredString(args, "body", effect);
  if (!body) return core::Unexpected(body.error());
  auto updated = api.UpdateComment({*id, *body});
  if (updated) return json{{"id", *id}, {"updated", true}};
  if (updated.error().kind == core::ErrorKind::kNotFound) {
    return json{{"id", *id}, {"updated", false}, {"missing", true}};
  }
  return core::Unexpected(updated.error());
}

core::Result<json> DeleteComment(linear::LinearApi& api, const store::EffectRecord& effect,
                                 const json& args) {
  auto id = RequiredString(args, "id", effect);
  if (!id) return core::Unexpected(id.error());
  auto deleted = api.DeleteComment(*id);
  if (deleted) return json{{"id", *id}, {"deleted", true}};
  if (deleted.error().kind == core::ErrorKind::kNotFound) {
    return json{{"id", *id}, {"deleted", false}, {"missing", true}};
  }
  return core::Unexpected(deleted.error());
}

core::Result<json> LinkPullRequest(linear::LinearApi& api, const store::EffectRecord& effect,
                                   const json& args) {
  auto issue_id = RequiredString(args, "issue_id", effect);
  if (!issue_id) return core::Unexpected(issue_id.error());
  auto url = RequiredString(args, "url", effect);
  if (!url) return core::Unexpected(url.error());
  linear::AttachmentLinkRequest request;
  request.issue_id = *issue_id;
  request.url = *url;
  if (auto t = OptionalString(args, "title"); !t.empty()) request.title = t;
  auto attached = api.LinkGitHubPullRequest(request);
  if (!attached) return core::Unexpected(attached.error());
  return json{{"id", attached->id},
              {"url", attached->url},
              {"issue_identifier", attached->issue_identifier}};
}

core::Result<json> GetIssue(linear::LinearApi& api, const store::EffectRecord& effect,
                            const json& args) {
  std::string key = OptionalString(args, "identifier");
  if (key.empty()) key = OptionalString(args, "id");
  if (key.empty()) {
    auto missing = RequiredString(args, "identifier", effect);
    return core::Unexpected(missing.error());
  }
  auto issue = api.IssueByIdentifier(key);
  if (!issue) return core::Unexpected(issue.error());
  return IssueJson(*issue);
}

core::Result<json> ListTeams(linear::LinearApi& api) {
  auto teams = api.Teams();
  if (!teams) return core::Unexpected(teams.error());
  json out = json::array();
  for (const auto& team : *teams) {
    out.push_back({{"id", team.id}, {"key", team.key}, {"name", team.name}});
  }
  return json{{"teams", std::move(out)}};
}

core::Result<json> ListStates(linear::LinearApi& api, const store::EffectRecord& effect,
                              const json& args) {
  auto team_key = RequiredString(args, "team_key", effect);
  if (!team_key) return core::Unexpected(team_key.error());
  auto states = api.WorkflowStates(*team_key);
  if (!states) return core::Unexpected(states.error());
  std::stable_sort(states->begin(), states->end(),
                   [](const auto& a, const auto& b) { return a.position < b.position; });
  json out = json::array();
  for (const auto& state : *states) {
    out.push_back({{"id", state.id}, {"name", state.name}, {"type", state.type}});
  }
  return json{{"states", std::move(out)}};
}

// Issues of a team (or every team) in the given state types, each type paged to the end within
// the client's page cap (LinearGraphqlClient: 100 a page, 20 pages).
core::Result<json> SearchIssues(linear::LinearApi& api, const json& args) {
  std::vector<std::string> types;
  if (args.contains("state_types") && args["state_types"].is_array()) {
    for (const auto& t : args["state_types"]) {
      if (t.is_string()) types.push_back(t.get<std::string>());
    }
  }
  if (types.empty()) types.push_back("");
  json out = json::array();
  for (const auto& type : types) {
    linear::IssueSearchQuery query;
    if (auto team = OptionalString(args, "team_key"); !team.empty()) query.team_key = team;
    if (!type.empty()) query.state_type = type;
    query.limit = 0;  // to the end
    auto issues = api.SearchIssues(query);
    if (!issues) return core::Unexpected(issues.error());
    for (const auto& issue : *issues) {
      json labels = json::array();
      for (const auto& l : issue.labels) labels.push_back(l.name);
      std::string assignee;
      if (issue.assignee) {
        assignee = issue.assignee->display_name.empty() ? issue.assignee->name
                                                        : issue.assignee->display_name;
      }
      out.push_back({{"identifier", issue.identifier},
                     {"title", issue.title},
                     {"url", issue.url},
                     {"team", issue.team_key},
                     {"state", issue.state.name},
                     {"state_type", issue.state.type},
                     {"assignee", assignee},
                     {"created_at_ms", EpochMsFromIso8601(issue.created_at)},
                     {"updated_at_ms", EpochMsFromIso8601(issue.updated_at)},
                     {"labels", std::move(labels)}});
    }
  }
  return json{{"issues", std::move(out)}};
}

}  // namespace

json IssueJson(const linear::Issue& issue) {
  json j = {
      {"id", issue.id},
      {"identifier", issue.identifier},
      {"title", issue.title},
      {"url", issue.url},
      {"priority", issue.priority},
      {"team_key", issue.team_key},
      {"state", {{"id", issue.state.id}, {"name", issue.state.name}, {"type", issue.state.type}}}};
  if (issue.assignee) {
    j["assignee"] = {{"id", issue.assignee->id},
                     {"name", issue.assignee->name},
                     {"display_name", issue.assignee->display_name}};
  } else {
    j["assignee"] = nullptr;
  }
  return j;
}

core::Result<json> LinearExecutor::Execute(const store::EffectRecord& effect) {
  auto parsed = ParseArgs(effect);
  if (!parsed) return core::Unexpected(parsed.error());
  if (effect.kind == kLinearCreateIssue) {
    return CreateIssue(linear_, effect, *parsed,
                       [this](const std::string& key) { return TeamIdFor(key); });
  }
  if (effect.kind == kLinearUpdateIssue) return UpdateIssue(linear_, effect, *parsed);
  if (effect.kind == kLinearUserByEmail) return UserByEmail(linear_, effect, *parsed);
  if (effect.kind == kLinearCreateComment) return CreateComment(linear_, effect, *parsed);
  if (effect.kind == kLinearUpdateComment) return UpdateComment(linear_, effect, *parsed);
  if (effect.kind == kLinearDeleteComment) return DeleteComment(linear_, effect, *parsed);
  if (effect.kind == kLinearGetIssue) return GetIssue(linear_, effect, *parsed);
  if (effect.kind == kLinearLinkPullRequest) return LinkPullRequest(linear_, effect, *parsed);
  if (effect.kind == kLinearListTeams) return ListTeams(linear_);
  if (effect.kind == kLinearListStates) return ListStates(linear_, effect, *parsed);
  if (effect.kind == kLinearSearchIssues) return SearchIssues(linear_, *parsed);
  return core::Unexpected(UnknownKind(effect));
}

core::Result<std::optional<json>> LinearExecutor::Lookup(const store::EffectRecord& effect) {
  if (effect.kind != kLinearCreateIssue) return std::optional<json>();  // the rest repeat safely
  auto parsed = ParseArgs(effect);
  if (!parsed) return core::Unexpected(parsed.error());
  auto id = RequiredString(*parsed, "id", effect);
  if (!id) return core::Unexpected(id.error());
  auto existing = linear_.IssueByIdentifier(*id);
  if (existing) return std::optional<json>(IssueJson(*existing));
  if (existing.error().kind == core::ErrorKind::kNotFound) return std::optional<json>();
  return core::Unexpected(existing.error());
}

core::Result<std::string> LinearExecutor::TeamIdFor(const std::string& key) {
  {
    std::lock_guard lock(team_ids_mu_);
    if (auto it = team_ids_.find(key); it != team_ids_.end()) return it->second;
  }
  auto id = TeamId(linear_, key);
  if (!id) return id;
  std::lock_guard lock(team_ids_mu_);
  team_ids_[key] = *id;
  return id;
}

}  // namespace contexten::workflows::outbox
