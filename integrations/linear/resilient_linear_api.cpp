#include "integrations/linear/resilient_linear_api.hpp"

#include <functional>
#include <utility>

#include "core/resilience/decorators.hpp"
#include "core/resilience/peer_api_breaker.hpp"
#include "integrations/linear/linear_ids.hpp"

namespace contexten::integrations::linear {

core::resilience::CircuitBreakerConfig ResilientLinearOptions::DefaultBreaker() {
  return core::resilience::PeerApiBreakerConfig();
}

core::resilience::RetryConfig ResilientLinearOptions::DefaultRetry() {
  core::resilience::RetryConfig config;
  config.max_attempts = 4;
  return config;
}

struct ResilientLinearApi::Owned {
  Owned(core::Clock& clock, const std::shared_ptr<core::resilience::EventBus>& events,
        ResilientLinearOptions options)
      : retry(options.name, std::move(options.retry), clock, core::resilience::Retry::RandomSeed(),
              events),
        breaker(options.name, std::move(options.breaker), clock, events),
        limiter(options.name, options.limiter, clock, events) {}

  core::resilience::Retry retry;
  core::resilience::CircuitBreaker breaker;
  core::resilience::RateLimiter limiter;
};

ResilientLinearApi::ResilientLinearApi(LinearApi& inner, core::Clock& clock,
                                       std::shared_ptr<core::resilience::EventBus> events,
                                       ResilientLinearOptions options)
    : inner_(inner),
      owned_(std::make_unique<Owned>(clock, events, options)),
      resilience_{&owned_->retry,           &owned_->breaker, &owned_->limiter,
                  options.limiter_max_wait, nullptr,          std::nullopt},
      clock_(clock) {}

ResilientLinearApi::ResilientLinearApi(LinearApi& inner, LinearResilience resilience,
                                       core::Clock& clock)
    : inner_(inner), resilience_(resilience), clock_(clock) {}

ResilientLinearApi::~ResilientLinearApi() = default;

template <class T, class F>
core::Result<T> ResilientLinearApi::Run(const char* what, F&& call) {
  using Fn = std::function<core::Result<T>()>;
  auto decorated = core::resilience::Decorate(Fn(std::forward<F>(call)), clock_);
  if (resilience_.retry != nullptr) decorated = decorated.WithRetry(*resilience_.retry);
  if (resilience_.breaker != nullptr) {
    decorated = decorated.WithCircuitBreaker(*resilience_.breaker);
  }
  if (resilience_.limiter != nullptr) {
    decorated = decorated.WithRateLimiter(*resilience_.limiter, resilience_.limiter_max_wait);
  }
  if (resilience_.bulkhead != nullptr) decorated = decorated.WithBulkhead(*resilience_.bulkhead);
  if (resilience_.timeout) {
    decorated = decorated.WithTimeout(*resilience_.timeout, std::string("linear ") + what);
  }
  return decorated();
}

core::Result<Issue> ResilientLinearApi::CreateIssue(const IssueCreateRequest& request) {
  IssueCreateRequest fixed = request;
  if (fixed.id.empty()) fixed.id = NewLinearUuid();  // once, shared by every attempt
  return Run<Issue>("IssueCreate", [this, &fixed]() -> core::Result<Issue> {
    auto created = inner_.CreateIssue(fixed);
    if (created || created.error().kind != core::ErrorKind::kConflict) return created;
    // An earlier attempt (or run) made it: answer with that issue.
    return inner_.IssueByIdentifier(fixed.id);
  });
}

core::Result<Comment> ResilientLinearApi::CreateComment(const CommentCreateRequest& request) {
  CommentCreateRequest fixed = request;
  if (fixed.id.empty()) fixed.id = NewLinearUuid();
  return Run<Comment>("CommentCreate", [this, &fixed]() -> core::Result<Comment> {
    auto created = inner_.CreateComment(fixed);
    if (created || created.error().kind != core::ErrorKind::kConflict) return created;
    Comment existing;
    existing.id = fixed.id;
    existing.body = fixed.body;
    existing.issue_id = fixed.issue_id;
    return existing;
  });
}

// A body is set, not appended, so repeating an update is harmless. A repeated delete whose
// first attempt landed (the answer was lost) finds nothing: kNotFound, which the caller (the
// outbox executor) takes as done.
core::Result<Comment> ResilientLinearApi::UpdateComment(const CommentUpdateRequest& request) {
  return Run<Comment>("CommentUpdate", [&] { return inner_.UpdateComment(request); });
}

core::Status ResilientLinearApi::DeleteComment(const std::string& comment_id) {
  auto deleted = Run<bool>("CommentDelete", [&]() -> core::Result<bool> {
    auto done = inner_.DeleteComment(comment_id);
    if (!done) return core::Unexpected(done.error());
    return true;
  });
  if (!deleted) return core::Unexpected(deleted.error());
  return core::Ok();
}

core::Result<Issue> ResilientLinearApi::UpdateIssue(const std::string& id,
                                                    const IssueUpdateRequest& request) {
  return Run<Issue>("IssueUpdate", [&] { return inner_.UpdateIssue(id, request); });
}

core::Result<Attachment> ResilientLinearApi::LinkUrl(const AttachmentLinkRequest& request) {
  return Run<Attachment>("AttachmentLinkURL", [&] { return inner_.LinkUrl(request); });
}

core::Result<Attachment> ResilientLinearApi::LinkGitHubPullRequest(
    const AttachmentLinkRequest& request) {
  return Run<Attachment>("AttachmentLinkGitHubPR",
                         [&] { return inner_.LinkGitHubPullRequest(request); });
}

core::Result<Issue> ResilientLinearApi::IssueByIdentifier(const std::string& id_or_identifier) {
  return Run<Issue>("IssueByIdentifier",
                    [&] { return inner_.IssueByIdentifier(id_or_identifier); });
}

core::Result<std::vector<Issue>> ResilientLinearApi::SearchIssues(const IssueSearchQuery& query) {
  return Run<std::vector<Issue>>("IssueSearch", [&] { return inner_.SearchIssues(query); });
}

core::Result<std::optional<Issue>> ResilientLinearApi::IssueByBranch(
    const std::string& branch_name) {
  return Run<std::optional<Issue>>("IssueByBranch",
                                   [&] { return inner_.IssueByBranch(branch_name); });
}

core::Result<std::vector<Team>> ResilientLinearApi::Teams() {
  return Run<std::vector<Team>>("Teams", [&] { return inner_.Teams(); });
}

core::Result<std::vector<WorkflowState>> ResilientLinearApi::WorkflowStates(
    const std::string& team_key) {
  return Run<std::vector<WorkflowState>>("WorkflowStates",
                                         [&] { return inner_.WorkflowStates(team_key); });
}

core::Result<std::vector<User>> ResilientLinearApi::Users() {
  return Run<std::vector<User>>("Users", [&] { return inner_.Users(); });
}

core::Result<std::vector<Label>> ResilientLinearApi::Labels() {
  return Run<std::vector<Label>>("Labels", [&] { return inner_.Labels(); });
}

}  // namespace contexten::integrations::linear
