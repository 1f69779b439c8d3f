#pragma once
// Whether a subscription posts an event (pure). The filters decide whether an entity enters the
// channel; once it has (EntityMemory::posted), its later events follow in its thread, so a
// label removed later does not orphan the thread. Evaluated at every event, not only when the
// entity opens: a PR labeled after it opened enters then, once (the research's pain point 4).

#include <string>

#include "workflows/subscriptions/feed_event.hpp"
#include "workflows/subscriptions/subscription.hpp"

namespace contexten::workflows::subscriptions {

struct MatchResult {
  bool post = false;
  bool as_new = false;  // the entity enters the channel with this event (root / first post)
  std::string reason;   // why not, for the run's history and tests
};

MatchResult Match(const Subscription& subscription, const FeedEvent& event,
                  const EntityMemory& memory);

}  // namespace contexten::workflows::subscriptions
