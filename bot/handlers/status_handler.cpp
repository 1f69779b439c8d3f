#include "bot/handlers/status_handler.hpp"

#include <string>

#include "bot/handlers/command_handler.hpp"
#include "integrations/slack/block_kit/blocks.hpp"
#include "integrations/slack/block_kit/message.hpp"
#include "integrations/slack/block_kit/text.hpp"
#include "integrations/slack/block_kit/truncate.hpp"

namespace contexten::bot::handlers {
namespace {

namespace bk = integrations::slack::blocks;
using nlohmann::json;

constexpr std::size_t kDeadLettersShown = 5;

json Ephemeral(json message) {
  message["response_type"] = "ephemeral";
  return message;
}

json Plain(const std::string& text) { return EphemeralReply(text); }

}  // namespace

json StatusReply(store::WorkflowStore& workflows, const workflows::HealthRegistry* health,
                 std::int64_t now_ms) {
  bk::Message message;
  message.Text("Contexten status");
  std::string lines;
  if (health) {
    for (const auto& c : health->Check()) {
      lines += (c.ready ? ":large_green_circle: *" : ":red_circle: *") + bk::EscapeMrkdwn(c.name) +
               "* " + bk::EscapeMrkdwn(c.detail) + "\n";
    }
  }
  auto counts = workflows.CountEffects();
  auto active = workflows.CountActiveEffects(now_ms);
  auto waiting = workflows.CountRuns(store::RunStatus::kWaiting, "");
  auto failed = workflows.CountRuns(store::RunStatus::kFailed, "");
  if (!counts || !active || !waiting || !failed) {
    return Plain("I could not read my store just now; try again in a minute.");
  }
  const std::int64_t retrying = counts->pending - (*active - counts->in_flight);
  lines += "*Outbox*: " + std::to_string(counts->pending) + " queued (" + std::to_string(retrying) +
           " waiting for a retry), " + std::to_string(counts->in_flight) + " in flight, " +
           std::to_string(counts->done) + " done, " + std::to_string(counts->dead) + " dead\n";
  lines += "*Workflows*: " + std::to_string(*waiting) + " waiting, " + std::to_string(*failed) +
           " failed";
  message.Add(bk::Section::Markdown(bk::TruncateForSlack(lines, 3000)));
  if (counts->dead > 0) {
    auto dead = workflows.Effects(store::EffectStatus::kDead, "", kDeadLettersShown);
    std::string text = "*Dead letters* (retry with `retry all` or `retry &lt;id&gt;`):\n";
    if (dead) {
      for (const auto& e : *dead) {
        text += "• `" + std::to_string(e.id) + "` " + bk::EscapeMrkdwn(e.kind) + " for " +
                bk::EscapeMrkdwn(e.run_id) + " after " + std::to_string(e.attempts) +
                " attempt(s): " + bk::EscapeMrkdwn(bk::TruncateForSlack(e.last_error, 200)) + "\n";
      }
    }
    message.Add(bk::Section::Markdown(bk::TruncateForSlack(text, 3000)));
  }
  auto built = message.Build();
  if (!built) return Plain(lines);
  return Ephemeral(*built);
}

json RetryReply(store::WorkflowStore& workflows, const intents::RetryIntent& intent,
                const std::function<void()>& wake) {
  auto retried = workflows.RetryDead(intent.effect_id);
  if (!retried) return Plain("I could not read my store just now; try again in a minute.");
  if (*retried == 0) {
    return Plain(intent.effect_id
                     ? "No dead letter `" + std::to_string(*intent.effect_id) + "` (see `status`)."
                     : "Nothing is dead-lettered.");
  }
  if (wake) wake();
  return Plain("Sent " + std::to_string(*retried) + " dead-lettered effect(s) back to the outbox.");
}

}  // namespace contexten::bot::handlers
