#pragma once
// One rule applied to one event: its steps as outbox effects (DESIGN.md §3), in order per rule
// run. Run ids derive from the rule, the delivery and the entity (RuleRunId), so a replayed
// delivery does not run a rule twice. Steps this build does not perform (label, assign, rerun:
// they need the GitHub executor) are recorded in the run's history as "not yet" and skipped;
// comment and move_state need a Linear issue (an event about one) and are skipped otherwise.
//
//   start {rule: {name, then: [{action, args}]}, event: FeedEvent JSON}

#include <string>

#include "workflows/engine/workflow.hpp"
#include "workflows/rules/rules.hpp"

namespace contexten::workflows::rules {

inline constexpr char kRuleType[] = "rule";

class RuleWorkflow final : public engine::Workflow {
 public:
  std::string_view type() const override { return kRuleType; }
  engine::Decision Decide(const engine::DecideContext& context, const nlohmann::json& state,
                          const engine::Event& event) const override;
};

std::string RuleRunId(const Rule& rule, const std::string& delivery_key,
                      const std::string& entity_key);
engine::Event MakeRuleStart(const Rule& rule, const subscriptions::FeedEvent& event);

}  // namespace contexten::workflows::rules
