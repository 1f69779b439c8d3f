#pragma once
// Hands GitHub webhooks to the workflows (DESIGN.md §3): each typed delivery is routed by
// workflows/builtin/github_events.hpp to the runs waiting for it (a PR to the runs tracking the
// Linear issues it names, a review or check result to the runs tracking that PR, a failed CI run
// to its alert, a dispatched run to its deploy), then to the routers others added (channel
// subscriptions, rules). The inbox row is finished only after all of them took it; a failure
// leaves it pending, and the next start replays it. Every step is idempotent per delivery: each
// run consumes the delivery's event key ("github:<inbox id>") once, and a CI alert's run id is
// derived from the failed run, so a replay starts nothing twice.

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "integrations/github/events.hpp"
#include "store/inbox.hpp"
#include "workflows/builtin/github_events.hpp"
#include "workflows/engine/engine.hpp"

namespace contexten::bot::handlers {

class GitHubWebhookConsumer {
 public:
  // Called with each typed delivery before its row is finished. `delivery_key` identifies the
  // delivery across replays ("github:<inbox id>"): derive event keys and run ids from it. A
  // failure leaves the row pending (the delivery comes again at the next start).
  using Router = std::function<core::Status(std::int64_t inbox_id, const std::string& delivery_key,
                                            const integrations::github::GitHubEvent& event)>;

  GitHubWebhookConsumer(store::Inbox& inbox, workflows::engine::Engine& engine,
                        workflows::builtin::GitHubRouteSettings settings)
      : inbox_(inbox), engine_(engine), settings_(std::move(settings)) {}

  // Before the ingress delivers anything.
  void AddRouter(Router router);

  // The ingress hook (WebhookIngress::set_on_accepted) for source "github". `kind` is the row's
  // "event[:action]".
  void OnAccepted(std::int64_t inbox_id, const std::string& kind, const std::string& body);
  // Replays GitHub rows left pending by a crash. Returns how many were handled.
  core::Result<std::size_t> Recover();

  // The delivery key of an inbox row.
  static std::string DeliveryKey(std::int64_t inbox_id);

 private:
  core::Status Handle(std::int64_t inbox_id, const std::string& kind, const std::string& body);

  store::Inbox& inbox_;
  workflows::engine::Engine& engine_;
  const workflows::builtin::GitHubRouteSettings settings_;
  std::vector<Router> routers_;
};

}  // namespace contexten::bot::handlers
