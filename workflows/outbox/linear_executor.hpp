#pragma once
// Performs the linear.* effects (effect_kinds.hpp) through the LinearApi port.

#include <map>
#include <mutex>
#include <string>

#include "integrations/linear/linear_api.hpp"
#include "workflows/outbox/effect_executor.hpp"

namespace contexten::workflows::outbox {

class LinearExecutor final : public EffectExecutor {
 public:
  explicit LinearExecutor(integrations::linear::LinearApi& linear) : linear_(linear) {}
  core::Result<nlohmann::json> Execute(const store::EffectRecord& effect) override;
  core::Result<std::optional<nlohmann::json>> Lookup(const store::EffectRecord& effect) override;

 private:
  // A team's id by its key, asked of Linear once per process: every create needs it, and a
  // second call per create would spend a second rate-limit token, which under a sustained
  // limit is never there when the retry comes (the lookup takes the one token, the create is
  // refused, again and again).
  core::Result<std::string> TeamIdFor(const std::string& key);

  integrations::linear::LinearApi& linear_;
  std::mutex team_ids_mu_;
  std::map<std::string, std::string> team_ids_;
};

// The issue as effects report it to workflows.
nlohmann::json IssueJson(const integrations::linear::Issue& issue);

}  // namespace contexten::workflows::outbox
