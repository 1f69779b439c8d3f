#pragma once
// Hands Linear webhooks to the workflows waiting for them: an Issue or Comment delivery for a
// tracked issue becomes an event of the runs waiting on that key, delivered in the same
// transaction that finishes its inbox row (DESIGN.md §3). Deliveries no run waits for are
// finished as they are. A failure leaves the row pending: the next start replays it.

#include <cstdint>
#include <optional>
#include <string>

#include "bot/handlers/subscription_router.hpp"
#include "core/result.hpp"
#include "store/inbox.hpp"
#include "workflows/engine/engine.hpp"

namespace contexten::bot::handlers {

class LinearWebhookConsumer {
 public:
  LinearWebhookConsumer(store::Inbox& inbox, workflows::engine::Engine& engine)
      : inbox_(inbox), engine_(engine) {}

  // The ingress's fast path (WebhookIngress::set_on_arrival), for a delivery not stored yet:
  // when exactly one run waits for it, that run's step appends the inbox row, finished, in its
  // own transaction (one fsync from request to decision, DESIGN.md §3: still durable before the
  // 2xx); when none waits, the row is appended finished. nullopt: not taken here (several runs
  // wait, or the step could not be taken): the ingress stores the row pending for OnAccepted.
  std::optional<core::Result<store::AppendResult>> OnArrival(const store::InboxItem& item);
  // The ingress hook (WebhookIngress::set_on_accepted) for source "linear".
  void OnAccepted(std::int64_t inbox_id, const std::string& body);
  // Subscriptions and rules see every parsed delivery first (issue 10; may be null).
  void set_router(SubscriptionRouter* router) { router_ = router; }
  // Replays Linear rows left pending by a crash. Returns how many were handled.
  core::Result<std::size_t> Recover();

 private:
  core::Status Handle(std::int64_t inbox_id, const std::string& body);

  store::Inbox& inbox_;
  workflows::engine::Engine& engine_;
  SubscriptionRouter* router_ = nullptr;
};

}  // namespace contexten::bot::handlers
