#include "bot/handlers/deliver_to_runs.hpp"

#include <spdlog/spdlog.h>

#include "core/logging.hpp"

namespace contexten::bot::handlers {

core::Result<std::size_t> DeliverToWaitingOfType(
    workflows::engine::Engine& engine, const std::string& wait_key, std::string_view type,
    const workflows::engine::Event& event,
    const std::function<bool(const nlohmann::json& state)>& accept) {
  auto waiting = engine.store().RunsWaitingFor(wait_key);
  if (!waiting) return core::Unexpected(waiting.error());
  std::size_t told = 0;
  for (const auto& run_id : *waiting) {
    auto run = engine.store().LoadRun(run_id);
    if (!run || !*run || (*run)->type != type) continue;
    if (accept && !accept(nlohmann::json::parse((*run)->state_json, nullptr, false))) continue;
    auto step = engine.Deliver(run_id, event);
    if (!step) {
      static auto log = core::Logger("deliver_to_runs");
      log->warn("{} for {} not delivered to {}: {}", event.type, wait_key, run_id,
                step.error().Describe());
      continue;
    }
    if (step->applied) ++told;
  }
  return told;
}

}  // namespace contexten::bot::handlers
