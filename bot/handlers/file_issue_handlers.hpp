#pragma once
// Slack in, workflow out: `/ctx issue create`, the "New issue" form's submission and the card's
// "Assign to me" become steps of the durable file_issue workflow (workflows/builtin). Handlers
// only decide what to start or deliver and ack; the outbox relay does the Linear and Slack work
// (DESIGN.md §3). A run's id comes from the Slack delivery that asked for it, so a replay after
// a crash reaches the same run instead of filing twice.

#include <string>
#include <vector>

#include "core/result.hpp"
#include "integrations/slack/listeners/listener_context.hpp"
#include "integrations/slack/listeners/listener_registry.hpp"
#include "store/subscription_store.hpp"
#include "workflows/engine/engine.hpp"

namespace contexten::bot::handlers {

namespace listeners = integrations::slack::listeners;

class LinearReferenceCache;

struct FileIssueSettings {
  bool linear_enabled = false;  // Linear configured: issues can be filed
  std::string default_team;     // offered first by the form
  // Teams, people and labels for the form's selects (null: the form asks for a team key).
  LinearReferenceCache* reference = nullptr;
  // Channels subscribed to a Linear team offer that team first (null: only default_team).
  store::SubscriptionStore* subscriptions = nullptr;
};

struct FileIssueRequest {
  std::string team_key;
  std::string title;
  std::string description;
  int priority = 0;                    // Linear: 0 none, 1 urgent .. 4 low
  std::string assignee_id;             // Linear user id; empty: unassigned
  std::vector<std::string> label_ids;  // Linear label ids
  std::string channel;
  std::string reporter;
};

// Starts the run for `request`, asked for by Slack delivery `origin` (its envelope id). An
// explanation for the user when it cannot be started (Linear not configured, the store down).
core::Status StartFileIssue(workflows::engine::Engine& engine, const FileIssueSettings& settings,
                            const std::string& origin, const FileIssueRequest& request);

// The card's "Assign to me" (present::kIssueCardAssignAction, its value the run id).
void RegisterIssueCardListeners(listeners::ListenerRegistry& registry,
                                workflows::engine::Engine& engine);

}  // namespace contexten::bot::handlers
