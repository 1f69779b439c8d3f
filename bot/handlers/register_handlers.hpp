#pragma once
// The app's handlers, registered on the listener framework at the composition root (the ingress
// module): the slash command (help, ping, new, issue create), @-mentions answered in their
// thread, the new-issue modal flow and the issue card's buttons.

#include <string>

#include "bot/handlers/command_handler.hpp"
#include "bot/handlers/file_issue_handlers.hpp"
#include "workflows/engine/engine.hpp"
#include "integrations/slack/listeners/listener_registry.hpp"

namespace contexten::bot::handlers {

namespace listeners = integrations::slack::listeners;

// `commands` and `engine` must outlive the registry. `command` is the configured slash command
// ("/ctx"). `/ctx issue create`, the form and the issue card's buttons drive `engine`.
void RegisterHandlers(listeners::ListenerRegistry& registry, CommandHandler& commands,
                      const std::string& command, workflows::engine::Engine& engine,
                      FileIssueSettings settings);

// The text of an app_mention without the "<@U123>" mention of the bot.
std::string StripMention(const std::string& text, const std::string& bot_user_id);

}  // namespace contexten::bot::handlers
