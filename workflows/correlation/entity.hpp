#pragma once
// The things Contexten correlates (a Slack thread, a Linear issue, a GitHub pull request, ...)
// and the typed, evidenced links between them. See ../shared/DESIGN.md §2 (correlation/) and §4
// (Linear's linking rules). Pure values: no I/O.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace contexten::workflows::correlation {

enum class EntityKind {
  kSlackThread,
  kLinearIssue,
  kGitHubPullRequest,
  kGitHubIssue,
  kGitHubWorkflowRun,
  kGitHubDeployment,
  kContextenRun,
};

// "slack_thread", "linear_issue", "github_pr", "github_issue", "github_workflow_run",
// "github_deployment", "contexten_run".
std::string_view ToString(EntityKind kind);
std::optional<EntityKind> EntityKindFromString(std::string_view text);

// One entity. `id` is canonical so that two events naming the same thing give equal refs:
//   slack_thread        "C123/1700000000.000100"   (channel id / thread root ts)
//   linear_issue        "ENG-123"                  (identifier, upper case)
//   github_pr           "owner/repo#12"            (repo lower case: GitHub ignores its case)
//   github_issue        "owner/repo#12"
//   github_workflow_run "owner/repo/runs/123"
//   github_deployment   "owner/repo/deployments/45"
//   contexten_run       the workflow run id as given
struct EntityRef {
  EntityKind kind = EntityKind::kContextenRun;
  std::string id;

  // "<kind>:<id>", e.g. "linear_issue:ENG-123"; used as a durable wait key.
  std::string Key() const;
  // The inverse of Key(); nullopt for an unknown kind or an empty id.
  static std::optional<EntityRef> FromKey(std::string_view key);

  auto operator<=>(const EntityRef&) const = default;
};

EntityRef SlackThread(std::string_view channel, std::string_view thread_ts);
EntityRef LinearIssue(std::string_view identifier);
EntityRef PullRequest(std::string_view repo, int number);
EntityRef GitHubIssue(std::string_view repo, int number);
EntityRef WorkflowRun(std::string_view repo, std::int64_t run_id);
EntityRef Deployment(std::string_view repo, std::int64_t deployment_id);
EntityRef ContextenRun(std::string_view run_id);

enum class LinkKind {
  kCreatedFrom,  // the issue was filed from this Slack thread
  kCloses,       // "Fixes ENG-1": merging the PR completes the issue
  kReferences,   // identifier in branch or title, or "Ref/Part of/Related to ENG-1"
  kMentions,     // named in prose with no keyword
  kPostedIn,     // status about the entity is posted in this Slack thread
};

// "created_from", "closes", "references", "mentions", "posted_in".
std::string_view ToString(LinkKind kind);
std::optional<LinkKind> LinkKindFromString(std::string_view text);

// Why a link exists, so a user can be shown where it came from.
struct Evidence {
  std::string event;    // e.g. "github:pull_request.opened:<delivery id>"
  std::string field;    // "branch" | "title" | "body" | "comment" | ...
  std::string excerpt;  // the matched words, at most kMaxExcerptChars characters

  bool operator==(const Evidence&) const = default;
};

inline constexpr std::size_t kMaxExcerptChars = 120;

struct Link {
  EntityRef from;
  EntityRef to;
  LinkKind kind = LinkKind::kMentions;
  Evidence evidence;

  bool operator==(const Link&) const = default;
};

}  // namespace contexten::workflows::correlation
