#pragma once
// GitHubApi over REST (blocking HttpClient::Send: callers run on worker threads, never on an
// I/O thread). Authenticates with a personal token or as a GitHub App installation, maps
// statuses to error kinds (github_errors.hpp) and remembers the last x-ratelimit-* headers.

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/net/http_client.hpp"
#include "integrations/github/github_api.hpp"
#include "integrations/github/github_app_auth.hpp"

namespace contexten::integrations::github {

struct GitHubClientConfig {
  std::string base_url = "https://api.github.com";  // the sandbox gives http://127.0.0.1:port
  std::string user_agent = "contexten";
  std::string token;                        // personal token; or:
  std::optional<GitHubAppCredentials> app;  // GitHub App installation auth
};

class GitHubRestClient final : public GitHubApi {
 public:
  // Throws std::invalid_argument when neither a token nor app credentials are configured.
  GitHubRestClient(core::net::HttpClient& http, GitHubClientConfig config,
                   core::Clock& clock = core::DefaultClock());

  core::Result<Issue> CreateIssue(const RepoRef& repo, const NewIssue& issue) override;
  core::Result<std::vector<Issue>> ListIssues(const RepoRef& repo,
                                              const IssueQuery& query) override;
  core::Result<Comment> CreateComment(const RepoRef& repo, int number,
                                      const NewComment& comment) override;
  core::Result<std::vector<Comment>> ListComments(const RepoRef& repo, int number) override;
  core::Result<PullRequest> GetPullRequest(const RepoRef& repo, int number) override;
  core::Result<Repository> GetRepository(const RepoRef& repo) override;
  core::Result<std::vector<PullRequest>> ListPullRequests(const RepoRef& repo,
                                                          const PullRequestQuery& query) override;
  core::Result<std::vector<PullRequestFile>> ListPullRequestFiles(const RepoRef& repo,
                                                                  int number) override;
  core::Result<std::vector<Review>> ListReviews(const RepoRef& repo, int number) override;
  core::Result<PullRequest> RequestReviewers(const RepoRef& repo, int number,
                                             const ReviewerRequest& request) override;
  core::Status DispatchWorkflow(const RepoRef& repo, const WorkflowDispatch& dispatch) override;
  core::Status RerunFailedJobs(const RepoRef& repo, std::int64_t run_id) override;
  core::Result<WorkflowRunList> ListWorkflowRuns(const RepoRef& repo,
                                                 const WorkflowRunQuery& query) override;
  core::Result<std::vector<CheckRun>> ListCheckRuns(const RepoRef& repo,
                                                    const std::string& ref) override;
  core::Result<CommitStatus> CreateCommitStatus(const RepoRef& repo,
                                                const NewCommitStatus& status) override;
  core::Result<CombinedStatus> GetCombinedStatus(const RepoRef& repo,
                                                 const std::string& ref) override;
  core::Status DispatchRepository(const RepoRef& repo, const RepositoryDispatch& dispatch) override;

  // The x-ratelimit-* values of the last response that carried them.
  std::optional<RateLimitInfo> last_rate_limit() const;

  struct Answer {
    int status = 0;
    nlohmann::json body;   // null for an empty body
    std::string next_url;  // Link rel="next", if any
  };
  // One request: `path_and_query` is relative to the base URL; `body` is sent as JSON unless
  // null. Non-2xx answers are errors.
  core::Result<Answer> Request(const std::string& method, const std::string& path_and_query,
                               const nlohmann::json& body = nullptr);

 private:
  core::Result<std::string> Authorization();
  // GETs `first` and follows Link rel="next" for up to `max_pages` pages, concatenating the
  // array found at `field` (or the body itself when `field` is empty).
  core::Result<nlohmann::json> GetPages(const std::string& first, int max_pages,
                                        const std::string& field = "");

  core::net::HttpClient& http_;
  GitHubClientConfig config_;
  core::Clock& clock_;
  std::unique_ptr<GitHubAppAuth> app_auth_;
  mutable std::mutex mu_;
  std::optional<RateLimitInfo> rate_limit_;
};

// "<url>; rel=\"next\", ..." -> the next URL, or empty.
std::string NextLink(std::string_view link_header);

}  // namespace contexten::integrations::github
