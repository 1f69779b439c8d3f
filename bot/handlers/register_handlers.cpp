#include "bot/handlers/register_handlers.hpp"

#include <variant>

#include "bot/handlers/new_issue.hpp"
#include "intents/slash_command.hpp"

namespace contexten::bot::handlers {

using listeners::ListenerContext;

std::string StripMention(const std::string& text, const std::string& bot_user_id) {
  std::string out = text;
  const std::string mention = "<@" + bot_user_id + ">";
  if (auto pos = out.find(mention); pos != std::string::npos) out.erase(pos, mention.size());
  const auto first = out.find_first_not_of(" \t");
  return first == std::string::npos ? "" : out.substr(first);
}

void RegisterHandlers(listeners::ListenerRegistry& registry, CommandHandler& commands,
                      const std::string& command) {
  registry.Command(command, [&commands](ListenerContext& context) {
    const auto& interaction = context.interaction();
    // `new` needs the trigger_id; everything else is a reply in the ack.
    if (auto intent = intents::ParseSlashCommand(interaction.text);
        intent && std::holds_alternative<intents::NewIssueFormIntent>(*intent)) {
      return OpenNewIssueModal(context);
    }
    CommandContext c;
    c.command = interaction.command;
    c.text = interaction.text;
    c.user_id = interaction.user_id;
    c.channel_id = interaction.channel_id;
    c.inbox_latency = context.inbox_latency();
    return context.Ack(commands.Handle(c));
  });

  registry.Event("app_mention", [&commands](ListenerContext& context) {
    const auto& interaction = context.interaction();
    CommandContext c;
    c.command = "@contexten";
    c.text = StripMention(interaction.event->text, context.bot_user_id());
    c.user_id = interaction.user_id;
    c.channel_id = interaction.channel_id;
    c.inbox_latency = context.inbox_latency();
    const auto reply = commands.Handle(c);
    nlohmann::json blocks = reply.contains("blocks") ? reply["blocks"] : nlohmann::json();
    // Answer in the mention's thread so channels stay readable.
    auto posted = context.ReplyInThread(reply.value("text", ""), std::move(blocks));
    if (!posted) return core::Status(core::Unexpected(posted.error()));
    return core::Ok();
  });

  RegisterNewIssueListeners(registry);
}

}  // namespace contexten::bot::handlers
