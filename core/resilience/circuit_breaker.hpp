#pragma once
// Circuit breaker with resilience4j's documented semantics:
// - CLOSED records outcomes in a count-based sliding window. Rates are evaluated only once
//   min(minimum_number_of_calls, sliding_window_size) calls are buffered; a failure rate or a
//   slow-call rate at or above its threshold (>=) opens the circuit.
// - OPEN rejects every call with kUnavailable "circuit '<name>' is open" and retry_after set to
//   the remaining wait. The first permission request after wait_duration_in_open_state moves it
//   to HALF_OPEN (there is no scheduler, so the transition happens on that call).
// - HALF_OPEN permits exactly permitted_calls_in_half_open trial calls and rejects the rest.
//   Once all trials have reported, their rates decide: below both thresholds -> CLOSED, else
//   -> OPEN. With max_wait_in_half_open > 0, a half-open circuit whose trials have not all
//   reported by then goes back to OPEN (checked on the next permission request).
// - FORCED_OPEN (operator) rejects everything; DISABLED (operator) permits everything and
//   records nothing. Only an operator transition or Reset leaves them.
// - Every transition starts a fresh window and publishes exactly one kStateTransition event.
// - Which errors count as failures is configurable; by default retryable kinds (which include
//   kTimeout) do, caller-fault kinds (kInvalidInput, kNotFound, ...) do not and are recorded
//   as successes, as resilience4j does for exceptions outside recordExceptions. Ignored errors
//   are recorded as nothing and hand their half-open permit back.
// - A call reports its duration; a call longer than slow_call_duration_threshold (strictly) is
//   slow, whether it succeeded or failed.
// Outcomes reported while OPEN, FORCED_OPEN or DISABLED (calls permitted before a transition)
// are dropped.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/resilience/events.hpp"
#include "core/resilience/sliding_window.hpp"
#include "core/result.hpp"

namespace contexten::core::resilience {

struct CircuitBreakerConfig {
  float failure_rate_threshold = 50.0f;     // percent, (0, 100]
  float slow_call_rate_threshold = 100.0f;  // percent, (0, 100]
  std::chrono::nanoseconds slow_call_duration_threshold = std::chrono::seconds(60);
  int sliding_window_size = 100;      // calls (count-based)
  int minimum_number_of_calls = 100;  // capped at sliding_window_size
  std::chrono::nanoseconds wait_duration_in_open_state = std::chrono::seconds(60);
  int permitted_calls_in_half_open = 10;
  std::chrono::nanoseconds max_wait_in_half_open{0};  // 0: wait for the trials forever
  // Does this error count as a failure? Default: IsRetryable(kind) (kTimeout included).
  std::function<bool(const Error&)> record_as_failure;
  // Is this error neither success nor failure? Default: none are.
  std::function<bool(const Error&)> ignore;

  // Throws std::invalid_argument naming the bad field (a startup/config error).
  void Validate() const;
};

struct CircuitBreakerMetrics {
  CircuitState state = CircuitState::kClosed;
  float failure_rate = -1.0f;    // percent; -1 until the minimum number of calls is buffered
  float slow_call_rate = -1.0f;  // percent; -1 likewise
  int buffered_calls = 0;
  int failed_calls = 0;
  int slow_calls = 0;
  std::int64_t not_permitted_calls = 0;  // since construction or the last Reset
};

class CircuitBreaker {
 public:
  CircuitBreaker(std::string name, CircuitBreakerConfig config, Clock& clock,
                 std::shared_ptr<EventBus> events = nullptr);

  CircuitBreaker(const CircuitBreaker&) = delete;
  CircuitBreaker& operator=(const CircuitBreaker&) = delete;

  // Ok if a call may proceed (it must then report OnSuccess/OnError or ReleasePermission);
  // otherwise kUnavailable, with retry_after while OPEN.
  Status TryAcquirePermission();
  // Gives back a permission that was not used for a call (e.g. a later stage refused it).
  void ReleasePermission();
  void OnSuccess(std::chrono::nanoseconds duration);
  void OnError(std::chrono::nanoseconds duration, const Error& error);
  // The call threw: a bug, recorded as a failure whatever record_as_failure says.
  void OnThrown(std::chrono::nanoseconds duration);

  // Acquire, run, measure with the clock, record. `fn` returns a Result<T>.
  template <class F>
  std::invoke_result_t<F&> Execute(F&& fn);

  // Operator controls. Each publishes a transition event unless already in that state.
  void TransitionToClosed();
  void TransitionToOpen();
  void TransitionToForcedOpen();
  void TransitionToDisabled();
  // Back to CLOSED with empty metrics; publishes kReset (and a transition if not CLOSED).
  void Reset();

  CircuitState state() const;
  CircuitBreakerMetrics metrics() const;
  const std::string& name() const { return name_; }
  const CircuitBreakerConfig& config() const { return config_; }
  EventBus& events() { return *events_; }
  const std::shared_ptr<EventBus>& shared_events() const { return events_; }

 private:
  using Pending = std::vector<ResilienceEvent>;

  void Record(std::chrono::nanoseconds duration, bool failure, Pending& pending);
  void TransitionLocked(CircuitState to, std::string reason, Pending& pending);
  Error Rejection(std::string message, std::optional<Millis> retry_after);
  ResilienceEvent MakeEvent(ResilienceEventKind kind, std::string message) const;
  void PublishAll(const Pending& pending);
  int EffectiveMinimumCalls() const;

  const std::string name_;
  const CircuitBreakerConfig config_;
  Clock& clock_;
  std::shared_ptr<EventBus> events_;

  mutable std::mutex mu_;
  CircuitState state_ = CircuitState::kClosed;
  SteadyTime state_since_{};
  CountSlidingWindow closed_window_;
  CountSlidingWindow half_open_window_;
  int half_open_permits_left_ = 0;
  std::int64_t not_permitted_ = 0;
};

template <class F>
std::invoke_result_t<F&> CircuitBreaker::Execute(F&& fn) {
  using R = std::invoke_result_t<F&>;
  if (Status permit = TryAcquirePermission(); !permit) return R(permit.error());
  const SteadyTime start = clock_.Now();
  try {
    R result = fn();
    const auto elapsed = clock_.Now() - start;
    if (result.has_value()) {
      OnSuccess(elapsed);
    } else {
      OnError(elapsed, result.error());
    }
    return result;
  } catch (...) {
    // Never leak a half-open permit; a throwing call is a bug, so it counts as a failure.
    OnThrown(clock_.Now() - start);
    throw;
  }
}

}  // namespace contexten::core::resilience
