#include "integrations/github/resilient_github_api.hpp"

#include <optional>
#include <random>

#include "core/crypto.hpp"
#include "core/resilience/decorators.hpp"

namespace contexten::integrations::github {
namespace {

using core::Unexpected;
namespace resilience = core::resilience;

std::string RandomKey() {
  std::random_device device;
  std::string bytes(12, '\0');
  for (char& c : bytes) c = static_cast<char>(device() & 0xFF);
  return core::HexEncode(bytes);
}

// The create may have landed and we could not tell: typed, so callers look before re-creating.
core::Error OutcomeUnknown(const core::Error& error, const std::string& why) {
  core::Error unknown = error;
  unknown.message += " (outcome unknown: " + why + ")";
  unknown.outcome_unknown = true;
  return unknown;
}

}  // namespace

ResilientGitHubApi::ResilientGitHubApi(GitHubApi& inner, core::Clock& clock,
                                       std::shared_ptr<resilience::EventBus> events,
                                       ResilientGitHubOptions options)
    : inner_(inner),
      clock_(clock),
      options_(std::move(options)),
      events_(resilience::OrNewBus(std::move(events))),
      breaker_(options_.name, options_.breaker, clock, events_),
      limiter_(options_.name, options_.limiter, clock, events_),
      retry_(options_.name, options_.retry, clock, resilience::Retry::RandomSeed(), events_) {}

template <class F>
auto ResilientGitHubApi::Read(F&& fn) {
  return resilience::Decorate(std::forward<F>(fn), clock_)
      .WithRateLimiter(limiter_, options_.limiter_max_wait)
      .WithCircuitBreaker(breaker_)
      .WithRetry(retry_)();
}

template <class F>
auto ResilientGitHubApi::Once(F&& fn) {
  return resilience::Decorate(std::forward<F>(fn), clock_)
      .WithRateLimiter(limiter_, options_.limiter_max_wait)
      .WithCircuitBreaker(breaker_)();
}

// `lookup` returns Result<std::optional<value>>: whether an earlier attempt landed after all;
// nullptr means there is no way to tell.
template <class R, class Create, class Lookup>
R ResilientGitHubApi::CreateOnce(Create&& create, Lookup&& lookup) {
  for (int attempt = 1;; ++attempt) {
    R result = Once(create);
    if (result.has_value()) return result;
    const core::Error error = result.error();
    if (!error.retryable()) return result;
    if (!SurelyNotApplied(error)) {
      if constexpr (std::is_same_v<std::decay_t<Lookup>, std::nullptr_t>) {
        return R(OutcomeUnknown(error, "not re-sent, it could act twice"));
      } else {
        auto found = lookup();
        if (!found) {
          return R(OutcomeUnknown(error, "looking for it failed: " + found.error().message));
        }
        if (found->has_value()) return std::move(**found);
      }
    }
    const std::optional<core::Millis> wait = retry_.NextWait(attempt, error);
    if (!wait) return result;
    clock_.SleepFor(*wait);
  }
}

core::Result<Issue> ResilientGitHubApi::CreateIssue(const RepoRef& repo, const NewIssue& issue) {
  NewIssue keyed = issue;
  if (keyed.idempotency_key.empty()) keyed.idempotency_key = RandomKey();
  const std::string marker = IdempotencyMarker(keyed.idempotency_key);
  return CreateOnce<core::Result<Issue>>([&] { return inner_.CreateIssue(repo, keyed); },
                                         [&]() -> core::Result<std::optional<Issue>> {
                                           auto recent = ListIssues(repo, IssueQuery{});
                                           if (!recent) return Unexpected(recent.error());
                                           for (auto& candidate : *recent) {
                                             if (candidate.body.find(marker) != std::string::npos)
                                               return std::optional(std::move(candidate));
                                           }
                                           return std::optional<Issue>();
                                         });
}

core::Result<Comment> ResilientGitHubApi::CreateComment(const RepoRef& repo, int number,
                                                        const NewComment& comment) {
  NewComment keyed = comment;
  if (keyed.idempotency_key.empty()) keyed.idempotency_key = RandomKey();
  const std::string marker = IdempotencyMarker(keyed.idempotency_key);
  return CreateOnce<core::Result<Comment>>(
      [&] { return inner_.CreateComment(repo, number, keyed); },
      [&]() -> core::Result<std::optional<Comment>> {
        auto comments = ListComments(repo, number);
        if (!comments) return Unexpected(comments.error());
        for (auto& candidate : *comments) {
          if (candidate.body.find(marker) != std::string::npos)
            return std::optional(std::move(candidate));
        }
        return std::optional<Comment>();
      });
}

core::Result<CommitStatus> ResilientGitHubApi::CreateCommitStatus(const RepoRef& repo,
                                                                  const NewCommitStatus& status) {
  return CreateOnce<core::Result<CommitStatus>>(
      [&] { return inner_.CreateCommitStatus(repo, status); },
      [&]() -> core::Result<std::optional<CommitStatus>> {
        auto combined = GetCombinedStatus(repo, status.sha);
        if (!combined) return Unexpected(combined.error());
        for (auto& s : combined->statuses) {
          if (s.context == status.context && s.state == status.state &&
              s.description == status.description && s.target_url == status.target_url) {
            return std::optional(std::move(s));
          }
        }
        return std::optional<CommitStatus>();
      });
}

core::Status ResilientGitHubApi::DispatchWorkflow(const RepoRef& repo,
                                                  const WorkflowDispatch& dispatch) {
  return CreateOnce<core::Status>([&] { return inner_.DispatchWorkflow(repo, dispatch); }, nullptr);
}

core::Status ResilientGitHubApi::RerunFailedJobs(const RepoRef& repo, std::int64_t run_id) {
  return CreateOnce<core::Status>([&] { return inner_.RerunFailedJobs(repo, run_id); }, nullptr);
}

core::Status ResilientGitHubApi::DispatchRepository(const RepoRef& repo,
                                                    const RepositoryDispatch& dispatch) {
  return CreateOnce<core::Status>([&] { return inner_.DispatchRepository(repo, dispatch); },
                                  nullptr);
}

core::Result<std::vector<Issue>> ResilientGitHubApi::ListIssues(const RepoRef& repo,
                                                                const IssueQuery& query) {
  return Read([&] { return inner_.ListIssues(repo, query); });
}

core::Result<std::vector<Comment>> ResilientGitHubApi::ListComments(const RepoRef& repo,
                                                                    int number) {
  return Read([&] { return inner_.ListComments(repo, number); });
}

core::Result<Repository> ResilientGitHubApi::GetRepository(const RepoRef& repo) {
  return Read([&] { return inner_.GetRepository(repo); });
}

core::Result<PullRequest> ResilientGitHubApi::GetPullRequest(const RepoRef& repo, int number) {
  return Read([&] { return inner_.GetPullRequest(repo, number); });
}

core::Result<std::vector<PullRequest>> ResilientGitHubApi::ListPullRequests(
    const RepoRef& repo, const PullRequestQuery& query) {
  return Read([&] { return inner_.ListPullRequests(repo, query); });
}

core::Result<std::vector<PullRequestFile>> ResilientGitHubApi::ListPullRequestFiles(
    const RepoRef& repo, int number) {
  return Read([&] { return inner_.ListPullRequestFiles(repo, number); });
}

core::Result<std::vector<Review>> ResilientGitHubApi::ListReviews(const RepoRef& repo, int number) {
  return Read([&] { return inner_.ListReviews(repo, number); });
}

core::Result<PullRequest> ResilientGitHubApi::RequestReviewers(const RepoRef& repo, int number,
                                                               const ReviewerRequest& request) {
  // Requesting the same reviewers again changes nothing, so it retries like a read.
  return Read([&] { return inner_.RequestReviewers(repo, number, request); });
}

core::Result<WorkflowRunList> ResilientGitHubApi::ListWorkflowRuns(const RepoRef& repo,
                                                                   const WorkflowRunQuery& query) {
  return Read([&] { return inner_.ListWorkflowRuns(repo, query); });
}

core::Result<std::vector<CheckRun>> ResilientGitHubApi::ListCheckRuns(const RepoRef& repo,
                                                                      const std::string& ref) {
  return Read([&] { return inner_.ListCheckRuns(repo, ref); });
}

core::Result<CombinedStatus> ResilientGitHubApi::GetCombinedStatus(const RepoRef& repo,
                                                                   const std::string& ref) {
  return Read([&] { return inner_.GetCombinedStatus(repo, ref); });
}

}  // namespace contexten::integrations::github
