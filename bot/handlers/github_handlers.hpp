#pragma once
// The GitHub workflows' Slack side: the buttons on CI alerts ([Re-run failed jobs], [Create
// Linear issue]) and deploy requests ([Confirm deploy], [Cancel]) become slack.click events of
// the run named in the button's value; `/ctx deploy <owner/repo> <environment> [ref]` starts a
// deploy run; `/ctx trace <ENG-123 | owner/repo#12 | Slack message link>` shows the linked
// entities and the timeline of their runs (WorkflowStore::LinksOf / History).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "bot/handlers/access_control.hpp"
#include "integrations/slack/listeners/listener_registry.hpp"
#include "store/workflow_store.hpp"
#include "workflows/engine/engine.hpp"

namespace contexten::bot::handlers {

// Who may press [Confirm deploy]: access.commands.deploy_confirm (users/channels) or an admin.
// Without that rule nobody may: a deploy is never confirmed by whoever happens to click.
inline constexpr char kDeployConfirmCommand[] = "deploy_confirm";
inline constexpr char kDeployCommand[] = "deploy";
inline constexpr char kTraceCommand[] = "trace";

struct DeploySettings {
  bool github_enabled = false;
  std::string workflow = "deploy.yml";
  int expiry_seconds = 600;
};

void RegisterGitHubListeners(integrations::slack::listeners::ListenerRegistry& registry,
                             workflows::engine::Engine& engine, const AccessControl& access);

// `rerun <owner/repo>` (said, or confirmed: it is destructive): the repository's open CI alerts
// re-run their failed jobs as their [Re-run failed jobs] button would, for `user`. Returns what
// to tell the person: how many alerts took it, or that none is open.
inline constexpr char kRerunCommand[] = "rerun";
std::string RerunOpenAlerts(workflows::engine::Engine& engine, const std::string& args,
                            const std::string& user, const std::string& origin);

// `/ctx deploy <args>`: starts the deploy run (its id from `origin`, the envelope) and returns
// the text of the ephemeral ack.
std::string StartDeploy(workflows::engine::Engine& engine, const DeploySettings& settings,
                        const std::string& args, const std::string& user,
                        const std::string& channel, const std::string& origin);

// The entity key `/ctx trace` starts from: "linear_issue:ENG-1", "github_pr:owner/repo#12",
// "slack_thread:C1/1700000000.000100"; nullopt when `arg` is none of those.
std::optional<std::string> TraceTarget(const std::string& arg);

// `/ctx trace <arg>`: {"text", "blocks"} for the ephemeral ack.
nlohmann::json TraceReply(store::WorkflowStore& store, const std::string& arg);

}  // namespace contexten::bot::handlers
