#pragma once
// Wraps any GitHubApi in core/resilience: retry(circuit breaker(rate limiter(call))), with
// every breaker transition, retry and limiter pause published on the EventBus passed in.
//
// Reads (and requesting reviewers, which is idempotent) retry any retryable error, honouring
// retry_after. Creates must not land twice, so they retry only when the request surely did not
// take effect (SurelyNotApplied: rate limited, 502/503, refused, open circuit). When the
// outcome is unknown (a timeout, a reset, a 500/504) they look before sending again:
//   - issues and comments carry an idempotency marker in their body (a key the caller gives,
//     or a random one); the recent issues / the issue's comments are searched for it;
//   - a commit status is declarative (the latest per context wins), so if the combined status
//     already shows the same state, description and target for that context, it is done;
//   - workflow dispatch, repository dispatch and re-run have nothing to look for: they return
//     the error with "outcome unknown" and are not re-sent (the caller may check the runs).

#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/resilience/circuit_breaker.hpp"
#include "core/resilience/events.hpp"
#include "core/resilience/peer_api_breaker.hpp"
#include "core/resilience/rate_limiter.hpp"
#include "core/resilience/retry.hpp"
#include "integrations/github/github_api.hpp"

namespace contexten::integrations::github {

struct ResilientGitHubOptions {
  std::string name = "github";
  core::resilience::CircuitBreakerConfig breaker = DefaultBreaker();
  core::resilience::RetryConfig retry;
  // GitHub's primary limit for a token is 5000 requests an hour; keep bursts modest.
  core::resilience::RateLimiterConfig limiter{100, 5000, std::chrono::hours(1)};
  core::Millis limiter_max_wait = std::chrono::seconds(5);

  static core::resilience::CircuitBreakerConfig DefaultBreaker() {
    return core::resilience::PeerApiBreakerConfig();
  }
};

class ResilientGitHubApi final : public GitHubApi {
 public:
  // `inner` and `clock` must outlive this object.
  ResilientGitHubApi(GitHubApi& inner, core::Clock& clock,
                     std::shared_ptr<core::resilience::EventBus> events,
                     ResilientGitHubOptions options = {});

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

  core::resilience::CircuitBreaker& breaker() { return breaker_; }
  core::resilience::RateLimiter& limiter() { return limiter_; }
  core::resilience::Retry& retry() { return retry_; }

 private:
  template <class F>
  auto Read(F&& fn);
  template <class F>
  auto Once(F&& fn);
  template <class R, class Create, class Lookup>
  R CreateOnce(Create&& create, Lookup&& lookup);

  GitHubApi& inner_;
  core::Clock& clock_;
  const ResilientGitHubOptions options_;
  std::shared_ptr<core::resilience::EventBus> events_;
  core::resilience::CircuitBreaker breaker_;
  core::resilience::RateLimiter limiter_;
  core::resilience::Retry retry_;
};

}  // namespace contexten::integrations::github
