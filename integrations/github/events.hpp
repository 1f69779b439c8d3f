#pragma once
// Typed GitHub webhook events: only the fields workflows act on, parsed from the raw body once
// the signature has been verified. Parsing is total: any body yields a value or an error,
// never an exception. Fields GitHub leaves out or sends as null are empty / nullopt / false,
// because example payloads and GitHub Enterprise versions differ in what they include.
// https://docs.github.com/en/webhooks/webhook-events-and-payloads

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace contexten::integrations::github {

// What every event carries (when GitHub sends it).
struct GitHubEventCommon {
  std::string action;                      // empty for events without one (push, status)
  std::string repository;                  // "owner/name"
  std::string sender;                      // login
  std::string default_branch;              // repository.default_branch, when sent
  std::optional<int64_t> installation_id;  // present for GitHub App deliveries
};

struct PingEvent : GitHubEventCommon {
  std::string zen;
  std::optional<int64_t> hook_id;
};

struct PullRequestEvent : GitHubEventCommon {
  int64_t number = 0;
  std::string title;
  std::string body;
  std::string state;  // "open" | "closed"
  bool merged = false;
  bool draft = false;
  std::string head_ref;
  std::string head_sha;
  std::string base_ref;
  std::string html_url;
  std::string author;               // pull_request.user.login
  std::string author_type;          // pull_request.user.type: "User" | "Bot" | ...
  std::vector<std::string> labels;  // pull_request.labels[].name, as they are now
  std::string label;                // the label added or removed ("labeled" / "unlabeled")
};

struct PullRequestReviewEvent : GitHubEventCommon {
  std::string state;  // "approved" | "changes_requested" | "commented" | "dismissed"
  std::string reviewer;
  std::string body;
  std::string html_url;
  int64_t pr_number = 0;
  std::string pr_title;
  std::string pr_html_url;
};

struct IssuesEvent : GitHubEventCommon {
  int64_t number = 0;
  std::string title;
  std::string body;
  std::string state;
  std::string html_url;
  std::string author;
  bool is_pull_request = false;
  std::string author_type;          // issue.user.type
  std::vector<std::string> labels;  // issue.labels[].name
  std::string label;                // the label added or removed ("labeled" / "unlabeled")
};

struct IssueCommentEvent : GitHubEventCommon {
  int64_t comment_id = 0;
  std::string body;
  std::string author;
  std::string html_url;
  int64_t issue_number = 0;
  std::string issue_title;
  bool is_pull_request = false;  // comments on PRs arrive as issue_comment
};

struct PushCommit {
  std::string id;
  std::string message;
};

struct PushEvent : GitHubEventCommon {
  std::string ref;  // "refs/heads/main"
  std::string before;
  std::string after;
  bool created = false;
  bool deleted = false;
  bool forced = false;
  std::vector<PushCommit> commits;  // as delivered (GitHub caps the list at 20)
  std::optional<PushCommit> head_commit;
};

struct WorkflowRunEvent : GitHubEventCommon {
  int64_t id = 0;
  std::string name;
  int64_t workflow_id = 0;
  std::string head_branch;
  std::string head_sha;
  std::string status;      // "queued" | "in_progress" | "completed" | ...
  std::string conclusion;  // empty until completed
  int64_t run_attempt = 0;
  std::string html_url;
  std::vector<int64_t> pull_requests;  // PR numbers
  std::string event;                   // what started it: "push", "workflow_dispatch", ...
  std::string path;                    // ".github/workflows/ci.yml"
};

struct WorkflowStep {
  std::string name;
  std::string status;
  std::string conclusion;
};

struct WorkflowJobEvent : GitHubEventCommon {
  int64_t id = 0;
  int64_t run_id = 0;
  std::string name;
  std::string status;
  std::string conclusion;
  std::string head_sha;
  std::string html_url;
  std::vector<WorkflowStep> steps;
};

struct CheckRunEvent : GitHubEventCommon {
  int64_t id = 0;
  std::string name;
  std::string status;
  std::string conclusion;
  std::string head_sha;
  std::string html_url;
  std::vector<int64_t> pull_requests;  // PR numbers
};

struct CheckSuiteEvent : GitHubEventCommon {
  int64_t id = 0;
  std::string status;
  std::string conclusion;
  std::string head_branch;
  std::string head_sha;
  std::vector<int64_t> pull_requests;  // PR numbers
};

struct StatusEvent : GitHubEventCommon {
  std::string sha;
  std::string state;  // "pending" | "success" | "failure" | "error"
  std::string context;
  std::string description;
  std::string target_url;
};

struct DeploymentStatusEvent : GitHubEventCommon {
  std::string state;
  std::string environment;
  int64_t deployment_id = 0;
  std::string ref;  // deployment.ref
  std::string target_url;
  std::string description;
};

struct ReleaseEvent : GitHubEventCommon {
  std::string tag_name;
  std::string name;
  bool draft = false;
  bool prerelease = false;
  std::string html_url;
};

// Any event this service does not act on; still acked and recorded.
struct UnhandledGitHubEvent : GitHubEventCommon {
  std::string name;  // X-GitHub-Event
};

using GitHubEvent = std::variant<PingEvent, PullRequestEvent, PullRequestReviewEvent, IssuesEvent,
                                 IssueCommentEvent, PushEvent, WorkflowRunEvent, WorkflowJobEvent,
                                 CheckRunEvent, CheckSuiteEvent, StatusEvent, DeploymentStatusEvent,
                                 ReleaseEvent, UnhandledGitHubEvent>;

// `event_name` is the X-GitHub-Event header. Invalid JSON, a non-object body, or a known event
// whose main object (e.g. "pull_request") is missing -> kInvalidInput.
core::Result<GitHubEvent> ParseGitHubEvent(std::string_view event_name, std::string_view body);

// The fields shared by every alternative.
const GitHubEventCommon& Common(const GitHubEvent& event);

}  // namespace contexten::integrations::github
