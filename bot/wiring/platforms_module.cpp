#include "bot/wiring/platforms_module.hpp"

#include <spdlog/spdlog.h>

#include <string>

#include "bot/version.hpp"
#include "core/logging.hpp"
#include "core/resilience/circuit_breaker.hpp"
#include "integrations/github/github_rest_client.hpp"
#include "integrations/github/resilient_github_api.hpp"
#include "integrations/linear/linear_graphql_client.hpp"
#include "integrations/linear/resilient_linear_api.hpp"

namespace contexten::bot::wiring {
namespace {

namespace resilience = core::resilience;

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::Logger("app");
  return log;
}

core::net::HttpClientOptions HttpOptions(const core::Config& config) {
  core::net::HttpClientOptions options;
  options.tls.ca_file = config.ca_file;
  options.user_agent = "contexten/" + std::string(Version());
  // Keep a connection per relay thread open (the Slack lane has 16, see orchestration_module.cpp):
  // one closed after each call would be a new TLS handshake for the next.
  options.max_idle_per_host = 24;
  return options;
}

// What an operator sees of a platform in /readyz: the breaker's state. Reported, not gating
// (see ComponentHealth::gates_readiness).
workflows::HealthRegistry::Probe BreakerProbe(std::string name,
                                              const resilience::CircuitBreaker& breaker) {
  return [name = std::move(name), &breaker] {
    const auto state = breaker.state();
    const bool up =
        state != resilience::CircuitState::kOpen && state != resilience::CircuitState::kForcedOpen;
    return workflows::ComponentHealth{name, up, "circuit " + std::string(ToString(state)),
                                      /*gates_readiness=*/false};
  };
}

// The outbox relay's Slack: the same pacing rules, but a call that would wait for a token or a
// 429 pause fails at once with its retry_after, which the relay turns into a durable reschedule
// (DESIGN.md §3: no thread sleeps for a rate limit). The fast path keeps the waiting client.
integrations::slack::ResilientSlackOptions OutboxSlackOptions() {
  integrations::slack::ResilientSlackOptions options;
  options.name = "slack_outbox";
  options.pacing.max_wait = core::Millis(0);
  options.pacing.max_attempts = 1;
  options.pacing.transient_max_attempts = 1;
  return options;
}

}  // namespace

PlatformsModule::PlatformsModule(const core::Config& config, core::Clock& clock)
    : events_(std::make_shared<resilience::EventBus>()),
      io_(1),
      http_(io_, HttpOptions(config)),
      slack_client_(http_, config.slack.api_url, config.slack.bot_token),
      slack_(slack_client_, clock, events_),
      slack_outbox_(slack_client_, clock, events_, OutboxSlackOptions()) {
  events_->Subscribe([](const resilience::ResilienceEvent& event) {
    if (event.kind != resilience::ResilienceEventKind::kStateTransition) return;
    const bool opened = event.to_state == resilience::CircuitState::kOpen ||
                        event.to_state == resilience::CircuitState::kForcedOpen;
    Log()->log(opened ? spdlog::level::warn : spdlog::level::info, "{} circuit {} -> {}: {}",
               event.component, ToString(*event.from_state), ToString(*event.to_state),
               event.message);
  });

  if (config.github.has_credentials()) {
    integrations::github::GitHubClientConfig github;
    github.base_url = config.github.api_url;
    github.user_agent = "contexten/" + std::string(Version());
    github.token = config.github.token;
    if (config.github.has_app()) {
      github.app = integrations::github::GitHubAppCredentials{
          config.github.app_id, config.github.app_private_key, config.github.app_installation_id};
    }
    github_client_ = std::make_unique<integrations::github::GitHubRestClient>(http_, github, clock);
    github_ =
        std::make_unique<integrations::github::ResilientGitHubApi>(*github_client_, clock, events_);
  } else {
    Log()->info("GitHub not configured (github.token or github.app_id): GitHub actions are off");
  }

  if (config.linear.has_credentials()) {
    integrations::linear::LinearClientOptions linear;
    linear.api_url = config.linear.api_url;
    linear.credential = config.linear.api_key;
    linear_client_ =
        std::make_unique<integrations::linear::LinearGraphqlClient>(http_, linear, clock);
    // Only the outbox relay calls Linear, and it retries durably (a rescheduled row), so one
    // attempt per call and no waiting for the limiter: a refusal comes back at once.
    integrations::linear::ResilientLinearOptions resilience;
    resilience.retry.max_attempts = 1;
    resilience.limiter_max_wait = core::Millis(0);
    linear_ = std::make_unique<integrations::linear::ResilientLinearApi>(*linear_client_, clock,
                                                                         events_, resilience);
  } else {
    Log()->info("Linear not configured (linear.api_key): Linear actions are off");
  }
}

// Nothing may run on the I/O thread while the clients are destroyed.
PlatformsModule::~PlatformsModule() { io_.Stop(); }

integrations::github::GitHubApi* PlatformsModule::github() { return github_.get(); }

integrations::linear::LinearApi* PlatformsModule::linear() { return linear_.get(); }

void PlatformsModule::RegisterHealth(workflows::HealthRegistry& health) {
  health.Register(BreakerProbe("slack_api", slack_.breaker()));
  if (github_) health.Register(BreakerProbe("github", github_->breaker()));
  if (linear_) health.Register(BreakerProbe("linear", *linear_->breaker()));
}

}  // namespace contexten::bot::wiring

namespace contexten::bot::wiring {

std::vector<std::pair<std::string, const core::resilience::CircuitBreaker*>>
PlatformsModule::breakers() const {
  std::vector<std::pair<std::string, const core::resilience::CircuitBreaker*>> out = {
      {"slack_api", &slack_.breaker()}, {"slack_outbox", &slack_outbox_.breaker()}};
  if (github_) out.emplace_back("github", &github_->breaker());
  if (linear_ && linear_->breaker()) out.emplace_back("linear", linear_->breaker());
  return out;
}

}  // namespace contexten::bot::wiring
