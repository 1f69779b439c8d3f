#include "bot/handlers/register_handlers.hpp"

#include <variant>

#include "bot/handlers/new_issue.hpp"
#include "bot/handlers/status_handler.hpp"
#include "intents/intent.hpp"
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

namespace {

// `/ctx issue create ENG ...`: ack at once (the card shows up in the channel when the workflow
// posts it), then start the run; what goes wrong is told to the user alone.
core::Status CreateIssue(ListenerContext& context, const intents::CreateIssueIntent& intent,
                         workflows::engine::Engine& engine, const FileIssueSettings& settings) {
  const auto& interaction = context.interaction();
  FileIssueRequest request;
  request.team_key = intent.team_key;
  request.title = intent.title;
  request.description = intent.description;
  request.priority = intent.priority;
  request.channel = interaction.channel_id.empty() ? interaction.user_id : interaction.channel_id;
  request.reporter = interaction.user_id;
  auto started = StartFileIssue(engine, settings, interaction.envelope_id, request);
  if (!started) {
    return context.Ack(EphemeralReply(started.error().message));
  }
  return context.Ack();
}

}  // namespace

void RegisterHandlers(listeners::ListenerRegistry& registry, CommandHandler& commands,
                      const std::string& command, HandlerDeps deps) {
  auto& engine = deps.engine;
  const FileIssueSettings settings = deps.file_issue;
  registry.Command(command, [&commands, deps, settings](ListenerContext& context) {
    const auto& interaction = context.interaction();
    if (auto words = ReportWords(interaction.text); words && deps.schedules) {
      ReportDeps reports{*deps.schedules, deps.report_source, deps.wake_scheduler};
      return context.Ack(ReportReply(
          *words, {interaction.user_id, interaction.channel_id, deps.engine.NowMs()}, reports));
    }
    // `new` needs the trigger_id; `issue create` starts a workflow; everything else is a reply
    // in the ack.
    auto intent = intents::ParseSlashCommand(interaction.text);
    if (intent && std::holds_alternative<intents::NewIssueFormIntent>(*intent)) {
      return OpenNewIssueModal(context, settings.default_team);
    }
    if (intent) {
      if (const auto* create = std::get_if<intents::CreateIssueIntent>(&*intent)) {
        return CreateIssue(context, *create, deps.engine, settings);
      }
      if (std::holds_alternative<intents::StatusIntent>(*intent)) {
        return context.Ack(StatusReply(deps.workflows, deps.health, deps.engine.NowMs()));
      }
      if (const auto* retry = std::get_if<intents::RetryIntent>(&*intent)) {
        return context.Ack(RetryReply(deps.workflows, *retry, deps.wake_outbox));
      }
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

  RegisterNewIssueListeners(registry, engine, settings);
  RegisterIssueCardListeners(registry, engine);
}

}  // namespace contexten::bot::handlers
