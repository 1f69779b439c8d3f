#pragma once
// The subscription feed: one run per (subscription, entity) posts what the subscription lets
// through into its channel, through the outbox (DESIGN.md §3). With threads on, the entity's
// first posted event is the root of its home thread and later events are thread replies, the
// root edited in place to show the latest; a state change is also broadcast to the channel
// (reply_broadcast) only when the subscription asked for broadcast:states. With threads off,
// every event is a message of its own.
//
// Events: "feed.event" {subscription: Subscription JSON, event: FeedEvent JSON}, keyed by the
// delivery that carried it (a redelivery is dropped by the engine), plus the effect results of
// its own posts. Run ids: FeedRunId().
//
// Synced threads: the home thread is linked to the run, so a person's reply in the home thread
// of a Linear issue arrives as "slack.reply" (bot/handlers/thread_sync.hpp) and becomes a Linear
// comment ("via Slack, by <name>") whose id the run chooses and remembers; the comment's own
// webhook is then not posted back. Replies in a GitHub entity's thread stay in Slack: the bot's
// thread listener only syncs threads of Linear issues (DESIGN.md §1, synced threads), and a
// GitHub comment's id is only known once it exists, after its webhook may have arrived.

#include <string>

#include "workflows/engine/workflow.hpp"
#include "workflows/subscriptions/feed_event.hpp"
#include "workflows/subscriptions/subscription.hpp"

namespace contexten::workflows::subscriptions {

inline constexpr char kFeedType[] = "subscription_feed";
inline constexpr char kFeedEvent[] = "feed.event";

class FeedWorkflow final : public engine::Workflow {
 public:
  std::string_view type() const override { return kFeedType; }
  engine::Decision Decide(const engine::DecideContext& context, const nlohmann::json& state,
                          const engine::Event& event) const override;
};

// "feed:<subscription id>:<entity key>".
std::string FeedRunId(std::int64_t subscription_id, const std::string& entity_key);

// The engine event for `event` as seen by `subscription`, deduplicated by `delivery_key`.
engine::Event MakeFeedEvent(const Subscription& subscription, const FeedEvent& event,
                            const std::string& delivery_key);

// The texts the feed posts (mrkdwn).
std::string RootText(const FeedEvent& latest);
std::string ReplyText(const FeedEvent& event);

}  // namespace contexten::workflows::subscriptions
