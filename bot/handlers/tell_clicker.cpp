#include "bot/handlers/tell_clicker.hpp"

#include <spdlog/spdlog.h>

#include "core/logging.hpp"

namespace contexten::bot::handlers {

void TellClicker(integrations::slack::listeners::ListenerContext& context,
                 const std::string& text) {
  static auto log = core::Logger("handlers");
  const auto& interaction = context.interaction();
  integrations::slack::EphemeralMessage message;
  message.channel = interaction.channel_id;
  message.user = interaction.user_id;
  message.text = text;
  // A message in a thread answers in that thread; a thread's root (a card) starts its own.
  message.thread_ts = interaction.message_thread_ts.empty() ? interaction.message_ts
                                                            : interaction.message_thread_ts;
  if (auto sent = context.client().PostEphemeral(message); !sent) {
    log->warn("could not tell {}: {}", interaction.user_id, sent.error().Describe());
  }
}

}  // namespace contexten::bot::handlers
