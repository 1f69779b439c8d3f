#include "core/resilience/keyed_rate_limiter.hpp"

#include <stdexcept>

namespace contexten::core::resilience {

KeyedRateLimiter::KeyedRateLimiter(std::string name, KeyedRateLimiterConfig config, Clock& clock,
                                   std::shared_ptr<EventBus> events)
    : name_(std::move(name)),
      config_(std::move(config)),
      clock_(clock),
      events_(OrNewBus(std::move(events))),
      last_sweep_(clock.Now()) {
  config_.bucket.Validate();
  if (config_.idle_ttl.count() < 1) {
    throw std::invalid_argument("keyed rate limiter idle_ttl must be > 0");
  }
}

std::shared_ptr<RateLimiter> KeyedRateLimiter::For(const std::string& key) {
  std::lock_guard lock(mu_);
  const SteadyTime now = clock_.Now();
  if (now - last_sweep_ >= config_.idle_ttl) EvictIdleLocked(now);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    auto limiter =
        std::make_shared<RateLimiter>(name_ + "[" + key + "]", config_.bucket, clock_, events_);
    it = buckets_.emplace(key, Entry{std::move(limiter), now}).first;
  }
  it->second.last_used = now;
  return it->second.limiter;
}

bool KeyedRateLimiter::TryAcquire(const std::string& key, std::int64_t n) {
  return For(key)->TryAcquire(n);
}

Millis KeyedRateLimiter::TimeUntilAvailable(const std::string& key, std::int64_t n) {
  return For(key)->TimeUntilAvailable(n);
}

Status KeyedRateLimiter::Acquire(const std::string& key, std::int64_t n, Millis max_wait) {
  // The map lock is released before a possible sleep: other keys never wait on this one.
  return For(key)->Acquire(n, max_wait);
}

void KeyedRateLimiter::PauseUntil(const std::string& key, SteadyTime until) {
  For(key)->PauseUntil(until);
}

std::size_t KeyedRateLimiter::EvictIdle() {
  std::lock_guard lock(mu_);
  return EvictIdleLocked(clock_.Now());
}

std::size_t KeyedRateLimiter::EvictIdleLocked(SteadyTime now) {
  last_sweep_ = now;
  return std::erase_if(buckets_, [&](const auto& item) {
    const Entry& entry = item.second;
    return now - entry.last_used >= config_.idle_ttl && entry.limiter->IsPristine();
  });
}

std::size_t KeyedRateLimiter::size() const {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

}  // namespace contexten::core::resilience
