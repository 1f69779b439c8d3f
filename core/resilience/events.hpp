#pragma once
// Every resilience component reports what it does (state changes, rejections, retries) on an
// EventBus. The health monitor subscribes and turns circuit state transitions into ops alerts;
// metrics and logs subscribe too. Components publish after releasing their own locks, so a
// listener may query the component that called it.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.hpp"

namespace contexten::core::resilience {

enum class CircuitState {
  kClosed,      // calls flow, outcomes recorded in the sliding window
  kOpen,        // calls rejected until the wait in open state has passed
  kHalfOpen,    // a fixed number of trial calls decide between closed and open
  kForcedOpen,  // operator: reject everything until told otherwise
  kDisabled,    // operator: permit everything, record nothing
};

std::string_view ToString(CircuitState state);

enum class ResilienceEventKind {
  kStateTransition,    // circuit breaker moved from_state -> to_state
  kReset,              // circuit breaker reset by an operator
  kCallNotPermitted,   // circuit breaker rejected a call
  kRetry,              // retry is about to wait and try again
  kRetryGaveUp,        // retry stopped with the error (attempts used up or wait too long)
  kRateLimited,        // rate limiter refused a call (the wait would exceed its bound)
  kRateLimiterPaused,  // rate limiter paused (a 429 with Retry-After)
  kBulkheadFull,       // bulkhead refused a call (no free slot within the wait bound)
};

std::string_view ToString(ResilienceEventKind kind);

struct ResilienceEvent {
  std::string component;  // e.g. "github", "slack.chat.postMessage"
  ResilienceEventKind kind = ResilienceEventKind::kStateTransition;
  std::optional<CircuitState> from_state;  // set for kStateTransition and kReset
  std::optional<CircuitState> to_state;
  std::string message;
  WallTime at{};
};

class EventBus {
 public:
  using Listener = std::function<void(const ResilienceEvent&)>;
  using SubscriptionId = std::uint64_t;

  SubscriptionId Subscribe(Listener listener);
  void Unsubscribe(SubscriptionId id);
  // Calls every listener on the calling thread. A listener that throws is logged and skipped:
  // observing a call must never break it.
  void Publish(const ResilienceEvent& event) const;
  std::size_t listener_count() const;

 private:
  mutable std::mutex mu_;
  SubscriptionId next_id_ = 1;
  std::vector<std::pair<SubscriptionId, std::shared_ptr<const Listener>>> listeners_;
};

// Components share a bus when given one (e.g. one per integration), else own one.
inline std::shared_ptr<EventBus> OrNewBus(std::shared_ptr<EventBus> bus) {
  return bus ? std::move(bus) : std::make_shared<EventBus>();
}

}  // namespace contexten::core::resilience
