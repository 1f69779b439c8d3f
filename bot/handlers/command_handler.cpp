#include "bot/handlers/command_handler.hpp"

#include <cstdio>
#include <variant>

#include "bot/version.hpp"
#include "intents/slash_command.hpp"

namespace contexten::bot::handlers {
namespace {

using nlohmann::json;

std::string Millis(std::chrono::microseconds us) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f ms", static_cast<double>(us.count()) / 1000.0);
  return buf;
}

}  // namespace

json EphemeralReply(std::string text, json blocks) {
  json reply = {{"response_type", "ephemeral"}, {"text", std::move(text)}};
  if (!blocks.is_null()) reply["blocks"] = std::move(blocks);
  return reply;
}

CommandHandler::CommandHandler(integrations::slack::SlackApi& slack, core::Clock& clock)
    : slack_(slack), clock_(clock) {}

json CommandHandler::Handle(const CommandContext& context) {
  auto intent = intents::ParseSlashCommand(context.text);
  if (!intent) return EphemeralReply(intent.error().message);
  // Help lists what the person may run, which the conversation handler knows (access lists).
  if (std::holds_alternative<intents::HelpIntent>(*intent)) {
    return EphemeralReply("Type `" + context.command + " help` for the commands.");
  }
  if (std::holds_alternative<intents::PingIntent>(*intent)) return Ping(context);
  // Opening the form needs a trigger_id, which only a slash command or a click carries; the
  // `/ctx` listener handles `new` itself, so this answers mentions.
  if (std::holds_alternative<intents::NewIssueFormIntent>(*intent)) {
    return EphemeralReply("Type `/ctx new` to open the new-issue form.");
  }
  if (const auto* unknown = std::get_if<intents::UnknownIntent>(&*intent)) {
    return EphemeralReply(intents::UnknownCommandMessage(*unknown));
  }
  // Appended, not "`" + std::string(...): GCC 12 at -O3 reports a false-positive -Wrestrict for
  // that operator+ (GCC bug 105329), which fails Release builds under -Werror.
  return EphemeralReply(
      std::string("`").append(intents::IntentName(*intent)).append("` is not available yet."));
}

json CommandHandler::Ping(const CommandContext& context) {
  // A real round trip to the Slack Web API, so `pong` says something about our health rather
  // than only that the socket is up.
  const auto start = clock_.Now();
  auto auth = slack_.AuthTest();
  const auto api_rtt = std::chrono::duration_cast<std::chrono::microseconds>(clock_.Now() - start);
  std::string text = "pong · Contexten " + std::string(Version()) + " · inbox write " +
                     Millis(context.inbox_latency);
  if (auth) {
    text += " · Slack API round trip " + Millis(api_rtt) + " (auth.test)";
  } else {
    text += " · Slack API unreachable: " + auth.error().Describe();
  }
  return EphemeralReply(text);
}

}  // namespace contexten::bot::handlers
