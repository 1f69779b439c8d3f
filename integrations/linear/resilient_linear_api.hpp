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
#include <optional>

#include "core/clock.hpp"
#include "core/resilience/bulkhead.hpp"
#include "core/resilience/circuit_breaker.hpp"
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

class ResilientLinearApi final : public LinearApi {
 public:
  ResilientLinearApi(LinearApi& inner, LinearResilience resilience,
                     core::Clock& clock = core::DefaultClock());

  core::Result<Issue> CreateIssue(const IssueCreateRequest& request) override;
  core::Result<Issue> UpdateIssue(const std::string& id,
                                  const IssueUpdateRequest& request) override;
  core::Result<Comment> CreateComment(const CommentCreateRequest& request) override;
  core::Result<Attachment> LinkUrl(const AttachmentLinkRequest& request) override;
  core::Result<Attachment> LinkGitHubPullRequest(const AttachmentLinkRequest& request) override;
  core::Result<Issue> IssueByIdentifier(const std::string& id_or_identifier) override;
  core::Result<std::vector<Issue>> SearchIssues(const IssueSearchQuery& query) override;
  core::Result<std::optional<Issue>> IssueByBranch(const std::string& branch_name) override;
  core::Result<std::vector<Team>> Teams() override;
  core::Result<std::vector<WorkflowState>> WorkflowStates(const std::string& team_key) override;
  core::Result<std::vector<User>> Users() override;
  core::Result<std::vector<Label>> Labels() override;

 private:
  template <class T, class F>
  core::Result<T> Run(const char* what, F&& call);

  LinearApi& inner_;
  LinearResilience resilience_;
  core::Clock& clock_;
};

}  // namespace contexten::integrations::linear
