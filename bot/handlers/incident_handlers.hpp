#pragma once
// The incident root's buttons (workflows/health/incident.hpp): Acknowledge, Silence 1 h and
// Silence until recovered become events of the incident run. Each button's value is
// "<run id>#<episode>", so a click on an earlier episode's root cannot touch the current one.

#include "integrations/slack/listeners/listener_registry.hpp"
#include "workflows/engine/engine.hpp"

namespace contexten::bot::handlers {

void RegisterIncidentListeners(integrations::slack::listeners::ListenerRegistry& registry,
                               workflows::engine::Engine& engine);

}  // namespace contexten::bot::handlers
