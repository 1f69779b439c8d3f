#pragma once
// `/ctx subscribe ...`, `/ctx unsubscribe ...` and `/ctx subscriptions`: a channel's
// subscriptions to GitHub repositories and Linear teams, with their filters and noise settings
// (grammar and defaults: workflows/subscriptions/subscription.hpp). Answers the asker alone.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "store/subscription_store.hpp"

namespace contexten::bot::handlers {

enum class SubscriptionVerb { kSubscribe, kUnsubscribe, kList };

struct SubscriptionCommand {
  SubscriptionVerb verb = SubscriptionVerb::kList;
  std::string_view words;  // after the verb
};

// The command when `text` starts with subscribe, unsubscribe or subscriptions (any case).
std::optional<SubscriptionCommand> SubscriptionWords(std::string_view text);

struct SubscriptionAsker {
  std::string user_id;
  std::string channel_id;
  std::int64_t now_ms = 0;
};

// The ephemeral reply: what the channel is subscribed to now, or what is wrong with the words.
nlohmann::json SubscriptionReply(const SubscriptionCommand& command, const SubscriptionAsker& asker,
                                 store::SubscriptionStore& store);

}  // namespace contexten::bot::handlers
