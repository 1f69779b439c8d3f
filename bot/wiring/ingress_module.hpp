#pragma once
// Ingress: everything that receives work. The Slack dispatcher (and the command handler it
// routes to) behind Socket Mode, the GitHub/Linear webhook routes and /healthz, /readyz on the
// HTTP server, and the worker pool handlers run on. Built last, so it is torn down first:
// nothing new arrives while the rest still runs.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "bot/dispatcher.hpp"
#include "bot/handlers/access_control.hpp"
#include "bot/handlers/command_handler.hpp"
#include "bot/handlers/conversation_handler.hpp"
#include "bot/handlers/github_webhook_consumer.hpp"
#include "bot/handlers/linear_reference_cache.hpp"
#include "bot/handlers/linear_webhook_consumer.hpp"
#include "bot/handlers/subscription_router.hpp"
#include "bot/webhooks/webhook_ingress.hpp"
#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/net/http_server.hpp"
#include "core/worker_pool.hpp"
#include "integrations/slack/socket_mode_client.hpp"
#include "workflows/health/health_registry.hpp"
#include "workflows/rules/rules.hpp"

namespace contexten::bot::wiring {

class StoreModule;
class PlatformsModule;
class OrchestrationModule;

struct IngressOptions {
  // An HTTP port that is taken is not fatal: serve on a free one.
  bool allow_port_fallback = false;
};

class IngressModule {
 public:
  // Learns the bot's user id (auth.test), replays unfinished inbox rows, starts the HTTP
  // server and Socket Mode. Throws StartupError (a rejected bot token, a port that is taken).
  IngressModule(const core::Config& config, StoreModule& store, PlatformsModule& platforms,
                OrchestrationModule& orchestration, core::Clock& clock, IngressOptions options);
  ~IngressModule();  // Drain()
  IngressModule(const IngressModule&) = delete;
  IngressModule& operator=(const IngressModule&) = delete;

  // The graceful part of shutdown, in order: stop Socket Mode and the HTTP server; wait (at most
  // 5 s) for deliveries already accepted to be durable and answered; run the handlers already
  // started and join the worker pools. Call it while the I/O runtime still runs. Idempotent.
  void Drain();

  bool connected() const { return socket_mode_.connected(); }
  // Nothing being appended or handled: Slack deliveries and webhooks alike.
  bool idle() const { return dispatcher_.idle() && webhooks_.in_flight() == 0; }
  Dispatcher& dispatcher() { return dispatcher_; }
  // Where other routers of GitHub deliveries plug in (subscriptions, rules): before Start.
  handlers::GitHubWebhookConsumer& github_hooks() { return github_hooks_; }
  uint16_t http_port() const { return server_ ? server_->port() : 0; }
  const workflows::HealthRegistry& health() const { return health_; }
  // Reads the rules file again (SIGHUP, `/ctx rules reload`); a bad file keeps the rules in
  // force and the error names its line.
  core::Status ReloadRules();

 private:
  void RegisterHealth(StoreModule& store, PlatformsModule& platforms);
  void StartServer(const core::Config& config, core::net::IoRuntime& io, IngressOptions options);

  core::WorkerPool workers_;
  handlers::CommandHandler commands_;
  handlers::AccessControl access_;
  std::unique_ptr<handlers::ConversationHandler> conversation_;
  // The create-issue form's Linear teams, people and labels (null without Linear).
  std::unique_ptr<handlers::LinearReferenceCache> linear_reference_;
  Dispatcher dispatcher_;
  // Channel subscriptions and rules (issue 10); before the consumers that call them.
  workflows::rules::RuleBook rules_;
  handlers::SubscriptionRouter subscription_router_;
  handlers::LinearWebhookConsumer linear_hooks_;  // before webhooks_: it outlives their hooks
  handlers::GitHubWebhookConsumer github_hooks_;  // likewise
  workflows::HealthRegistry health_;
  // Takes back the report source handed to the scheduler (it reads health_), in Drain().
  std::function<void()> forget_report_source_;
  webhooks::WebhookIngress webhooks_;  // GitHub/Linear webhook routes
  integrations::slack::SocketModeClient socket_mode_;
  std::function<std::string()> metrics_;  // GET /metrics (bot/metrics.hpp)
  std::unique_ptr<core::net::HttpServer> server_;
  bool drained_ = false;
};

}  // namespace contexten::bot::wiring
