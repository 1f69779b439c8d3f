#include "bot/handlers/incident_handlers.hpp"

#include <string>

#include "bot/handlers/tell_clicker.hpp"
#include "workflows/health/incident.hpp"

namespace contexten::bot::handlers {
namespace {

namespace listeners = integrations::slack::listeners;
namespace health = workflows::health;
using nlohmann::json;

core::Status Deliver(listeners::ListenerContext& context, workflows::engine::Engine& engine,
                     const std::string& type, json data) {
  (void)context.Ack();  // the button must not spin; the run edits the root
  const auto& interaction = context.interaction();
  const std::string value = interaction.action() ? interaction.action()->value : "";
  const auto hash = value.rfind('#');
  const std::string run_id = value.substr(0, hash);
  if (run_id.rfind("incident:", 0) != 0) {
    return core::Unexpected(
        core::MakeError(core::ErrorKind::kInvalidInput, "incident button carries no run id"));
  }
  data["user"] = interaction.user_id;
  if (hash != std::string::npos) {
    try {
      data["episode"] = std::stoi(value.substr(hash + 1));
    } catch (const std::exception&) {
      // No episode: the run takes the click for its current one.
    }
  }
  auto delivered =
      engine.Deliver(run_id, {type, std::move(data), "slack:" + interaction.envelope_id});
  if (!delivered) {
    TellClicker(context, "I could not take that click just now; please try again.");
    return core::Unexpected(delivered.error());
  }
  return core::Ok();
}

}  // namespace

void RegisterIncidentListeners(listeners::ListenerRegistry& registry,
                               workflows::engine::Engine& engine) {
  registry.Action(health::kIncidentAckAction, [&engine](listeners::ListenerContext& context) {
    return Deliver(context, engine, health::kIncidentAckEvent, json::object());
  });
  registry.Action(
      health::kIncidentSilenceHourAction, [&engine](listeners::ListenerContext& context) {
        return Deliver(context, engine, health::kIncidentSilenceEvent, {{"until", "1h"}});
      });
  registry.Action(
      health::kIncidentSilenceRecoveredAction, [&engine](listeners::ListenerContext& context) {
        return Deliver(context, engine, health::kIncidentSilenceEvent, {{"until", "recovered"}});
      });
}

}  // namespace contexten::bot::handlers
