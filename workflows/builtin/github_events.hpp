#pragma once
// GitHub webhooks as workflow events (DESIGN.md §3): which runs a delivery is for, by wait key,
// and when a CI failure starts a new alert run. Pure: a typed event in, routes out; the GitHub
// webhook consumer (bot/handlers/github_webhook_consumer.*) delivers them.
//
// Events and their data:
//   github.pr            {repo, number, title, url, action, state, merged, draft, author, branch,
//                         identifier, relation: closes|references|mentions}
//                        to "linear_issue:<identifier>" for each Linear issue the PR names
//   github.review        {repo, number, state, reviewer, url}           to "github_pr:<repo>#<n>"
//   github.checks        {repo, number, name, status, conclusion, url}  to "github_pr:<repo>#<n>"
//   github.workflow_run  {repo, run_id, attempt, workflow, workflow_id, path, branch, sha, event,
//                         status, conclusion, url}
//                        to "github_run:<repo>/<id>", to "ci:<repo>/<workflow>@<branch>" on the
//                        default branch, to "github_dispatch:<repo>/<file>@<ref>" when dispatched
//   github.deployment_status {repo, environment, state, ref, url, description}
//                        to "github_deploy:<repo>/<environment>"

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "integrations/github/events.hpp"
#include "workflows/builtin/linear_issue_events.hpp"
#include "workflows/engine/workflow.hpp"

namespace contexten::workflows::builtin {

inline constexpr char kGitHubPrEvent[] = "github.pr";
inline constexpr char kGitHubReviewEvent[] = "github.review";
inline constexpr char kGitHubChecksEvent[] = "github.checks";
inline constexpr char kGitHubWorkflowRunEvent[] = "github.workflow_run";
inline constexpr char kGitHubDeploymentStatusEvent[] = "github.deployment_status";
// A button on a message a run posted: {action, user}.
inline constexpr char kSlackClickEvent[] = "slack.click";

std::string GitHubPrKey(const std::string& repo, std::int64_t number);
std::string GitHubRunKey(const std::string& repo, std::int64_t run_id);
std::string CiAlertKey(const std::string& repo, const std::string& workflow,
                       const std::string& branch);
// Every CI alert of a repository waits on this too: `/ctx rerun owner/repo` reaches the open
// ones as their [Re-run failed jobs] button would (bot/handlers/command_words.hpp).
std::string CiRepoKey(const std::string& repo);
// `workflow_file`: the file name ("deploy.yml"), as /ctx deploy names it.
std::string GitHubDispatchKey(const std::string& repo, const std::string& workflow_file,
                              const std::string& ref);
std::string GitHubDeployKey(const std::string& repo, const std::string& environment);

struct GitHubRouteSettings {
  std::set<std::string> team_keys;  // Linear team keys a PR may name ("ENG")
  std::string alerts_channel;       // empty: no CI alerts
  std::string linear_team;          // where [Create Linear issue] files
};

// A run to start unless some run already waits on `wait_key` (which then gets `start` as
// `event_type` instead): the first failure of a workflow on a branch opens an alert, the next
// ones go to its thread.
struct StartUnlessWaiting {
  std::string wait_key;
  std::string event_type;
  std::string workflow_type;
  std::string run_id;
  engine::Event start;
};

struct GitHubRoutes {
  std::vector<RoutedEvent> deliveries;
  std::optional<StartUnlessWaiting> start;
};

// `event_key` is the per-run dedupe key of the delivery ("github:<inbox id>").
GitHubRoutes RouteGitHubEvent(const integrations::github::GitHubEvent& event,
                              const std::string& event_key, const GitHubRouteSettings& settings);

}  // namespace contexten::workflows::builtin
