#pragma once
// The app's handlers, registered on the listener framework at the composition root (the ingress
// module): the slash command (help, ping, new), @-mentions answered in their thread, and the
// new-issue modal flow.

#include <string>

#include "bot/handlers/command_handler.hpp"
#include "integrations/slack/listeners/listener_registry.hpp"

namespace contexten::bot::handlers {

namespace listeners = integrations::slack::listeners;

// `commands` must outlive the registry. `command` is the configured slash command ("/ctx").
void RegisterHandlers(listeners::ListenerRegistry& registry, CommandHandler& commands,
                      const std::string& command);

// The text of an app_mention without the "<@U123>" mention of the bot.
std::string StripMention(const std::string& text, const std::string& bot_user_id);

}  // namespace contexten::bot::handlers
