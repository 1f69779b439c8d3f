#pragma once
// LinearApi wrapped in core/resilience (retry, circuit breaker, rate limiter, bulkhead,
// timeout; order as decorators.hpp documents), like every integration port.
//
// Creates are never duplicated by a retry. Rather than retrying a create only when it surely
// was not applied (a timeout or a 5xx leaves that unknown, and refusing to retry then would
// lose the effect), every create carries a client-chosen UUID: Linear accepts `id` on
// IssueCreateInput and CommentCreateInput. The id is fixed once, before the first attempt, so
// all attempts (and a caller's later re-run with the same id, e.g. a workflow step replayed
// after a crash) name the same entity. When an earlier attempt did land, the repeat is refused
// with an "already exists" conflict, which this decorator resolves to the entity already made
// (the issue is fetched by id; a comment is reported from the request, as Linear stored it).
// Attachment links are idempotent in Linear itself (one attachment per URL per issue), so they
// are retried as they are. Reads and updates (which set absolute values) retry freely.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "core/resilience/bulkhead.hpp"
#include "core/resilience/circuit_breaker.hpp"
#include "core/resilience/events.hpp"
#include "core/resilience/rate_limiter.hpp"
#include "core/resilience/retry.hpp"
#include "integrations/linear/linear_api.hpp"

namespace contexten::integrations::linear {

// Components are referenced, not owned; any may be null (left out).
struct LinearResilience {
  core::resilience::Retry* retry = nullptr;
  core::resilience::CircuitBreaker* breaker = nullptr;
  core::resilience::RateLimiter* limiter = nullptr;
  core::Millis limiter_max_wait{0};
  core::resilience::Bulkhead* bulkhead = nullptr;
  std::optional<std::chrono::nanoseconds> timeout{};
};

// What the owning constructor builds: the same shape as ResilientGitHubOptions.
struct ResilientLinearOptions {
  std::string name = "linear";
  core::resilience::CircuitBreakerConfig breaker = DefaultBreaker();
  core::resilience::RetryConfig retry = DefaultRetry();
  // Linear allows 1,500 requests an hour per API key; keep bursts modest.
  core::resilience::RateLimiterConfig limiter{50, 1500, std::chrono::hours(1)};
  core::Millis limiter_max_wait = std::chrono::seconds(5);

  static core::resilience::CircuitBreakerConfig DefaultBreaker();  // PeerApiBreakerConfig()
  static core::resilience::RetryConfig DefaultRetry();             // 4 attempts
};

class ResilientLinearApi final : public LinearApi {
 public:
  // Owns its retry, breaker and limiter, built from `options`, publishing on `events`.
  // `inner` and `clock` must outlive this object.
  ResilientLinearApi(LinearApi& inner, core::Clock& clock,
                     std::shared_ptr<core::resilience::EventBus> events,
                     ResilientLinearOptions options = {});
  // Uses the components given (tests: a bulkhead, a timeout, one part at a time).
  ResilientLinearApi(LinearApi& inner, LinearResilience resilience,
                     core::Clock& clock = core::DefaultClock());
  ~ResilientLinearApi() override;
  ResilientLinearApi(const ResilientLinearApi&) = delete;
  ResilientLinearApi& operator=(const ResilientLinearApi&) = delete;

  core::Result<Issue> CreateIssue(const IssueCreateRequest& request) override;
  core::Result<Issue> UpdateIssue(const std::string& id,
                                  const IssueUpdateRequest& request) override;
  core::Result<Comment> CreateComment(const CommentCreateRequest& request) override;
  core::Result<Comment> UpdateComment(const CommentUpdateRequest& request) override;
  core::Status DeleteComment(const std::string& comment_id) override;
  core::Result<Attachment> LinkUrl(const AttachmentLinkRequest& request) override;
  core::Result<Attachment> LinkGitHubPullRequest(const AttachmentLinkRequest& request) override;
  core::Result<Issue> IssueByIdentifier(const std::string& id_or_identifier) override;
  core::Result<std::vector<Issue>> SearchIssues(const IssueSearchQuery& query) override;
  core::Result<std::optional<Issue>> IssueByBranch(const std::string& branch_name) override;
  core::Result<std::vector<Team>> Teams() override;
  core::Result<std::vector<WorkflowState>> WorkflowStates(const std::string& team_key) override;
  core::Result<std::vector<User>> Users() override;
  core::Result<std::vector<Label>> Labels() override;

  // The breaker in use; null when built from a LinearResilience without one.
  core::resilience::CircuitBreaker* breaker() { return resilience_.breaker; }

 private:
  struct Owned;

  template <class T, class F>
  core::Result<T> Run(const char* what, F&& call);

  LinearApi& inner_;
  std::unique_ptr<Owned> owned_;  // set by the owning constructor; resilience_ points into it
  LinearResilience resilience_;
  core::Clock& clock_;
};

}  // namespace contexten::integrations::linear
