#include "bot/wiring/ingress_module.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>
#include <utility>

#include "bot/handlers/register_handlers.hpp"
#include "bot/health_routes.hpp"
#include "bot/metrics.hpp"
#include "bot/wiring/orchestration_module.hpp"
#include "bot/wiring/platforms_module.hpp"
#include "bot/wiring/startup_error.hpp"
#include "bot/wiring/store_module.hpp"
#include "core/logging.hpp"
#include "core/wait_until.hpp"
#include "integrations/github/events.hpp"
#include "workflows/health/health_checks.hpp"

namespace contexten::bot::wiring {
namespace {

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::Logger("app");
  return log;
}

DispatcherOptions DispatcherSettings(const core::Config& config) {
  DispatcherOptions options;
  options.command = config.slack.command;
  return options;
}

webhooks::WebhookIngressOptions WebhookSettings(const core::Config& config) {
  webhooks::WebhookIngressOptions options;
  options.github_secret = config.github.webhook_secret;
  options.linear_secret = config.linear.webhook_secret;
  return options;
}

integrations::slack::SocketModeOptions SocketModeSettings(const core::Config& config) {
  integrations::slack::SocketModeOptions options;
  options.api_url = config.slack.api_url;
  options.app_token = config.slack.app_token;
  options.connections = config.slack.connections;
  options.tls.ca_file = config.ca_file;
  return options;
}

workflows::builtin::GitHubRouteSettings GitHubRouting(const core::Config& config) {
  workflows::builtin::GitHubRouteSettings settings;
  settings.alerts_channel = config.github.alerts_channel;
  settings.linear_team =
      config.github.linear_team.empty() ? config.linear.default_team : config.github.linear_team;
  // The Linear team keys a PR may name.
  for (const auto& key : {config.linear.default_team, config.github.linear_team}) {
    if (!key.empty()) settings.team_keys.insert(key);
  }
  return settings;
}

}  // namespace

IngressModule::IngressModule(const core::Config& config, StoreModule& store,
                             PlatformsModule& platforms, OrchestrationModule& orchestration,
                             core::Clock& clock, IngressOptions options)
    : workers_(2),
      // `ping` answers in the slash command's ack (3 s budget) and reports the Web API round
      // trip: it measures the unpaced client, since waiting for an auth.test token would delay
      // the ack (a burst of pings otherwise acks late and Slack redelivers).
      commands_(platforms.slack_unpaced(), clock),
      // Allow-lists by user group ask Slack for the members (cached by the paced client).
      access_(config.access,
              [&slack = platforms.slack()](const std::string& group) {
                return slack.UsergroupMembers(group);
              }),
      dispatcher_(store.inbox(), platforms.slack(), workers_, clock, DispatcherSettings(config)),
      rules_(config.rules.file),
      subscription_router_(orchestration.subscriptions(), orchestration.engine(), &rules_),
      linear_hooks_(store.inbox(), orchestration.engine()),
      github_hooks_(store.inbox(), orchestration.engine(), GitHubRouting(config)),
      webhooks_(store.inbox(), workers_, clock, WebhookSettings(config)),
      socket_mode_(platforms.io(), platforms.http(), SocketModeSettings(config),
                   [this](integrations::slack::Envelope e, integrations::slack::AckFn ack) {
                     dispatcher_.OnEnvelope(std::move(e), std::move(ack));
                   }) {
  try {
    // A rules file that does not load at start is a configuration error, named by its line.
    if (auto loaded = rules_.Reload(); !loaded) {
      throw StartupError(
          core::MakeError(core::ErrorKind::kInvalidInput, "rules.file: " + loaded.error().message));
    }
    if (!config.rules.file.empty()) {
      Log()->info("{} rule(s) from {}", rules_.Current()->rules.size(), config.rules.file);
    }
    handlers::FileIssueSettings file_issue;
    file_issue.linear_enabled = orchestration.linear_enabled();
    file_issue.default_team = config.linear.default_team;
    file_issue.subscriptions = &orchestration.subscriptions();
    if (platforms.linear() != nullptr && orchestration.linear_enabled()) {
      linear_reference_ =
          std::make_unique<handlers::LinearReferenceCache>(*platforms.linear(), clock);
      file_issue.reference = linear_reference_.get();
    }
    handlers::ConversationSettings conversation;
    conversation.command = config.slack.command;
    conversation.confidence_threshold = config.conversation.confidence_threshold;
    conversation.question_ttl = std::chrono::minutes(config.conversation.question_ttl_minutes);
    conversation.github_logins = config.identity.github_logins;
    conversation_ = std::make_unique<handlers::ConversationHandler>(handlers::ConversationDeps{
        orchestration.engine(), orchestration.workflows(), &store.audit(), access_, file_issue,
        conversation, intents::Understand});
    handlers::HandlerDeps deps{orchestration.engine(), orchestration.workflows(),
                               [&orchestration] { orchestration.relay().Wake(); }, &health_,
                               file_issue};
    // Scheduled reports show the bot's own health (bot/handlers/report_handler.hpp).
    handlers::ReportSource report_source = [this, &orchestration](const auto&) {
      return handlers::LocalReportModel(&health_, orchestration.workflows());
    };
    orchestration.set_report_source(report_source);
    forget_report_source_ = [&orchestration] { orchestration.set_report_source(nullptr); };
    deps.schedules = &orchestration.schedules();
    deps.report_source = report_source;
    deps.report_scope = [&orchestration](const std::string& channel) {
      return orchestration.ReportScopeFor(channel);
    };
    deps.wake_scheduler = [&orchestration] { orchestration.WakeScheduler(); };
    deps.deploy.github_enabled = orchestration.github_enabled();
    deps.deploy.workflow = config.github.deploy_workflow;
    deps.deploy.expiry_seconds = config.github.deploy_expiry_seconds;
    deps.subscriptions = &orchestration.subscriptions();
    deps.reload_rules = [this] { return ReloadRules(); };
    handlers::RegisterHandlers(dispatcher_.listeners(), commands_, *conversation_,
                               config.slack.command, std::move(deps));
    // Channel subscriptions and rules see every GitHub and Linear delivery before the runs do
    // (idempotent per delivery; they never finish the row).
    github_hooks_.AddRouter([this](std::int64_t inbox_id, const std::string& delivery_key,
                                   const integrations::github::GitHubEvent& event) {
      return subscription_router_.Route(inbox_id, delivery_key, event);
    });
    linear_hooks_.set_router(&subscription_router_);
    // Linear's Issue and Comment webhooks feed the runs tracking those issues, GitHub's feed
    // the PR, CI and deploy runs and the subscriptions; the rows stay pending until they have
    // been taken (or nobody waits for them).
    std::vector<std::string> consumed = {"github"};
    if (orchestration.linear_enabled()) consumed.push_back("linear");
    webhooks_.set_on_accepted(
        [this](const std::string& source, std::int64_t inbox_id, const std::string& kind,
               const std::string& body) {
          if (source == "github") {
            github_hooks_.OnAccepted(inbox_id, kind, body);
          } else {
            linear_hooks_.OnAccepted(inbox_id, body);
          }
        },
        consumed);
    if (orchestration.linear_enabled()) {
      // ...and a Linear delivery one run waits for is decided in the transaction that stores it.
      webhooks_.set_on_arrival(
          [this](const store::InboxItem& item) { return linear_hooks_.OnArrival(item); },
          {"linear"});
      if (auto replayed = linear_hooks_.Recover(); !replayed) {
        Log()->error("Linear webhook recovery failed: {}", replayed.error().Describe());
      }
    }
    if (auto replayed = github_hooks_.Recover(); !replayed) {
      Log()->error("GitHub webhook recovery failed: {}", replayed.error().Describe());
    }
    // Who are we? Needed to ignore our own messages. Not fatal: Slack may be briefly away.
    if (auto auth = platforms.slack().AuthTest(); auth) {
      dispatcher_.set_bot_user_id(auth->user_id);
      Log()->info("Slack auth ok: team {} bot user {}", auth->team_id, auth->user_id);
    } else if (auth.error().kind == core::ErrorKind::kUnauthorized) {
      throw StartupError(core::MakeError(core::ErrorKind::kUnauthorized,
                                         "Slack rejected the bot token: " + auth.error().message));
    } else {
      Log()->warn("Slack auth.test failed, continuing: {}", auth.error().Describe());
    }

    if (auto replayed = dispatcher_.Recover(); !replayed) {
      Log()->error("inbox recovery failed: {}", replayed.error().Describe());
    }
    RegisterHealth(store, platforms);
    // What the health monitor sees now, for /ctx status, /readyz and the digest's health
    // section: reported, never gating (an outage elsewhere must not make us unready).
    health_.Register([&orchestration] {
      std::string problems;
      for (const auto& s : orchestration.health_monitor().last()) {
        if (s.status == workflows::health::kStatusOk) continue;
        problems += (problems.empty() ? "" : "; ") + s.integration + " " + s.check + " " +
                    s.status + " (" + s.detail + ")";
      }
      return workflows::ComponentHealth{"health checks", problems.empty(),
                                        problems.empty() ? "all ok" : problems,
                                        /*gates_readiness=*/false};
    });
    metrics_ = [this, &store, &platforms, &orchestration, &clock] {
      MetricsSnapshot snapshot;
      snapshot.now_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(clock.WallNow().time_since_epoch())
              .count();
      snapshot.lanes = orchestration.relay().lane_stats();
      snapshot.relay = orchestration.relay().stats();
      if (auto stats = store.Stats(); stats) snapshot.store = *stats;
      for (const auto& [name, breaker] : platforms.breakers()) {
        snapshot.breakers.emplace_back(name, breaker->metrics());
      }
      snapshot.dispatcher = dispatcher_.stats();
      snapshot.socket_mode = socket_mode_.stats();
      snapshot.socket_mode_connected = socket_mode_.connected();
      snapshot.health = orchestration.health_monitor().last();
      return RenderMetrics(snapshot);
    };
    StartServer(config, platforms.io(), options);
    socket_mode_.Start();
    // The monitor (orchestration) watches Socket Mode too; this module owns the connection.
    // Added last: a constructor that throws must not leave the monitor a dangling check.
    orchestration.health_monitor().AddCheck(
        workflows::health::ConnectionCheck("socket_mode", [this]() -> std::optional<std::string> {
          if (socket_mode_.connected()) return std::nullopt;
          const std::string why = socket_mode_.last_error();
          return why.empty() ? std::string("connecting") : why;
        }));
  } catch (...) {
    // Members are destroyed without ~IngressModule: drain what already runs first.
    Drain();
    throw;
  }
}

IngressModule::~IngressModule() { Drain(); }

core::Status IngressModule::ReloadRules() {
  if (rules_.path().empty()) {
    return core::MakeError(core::ErrorKind::kNotFound, "no rules file is configured (rules.file)");
  }
  auto reloaded = rules_.Reload();
  if (!reloaded) {
    Log()->error("rules not reloaded, the previous rules stay: {}", reloaded.error().message);
    return reloaded;
  }
  Log()->info("rules reloaded: {} rule(s) from {}", rules_.Current()->rules.size(), rules_.path());
  return core::Ok();
}

// TEMPORARY (issue 10): stands in for the GitHub webhook consumer, which will call
// SubscriptionRouter::Route and finish the row itself.
void IngressModule::RegisterHealth(StoreModule& store, PlatformsModule& platforms) {
  health_.Register([&store] {
    auto ok = store.Check();
    return workflows::ComponentHealth{"store", static_cast<bool>(ok),
                                      ok ? "open" : ok.error().message};
  });
  health_.Register([this] {
    const bool up = socket_mode_.connected();
    return workflows::ComponentHealth{
        "slack", up, up ? "connected" : "not connected: " + socket_mode_.last_error()};
  });
  platforms.RegisterHealth(health_);
}

void IngressModule::StartServer(const core::Config& config, core::net::IoRuntime& io,
                                IngressOptions options) {
  core::net::HttpServerOptions server_options;
  server_options.bind_address = config.http.bind;
  server_options.port = static_cast<uint16_t>(config.http.port);
  // Global limit; each webhook route checks its own, smaller or not, in its handler.
  server_options.body_limit = std::max(config.http.body_limit, webhooks_.max_body_limit());
  server_ = std::make_unique<core::net::HttpServer>(io, server_options);
  InstallHealthRoutes(*server_, health_);
  InstallMetricsRoute(*server_, metrics_);
  webhooks_.Install(*server_);
  if (auto started = server_->Start(); !started) {
    if (!options.allow_port_fallback) throw StartupError(started.error());
    Log()->warn("{}; serving health checks on a free port instead", started.error().message);
    server_options.port = 0;
    server_ = std::make_unique<core::net::HttpServer>(io, server_options);
    InstallHealthRoutes(*server_, health_);
    InstallMetricsRoute(*server_, metrics_);
    webhooks_.Install(*server_);
    if (auto again = server_->Start(); !again) throw StartupError(again.error());
  }
  Log()->info("HTTP on {}:{} (/healthz, /readyz, /metrics)", config.http.bind, server_->port());
}

void IngressModule::Drain() {
  if (drained_) return;
  drained_ = true;
  if (forget_report_source_) forget_report_source_();
  socket_mode_.Stop();
  if (server_) server_->Stop();
  // Deliveries already accepted finish their inbox write and answer before the I/O runtime
  // goes away (their completions post back to it). Bounded: a stuck store must not hang exit;
  // whatever is left stays pending in the inbox and is replayed at the next start.
  core::WaitUntil([this] { return dispatcher_.idle() && webhooks_.in_flight() == 0; },
                  std::chrono::seconds(5));
  workers_.Shutdown();     // finish handlers that were started
  dispatcher_.Shutdown();  // and those on its fast lane
}

}  // namespace contexten::bot::wiring
