#pragma once
// Performs the linear.* effects (effect_kinds.hpp) through the LinearApi port.

#include "integrations/linear/linear_api.hpp"
#include "workflows/outbox/effect_executor.hpp"

namespace contexten::workflows::outbox {

class LinearExecutor final : public EffectExecutor {
 public:
  explicit LinearExecutor(integrations::linear::LinearApi& linear) : linear_(linear) {}
  core::Result<nlohmann::json> Execute(const store::EffectRecord& effect) override;
  core::Result<std::optional<nlohmann::json>> Lookup(const store::EffectRecord& effect) override;

 private:
  integrations::linear::LinearApi& linear_;
};

// The issue as effects report it to workflows.
nlohmann::json IssueJson(const integrations::linear::Issue& issue);

}  // namespace contexten::workflows::outbox
