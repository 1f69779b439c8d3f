#pragma once
// The Linear port: what workflows ask of Linear. LinearGraphqlClient implements it over HTTP,
// ResilientLinearApi decorates it, sandbox/linear is the peer tests talk to.

#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace contexten::integrations::linear {

struct WorkflowStateRef {
  std::string id{};
  std::string name{};
  std::string type{};  // triage | backlog | unstarted | started | completed | canceled
};

struct UserRef {
  std::string id{};
  std::string name{};
  std::string display_name{};
  std::string email{};
};

struct LabelRef {
  std::string id{};
  std::string name{};
  std::string color{};
};

struct Issue {
  std::string id{};          // UUID
  std::string identifier{};  // "ENG-123"
  int number = 0;
  std::string title{};
  std::string description{};
  std::string url{};
  std::string branch_name{};  // "eng-123-fix-login-crash"
  int priority = 0;           // 0 none, 1 urgent ... 4 low
  std::string created_at{};
  std::string updated_at{};
  WorkflowStateRef state{};
  std::string team_id{};
  std::string team_key{};
  std::optional<UserRef> assignee{};
  std::vector<LabelRef> labels{};
};

struct Comment {
  std::string id{};
  std::string body{};
  std::string url{};
  std::string created_at{};
  std::string user_id{};
  std::string user_name{};
  std::string issue_id{};
  std::string issue_identifier{};
};

struct Attachment {
  std::string id{};
  std::string title{};
  std::string subtitle{};
  std::string url{};
  std::string issue_id{};
  std::string issue_identifier{};
};

struct Team {
  std::string id{};
  std::string key{};
  std::string name{};
};

struct WorkflowState {
  std::string id{};
  std::string name{};
  std::string type{};
  double position = 0;
  std::string color{};
  std::string team_id{};
  std::string team_key{};
};

struct User {
  std::string id{};
  std::string name{};
  std::string display_name{};
  std::string email{};
  bool active = true;
};

struct Label {
  std::string id{};
  std::string name{};
  std::string color{};
  std::string team_id{};  // empty for a workspace label
  std::string team_key{};
};

struct IssueCreateRequest {
  // Client-chosen UUID. Empty: the client generates one. Retries of one logical create must
  // reuse it, which is how duplicates are avoided (Linear rejects a second entity with an id).
  std::string id{};
  std::string team_id{};
  std::string title{};
  std::optional<std::string> description{};
  std::optional<std::string> assignee_id{};
  std::optional<std::string> state_id{};
  std::optional<int> priority{};
  std::vector<std::string> label_ids{};
};

// Only the set fields are sent.
struct IssueUpdateRequest {
  std::optional<std::string> title{};
  std::optional<std::string> description{};
  std::optional<std::string> assignee_id{};
  std::optional<std::string> state_id{};
  std::optional<int> priority{};
  std::optional<std::vector<std::string>> label_ids{};  // replaces the set
};

struct CommentCreateRequest {
  std::string id{};        // client-chosen UUID, as for IssueCreateRequest
  std::string issue_id{};  // UUID or identifier
  std::string body{};      // markdown
};

struct CommentUpdateRequest {
  std::string id{};    // the comment's UUID
  std::string body{};  // markdown; replaces the body
};

struct AttachmentLinkRequest {
  std::string issue_id{};  // UUID or identifier
  std::string url{};
  std::optional<std::string> title{};
};

// All set criteria must hold (AND). Text matches title or description (searchableContent).
struct IssueSearchQuery {
  std::optional<std::string> team_key{};
  std::optional<std::string> state_name{};  // case-insensitive
  std::optional<std::string> state_type{};  // "started", "completed", ...
  std::optional<std::string> assignee_id{};
  std::optional<std::string> assignee_email{};
  std::vector<std::string> label_names{};  // issue has a label with one of these names
  std::optional<std::string> text{};
  int limit = 50;  // at most this many issues (the client pages up to it)
};

class LinearApi {
 public:
  virtual ~LinearApi() = default;

  virtual core::Result<Issue> CreateIssue(const IssueCreateRequest& request) = 0;
  // `id` is a UUID or an identifier ("ENG-123").
  virtual core::Result<Issue> UpdateIssue(const std::string& id,
                                          const IssueUpdateRequest& request) = 0;
  virtual core::Result<Comment> CreateComment(const CommentCreateRequest& request) = 0;
  // kNotFound when the comment does not exist (never did, or was deleted).
  virtual core::Result<Comment> UpdateComment(const CommentUpdateRequest& request) = 0;
  // kNotFound when the comment does not exist (never did, or was deleted already).
  virtual core::Status DeleteComment(const std::string& comment_id) = 0;
  virtual core::Result<Attachment> LinkUrl(const AttachmentLinkRequest& request) = 0;
  virtual core::Result<Attachment> LinkGitHubPullRequest(const AttachmentLinkRequest& request) = 0;

  // kNotFound when there is no such issue.
  virtual core::Result<Issue> IssueByIdentifier(const std::string& id_or_identifier) = 0;
  virtual core::Result<std::vector<Issue>> SearchIssues(const IssueSearchQuery& query) = 0;
  // nullopt when no issue matches the branch.
  virtual core::Result<std::optional<Issue>> IssueByBranch(const std::string& branch_name) = 0;

  // Reference data; implementations may cache it (see LinearGraphqlClient).
  virtual core::Result<std::vector<Team>> Teams() = 0;
  virtual core::Result<std::vector<WorkflowState>> WorkflowStates(const std::string& team_key) = 0;
  virtual core::Result<std::vector<User>> Users() = 0;
  virtual core::Result<std::vector<Label>> Labels() = 0;
};

}  // namespace contexten::integrations::linear
