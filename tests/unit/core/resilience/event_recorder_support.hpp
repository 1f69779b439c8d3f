#pragma once
// Collects resilience events published during a test.

#include <mutex>
#include <utility>
#include <vector>

#include "core/resilience/events.hpp"

namespace contexten::core::resilience::testing {

class EventRecorder {
 public:
  explicit EventRecorder(EventBus& bus) {
    bus.Subscribe([this](const ResilienceEvent& event) {
      std::lock_guard lock(mu_);
      events_.push_back(event);
    });
  }

  std::vector<ResilienceEvent> Of(ResilienceEventKind kind) const {
    std::lock_guard lock(mu_);
    std::vector<ResilienceEvent> out;
    for (const auto& event : events_) {
      if (event.kind == kind) out.push_back(event);
    }
    return out;
  }

  std::vector<std::pair<CircuitState, CircuitState>> Transitions() const {
    std::vector<std::pair<CircuitState, CircuitState>> out;
    for (const auto& event : Of(ResilienceEventKind::kStateTransition)) {
      out.emplace_back(*event.from_state, *event.to_state);
    }
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<ResilienceEvent> events_;
};

}  // namespace contexten::core::resilience::testing
