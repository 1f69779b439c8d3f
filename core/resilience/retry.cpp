#include "core/resilience/retry.hpp"

#include <stdexcept>

namespace contexten::core::resilience {

void RetryConfig::Validate() const {
  auto fail = [](const char* field, const char* why) {
    throw std::invalid_argument(std::string("retry ") + field + " " + why);
  };
  if (max_attempts < 1) fail("max_attempts", "must be >= 1");
  if (initial_backoff.count() < 0) fail("initial_backoff", "must be >= 0");
  if (multiplier < 1.0) fail("multiplier", "must be >= 1");
  if (max_backoff < initial_backoff) fail("max_backoff", "must be >= initial_backoff");
  if (max_retry_after.count() < 0) fail("max_retry_after", "must be >= 0");
}

std::uint64_t Retry::RandomSeed() {
  std::random_device device;
  return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

Retry::Retry(std::string name, RetryConfig config, Clock& clock, std::uint64_t seed,
             std::shared_ptr<EventBus> events)
    : name_(std::move(name)),
      config_(std::move(config)),
      clock_(clock),
      events_(OrNewBus(std::move(events))),
      rng_(seed) {
  config_.Validate();
}

std::optional<Millis> Retry::NextWait(int attempt, const Error& error) {
  const bool retryable = config_.retry_on ? config_.retry_on(error) : IsRetryable(error.kind);
  if (!retryable) return std::nullopt;  // the caller's problem, not an outage: no event
  const std::string attempt_text =
      "attempt " + std::to_string(attempt) + " of " + std::to_string(config_.max_attempts);
  if (attempt >= config_.max_attempts) {
    Publish(ResilienceEventKind::kRetryGaveUp,
            attempt_text + " failed, no attempts left: " + error.Describe());
    return std::nullopt;
  }
  Millis wait{0};
  if (config_.respect_retry_after && error.retry_after) {
    if (*error.retry_after > config_.max_retry_after) {
      Publish(ResilienceEventKind::kRetryGaveUp,
              attempt_text + " failed and asks to wait " +
                  std::to_string(error.retry_after->count()) + " ms, more than the " +
                  std::to_string(config_.max_retry_after.count()) +
                  " ms allowed: " + error.Describe());
      return std::nullopt;
    }
    wait = std::max(*error.retry_after, Millis(0));
  } else {
    std::lock_guard lock(rng_mu_);
    wait = ComputeBackoff(attempt - 1, rng_, config_.backoff());
  }
  Publish(ResilienceEventKind::kRetry, attempt_text + " failed, retrying in " +
                                           std::to_string(wait.count()) +
                                           " ms: " + error.Describe());
  return wait;
}

void Retry::Publish(ResilienceEventKind kind, std::string message) {
  ResilienceEvent event;
  event.component = name_;
  event.kind = kind;
  event.message = std::move(message);
  event.at = clock_.WallNow();
  events_->Publish(event);
}

}  // namespace contexten::core::resilience
