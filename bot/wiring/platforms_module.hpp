#pragma once
// The platforms: the I/O runtime, the HTTP client, and the resilient Slack, GitHub and Linear
// APIs on it, exposed by port. GitHub and Linear are null when not configured. Every breaker,
// retry and limiter publishes on events().

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/net/http_client.hpp"
#include "core/net/io_runtime.hpp"
#include "core/resilience/circuit_breaker.hpp"
#include "core/resilience/events.hpp"
#include "integrations/github/github_api.hpp"
#include "integrations/linear/linear_api.hpp"
#include "integrations/slack/resilient_slack_api.hpp"
#include "integrations/slack/slack_api.hpp"
#include "integrations/slack/slack_web_client.hpp"
#include "workflows/health/health_registry.hpp"

namespace contexten::integrations::github {
class GitHubRestClient;
class ResilientGitHubApi;
}  // namespace contexten::integrations::github
namespace contexten::integrations::linear {
class LinearGraphqlClient;
class ResilientLinearApi;
}  // namespace contexten::integrations::linear

namespace contexten::bot::wiring {

class PlatformsModule {
 public:
  // Throws StartupError (or std::invalid_argument for bad settings) when a client cannot be
  // built; never calls the platforms.
  PlatformsModule(const core::Config& config, core::Clock& clock);
  ~PlatformsModule();
  PlatformsModule(const PlatformsModule&) = delete;
  PlatformsModule& operator=(const PlatformsModule&) = delete;

  // The one I/O thread every socket runs on (the HTTP server and Socket Mode use it too).
  core::net::IoRuntime& io() { return io_; }
  core::net::HttpClient& http() { return http_; }

  // What everything calls: inside Slack's tiers, per-channel pacing and 429s, behind a breaker.
  integrations::slack::SlackApi& slack() { return slack_; }
  // The Web API client without pacing: only for the ack fast path's round-trip measurement
  // (`ping`), where waiting for a token would delay the ack and measure our own pacing.
  integrations::slack::SlackApi& slack_unpaced() { return slack_client_; }
  // For the outbox relay: paced like slack(), but never waits (a refusal is an error with
  // retry_after, which the relay reschedules durably).
  integrations::slack::SlackApi& slack_outbox() { return slack_outbox_; }
  integrations::github::GitHubApi* github();
  integrations::linear::LinearApi* linear();
  const std::shared_ptr<core::resilience::EventBus>& events() const { return events_; }

  // What an operator sees of each platform's breaker in /readyz (reported, not gating):
  // slack_api, github, linear.
  void RegisterHealth(workflows::HealthRegistry& health);

  // Every breaker by the name /metrics and the health monitor show: slack_api (the fast path),
  // slack_outbox, github, linear (the last two when configured).
  std::vector<std::pair<std::string, const core::resilience::CircuitBreaker*>> breakers() const;

 private:
  std::shared_ptr<core::resilience::EventBus> events_;
  core::net::IoRuntime io_;
  core::net::HttpClient http_;
  integrations::slack::SlackWebClient slack_client_;
  integrations::slack::ResilientSlackApi slack_;
  integrations::slack::ResilientSlackApi slack_outbox_;
  std::unique_ptr<integrations::github::GitHubRestClient> github_client_;
  std::unique_ptr<integrations::github::ResilientGitHubApi> github_;
  std::unique_ptr<integrations::linear::LinearGraphqlClient> linear_client_;
  std::unique_ptr<integrations::linear::ResilientLinearApi> linear_;
};

}  // namespace contexten::bot::wiring
