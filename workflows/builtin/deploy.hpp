#pragma once
// A deploy asked for in Slack (`/ctx deploy <owner/repo> <environment> [ref]`): the request is
// posted with [Confirm deploy] and [Cancel]; it expires at a durable timer unless someone allowed
// to (bot/handlers checks access control before the click reaches the run) confirms. Confirmed,
// it dispatches the configured workflow with {environment, ref} inputs, follows the run it
// started and GitHub's deployment_status events for the environment, and posts the result.
// Without a ref it first asks GitHub for the repository's default branch (effect
// github.get_repository); a confirmation before the answer dispatches once it comes.
//
// Events (besides effect results and the "expire" timer):
//   start                     {repo, environment, ref ("": the default branch), workflow,
//                              requester, channel, expires_at_ms}
//   slack.click               {action: "deploy_confirm" | "deploy_cancel", user}
//   github.workflow_run       a run of the workflow on the ref, dispatched
//   github.deployment_status  for the environment

#include "workflows/engine/workflow.hpp"

namespace contexten::workflows::builtin {

inline constexpr char kDeployType[] = "deploy";

class DeployWorkflow final : public engine::Workflow {
 public:
  std::string_view type() const override { return kDeployType; }
  engine::Decision Decide(const engine::DecideContext& context, const nlohmann::json& state,
                          const engine::Event& event) const override;
};

}  // namespace contexten::workflows::builtin
