#pragma once
// The app's handlers, registered on the listener framework at the composition root (the ingress
// module): the slash command (help, ping, new, issue create), @-mentions answered in their
// thread, the new-issue modal flow and the issue card's buttons.

#include <functional>
#include <string>

#include "bot/handlers/command_handler.hpp"
#include "bot/handlers/conversation_handler.hpp"
#include "bot/handlers/file_issue_handlers.hpp"
#include "bot/handlers/github_handlers.hpp"
#include "bot/handlers/report_handler.hpp"
#include "integrations/slack/listeners/listener_registry.hpp"
#include "store/subscription_store.hpp"
#include "store/workflow_store.hpp"
#include "workflows/engine/engine.hpp"
#include "workflows/health/health_registry.hpp"

namespace contexten::bot::handlers {

namespace listeners = integrations::slack::listeners;

// What the handlers drive, beyond Slack: the workflow engine and the outbox it feeds.
struct HandlerDeps {
  workflows::engine::Engine& engine;
  store::WorkflowStore& workflows;
  std::function<void()> wake_outbox;                  // after `/ctx retry`
  const workflows::HealthRegistry* health = nullptr;  // for `/ctx status`
  FileIssueSettings file_issue;
  // `/ctx report ...` (bot/handlers/report_handler.hpp); without a store it is not offered.
  store::ScheduleStore* schedules = nullptr;
  ReportSource report_source = nullptr;
  std::function<void()> wake_scheduler = nullptr;
  // What `report run digest` reads for a channel (null: it renders `report_source` at once).
  workflows::builtin::ReportScopeFor report_scope = nullptr;
  DeploySettings deploy = {};  // `/ctx deploy`
  // `/ctx subscribe | unsubscribe | subscriptions` (bot/handlers/subscription_handler.hpp).
  store::SubscriptionStore* subscriptions = nullptr;
  // `/ctx rules reload`: reads the rules file again (null: no rules offered).
  std::function<core::Status()> reload_rules = nullptr;
};

// `commands`, `conversation` and what `deps` references must outlive the registry. `command` is
// the configured slash command ("/ctx"). Slash commands, mentions, DMs and replies in the bot's
// threads go through `conversation` (understanding, access control, confirmations, audit);
// `new`, `status`, `retry`, `ping` and `audit` are answered in the command's ack; the form, the
// shortcuts and the issue card's buttons drive the engine.
void RegisterHandlers(listeners::ListenerRegistry& registry, CommandHandler& commands,
                      ConversationHandler& conversation, const std::string& command,
                      HandlerDeps deps);

// The text of an app_mention without the "<@U123>" mention of the bot.
std::string StripMention(const std::string& text, const std::string& bot_user_id);

}  // namespace contexten::bot::handlers
