#pragma once
// An in-memory LinearApi for unit tests of code above the port (executors, workflows): seeded
// teams, workflow states, users and labels; issues and comments with client-chosen ids (a
// second create with an id in use answers kConflict, as Linear does: "Entity already exists");
// identifiers KEY-1, KEY-2, ... per team; scripted failures, including ones whose outcome is
// unknown although the request was applied; and call counts per method.

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "integrations/linear/linear_api.hpp"
#include "tests/support/fakes/scripted_failures.hpp"

namespace contexten::testing {

class FakeLinearApi final : public integrations::linear::LinearApi {
 public:
  // Seeds team ENG (states Backlog, Todo, In Progress, Done, Canceled) and two active users,
  // alice@example.com (id "user-alice") and bob@example.com (id "user-bob").
  FakeLinearApi() {
    AddTeam("ENG", "Engineering");
    AddUser("user-alice", "Alice", "alice@example.com");
    AddUser("user-bob", "Bob", "bob@example.com");
  }

  // Seeding. A team gets the five default states, ids "<key>-backlog", "<key>-todo", ...
  integrations::linear::Team AddTeam(const std::string& key, const std::string& name) {
    std::lock_guard lock(mu_);
    integrations::linear::Team team{"team-" + Lower(key), key, name};
    teams_.push_back(team);
    const std::pair<const char*, const char*> states[] = {{"Backlog", "backlog"},
                                                          {"Todo", "unstarted"},
                                                          {"In Progress", "started"},
                                                          {"Done", "completed"},
                                                          {"Canceled", "canceled"}};
    double position = 0;
    for (const auto& [state_name, type] : states) {
      integrations::linear::WorkflowState s;
      s.id = Lower(key) + "-" + Lower(type);
      s.name = state_name;
      s.type = type;
      s.position = position++;
      s.team_id = team.id;
      s.team_key = key;
      states_.push_back(s);
    }
    return team;
  }
  void AddUser(const std::string& id, const std::string& name, const std::string& email,
               bool active = true) {
    std::lock_guard lock(mu_);
    users_.push_back({id, name, Lower(name), email, active});
  }
  void AddLabel(const std::string& id, const std::string& name, const std::string& team_key = {}) {
    std::lock_guard lock(mu_);
    const auto* team = TeamByKey(team_key);
    labels_.push_back({id, name, "#888888", team ? team->id : "", team ? team->key : ""});
  }

  // The next `n` calls (of `method`, e.g. "CreateIssue"; of any method when empty) fail with
  // `error`. `applied`: whether a failing mutation still took effect on "Linear" (it was sent,
  // the answer was lost); by default, exactly when error.outcome_unknown.
  void FailNext(int n, core::Error error, std::string method = {},
                std::optional<bool> applied = std::nullopt) {
    std::lock_guard lock(mu_);
    script_.Add(n, error, method, applied);
  }

  int Calls(const std::string& method) const {
    std::lock_guard lock(mu_);
    return script_.Calls(method);
  }
  std::vector<integrations::linear::Issue> issues() const {
    std::lock_guard lock(mu_);
    return issues_;
  }
  std::vector<integrations::linear::Comment> comments() const {
    std::lock_guard lock(mu_);
    return comments_;
  }
  std::vector<integrations::linear::Attachment> attachments() const {
    std::lock_guard lock(mu_);
    return attachments_;
  }

  core::Result<integrations::linear::Issue> CreateIssue(
      const integrations::linear::IssueCreateRequest& request) override {
    std::lock_guard lock(mu_);
    return script_.Mutate("CreateIssue", [&] { return DoCreateIssue(request); });
  }
  core::Result<integrations::linear::Issue> UpdateIssue(
      const std::string& id, const integrations::linear::IssueUpdateRequest& request) override {
    std::lock_guard lock(mu_);
    return script_.Mutate("UpdateIssue", [&] { return DoUpdateIssue(id, request); });
  }
  core::Result<integrations::linear::Comment> CreateComment(
      const integrations::linear::CommentCreateRequest& request) override {
    std::lock_guard lock(mu_);
    return script_.Mutate("CreateComment", [&] { return DoCreateComment(request); });
  }
  core::Result<integrations::linear::Comment> UpdateComment(
      const integrations::linear::CommentUpdateRequest& request) override {
    std::lock_guard lock(mu_);
    return script_.Mutate("UpdateComment", [&]() -> core::Result<integrations::linear::Comment> {
      for (auto& c : comments_) {
        if (c.id == request.id) {
          c.body = request.body;
          return c;
        }
      }
      return Err(core::ErrorKind::kNotFound, "Entity not found: Comment");
    });
  }
  core::Status DeleteComment(const std::string& comment_id) override {
    std::lock_guard lock(mu_);
    auto deleted = script_.Mutate("DeleteComment", [&]() -> core::Result<bool> {
      for (auto it = comments_.begin(); it != comments_.end(); ++it) {
        if (it->id == comment_id) {
          comments_.erase(it);
          return true;
        }
      }
      return Err(core::ErrorKind::kNotFound, "Entity not found: Comment");
    });
    if (!deleted) return core::Unexpected(deleted.error());
    return core::Ok();
  }
  core::Result<integrations::linear::Attachment> LinkUrl(
      const integrations::linear::AttachmentLinkRequest& request) override {
    std::lock_guard lock(mu_);
    return script_.Mutate("LinkUrl", [&] { return DoLink(request); });
  }
  core::Result<integrations::linear::Attachment> LinkGitHubPullRequest(
      const integrations::linear::AttachmentLinkRequest& request) override {
    std::lock_guard lock(mu_);
    return script_.Mutate("LinkGitHubPullRequest", [&] { return DoLink(request); });
  }

  core::Result<integrations::linear::Issue> IssueByIdentifier(
      const std::string& id_or_identifier) override {
    std::lock_guard lock(mu_);
    if (auto failure = script_.Begin("IssueByIdentifier")) return core::Unexpected(failure->error);
    const auto* issue = FindIssue(id_or_identifier);
    if (issue == nullptr) return Err(core::ErrorKind::kNotFound, "Entity not found: Issue");
    return *issue;
  }

  core::Result<std::vector<integrations::linear::Issue>> SearchIssues(
      const integrations::linear::IssueSearchQuery& query) override {
    std::lock_guard lock(mu_);
    if (auto failure = script_.Begin("SearchIssues")) return core::Unexpected(failure->error);
    std::vector<integrations::linear::Issue> out;
    for (const auto& issue : issues_) {
      if (static_cast<int>(out.size()) >= query.limit) break;
      if (Matches(issue, query)) out.push_back(issue);
    }
    return out;
  }

  core::Result<std::optional<integrations::linear::Issue>> IssueByBranch(
      const std::string& branch_name) override {
    std::lock_guard lock(mu_);
    if (auto failure = script_.Begin("IssueByBranch")) return core::Unexpected(failure->error);
    for (const auto& issue : issues_) {
      if (issue.branch_name == Lower(branch_name)) {
        return std::optional<integrations::linear::Issue>(issue);
      }
    }
    return std::optional<integrations::linear::Issue>();
  }

  core::Result<std::vector<integrations::linear::Team>> Teams() override {
    std::lock_guard lock(mu_);
    if (auto failure = script_.Begin("Teams")) return core::Unexpected(failure->error);
    return teams_;
  }
  core::Result<std::vector<integrations::linear::WorkflowState>> WorkflowStates(
      const std::string& team_key) override {
    std::lock_guard lock(mu_);
    if (auto failure = script_.Begin("WorkflowStates")) return core::Unexpected(failure->error);
    if (TeamByKey(team_key) == nullptr) {
      return Err(core::ErrorKind::kNotFound, "Entity not found: Team");
    }
    std::vector<integrations::linear::WorkflowState> out;
    for (const auto& s : states_) {
      if (s.team_key == team_key) out.push_back(s);
    }
    return out;
  }
  core::Result<std::vector<integrations::linear::User>> Users() override {
    std::lock_guard lock(mu_);
    if (auto failure = script_.Begin("Users")) return core::Unexpected(failure->error);
    return users_;
  }
  core::Result<std::vector<integrations::linear::Label>> Labels() override {
    std::lock_guard lock(mu_);
    if (auto failure = script_.Begin("Labels")) return core::Unexpected(failure->error);
    return labels_;
  }

 private:
  static std::string Lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
  }
  static core::Unexpected Err(core::ErrorKind kind, std::string message) {
    return core::Unexpected(core::MakeError(kind, std::move(message)));
  }
  static integrations::linear::UserRef Ref(const integrations::linear::User& u) {
    return {u.id, u.name, u.display_name, u.email};
  }

  std::string NewUuid() {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "00000000-0000-4000-8000-%012d", ++next_uuid_);
    return buffer;
  }

  integrations::linear::Issue* FindIssue(const std::string& id_or_identifier) {
    for (auto& issue : issues_) {
      if (issue.id == id_or_identifier || issue.identifier == id_or_identifier) return &issue;
    }
    return nullptr;
  }
  const integrations::linear::Team* TeamById(const std::string& id) const {
    for (const auto& t : teams_) {
      if (t.id == id) return &t;
    }
    return nullptr;
  }
  const integrations::linear::Team* TeamByKey(const std::string& key) const {
    for (const auto& t : teams_) {
      if (t.key == key) return &t;
    }
    return nullptr;
  }
  const integrations::linear::WorkflowState* StateById(const std::string& id,
                                                       const std::string& team_id) const {
    for (const auto& s : states_) {
      if (s.id == id && s.team_id == team_id) return &s;
    }
    return nullptr;
  }
  const integrations::linear::User* UserById(const std::string& id) const {
    for (const auto& u : users_) {
      if (u.id == id) return &u;
    }
    return nullptr;
  }

  bool Matches(const integrations::linear::Issue& issue,
               const integrations::linear::IssueSearchQuery& q) const {
    if (q.team_key && issue.team_key != *q.team_key) return false;
    if (q.state_name && Lower(issue.state.name) != Lower(*q.state_name)) return false;
    if (q.state_type && issue.state.type != *q.state_type) return false;
    if (q.assignee_id && (!issue.assignee || issue.assignee->id != *q.assignee_id)) return false;
    if (q.assignee_email &&
        (!issue.assignee || Lower(issue.assignee->email) != Lower(*q.assignee_email))) {
      return false;
    }
    if (!q.label_names.empty()) {
      bool any = false;
      for (const auto& label : issue.labels) {
        for (const auto& name : q.label_names) any = any || Lower(label.name) == Lower(name);
      }
      if (!any) return false;
    }
    if (q.text) {
      const std::string text = Lower(*q.text);
      if (Lower(issue.title).find(text) == std::string::npos &&
          Lower(issue.description).find(text) == std::string::npos) {
        return false;
      }
    }
    return true;
  }

  core::Result<integrations::linear::Issue> DoCreateIssue(
      const integrations::linear::IssueCreateRequest& request) {
    if (!request.id.empty() && FindIssue(request.id) != nullptr) {
      return Err(core::ErrorKind::kConflict,
                 "Entity already exists: an issue with id " + request.id + " already exists");
    }
    const auto* team = TeamById(request.team_id);
    if (team == nullptr) return Err(core::ErrorKind::kInvalidInput, "Entity not found: Team");
    if (request.title.empty()) return Err(core::ErrorKind::kInvalidInput, "title is required");
    integrations::linear::Issue issue;
    issue.id = request.id.empty() ? NewUuid() : request.id;
    issue.number = ++next_number_[team->key];
    issue.identifier = team->key + "-" + std::to_string(issue.number);
    issue.title = request.title;
    issue.description = request.description.value_or("");
    issue.priority = request.priority.value_or(0);
    issue.url = "https://linear.app/fake/issue/" + issue.identifier;
    issue.branch_name = Lower(issue.identifier);
    issue.team_id = team->id;
    issue.team_key = team->key;
    const std::string state_id = request.state_id.value_or(Lower(team->key) + "-backlog");
    const auto* state = StateById(state_id, team->id);
    if (state == nullptr) return Err(core::ErrorKind::kInvalidInput, "Entity not found: State");
    issue.state = {state->id, state->name, state->type};
    if (request.assignee_id) {
      const auto* user = UserById(*request.assignee_id);
      if (user == nullptr) return Err(core::ErrorKind::kInvalidInput, "Entity not found: User");
      issue.assignee = Ref(*user);
    }
    issues_.push_back(issue);
    return issue;
  }

  core::Result<integrations::linear::Issue> DoUpdateIssue(
      const std::string& id, const integrations::linear::IssueUpdateRequest& request) {
    auto* issue = FindIssue(id);
    if (issue == nullptr) return Err(core::ErrorKind::kNotFound, "Entity not found: Issue");
    integrations::linear::Issue updated = *issue;
    if (request.title) updated.title = *request.title;
    if (request.description) updated.description = *request.description;
    if (request.priority) updated.priority = *request.priority;
    if (request.assignee_id) {
      const auto* user = UserById(*request.assignee_id);
      if (user == nullptr) return Err(core::ErrorKind::kInvalidInput, "Entity not found: User");
      updated.assignee = Ref(*user);
    }
    if (request.state_id) {
      const auto* state = StateById(*request.state_id, issue->team_id);
      if (state == nullptr) return Err(core::ErrorKind::kInvalidInput, "Entity not found: State");
      updated.state = {state->id, state->name, state->type};
    }
    *issue = updated;
    return updated;
  }

  core::Result<integrations::linear::Comment> DoCreateComment(
      const integrations::linear::CommentCreateRequest& request) {
    for (const auto& c : comments_) {
      if (!request.id.empty() && c.id == request.id) {
        return Err(core::ErrorKind::kConflict,
                   "Entity already exists: a comment with id " + request.id + " already exists");
      }
    }
    const auto* issue = FindIssue(request.issue_id);
    if (issue == nullptr) return Err(core::ErrorKind::kNotFound, "Entity not found: Issue");
    if (request.body.empty()) return Err(core::ErrorKind::kInvalidInput, "body is required");
    integrations::linear::Comment comment;
    comment.id = request.id.empty() ? NewUuid() : request.id;
    comment.body = request.body;
    comment.url = issue->url + "#comment-" + comment.id.substr(0, 8);
    comment.user_id = "user-bot";
    comment.user_name = "contexten";
    comment.issue_id = issue->id;
    comment.issue_identifier = issue->identifier;
    comments_.push_back(comment);
    return comment;
  }

  core::Result<integrations::linear::Attachment> DoLink(
      const integrations::linear::AttachmentLinkRequest& request) {
    const auto* issue = FindIssue(request.issue_id);
    if (issue == nullptr) return Err(core::ErrorKind::kNotFound, "Entity not found: Issue");
    // Linear keeps one attachment per URL and issue: linking again answers the existing one.
    for (const auto& a : attachments_) {
      if (a.issue_id == issue->id && a.url == request.url) return a;
    }
    integrations::linear::Attachment attachment;
    attachment.id = NewUuid();
    attachment.title = request.title.value_or(request.url);
    attachment.url = request.url;
    attachment.issue_id = issue->id;
    attachment.issue_identifier = issue->identifier;
    attachments_.push_back(attachment);
    return attachment;
  }

  mutable std::mutex mu_;
  std::vector<integrations::linear::Team> teams_;
  std::vector<integrations::linear::WorkflowState> states_;
  std::vector<integrations::linear::User> users_;
  std::vector<integrations::linear::Label> labels_;
  std::vector<integrations::linear::Issue> issues_;
  std::vector<integrations::linear::Comment> comments_;
  std::vector<integrations::linear::Attachment> attachments_;
  std::map<std::string, int> next_number_;
  ScriptedFailures script_;
  int next_uuid_ = 0;
};

}  // namespace contexten::testing
