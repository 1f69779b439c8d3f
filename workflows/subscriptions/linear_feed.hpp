#pragma once
// Linear webhook events as subscription feed events (pure): an issue created, an issue whose
// state moved, a comment created. Other deliveries give nullopt.

#include <optional>

#include "integrations/linear/events.hpp"
#include "workflows/subscriptions/feed_event.hpp"

namespace contexten::workflows::subscriptions {

std::optional<FeedEvent> FromLinear(const integrations::linear::LinearEvent& event);

}  // namespace contexten::workflows::subscriptions
