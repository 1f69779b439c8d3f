#pragma once
// The GitHub port: the REST operations workflows need, as typed values. Implemented over HTTP
// by GitHubRestClient and wrapped by ResilientGitHubApi; workflows see only this interface.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace contexten::integrations::github {

struct RepoRef {
  std::string owner;
  std::string name;

  std::string FullName() const { return owner + "/" + name; }
};

struct NewIssue {
  std::string title;  // required
  std::string body;
  std::vector<std::string> labels;
  std::vector<std::string> assignees;
  // Lets a retrying caller find an issue whose creation timed out (see resilient_github_api).
  std::string idempotency_key;
};

struct Issue {
  std::int64_t id = 0;
  int number = 0;
  std::string html_url;
  std::string title;
  std::string body;
  std::string state;  // open, closed
  std::string user;
  std::vector<std::string> labels;
  bool is_pull_request = false;
};

struct IssueQuery {
  std::string state = "all";  // open, closed, all
  std::string sort = "created";
  std::string direction = "desc";
  int per_page = 30;
  int max_pages = 1;
};

struct NewComment {
  std::string body;  // required
  std::string idempotency_key;
};

struct Comment {
  std::int64_t id = 0;
  std::string html_url;
  std::string body;
  std::string user;
  std::string created_at;
};

struct PullRequest {
  std::int64_t id = 0;
  int number = 0;
  std::string html_url;
  std::string title;
  std::string body;
  std::string state;  // open, closed
  std::string user;
  bool draft = false;
  bool merged = false;
  std::string merged_at;  // empty unless merged
  std::string head_ref;
  std::string head_sha;
  std::string base_ref;
  std::vector<std::string> requested_reviewers;
  std::string created_at;  // ISO 8601, as GitHub sends it
  std::string updated_at;  // last activity (commits, comments, reviews)
  std::vector<std::string> labels;
};

struct PullRequestQuery {
  std::string state = "open";  // open, closed, all
  std::string head;            // "user:ref-name", optional
  std::string base;            // optional
  int per_page = 30;
  int max_pages = 10;  // follows Link rel="next" up to this many pages
};

struct PullRequestFile {
  std::string filename;
  std::string status;  // added, removed, modified, renamed, ...
  int additions = 0;
  int deletions = 0;
  int changes = 0;
};

struct Review {
  std::int64_t id = 0;
  std::string user;
  std::string state;  // APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED, PENDING
  std::string body;
  std::string commit_id;
  std::string html_url;
};

struct ReviewerRequest {
  std::vector<std::string> reviewers;
  std::vector<std::string> team_reviewers;
};

struct WorkflowDispatch {
  std::string workflow;  // numeric id or file name ("ci.yml")
  std::string ref;       // branch or tag, required
  std::map<std::string, std::string> inputs;
};

struct WorkflowRun {
  std::int64_t id = 0;
  std::int64_t workflow_id = 0;
  std::string name;
  std::string head_branch;
  std::string head_sha;
  std::string event;
  std::string status;      // queued, in_progress, completed, ...
  std::string conclusion;  // empty until completed; success, failure, cancelled, ...
  std::string html_url;
  int run_number = 0;
  int run_attempt = 1;
  std::string created_at;
};

struct WorkflowRunQuery {
  std::string workflow;  // optional: restricts to one workflow (id or file name)
  std::string branch;
  std::string status;  // a status or a conclusion, as GitHub accepts
  std::string event;
  int per_page = 30;
};

struct WorkflowRunList {
  int total_count = 0;
  std::vector<WorkflowRun> runs;
};

struct CheckRun {
  std::int64_t id = 0;
  std::string name;
  std::string head_sha;
  std::string status;
  std::string conclusion;
  std::string html_url;
};

struct NewCommitStatus {
  std::string sha;    // required
  std::string state;  // error, failure, pending, success; required
  std::string target_url;
  std::string description;
  std::string context = "default";
};

struct CommitStatus {
  std::int64_t id = 0;
  std::string state;
  std::string context;
  std::string description;
  std::string target_url;
};

struct CombinedStatus {
  std::string state;  // failure, pending, success
  std::string sha;
  int total_count = 0;
  std::vector<CommitStatus> statuses;  // the latest per context
};

struct Repository {
  std::string full_name;
  std::string default_branch;  // "main", "trunk", ...
  std::string html_url;
};

struct RepositoryDispatch {
  std::string event_type;  // required
  nlohmann::json client_payload = nlohmann::json::object();
};

// The x-ratelimit-* headers of the last response.
struct RateLimitInfo {
  std::int64_t limit = -1;
  std::int64_t remaining = -1;
  std::int64_t used = -1;
  std::int64_t reset_epoch_seconds = -1;
  std::string resource;
};

class GitHubApi {
 public:
  virtual ~GitHubApi() = default;

  virtual core::Result<Issue> CreateIssue(const RepoRef& repo, const NewIssue& issue) = 0;
  virtual core::Result<std::vector<Issue>> ListIssues(const RepoRef& repo,
                                                      const IssueQuery& query) = 0;
  // Issues and pull requests share numbers, and so do their conversation comments.
  virtual core::Result<Comment> CreateComment(const RepoRef& repo, int number,
                                              const NewComment& comment) = 0;
  virtual core::Result<std::vector<Comment>> ListComments(const RepoRef& repo, int number) = 0;

  virtual core::Result<PullRequest> GetPullRequest(const RepoRef& repo, int number) = 0;
  virtual core::Result<std::vector<PullRequest>> ListPullRequests(
      const RepoRef& repo, const PullRequestQuery& query) = 0;
  virtual core::Result<std::vector<PullRequestFile>> ListPullRequestFiles(const RepoRef& repo,
                                                                          int number) = 0;
  virtual core::Result<std::vector<Review>> ListReviews(const RepoRef& repo, int number) = 0;
  virtual core::Result<PullRequest> RequestReviewers(const RepoRef& repo, int number,
                                                     const ReviewerRequest& request) = 0;

  virtual core::Status DispatchWorkflow(const RepoRef& repo, const WorkflowDispatch& dispatch) = 0;
  virtual core::Status RerunFailedJobs(const RepoRef& repo, std::int64_t run_id) = 0;
  virtual core::Result<WorkflowRunList> ListWorkflowRuns(const RepoRef& repo,
                                                         const WorkflowRunQuery& query) = 0;
  virtual core::Result<std::vector<CheckRun>> ListCheckRuns(const RepoRef& repo,
                                                            const std::string& ref) = 0;

  virtual core::Result<CommitStatus> CreateCommitStatus(const RepoRef& repo,
                                                        const NewCommitStatus& status) = 0;
  virtual core::Result<CombinedStatus> GetCombinedStatus(const RepoRef& repo,
                                                         const std::string& ref) = 0;
  virtual core::Status DispatchRepository(const RepoRef& repo,
                                          const RepositoryDispatch& dispatch) = 0;
  // GET /repos/{owner}/{repo}. Not pure, so fakes that never read repositories need not say so;
  // the base answers kInternal.
  virtual core::Result<Repository> GetRepository(const RepoRef& repo);
};

// The marker embedded in issue and comment bodies for an idempotency key (an HTML comment, so
// it does not render). Empty key: empty marker.
std::string IdempotencyMarker(const std::string& key);

// The newest comment on issue or pull request `number` whose body contains `marker` (e.g.
// IdempotencyMarker(key)), or nullopt. Reads through ListComments, which GitHubRestClient
// pages (100 a page) up to its first 1000 comments. An empty marker is kInvalidInput. For
// looking before re-creating a comment whose create had an unknown outcome.
core::Result<std::optional<Comment>> FindCommentContaining(GitHubApi& api, const RepoRef& repo,
                                                           int number, const std::string& marker);

// True when the request surely did not take effect on GitHub, so sending it again cannot
// duplicate anything: rate limited (429/403 with limit headers), 502/503 (GitHub answers these
// before processing), connection refused, an open circuit. A timeout, a reset or a 500/504
// leaves the outcome unknown, and so does any error with Error::outcome_unknown set.
bool SurelyNotApplied(const core::Error& error);

}  // namespace contexten::integrations::github
