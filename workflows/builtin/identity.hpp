#pragma once
// Who a Slack user is elsewhere, kept as one long-lived run per user (an entity workflow: its
// state is the record, each change an event; no table of its own). Set by `/ctx whoami github
// <login>`; read by LoadRun("identity:slack:<user id>").
//
//   start            {slack_user, github?}
//   identity.github  {login}       ("" forgets it)

#include <string>

#include "workflows/engine/workflow.hpp"

namespace contexten::workflows::builtin {

inline constexpr char kIdentityType[] = "identity";
inline constexpr char kIdentityGitHubEvent[] = "identity.github";

inline std::string IdentityRunId(const std::string& slack_user) {
  return std::string(kIdentityType) + ":slack:" + slack_user;
}

class IdentityWorkflow final : public engine::Workflow {
 public:
  std::string_view type() const override { return kIdentityType; }
  engine::Decision Decide(const engine::DecideContext& context, const nlohmann::json& state,
                          const engine::Event& event) const override;
};

// GitHub's rule for logins: 1-39 letters, digits or single hyphens, not starting or ending
// with a hyphen.
bool IsGitHubLogin(const std::string& login);

}  // namespace contexten::workflows::builtin
