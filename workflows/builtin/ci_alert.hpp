#pragma once
// The CI failure alert: a failed workflow run on a default branch posts an alert with
// [Re-run failed jobs] and [Create Linear issue] (DESIGN.md §1). Later failures of the same
// workflow and branch reply in its thread; the first passing run (a re-run's new attempt or a
// new run) says so and closes the alert.
//
// Events (besides effect results):
//   start                {repo, run_id, attempt, workflow, branch, sha, url, channel, linear_team}
//   github.workflow_run  (workflows/builtin/github_events.hpp) a later run or attempt
//   slack.click          {action: "ci_rerun" | "ci_create_issue", user}
// Waits on "ci:<repo>/<workflow>@<branch>" and on each failed run's "github_workflow_run:" key.

#include "workflows/engine/workflow.hpp"

namespace contexten::workflows::builtin {

inline constexpr char kCiAlertType[] = "ci_alert";

class CiAlertWorkflow final : public engine::Workflow {
 public:
  std::string_view type() const override { return kCiAlertType; }
  engine::Decision Decide(const engine::DecideContext& context, const nlohmann::json& state,
                          const engine::Event& event) const override;
};

}  // namespace contexten::workflows::builtin
