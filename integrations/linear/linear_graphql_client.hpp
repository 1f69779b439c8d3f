#pragma once
// LinearApi over Linear's GraphQL endpoint: POST {api_url}/graphql with
// {query, variables, operationName}, the documents from graphql/*.graphql. Errors are mapped
// by linear_errors.hpp; the rate-limit headers of the last response are kept for metrics.
// Teams, workflow states, users and labels are cached for cache_ttl (by the injected clock).

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.hpp"
#include "core/net/http_client.hpp"
#include "integrations/linear/linear_api.hpp"
#include "integrations/linear/linear_errors.hpp"

namespace contexten::integrations::linear {

enum class LinearAuthScheme {
  kAuto,    // OAuth when the credential starts with "lin_oauth_", else API key
  kApiKey,  // Authorization: <key>
  kOAuth,   // Authorization: Bearer <token>
};

struct LinearClientOptions {
  std::string api_url = "https://api.linear.app";  // the client POSTs to api_url + "/graphql"
  std::string credential;                          // never logged nor put in errors
  LinearAuthScheme auth = LinearAuthScheme::kAuto;
  std::chrono::milliseconds cache_ttl = std::chrono::minutes(5);
  int page_size = 100;  // `first` for list queries
  int max_pages = 20;   // list queries stop after this many pages
  std::optional<std::chrono::milliseconds> request_timeout;  // overrides the HttpClient's
};

// Sends one HTTP request; the seam unit tests replace.
using LinearTransport =
    std::function<core::Result<core::net::HttpResponse>(core::net::OutgoingRequest)>;

class LinearGraphqlClient final : public LinearApi {
 public:
  LinearGraphqlClient(core::net::HttpClient& http, LinearClientOptions options,
                      core::Clock& clock = core::DefaultClock());
  LinearGraphqlClient(LinearTransport transport, LinearClientOptions options,
                      core::Clock& clock = core::DefaultClock());

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

  // Runs the named document with `variables`; the response's `data` object on success.
  core::Result<nlohmann::json> Execute(std::string_view operation, const nlohmann::json& variables);

  // Drops every cached list (e.g. after a Linear webhook says teams or labels changed).
  void InvalidateCaches();
  // Rate-limit headers of the most recent response that carried any.
  RateLimitInfo last_rate_limit() const;
  // The Authorization header value for a credential (exposed for tests).
  static std::string AuthorizationFor(const std::string& credential, LinearAuthScheme scheme);

  // The IssueFilter variable a query turns into.
  static nlohmann::json BuildIssueFilter(const IssueSearchQuery& query);

 private:
  template <class T>
  struct CacheEntry {
    std::vector<T> items;
    core::SteadyTime fetched{};
  };

  // Pages through a connection field of `operation`'s data, collecting nodes.
  core::Result<std::vector<nlohmann::json>> FetchAll(std::string_view operation,
                                                     std::string_view field,
                                                     nlohmann::json variables, int limit);
  template <class T, class Parse>
  core::Result<std::vector<T>> CachedList(std::optional<CacheEntry<T>>& slot,
                                          std::string_view operation, std::string_view field,
                                          nlohmann::json variables, Parse parse);
  bool Fresh(core::SteadyTime fetched) const;

  LinearTransport transport_;
  LinearClientOptions options_;
  core::Clock& clock_;
  std::string authorization_;

  mutable std::mutex mu_;
  RateLimitInfo rate_limit_;
  std::optional<CacheEntry<Team>> teams_;
  std::optional<CacheEntry<User>> users_;
  std::optional<CacheEntry<Label>> labels_;
  std::unordered_map<std::string, CacheEntry<WorkflowState>> states_;
};

}  // namespace contexten::integrations::linear
