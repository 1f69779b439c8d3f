#pragma once
// Port: performs one kind of effect against a platform (DESIGN.md §3, "the outbox relay does").
// One executor per relay lane; implementations call the platform ports (SlackApi, LinearApi,
// GitHubApi) and never retry or sleep themselves: a failure goes back to the relay, which turns
// it into a durable reschedule or a dead letter.

#include <nlohmann/json.hpp>
#include <optional>

#include "core/result.hpp"
#include "store/workflow_store.hpp"

namespace contexten::workflows::outbox {

class EffectExecutor {
 public:
  virtual ~EffectExecutor() = default;
  // Performs the effect; the JSON result is fed back to the run as an "effect.done" event.
  virtual core::Result<nlohmann::json> Execute(const store::EffectRecord& effect) = 0;
  // Called before performing an effect that an earlier attempt may have applied (a timeout or
  // reset after sending, a crash while in flight): what that attempt made, found on the
  // platform by the effect's idempotency key; nullopt when it did not land.
  virtual core::Result<std::optional<nlohmann::json>> Lookup(const store::EffectRecord& effect) = 0;
};

// Whether a failed attempt may have been applied by the platform: the client says so
// (core::Error::outcome_unknown: sent, then no answer), or a timeout or transient failure (a
// 5xx may come after the platform applied it): looking costs one read, re-creating a duplicate.
bool MayHaveApplied(const core::Error& error);

}  // namespace contexten::workflows::outbox
