#include "bot/app.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "bot/commands/command_handler.hpp"
#include "bot/dispatcher.hpp"
#include "bot/health_routes.hpp"
#include "bot/version.hpp"
#include "bot/webhooks/webhook_ingress.hpp"
#include "core/clock.hpp"
#include "core/logging.hpp"
#include "core/net/http_client.hpp"
#include "core/net/http_server.hpp"
#include "core/net/io_runtime.hpp"
#include "core/redactor.hpp"
#include "core/resilience/circuit_breaker.hpp"
#include "core/resilience/events.hpp"
#include "core/resilience/peer_api_breaker.hpp"
#include "core/resilience/rate_limiter.hpp"
#include "core/resilience/retry.hpp"
#include "core/wait_until.hpp"
#include "core/worker_pool.hpp"
#include "integrations/github/github_rest_client.hpp"
#include "integrations/github/resilient_github_api.hpp"
#include "integrations/linear/linear_graphql_client.hpp"
#include "integrations/linear/resilient_linear_api.hpp"
#include "integrations/slack/paced_slack_api.hpp"
#include "integrations/slack/slack_web_client.hpp"
#include "integrations/slack/socket_mode_client.hpp"
#include "store/database.hpp"
#include "store/sqlite_inbox.hpp"
#include "workflows/health/health_registry.hpp"

namespace contexten::bot {
namespace {

namespace resilience = core::resilience;

// What an operator sees of GitHub or Linear in /readyz: the breaker's state. Reported, not
// gating (see ComponentHealth::gates_readiness).
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

// Linear's components, owned here because ResilientLinearApi only references them.
struct LinearStack {
  LinearStack(core::net::HttpClient& http, integrations::linear::LinearClientOptions options,
              core::Clock& clock, std::shared_ptr<resilience::EventBus> events)
      : client(http, std::move(options), clock),
        retry("linear", RetryConfig(), clock, resilience::Retry::RandomSeed(), events),
        breaker("linear", resilience::PeerApiBreakerConfig(), clock, events),
        // Linear allows 1,500 requests an hour per API key; keep bursts modest.
        limiter("linear", {50, 1500, std::chrono::hours(1)}, clock, events),
        api(client, {&retry, &breaker, &limiter, std::chrono::seconds(5), nullptr, std::nullopt},
            clock) {}

  static resilience::RetryConfig RetryConfig() {
    resilience::RetryConfig config;
    config.max_attempts = 4;
    return config;
  }

  integrations::linear::LinearGraphqlClient client;
  resilience::Retry retry;
  resilience::CircuitBreaker breaker;
  resilience::RateLimiter limiter;
  integrations::linear::ResilientLinearApi api;
};

}  // namespace

struct App::Impl {
  explicit Impl(AppOptions o) : options(std::move(o)), log(core::Logger("app")) {}

  AppOptions options;
  std::shared_ptr<spdlog::logger> log;
  core::Clock& clock = core::DefaultClock();
  // Declaration order is teardown order reversed: network first down, store last.
  std::unique_ptr<store::Database> database;
  std::unique_ptr<store::SqliteInbox> inbox;
  std::unique_ptr<core::WorkerPool> workers;
  std::unique_ptr<core::net::IoRuntime> io;
  std::unique_ptr<core::net::HttpClient> http;
  std::shared_ptr<core::resilience::EventBus> resilience_events =
      std::make_shared<core::resilience::EventBus>();
  std::unique_ptr<integrations::github::GitHubRestClient> github_client;
  std::unique_ptr<integrations::github::ResilientGitHubApi> github;
  std::unique_ptr<LinearStack> linear;
  std::unique_ptr<integrations::slack::SlackWebClient> slack_client;
  // What everything else calls: slack_client inside Slack's tiers, per-channel pacing and 429s.
  std::unique_ptr<integrations::slack::PacedSlackApi> slack;
  std::unique_ptr<CommandHandler> commands;
  std::unique_ptr<Dispatcher> dispatcher;
  std::unique_ptr<integrations::slack::SocketModeClient> socket_mode;
  workflows::HealthRegistry health;
  std::unique_ptr<webhooks::WebhookIngress> webhooks;  // GitHub/Linear webhook routes
  std::unique_ptr<core::net::HttpServer> server;
  bool stopped = false;
};

App::App(AppOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

App::~App() { Stop(); }

core::Status App::Start() {
  auto& s = *impl_;
  auto& config = s.options.config;
  for (const auto& secret : config.Secrets()) core::Redactor::Global().AddSecret(secret);

  // I/O: one thread runs every socket; handlers run on the worker pool.
  s.io = std::make_unique<core::net::IoRuntime>(1);
  core::net::HttpClientOptions http_options;
  http_options.tls.ca_file = config.ca_file;
  http_options.user_agent = "contexten/" + std::string(Version());
  s.http = std::make_unique<core::net::HttpClient>(*s.io, http_options);

  store::StoreOptions store_options;
  store_options.path = config.store.path;
  auto database = store::Database::Open(store_options);
  if (!database) {
    return core::Unexpected(core::MakeError(
        database.error().kind, "store '" + config.store.path + "': " + database.error().message));
  }
  s.database = std::move(*database);
  s.inbox = std::make_unique<store::SqliteInbox>(*s.database, s.clock);
  s.workers = std::make_unique<core::WorkerPool>(2);

  s.slack_client = std::make_unique<integrations::slack::SlackWebClient>(
      *s.http, config.slack.api_url, config.slack.bot_token);
  integrations::slack::PacingOptions pacing;
  pacing.events = s.resilience_events;
  s.slack = std::make_unique<integrations::slack::PacedSlackApi>(*s.slack_client, s.clock, pacing);
  // `ping` answers in the slash command's ack (3 s budget) and reports the Web API round trip:
  // it measures the unpaced client, since waiting for an auth.test token would delay the ack
  // (a burst of pings otherwise acks late and Slack redelivers) and measure our own pacing.
  s.commands = std::make_unique<CommandHandler>(*s.slack_client, s.clock);
  DispatcherOptions dispatcher_options;
  dispatcher_options.command = config.slack.command;
  s.dispatcher = std::make_unique<Dispatcher>(*s.inbox, *s.slack, *s.commands, *s.workers, s.clock,
                                              dispatcher_options);

  // Who are we? Needed to ignore our own messages. Not fatal: Slack may be briefly away.
  if (auto auth = s.slack->AuthTest(); auth) {
    s.dispatcher->set_bot_user_id(auth->user_id);
    s.log->info("Slack auth ok: team {} bot user {}", auth->team_id, auth->user_id);
  } else if (auth.error().kind == core::ErrorKind::kUnauthorized) {
    return core::Unexpected(core::MakeError(
        core::ErrorKind::kUnauthorized, "Slack rejected the bot token: " + auth.error().message));
  } else {
    s.log->warn("Slack auth.test failed, continuing: {}", auth.error().Describe());
  }

  if (auto replayed = s.dispatcher->Recover(); !replayed) {
    s.log->error("inbox recovery failed: {}", replayed.error().Describe());
  }

  integrations::slack::SocketModeOptions sm;
  sm.api_url = config.slack.api_url;
  sm.app_token = config.slack.app_token;
  sm.connections = config.slack.connections;
  sm.tls.ca_file = config.ca_file;
  auto* dispatcher = s.dispatcher.get();
  s.socket_mode = std::make_unique<integrations::slack::SocketModeClient>(
      *s.io, *s.http, sm,
      [dispatcher](integrations::slack::Envelope e, integrations::slack::AckFn ack) {
        dispatcher->OnEnvelope(std::move(e), std::move(ack));
      });

  auto* db = s.database.get();
  s.health.Register([db] {
    auto ok = db->ReadOnly([](SQLite::Database&) { return core::Ok(); });
    return workflows::ComponentHealth{"store", static_cast<bool>(ok),
                                      ok ? "open" : ok.error().message};
  });
  auto* socket_mode = s.socket_mode.get();
  s.health.Register([socket_mode] {
    const bool up = socket_mode->connected();
    return workflows::ComponentHealth{
        "slack", up, up ? "connected" : "not connected: " + socket_mode->last_error()};
  });

  webhooks::WebhookIngressOptions webhook_options;
  webhook_options.github_secret = config.github.webhook_secret;
  webhook_options.linear_secret = config.linear.webhook_secret;
  s.webhooks =
      std::make_unique<webhooks::WebhookIngress>(*s.inbox, *s.workers, s.clock, webhook_options);

  core::net::HttpServerOptions server_options;
  server_options.bind_address = config.http.bind;
  server_options.port = static_cast<uint16_t>(config.http.port);
  // Global limit; each webhook route checks its own, smaller or not, in its handler.
  server_options.body_limit = std::max(config.http.body_limit, s.webhooks->max_body_limit());
  s.server = std::make_unique<core::net::HttpServer>(*s.io, server_options);
  InstallHealthRoutes(*s.server, s.health);
  s.webhooks->Install(*s.server);
  if (auto started = s.server->Start(); !started) {
    if (!s.options.allow_port_fallback) return started;
    s.log->warn("{}; serving health checks on a free port instead", started.error().message);
    server_options.port = 0;
    s.server = std::make_unique<core::net::HttpServer>(*s.io, server_options);
    InstallHealthRoutes(*s.server, s.health);
    s.webhooks->Install(*s.server);
    if (auto again = s.server->Start(); !again) return again;
  }
  s.log->info("HTTP on {}:{} (/healthz, /readyz)", config.http.bind, s.server->port());

  if (auto peers = ConnectGitHubAndLinear(); !peers) return peers;

  s.socket_mode->Start();
  return core::Ok();
}

core::Status App::ConnectGitHubAndLinear() {
  auto& s = *impl_;
  const auto& config = s.options.config;
  s.resilience_events->Subscribe([log = s.log](const core::resilience::ResilienceEvent& event) {
    if (event.kind != core::resilience::ResilienceEventKind::kStateTransition) return;
    const bool opened = event.to_state == core::resilience::CircuitState::kOpen ||
                        event.to_state == core::resilience::CircuitState::kForcedOpen;
    log->log(opened ? spdlog::level::warn : spdlog::level::info, "{} circuit {} -> {}: {}",
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
    s.github_client =
        std::make_unique<integrations::github::GitHubRestClient>(*s.http, github, s.clock);
    s.github = std::make_unique<integrations::github::ResilientGitHubApi>(*s.github_client, s.clock,
                                                                          s.resilience_events);
    s.health.Register(BreakerProbe("github", s.github->breaker()));
  } else {
    s.log->info("GitHub not configured (github.token or github.app_id): GitHub actions are off");
  }

  if (config.linear.has_credentials()) {
    integrations::linear::LinearClientOptions linear;
    linear.api_url = config.linear.api_url;
    linear.credential = config.linear.api_key;
    s.linear = std::make_unique<LinearStack>(*s.http, linear, s.clock, s.resilience_events);
    s.health.Register(BreakerProbe("linear", s.linear->breaker));
  } else {
    s.log->info("Linear not configured (linear.api_key): Linear actions are off");
  }
  return core::Ok();
}

void App::Stop() {
  auto& s = *impl_;
  if (s.stopped) return;
  s.stopped = true;
  if (s.socket_mode) s.socket_mode->Stop();
  if (s.server) s.server->Stop();
  // Deliveries already accepted finish their inbox write and answer before the I/O runtime
  // goes away (their completions post back to it). Bounded: a stuck store must not hang exit;
  // whatever is left stays pending in the inbox and is replayed at the next start.
  core::WaitUntil(
      [&s] {
        return (!s.dispatcher || s.dispatcher->idle()) &&
               (!s.webhooks || s.webhooks->in_flight() == 0);
      },
      std::chrono::seconds(5));
  if (s.workers) s.workers->Shutdown();        // finish handlers that were started
  if (s.dispatcher) s.dispatcher->Shutdown();  // and those on its fast lane
  if (s.io) s.io->Stop();
  s.socket_mode.reset();
  s.server.reset();
  s.dispatcher.reset();
  s.slack.reset();
  s.slack_client.reset();
  s.github.reset();
  s.github_client.reset();
  s.linear.reset();
  s.http.reset();
  s.io.reset();
  s.inbox.reset();
  s.database.reset();
}

bool App::WaitConnected(std::chrono::milliseconds deadline) {
  return core::WaitUntil([this] { return impl_->socket_mode && impl_->socket_mode->connected(); },
                         deadline);
}

bool App::WaitIdle(std::chrono::milliseconds deadline) {
  return core::WaitUntil([this] { return impl_->dispatcher && impl_->dispatcher->idle(); },
                         deadline);
}

uint16_t App::http_port() const { return impl_->server ? impl_->server->port() : 0; }

integrations::github::GitHubApi* App::github() { return impl_->github.get(); }
integrations::linear::LinearApi* App::linear() {
  return impl_->linear ? &impl_->linear->api : nullptr;
}

Dispatcher& App::dispatcher() { return *impl_->dispatcher; }

bool App::ready() const { return impl_->health.AllReady(); }

}  // namespace contexten::bot
