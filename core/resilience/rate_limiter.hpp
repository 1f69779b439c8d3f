#pragma once
// Token bucket: holds at most `capacity` tokens and gains `refill_tokens` every
// `refill_period`, continuously (a bucket of 20 per minute gains one token every 3 s).
// Tokens are kept in exact integer units (one token = refill_period in nanoseconds, divided
// among refill_tokens), so TimeUntilAvailable is exact: after waiting that long, the tokens
// are there.
//
// Acquire reserves: a caller that will wait takes its tokens now (the balance goes negative)
// and then sleeps, so callers are served in arrival order and nobody overtakes a sleeper.
// PauseUntil stops all acquisitions until a time, for when the server answered 429 with
// Retry-After: the budget is shared, so the pause holds for every caller of this limiter.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "core/clock.hpp"
#include "core/resilience/events.hpp"
#include "core/result.hpp"

namespace contexten::core::resilience {

struct RateLimiterConfig {
  std::int64_t capacity = 1;       // burst size; the bucket starts full
  std::int64_t refill_tokens = 1;  // tokens gained per refill_period
  std::chrono::nanoseconds refill_period = std::chrono::seconds(1);

  // Throws std::invalid_argument naming the bad field (a startup/config error).
  void Validate() const;
};

class RateLimiter {
 public:
  RateLimiter(std::string name, RateLimiterConfig config, Clock& clock,
              std::shared_ptr<EventBus> events = nullptr);

  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes n tokens if they are there now and the limiter is not paused.
  bool TryAcquire(std::int64_t n = 1);
  // How long until n tokens could be taken (0 if now); Millis::max() if n > capacity.
  Millis TimeUntilAvailable(std::int64_t n = 1) const;
  // Takes n tokens, waiting (Clock::SleepFor) up to max_wait for them. If the wait would be
  // longer, takes nothing and returns kRateLimited with retry_after = the wait. n above the
  // capacity is kInvalidInput: it could never succeed.
  Status Acquire(std::int64_t n = 1, Millis max_wait = Millis(0));
  // No acquisition succeeds before `until`; an earlier `until` than a current pause is ignored.
  void PauseUntil(SteadyTime until);
  void PauseFor(std::chrono::nanoseconds d) { PauseUntil(clock_.Now() + d); }

  // The time the bucket takes to refill one token.
  Millis TokenInterval() const;
  // A kRateLimited refusal with retry_after = `wait`, naming this limiter and its interval.
  Error Refusal(std::string message, Millis wait) const;

  std::int64_t available_tokens() const;  // whole tokens now; 0 while in debt
  bool paused() const;
  // True if the bucket is full and not paused: it then behaves exactly like a new one.
  bool IsPristine() const;

  const std::string& name() const { return name_; }
  const RateLimiterConfig& config() const { return config_; }
  EventBus& events() { return *events_; }

 private:
  // Balance in units after refilling up to `now`, without storing it.
  std::int64_t BalanceAt(SteadyTime now) const;
  void RefillLocked(SteadyTime now);
  // Nanoseconds until `units` are affordable and any pause is over.
  std::chrono::nanoseconds WaitLocked(SteadyTime now, std::int64_t units) const;
  void Publish(ResilienceEventKind kind, std::string message);

  const std::string name_;
  const RateLimiterConfig config_;
  Clock& clock_;
  std::shared_ptr<EventBus> events_;
  const std::int64_t unit_per_token_;  // refill_period in ns
  const std::int64_t capacity_units_;

  mutable std::mutex mu_;
  std::int64_t balance_;  // may be negative: reserved by sleeping callers
  SteadyTime last_refill_;
  SteadyTime paused_until_{};
};

}  // namespace contexten::core::resilience
