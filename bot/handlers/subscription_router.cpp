#include "bot/handlers/subscription_router.hpp"

#include <spdlog/spdlog.h>

#include "core/logging.hpp"
#include "workflows/rules/rule_workflow.hpp"
#include "workflows/rules/rules.hpp"
#include "workflows/subscriptions/feed_workflow.hpp"
#include "workflows/subscriptions/filter.hpp"
#include "workflows/subscriptions/github_feed.hpp"
#include "workflows/subscriptions/linear_feed.hpp"

namespace contexten::bot::handlers {
namespace {

namespace subs = workflows::subscriptions;
using nlohmann::json;

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::Logger("subscriptions");
  return log;
}

}  // namespace

core::Status SubscriptionRouter::Route(std::int64_t, const std::string& delivery_key,
                                       const integrations::github::GitHubEvent& event) {
  auto feed = subs::FromGitHub(event);
  if (!feed) return core::Ok();
  return Feed(*feed, delivery_key);
}

core::Status SubscriptionRouter::RouteLinear(std::int64_t, const std::string& delivery_key,
                                             const integrations::linear::LinearEvent& event) {
  auto feed = subs::FromLinear(event);
  if (!feed) return core::Ok();
  return Feed(*feed, delivery_key);
}

bool SubscriptionRouter::WantsLinear(const integrations::linear::LinearEvent& event) {
  auto feed = subs::FromLinear(event);
  if (!feed) return false;
  if (rules_ && !workflows::rules::Matching(*rules_->Current(), *feed).empty()) return true;
  auto rows = subscriptions_.ForTarget(feed->platform, feed->target);
  return !rows || !rows->empty();
}

core::Status SubscriptionRouter::Feed(const subs::FeedEvent& event,
                                      const std::string& delivery_key) {
  if (rules_) {
    // The rule set in force now, held for this event even if a reload swaps it meanwhile.
    const auto rules = rules_->Current();
    for (const auto* rule : workflows::rules::Matching(*rules, event)) {
      auto started =
          engine_.Start(workflows::rules::kRuleType,
                        workflows::rules::RuleRunId(*rule, delivery_key, event.entity_key),
                        workflows::rules::MakeRuleStart(*rule, event));
      if (!started) return core::Unexpected(started.error());
    }
  }
  auto rows = subscriptions_.ForTarget(event.platform, event.target);
  if (!rows) return core::Unexpected(rows.error());
  for (const auto& row : *rows) {
    auto spec = json::parse(row.spec, nullptr, false);
    subs::Subscription sub = subs::FromJson(spec.is_discarded() ? json() : spec);
    sub.id = row.id;
    sub.channel = row.channel;
    const std::string run_id = subs::FeedRunId(sub.id, event.entity_key);
    const auto engine_event = subs::MakeFeedEvent(sub, event, delivery_key);
    auto delivered = engine_.Deliver(run_id, engine_event);
    if (delivered) continue;
    if (delivered.error().kind != core::ErrorKind::kNotFound) {
      return core::Unexpected(delivered.error());
    }
    // No run yet: start one only for an event that brings the entity into the channel.
    const auto match = subs::Match(sub, event, {});
    if (!match.post) {
      Log()->debug("{} {} not for {}: {}", event.entity_key, event.action, row.channel,
                   match.reason);
      continue;
    }
    auto started = engine_.Start(subs::kFeedType, run_id, engine_event);
    if (!started) return core::Unexpected(started.error());
  }
  return core::Ok();
}

}  // namespace contexten::bot::handlers
