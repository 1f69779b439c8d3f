#include "core/resilience/rate_limiter.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace contexten::core::resilience {
namespace {

Millis CeilMillis(std::chrono::nanoseconds d) { return std::chrono::ceil<Millis>(d); }

}  // namespace

void RateLimiterConfig::Validate() const {
  auto fail = [](const char* field, const char* why) {
    throw std::invalid_argument(std::string("rate limiter ") + field + " " + why);
  };
  if (capacity < 1) fail("capacity", "must be >= 1");
  if (refill_tokens < 1) fail("refill_tokens", "must be >= 1");
  if (refill_period.count() < 1) fail("refill_period", "must be > 0");
  // capacity * refill_period (ns) must fit in 63 bits.
  if (capacity > std::numeric_limits<std::int64_t>::max() / 4 / refill_period.count()) {
    fail("capacity", "times refill_period is too large");
  }
}

RateLimiter::RateLimiter(std::string name, RateLimiterConfig config, Clock& clock,
                         std::shared_ptr<EventBus> events)
    : name_(std::move(name)),
      config_((config.Validate(), config)),
      clock_(clock),
      events_(OrNewBus(std::move(events))),
      unit_per_token_(config_.refill_period.count()),
      capacity_units_(config_.capacity * unit_per_token_),
      balance_(capacity_units_),
      last_refill_(clock.Now()) {}

std::int64_t RateLimiter::BalanceAt(SteadyTime now) const {
  const std::int64_t elapsed = std::max<std::int64_t>(
      0, std::chrono::duration_cast<std::chrono::nanoseconds>(now - last_refill_).count());
  const std::int64_t missing = capacity_units_ - balance_;
  if (missing <= 0) return balance_;
  // Past the time needed to fill up, more elapsed time changes nothing; cap before
  // multiplying so a long idle period cannot overflow.
  const std::int64_t fill_time = missing / config_.refill_tokens + 1;
  return std::min(capacity_units_, balance_ + std::min(elapsed, fill_time) * config_.refill_tokens);
}

void RateLimiter::RefillLocked(SteadyTime now) {
  balance_ = BalanceAt(now);
  if (now > last_refill_) last_refill_ = now;
}

std::chrono::nanoseconds RateLimiter::WaitLocked(SteadyTime now, std::int64_t units) const {
  std::chrono::nanoseconds wait{0};
  const std::int64_t deficit = units - BalanceAt(now);
  if (deficit > 0) {
    wait = std::chrono::nanoseconds((deficit + config_.refill_tokens - 1) / config_.refill_tokens);
  }
  if (paused_until_ > now) {
    wait =
        std::max(wait, std::chrono::duration_cast<std::chrono::nanoseconds>(paused_until_ - now));
  }
  return wait;
}

bool RateLimiter::TryAcquire(std::int64_t n) {
  if (n < 1 || n > config_.capacity) return false;
  std::lock_guard lock(mu_);
  const SteadyTime now = clock_.Now();
  if (WaitLocked(now, n * unit_per_token_).count() > 0) return false;
  RefillLocked(now);
  balance_ -= n * unit_per_token_;
  return true;
}

Millis RateLimiter::TimeUntilAvailable(std::int64_t n) const {
  if (n > config_.capacity) return Millis::max();
  std::lock_guard lock(mu_);
  return CeilMillis(WaitLocked(clock_.Now(), std::max<std::int64_t>(n, 0) * unit_per_token_));
}

Status RateLimiter::Acquire(std::int64_t n, Millis max_wait) {
  if (n < 1 || n > config_.capacity) {
    return Unexpected(MakeError(ErrorKind::kInvalidInput,
                                "rate limiter '" + name_ + "' cannot grant " + std::to_string(n) +
                                    " tokens (capacity " + std::to_string(config_.capacity) + ")"));
  }
  std::chrono::nanoseconds wait{0};
  {
    std::lock_guard lock(mu_);
    const SteadyTime now = clock_.Now();
    wait = WaitLocked(now, n * unit_per_token_);
    if (wait <= max_wait) {
      RefillLocked(now);
      balance_ -= n * unit_per_token_;  // reserved now, even if we still have to wait
    }
  }
  if (wait > max_wait) {
    const Millis retry_after = CeilMillis(wait);
    std::string message = "rate limiter '" + name_ + "' has no capacity for " +
                          std::to_string(retry_after.count()) + " ms";
    Publish(ResilienceEventKind::kRateLimited, message);
    return Unexpected(Refusal(std::move(message), retry_after));
  }
  if (wait.count() > 0) clock_.SleepFor(wait);
  return Ok();
}

Millis RateLimiter::TokenInterval() const {
  return CeilMillis(std::chrono::nanoseconds((unit_per_token_ + config_.refill_tokens - 1) /
                                             config_.refill_tokens));
}

Error RateLimiter::Refusal(std::string message, Millis wait) const {
  Error error = MakeError(ErrorKind::kRateLimited, std::move(message), wait);
  error.rate_scope = name_;
  error.rate_interval = TokenInterval();
  return error;
}

void RateLimiter::PauseUntil(SteadyTime until) {
  Millis pause{0};
  {
    std::lock_guard lock(mu_);
    if (until <= paused_until_) return;
    // The server says we are over its limit, so whatever the bucket believed it held is spent:
    // one token is left for the retry at the end of the pause and refill starts from there.
    // Otherwise the bucket refills during the pause and its end is a full burst, which the
    // server refuses again.
    RefillLocked(clock_.Now());
    balance_ = std::min(balance_, unit_per_token_);
    last_refill_ = std::max(last_refill_, until);
    paused_until_ = until;
    pause = CeilMillis(until - clock_.Now());
  }
  Publish(ResilienceEventKind::kRateLimiterPaused,
          "rate limiter '" + name_ + "' paused for " + std::to_string(pause.count()) + " ms");
}

std::int64_t RateLimiter::available_tokens() const {
  std::lock_guard lock(mu_);
  return std::max<std::int64_t>(0, BalanceAt(clock_.Now()) / unit_per_token_);
}

bool RateLimiter::paused() const {
  std::lock_guard lock(mu_);
  return paused_until_ > clock_.Now();
}

bool RateLimiter::IsPristine() const {
  std::lock_guard lock(mu_);
  const SteadyTime now = clock_.Now();
  return paused_until_ <= now && BalanceAt(now) >= capacity_units_;
}

void RateLimiter::Publish(ResilienceEventKind kind, std::string message) {
  ResilienceEvent event;
  event.component = name_;
  event.kind = kind;
  event.message = std::move(message);
  event.at = clock_.WallNow();
  events_->Publish(event);
}

}  // namespace contexten::core::resilience
