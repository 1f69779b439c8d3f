#pragma once
// Routes GitHub and Linear webhook events to the channels subscribed to them: each event becomes
// a "feed.event" of the subscription_feed run of (subscription, entity), which decides with the
// subscription's filters whether and where to post (workflows/subscriptions/feed_workflow.hpp).
// A run is started only for an event its subscription would post; later events go to the run
// (a PR labeled after it opened starts it then). Rules (workflows/rules/) see every event too.
//
// Idempotent per delivery: the runs' event keys derive from `delivery_key`, so a replayed
// delivery is dropped by every run that took it. It never finishes the inbox row: the consumer
// that owns the row does, after every router has taken the event.

#include <cstdint>
#include <string>

#include "core/result.hpp"
#include "integrations/github/events.hpp"
#include "integrations/linear/events.hpp"
#include "store/subscription_store.hpp"
#include "workflows/engine/engine.hpp"
#include "workflows/subscriptions/feed_event.hpp"

namespace contexten::workflows::rules {
class RuleBook;
}

namespace contexten::bot::handlers {

class SubscriptionRouter {
 public:
  // `rules` may be null (no rules file).
  SubscriptionRouter(store::SubscriptionStore& subscriptions, workflows::engine::Engine& engine,
                     workflows::rules::RuleBook* rules = nullptr)
      : subscriptions_(subscriptions), engine_(engine), rules_(rules) {}

  core::Status Route(std::int64_t inbox_id, const std::string& delivery_key,
                     const integrations::github::GitHubEvent& event);
  core::Status RouteLinear(std::int64_t inbox_id, const std::string& delivery_key,
                           const integrations::linear::LinearEvent& event);
  // Whether RouteLinear would start or feed anything for `event` (a matching rule or a
  // subscription to its team). True when the store cannot tell: the caller then takes the path
  // that routes it.
  bool WantsLinear(const integrations::linear::LinearEvent& event);

 private:
  core::Status Feed(const workflows::subscriptions::FeedEvent& event,
                    const std::string& delivery_key);

  store::SubscriptionStore& subscriptions_;
  workflows::engine::Engine& engine_;
  workflows::rules::RuleBook* rules_;
};

}  // namespace contexten::bot::handlers
