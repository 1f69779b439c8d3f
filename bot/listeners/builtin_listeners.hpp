#pragma once
// The listeners Contexten registers out of the box: the slash command (help, ping, new),
// @-mentions answered in their thread, and the new-issue modal flow.

#include <string>

#include "bot/commands/command_handler.hpp"
#include "bot/listeners/listener_registry.hpp"

namespace contexten::bot {

// `commands` must outlive the registry. `command` is the configured slash command ("/ctx").
void RegisterBuiltinListeners(ListenerRegistry& registry, CommandHandler& commands,
                              const std::string& command);

// The text of an app_mention without the "<@U123>" mention of the bot.
std::string StripMention(const std::string& text, const std::string& bot_user_id);

}  // namespace contexten::bot
