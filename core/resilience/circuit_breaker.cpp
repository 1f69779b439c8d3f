#include "core/resilience/circuit_breaker.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace contexten::core::resilience {
namespace {

std::string Percent(float value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", static_cast<double>(value));
  return buf;
}

Millis CeilMillis(std::chrono::nanoseconds d) {
  return std::max(Millis(1), std::chrono::ceil<Millis>(d));
}

}  // namespace

void CircuitBreakerConfig::Validate() const {
  auto fail = [](const char* field, const char* why) {
    throw std::invalid_argument(std::string("circuit breaker ") + field + " " + why);
  };
  if (!(failure_rate_threshold > 0.0f && failure_rate_threshold <= 100.0f)) {
    fail("failure_rate_threshold", "must be in (0, 100]");
  }
  if (!(slow_call_rate_threshold > 0.0f && slow_call_rate_threshold <= 100.0f)) {
    fail("slow_call_rate_threshold", "must be in (0, 100]");
  }
  if (slow_call_duration_threshold.count() < 1) fail("slow_call_duration_threshold", "must be > 0");
  if (sliding_window_size < 1) fail("sliding_window_size", "must be >= 1");
  if (minimum_number_of_calls < 1) fail("minimum_number_of_calls", "must be >= 1");
  if (wait_duration_in_open_state.count() < 1) fail("wait_duration_in_open_state", "must be > 0");
  if (permitted_calls_in_half_open < 1) fail("permitted_calls_in_half_open", "must be >= 1");
  if (max_wait_in_half_open.count() < 0) fail("max_wait_in_half_open", "must be >= 0");
}

CircuitBreaker::CircuitBreaker(std::string name, CircuitBreakerConfig config, Clock& clock,
                               std::shared_ptr<EventBus> events)
    : name_(std::move(name)),
      config_(std::move(config)),
      clock_(clock),
      events_(OrNewBus(std::move(events))),
      state_since_(clock.Now()),
      closed_window_(config_.sliding_window_size),
      half_open_window_(config_.permitted_calls_in_half_open) {
  config_.Validate();
}

int CircuitBreaker::EffectiveMinimumCalls() const {
  return std::min(config_.minimum_number_of_calls, config_.sliding_window_size);
}

Error CircuitBreaker::Rejection(std::string message, std::optional<Millis> retry_after) {
  Error error = MakeError(ErrorKind::kUnavailable, std::move(message), retry_after);
  error.refused_locally = true;
  return error;
}

Status CircuitBreaker::TryAcquirePermission() {
  Pending pending;
  Status result;
  {
    std::lock_guard lock(mu_);
    const SteadyTime now = clock_.Now();
    if (state_ == CircuitState::kOpen &&
        now - state_since_ >= config_.wait_duration_in_open_state) {
      TransitionLocked(CircuitState::kHalfOpen, "wait in open state elapsed", pending);
    }
    if (state_ == CircuitState::kHalfOpen && config_.max_wait_in_half_open.count() > 0 &&
        now - state_since_ >= config_.max_wait_in_half_open) {
      TransitionLocked(CircuitState::kOpen, "trial calls did not finish within the half-open wait",
                       pending);
    }
    switch (state_) {
      case CircuitState::kClosed:
      case CircuitState::kDisabled:
        break;
      case CircuitState::kHalfOpen:
        if (half_open_permits_left_ > 0) {
          --half_open_permits_left_;
        } else {
          result = Rejection("circuit '" + name_ + "' is half-open and all " +
                                 std::to_string(config_.permitted_calls_in_half_open) +
                                 " trial calls are taken",
                             std::nullopt);
        }
        break;
      case CircuitState::kOpen: {
        const auto remaining = config_.wait_duration_in_open_state - (now - state_since_);
        result = Rejection("circuit '" + name_ + "' is open", CeilMillis(remaining));
        break;
      }
      case CircuitState::kForcedOpen:
        result = Rejection("circuit '" + name_ + "' is forced open", std::nullopt);
        break;
    }
    if (!result) {
      ++not_permitted_;
      pending.push_back(MakeEvent(ResilienceEventKind::kCallNotPermitted, result.error().message));
    }
  }
  PublishAll(pending);
  return result;
}

void CircuitBreaker::ReleasePermission() {
  std::lock_guard lock(mu_);
  if (state_ == CircuitState::kHalfOpen) {
    half_open_permits_left_ =
        std::min(half_open_permits_left_ + 1, config_.permitted_calls_in_half_open);
  }
}

void CircuitBreaker::OnSuccess(std::chrono::nanoseconds duration) {
  Pending pending;
  {
    std::lock_guard lock(mu_);
    Record(duration, false, pending);
  }
  PublishAll(pending);
}

void CircuitBreaker::OnError(std::chrono::nanoseconds duration, const Error& error) {
  if (config_.ignore && config_.ignore(error)) {
    ReleasePermission();
    return;
  }
  const bool failure =
      config_.record_as_failure ? config_.record_as_failure(error) : IsRetryable(error.kind);
  Pending pending;
  {
    std::lock_guard lock(mu_);
    Record(duration, failure, pending);
  }
  PublishAll(pending);
}

void CircuitBreaker::OnThrown(std::chrono::nanoseconds duration) {
  Pending pending;
  {
    std::lock_guard lock(mu_);
    Record(duration, true, pending);
  }
  PublishAll(pending);
}

void CircuitBreaker::Record(std::chrono::nanoseconds duration, bool failure, Pending& pending) {
  const CallOutcome outcome{failure, duration > config_.slow_call_duration_threshold};
  CountSlidingWindow* window = nullptr;
  int minimum = 0;
  if (state_ == CircuitState::kClosed) {
    window = &closed_window_;
    minimum = EffectiveMinimumCalls();
  } else if (state_ == CircuitState::kHalfOpen) {
    window = &half_open_window_;
    minimum = config_.permitted_calls_in_half_open;
  } else {
    return;  // OPEN, FORCED_OPEN, DISABLED: nothing to record into
  }
  window->Record(outcome);
  if (window->buffered() < minimum) return;

  const float failure_rate = window->FailureRate();
  const float slow_rate = window->SlowCallRate();
  const std::string over = " over " + std::to_string(window->buffered()) + " calls";
  if (failure_rate >= config_.failure_rate_threshold) {
    TransitionLocked(CircuitState::kOpen,
                     "failure rate " + Percent(failure_rate) +
                         " >= " + Percent(config_.failure_rate_threshold) + over,
                     pending);
  } else if (slow_rate >= config_.slow_call_rate_threshold) {
    TransitionLocked(CircuitState::kOpen,
                     "slow call rate " + Percent(slow_rate) +
                         " >= " + Percent(config_.slow_call_rate_threshold) + over,
                     pending);
  } else if (state_ == CircuitState::kHalfOpen) {
    TransitionLocked(CircuitState::kClosed,
                     "trial failure rate " + Percent(failure_rate) + " and slow call rate " +
                         Percent(slow_rate) + " below thresholds" + over,
                     pending);
  }
}

void CircuitBreaker::TransitionLocked(CircuitState to, std::string reason, Pending& pending) {
  const CircuitState from = state_;
  if (from == to) return;
  state_ = to;
  state_since_ = clock_.Now();
  closed_window_.Clear();
  half_open_window_.Clear();
  half_open_permits_left_ =
      to == CircuitState::kHalfOpen ? config_.permitted_calls_in_half_open : 0;
  ResilienceEvent event = MakeEvent(ResilienceEventKind::kStateTransition,
                                    "circuit '" + name_ + "' " + std::string(ToString(from)) +
                                        " -> " + std::string(ToString(to)) + ": " + reason);
  event.from_state = from;
  event.to_state = to;
  pending.push_back(std::move(event));
}

void CircuitBreaker::TransitionToClosed() {
  Pending pending;
  {
    std::lock_guard lock(mu_);
    TransitionLocked(CircuitState::kClosed, "operator", pending);
  }
  PublishAll(pending);
}

void CircuitBreaker::TransitionToOpen() {
  Pending pending;
  {
    std::lock_guard lock(mu_);
    TransitionLocked(CircuitState::kOpen, "operator", pending);
  }
  PublishAll(pending);
}

void CircuitBreaker::TransitionToForcedOpen() {
  Pending pending;
  {
    std::lock_guard lock(mu_);
    TransitionLocked(CircuitState::kForcedOpen, "operator", pending);
  }
  PublishAll(pending);
}

void CircuitBreaker::TransitionToDisabled() {
  Pending pending;
  {
    std::lock_guard lock(mu_);
    TransitionLocked(CircuitState::kDisabled, "operator", pending);
  }
  PublishAll(pending);
}

void CircuitBreaker::Reset() {
  Pending pending;
  {
    std::lock_guard lock(mu_);
    const CircuitState from = state_;
    TransitionLocked(CircuitState::kClosed, "reset", pending);
    closed_window_.Clear();
    not_permitted_ = 0;
    ResilienceEvent event = MakeEvent(ResilienceEventKind::kReset, "circuit '" + name_ + "' reset");
    event.from_state = from;
    event.to_state = CircuitState::kClosed;
    pending.push_back(std::move(event));
  }
  PublishAll(pending);
}

CircuitState CircuitBreaker::state() const {
  std::lock_guard lock(mu_);
  return state_;
}

CircuitBreakerMetrics CircuitBreaker::metrics() const {
  std::lock_guard lock(mu_);
  CircuitBreakerMetrics m;
  m.state = state_;
  m.not_permitted_calls = not_permitted_;
  const CountSlidingWindow* window = nullptr;
  int minimum = 0;
  if (state_ == CircuitState::kClosed) {
    window = &closed_window_;
    minimum = EffectiveMinimumCalls();
  } else if (state_ == CircuitState::kHalfOpen) {
    window = &half_open_window_;
    minimum = config_.permitted_calls_in_half_open;
  }
  if (window != nullptr) {
    m.buffered_calls = window->buffered();
    m.failed_calls = window->failures();
    m.slow_calls = window->slow();
    if (window->buffered() >= minimum) {
      m.failure_rate = window->FailureRate();
      m.slow_call_rate = window->SlowCallRate();
    }
  }
  return m;
}

ResilienceEvent CircuitBreaker::MakeEvent(ResilienceEventKind kind, std::string message) const {
  ResilienceEvent event;
  event.component = name_;
  event.kind = kind;
  event.message = std::move(message);
  event.at = clock_.WallNow();
  return event;
}

void CircuitBreaker::PublishAll(const Pending& pending) {
  for (const auto& event : pending) events_->Publish(event);
}

}  // namespace contexten::core::resilience
