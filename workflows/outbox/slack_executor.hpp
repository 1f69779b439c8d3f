#pragma once
// Performs the slack.* effects (effect_kinds.hpp) through the SlackApi port. The composition
// gives it a client that fails fast on rate limits (no waiting inside): the relay reschedules.

#include "integrations/slack/slack_api.hpp"
#include "workflows/outbox/effect_executor.hpp"

namespace contexten::workflows::outbox {

class SlackExecutor final : public EffectExecutor {
 public:
  explicit SlackExecutor(integrations::slack::SlackApi& slack) : slack_(slack) {}
  core::Result<nlohmann::json> Execute(const store::EffectRecord& effect) override;
  core::Result<std::optional<nlohmann::json>> Lookup(const store::EffectRecord& effect) override;

 private:
  integrations::slack::SlackApi& slack_;
};

}  // namespace contexten::workflows::outbox
