#pragma once
// Effects: what a workflow asks the outside world to do (DESIGN.md §2, engine/: "Effect variant
// with idempotency key"). A workflow returns them in its Decision; the engine writes each as an
// outbox row (lane, kind, JSON arguments) in the step's transaction, and the platform executors
// in workflows/outbox/ perform the rows. The run id and the effect's step are its idempotency
// key: executors that create something remember it (Slack message metadata, a client-chosen
// Linear id) so that an unknown outcome is looked up instead of done twice.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace contexten::workflows::engine {

// Lanes: the relay performs each lane on its own threads, so one platform's outage never holds
// up another's effects.
inline constexpr char kSlackLane[] = "slack";
inline constexpr char kLinearLane[] = "linear";
inline constexpr char kGitHubLane[] = "github";

// Kinds (the outbox row's `kind`), with their arguments and results as the executors read and
// return them.
// {channel, text, blocks?, thread_ts?, broadcast?} -> {channel, ts}. Carries the idempotency key
// in Slack message metadata so an unknown outcome can be looked up instead of posted twice.
inline constexpr char kSlackPostMessage[] = "slack.post_message";
// {channel, ts, text, blocks?} -> {channel, ts}. Idempotent.
inline constexpr char kSlackUpdateMessage[] = "slack.update_message";
// {channel, user, text, blocks?, thread_ts?} -> {ts}. Only the user sees it.
inline constexpr char kSlackPostEphemeral[] = "slack.post_ephemeral";
// {user} -> {id, name, real_name, display_name, email}
inline constexpr char kSlackUserInfo[] = "slack.user_info";
// {id (client-chosen UUID), team_key, title, description?, priority?, assignee_id?} -> issue.
// Looked up by its id after an unknown outcome (Linear refuses a second entity with an id).
inline constexpr char kLinearCreateIssue[] = "linear.create_issue";
// {issue_id, assignee_id?, state_name? | state_type?, team_key (with a state), priority?, title?}
// -> issue. state_type (completed, unstarted, ...) picks the team's first state of that type, so
// "close" never depends on what a team named its states. Idempotent.
inline constexpr char kLinearUpdateIssue[] = "linear.update_issue";
// {email} or {name} (name or display name, any case) -> {found, user?: {id, name, display_name,
// email}}
inline constexpr char kLinearUserByEmail[] = "linear.user_by_email";
// {identifier ("ENG-1") or id} -> issue, kNotFound when there is none. Read only.
inline constexpr char kLinearGetIssue[] = "linear.get_issue";
// {} -> {teams: [{id, key, name}]}. Read only.
inline constexpr char kLinearListTeams[] = "linear.list_teams";
// {id (client-chosen UUID), issue_id, body} -> {id, url}
inline constexpr char kLinearCreateComment[] = "linear.create_comment";
// {issue_id (UUID or identifier), url, title?} -> {id, url, issue_identifier}. Linear keeps one
// attachment per issue and URL, so repeating it updates the same one: idempotent.
inline constexpr char kLinearLinkPullRequest[] = "linear.link_pull_request";
// {repo, run_id, attempt} -> {run_id, rerun_of_attempt}. Re-runs the failed jobs of attempt
// `attempt`; looked up after an unknown outcome (the run's attempt already moved past it).
inline constexpr char kGitHubRerunFailedJobs[] = "github.rerun_failed_jobs";
// {repo, workflow, ref, inputs?, requested_at_ms} -> {dispatched: true}. GitHub answers 204 with
// no run id, so an unknown outcome looks for a workflow_dispatch run of that workflow and ref
// created since `requested_at_ms`.
inline constexpr char kGitHubDispatchWorkflow[] = "github.dispatch_workflow";
// {repo, number, body} -> {id, url}. The body carries the idempotency key in an HTML comment,
// looked up on the issue or PR before re-creating.
inline constexpr char kGitHubCreateComment[] = "github.create_comment";
// {repo, ref} -> {check_runs: [{name, status, conclusion, url}]}. Read only.
inline constexpr char kGitHubListCheckRuns[] = "github.list_check_runs";
// Reads for scheduled reports (workflows/builtin/report.hpp). Each pages to the end within the
// client's page cap, and repeats safely.
// {team_key? (empty: every team), state_types: ["started", ...] (empty: every state)}
// -> {issues: [{identifier, title, url, team, state, state_type, assignee, created_at,
// updated_at, labels}]}
inline constexpr char kLinearSearchIssues[] = "linear.search_issues";
// {repo, reviews (bool: also count each PR's reviews), drafts (bool: reviews of drafts too)}
// -> {pulls: [{repo, number, title, url, author, draft, created_at, updated_at, labels,
// reviews, approvals}]} (open PRs)
inline constexpr char kGitHubListPullRequests[] = "github.list_pull_requests";
// {repo, branch} -> {runs: [{id, name, workflow_id, branch, event, status, conclusion, url,
// created_at}]} (the newest runs on the branch, newest first)
inline constexpr char kGitHubListWorkflowRuns[] = "github.list_workflow_runs";

namespace effects {

struct SlackPostMessage {
  std::string channel;
  std::string text;
  nlohmann::json blocks;  // null: none
  std::string thread_ts;  // "": a new message
  bool broadcast = false;
};
struct SlackUpdateMessage {
  std::string channel;
  std::string ts;
  std::string text;
  nlohmann::json blocks;
};
struct SlackPostEphemeral {
  std::string channel;
  std::string user;
  std::string text;
  nlohmann::json blocks;
  std::string thread_ts;
};
struct SlackUserInfo {
  std::string user;
};
struct LinearCreateIssue {
  std::string id;  // client-chosen UUID (integrations/linear/linear_ids.hpp)
  std::string team_key;
  std::string title;
  std::string description;
  int priority = 0;  // 0: none
  std::string assignee_id;
};
struct LinearUpdateIssue {
  std::string issue_id;
  std::optional<std::string> assignee_id;
  std::optional<std::string> state_name;  // needs team_key
  std::optional<std::string> state_type;  // needs team_key; "completed", "started", ...
  std::string team_key;
  std::optional<int> priority;
  std::optional<std::string> title;
};
struct LinearUserByEmail {
  std::string email;
};
struct LinearCreateComment {
  std::string id;  // client-chosen UUID
  std::string issue_id;
  std::string body;
};
struct LinearLinkPullRequest {
  std::string issue_id;
  std::string url;
  std::string title;
};
struct GitHubRerunFailedJobs {
  std::string repo;  // owner/name
  std::int64_t run_id = 0;
  std::int64_t attempt = 0;  // the failed attempt being re-run
};
struct GitHubDispatchWorkflow {
  std::string repo;
  std::string workflow;  // file name ("deploy.yml") or id
  std::string ref;
  std::map<std::string, std::string> inputs;
  std::int64_t requested_at_ms = 0;
};
struct GitHubCreateComment {
  std::string repo;
  std::int64_t number = 0;
  std::string body;
};
struct GitHubListCheckRuns {
  std::string repo;
  std::string ref;
};
// An effect this build has no typed action for: a lane and kind by name, JSON arguments.
// For test workflows and for kinds whose executor lives outside workflows/.
struct Raw {
  std::string lane;
  std::string kind;
  nlohmann::json args = nlohmann::json::object();
};

}  // namespace effects

using EffectAction =
    std::variant<effects::SlackPostMessage, effects::SlackUpdateMessage,
                 effects::SlackPostEphemeral, effects::SlackUserInfo, effects::LinearCreateIssue,
                 effects::LinearUpdateIssue, effects::LinearUserByEmail,
                 effects::LinearCreateComment, effects::LinearLinkPullRequest,
                 effects::GitHubRerunFailedJobs, effects::GitHubDispatchWorkflow,
                 effects::GitHubCreateComment, effects::GitHubListCheckRuns, effects::Raw>;

struct Effect {
  std::string step;       // unique within the run; with the run id, the idempotency key
  std::string order_key;  // effects sharing it run in order (one thread, one issue); "": the run
  EffectAction action;
};

// "<run id>/<step>", as the executors carry it (store::EffectRecord::idempotency_key()).
std::string IdempotencyKey(std::string_view run_id, const Effect& effect);

// The outbox row form of an action.
struct EffectRow {
  std::string lane;
  std::string kind;
  nlohmann::json args;
};
EffectRow ToRow(const EffectAction& action);

}  // namespace contexten::workflows::engine
