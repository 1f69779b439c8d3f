#pragma once
// One token bucket per key, created on first use: Slack's chat.postMessage allows about one
// message per second per channel, so each channel gets its own bucket. Buckets untouched for
// idle_ttl are evicted, but only when full and unpaused, i.e. when a fresh bucket would behave
// the same; eviction is therefore invisible to callers and memory stays bounded by the number
// of recently active keys.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"
#include "core/resilience/events.hpp"
#include "core/resilience/rate_limiter.hpp"
#include "core/result.hpp"

namespace contexten::core::resilience {

struct KeyedRateLimiterConfig {
  RateLimiterConfig bucket;
  std::chrono::nanoseconds idle_ttl = std::chrono::minutes(10);
};

class KeyedRateLimiter {
 public:
  // Buckets are named "<name>[<key>]" and publish on this limiter's bus.
  KeyedRateLimiter(std::string name, KeyedRateLimiterConfig config, Clock& clock,
                   std::shared_ptr<EventBus> events = nullptr);

  KeyedRateLimiter(const KeyedRateLimiter&) = delete;
  KeyedRateLimiter& operator=(const KeyedRateLimiter&) = delete;

  // The bucket for `key`, created if needed. Safe to keep across evictions (it is then simply
  // no longer shared), but callers normally use the per-key helpers below.
  std::shared_ptr<RateLimiter> For(const std::string& key);

  bool TryAcquire(const std::string& key, std::int64_t n = 1);
  Millis TimeUntilAvailable(const std::string& key, std::int64_t n = 1);
  Status Acquire(const std::string& key, std::int64_t n = 1, Millis max_wait = Millis(0));
  void PauseUntil(const std::string& key, SteadyTime until);

  // Drops idle, pristine buckets now; returns how many. Also runs on its own from For() at
  // most once per idle_ttl.
  std::size_t EvictIdle();
  std::size_t size() const;

  EventBus& events() { return *events_; }

 private:
  struct Entry {
    std::shared_ptr<RateLimiter> limiter;
    SteadyTime last_used;
  };
  std::size_t EvictIdleLocked(SteadyTime now);

  const std::string name_;
  const KeyedRateLimiterConfig config_;
  Clock& clock_;
  std::shared_ptr<EventBus> events_;

  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> buckets_;
  SteadyTime last_sweep_;
};

}  // namespace contexten::core::resilience
