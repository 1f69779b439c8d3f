#include "core/resilience/events.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace contexten::core::resilience {

std::string_view ToString(CircuitState state) {
  switch (state) {
    case CircuitState::kClosed:
      return "CLOSED";
    case CircuitState::kOpen:
      return "OPEN";
    case CircuitState::kHalfOpen:
      return "HALF_OPEN";
    case CircuitState::kForcedOpen:
      return "FORCED_OPEN";
    case CircuitState::kDisabled:
      return "DISABLED";
  }
  return "UNKNOWN";
}

std::string_view ToString(ResilienceEventKind kind) {
  switch (kind) {
    case ResilienceEventKind::kStateTransition:
      return "state_transition";
    case ResilienceEventKind::kReset:
      return "reset";
    case ResilienceEventKind::kCallNotPermitted:
      return "call_not_permitted";
    case ResilienceEventKind::kRetry:
      return "retry";
    case ResilienceEventKind::kRetryGaveUp:
      return "retry_gave_up";
    case ResilienceEventKind::kRateLimited:
      return "rate_limited";
    case ResilienceEventKind::kRateLimiterPaused:
      return "rate_limiter_paused";
    case ResilienceEventKind::kBulkheadFull:
      return "bulkhead_full";
  }
  return "unknown";
}

EventBus::SubscriptionId EventBus::Subscribe(Listener listener) {
  std::lock_guard lock(mu_);
  const SubscriptionId id = next_id_++;
  listeners_.emplace_back(id, std::make_shared<const Listener>(std::move(listener)));
  return id;
}

void EventBus::Unsubscribe(SubscriptionId id) {
  std::lock_guard lock(mu_);
  std::erase_if(listeners_, [id](const auto& entry) { return entry.first == id; });
}

void EventBus::Publish(const ResilienceEvent& event) const {
  // Snapshot so listeners run without the lock and may subscribe or unsubscribe.
  std::vector<std::shared_ptr<const Listener>> snapshot;
  {
    std::lock_guard lock(mu_);
    snapshot.reserve(listeners_.size());
    for (const auto& [id, listener] : listeners_) snapshot.push_back(listener);
  }
  for (const auto& listener : snapshot) {
    try {
      (*listener)(event);
    } catch (const std::exception& e) {
      spdlog::warn("resilience event listener failed on {} from {}: {}", ToString(event.kind),
                   event.component, e.what());
    } catch (...) {
      spdlog::warn("resilience event listener failed on {} from {}", ToString(event.kind),
                   event.component);
    }
  }
}

std::size_t EventBus::listener_count() const {
  std::lock_guard lock(mu_);
  return listeners_.size();
}

}  // namespace contexten::core::resilience
