#pragma once
// Answers `/ctx ...` commands. Replies are Slack message payloads (text + blocks) that the
// dispatcher sends in the ack (the fast path: Slack shows them to the user at once).

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "core/clock.hpp"
#include "integrations/slack/slack_api.hpp"

namespace contexten::bot::handlers {

struct CommandContext {
  std::string command = "/ctx";  // as configured
  std::string text;              // what the user typed after the command
  std::string user_id;
  std::string channel_id;
  // How long the inbox took to make this delivery durable (shown by ping).
  std::chrono::microseconds inbox_latency{0};
};

// A slash-command reply only the user sees ({response_type: ephemeral, text, blocks?}).
nlohmann::json EphemeralReply(std::string text, nlohmann::json blocks = nullptr);

class CommandHandler {
 public:
  CommandHandler(integrations::slack::SlackApi& slack, core::Clock& clock);

  // Always returns a reply; an unknown or malformed command gets an explanation.
  nlohmann::json Handle(const CommandContext& context);

 private:
  nlohmann::json Ping(const CommandContext& context);

  integrations::slack::SlackApi& slack_;
  core::Clock& clock_;
};

}  // namespace contexten::bot::handlers
