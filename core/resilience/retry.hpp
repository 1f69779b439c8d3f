#pragma once
// Retry with full-jitter exponential backoff. Only errors the predicate accepts are retried
// (default: IsRetryable). When an error carries retry_after (a 429's Retry-After, a rate
// limit reset, an open circuit's remaining wait) and respect_retry_after is set, the wait is
// exactly retry_after: the server said when. A retry_after beyond max_retry_after gives up
// at once with that error, rather than parking a worker for minutes. All waits go through
// Clock::SleepFor, so a FakeClock makes them instant and observable.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <type_traits>

#include "core/clock.hpp"
#include "core/resilience/backoff.hpp"
#include "core/resilience/events.hpp"
#include "core/result.hpp"

namespace contexten::core::resilience {

struct RetryConfig {
  int max_attempts = 3;  // total calls, the first included
  Millis initial_backoff = Millis(500);
  double multiplier = 2.0;
  Millis max_backoff = std::chrono::seconds(30);
  bool respect_retry_after = true;
  Millis max_retry_after = std::chrono::minutes(5);
  // Is this error worth another attempt? Default: IsRetryable(kind).
  std::function<bool(const Error&)> retry_on;

  BackoffPolicy backoff() const { return {initial_backoff, multiplier, max_backoff}; }
  // Throws std::invalid_argument naming the bad field (a startup/config error).
  void Validate() const;
};

class Retry {
 public:
  Retry(std::string name, RetryConfig config, Clock& clock, std::uint64_t seed = RandomSeed(),
        std::shared_ptr<EventBus> events = nullptr);

  Retry(const Retry&) = delete;
  Retry& operator=(const Retry&) = delete;

  // Calls `fn` (returning a Result<T>) until it succeeds, fails with an error not worth
  // retrying, or attempts run out; returns the last result unchanged.
  template <class F>
  std::invoke_result_t<F&> Execute(F&& fn);

  // How long to wait after `attempt` (1-based) failed with `error`; nullopt: give up now.
  // Publishes kRetry or kRetryGaveUp.
  std::optional<Millis> NextWait(int attempt, const Error& error);

  const std::string& name() const { return name_; }
  const RetryConfig& config() const { return config_; }
  Clock& clock() { return clock_; }
  EventBus& events() { return *events_; }

  static std::uint64_t RandomSeed();

 private:
  void Publish(ResilienceEventKind kind, std::string message);

  const std::string name_;
  const RetryConfig config_;
  Clock& clock_;
  std::shared_ptr<EventBus> events_;
  std::mutex rng_mu_;
  std::mt19937_64 rng_;
};

template <class F>
std::invoke_result_t<F&> Retry::Execute(F&& fn) {
  for (int attempt = 1;; ++attempt) {
    auto result = fn();
    if (result.has_value()) return result;
    const std::optional<Millis> wait = NextWait(attempt, result.error());
    if (!wait) return result;
    clock_.SleepFor(*wait);
  }
}

}  // namespace contexten::core::resilience
