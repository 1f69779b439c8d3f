#pragma once
// Composes the resilience components around a call:
//
//   auto post = Decorate([&](const Message& m) { return slack.PostMessage(m); }, clock)
//                   .WithRateLimiter(channel_limiter)
//                   .WithCircuitBreaker(slack_breaker)
//                   .WithTimeout(std::chrono::seconds(10))
//                   .WithRetry(slack_retry)
//                   .WithBulkhead(slack_bulkhead);
//   Result<Ts> ts = post(message);
//
// The order is fixed, whatever order the With* calls come in, and follows resilience4j's
// documented aspect order Retry(CircuitBreaker(RateLimiter(TimeLimiter(Bulkhead(call))))):
//   1. Retry is outermost, so every attempt asks the breaker again: an open circuit's
//      rejection carries retry_after = remaining wait, which retry honours exactly when it is
//      within max_retry_after and gives up on otherwise.
//   2. The circuit breaker comes before the rate limiter, so an open circuit rejects without
//      spending tokens. A local refusal further in (rate limiter or bulkhead) hands the
//      breaker permission back instead of counting as a failure of the remote side.
//   3. The rate limiter waits up to its bound; a call answered with kRateLimited and
//      retry_after (a 429) pauses that limiter for every caller.
//   4. The bulkhead bounds concurrency around the call itself.
//   5. The timeout budget and the breaker's slow-call duration are measured on the call alone,
//      by the clock, not including waits for tokens or slots: they describe the remote side.
// Components are referenced, not owned: they must outlive the decorated callable.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "core/clock.hpp"
#include "core/resilience/bulkhead.hpp"
#include "core/resilience/circuit_breaker.hpp"
#include "core/resilience/rate_limiter.hpp"
#include "core/resilience/retry.hpp"
#include "core/resilience/timeout.hpp"
#include "core/result.hpp"

namespace contexten::core::resilience {

template <class F>
class Decorated {
 public:
  Decorated(F fn, Clock& clock) : fn_(std::move(fn)), clock_(&clock) {}

  Decorated WithRetry(Retry& retry) const {
    Decorated copy = *this;
    copy.retry_ = &retry;
    return copy;
  }
  Decorated WithCircuitBreaker(CircuitBreaker& breaker) const {
    Decorated copy = *this;
    copy.breaker_ = &breaker;
    return copy;
  }
  // Each call takes `tokens`, waiting at most `max_wait` for them.
  Decorated WithRateLimiter(RateLimiter& limiter, Millis max_wait = Millis(0),
                            std::int64_t tokens = 1) const {
    Decorated copy = *this;
    copy.limiter_ = &limiter;
    copy.limiter_max_wait_ = max_wait;
    copy.tokens_ = tokens;
    return copy;
  }
  Decorated WithBulkhead(Bulkhead& bulkhead) const {
    Decorated copy = *this;
    copy.bulkhead_ = &bulkhead;
    return copy;
  }
  // `what` names the call in the kTimeout message.
  Decorated WithTimeout(std::chrono::nanoseconds budget, std::string what = "call") const {
    Decorated copy = *this;
    copy.budget_ = budget;
    copy.what_ = std::move(what);
    return copy;
  }

  // Arguments are passed as lvalues so every attempt sees the same values.
  template <class... Args>
  std::invoke_result_t<const F&, Args&...> operator()(Args&&... args) const {
    if (retry_ != nullptr) return retry_->Execute([&] { return Attempt(args...); });
    return Attempt(args...);
  }

 private:
  template <class... Args>
  std::invoke_result_t<const F&, Args&...> Attempt(Args&... args) const {
    using R = std::invoke_result_t<const F&, Args&...>;
    if (breaker_ != nullptr) {
      if (Status permit = breaker_->TryAcquirePermission(); !permit) return R(permit.error());
    }
    auto refuse = [&](const Error& error) {
      if (breaker_ != nullptr) breaker_->ReleasePermission();
      return R(error);
    };
    if (limiter_ != nullptr) {
      if (Status granted = limiter_->Acquire(tokens_, limiter_max_wait_); !granted) {
        return refuse(granted.error());
      }
    }
    std::optional<BulkheadPermit> slot;
    if (bulkhead_ != nullptr) {
      Result<BulkheadPermit> entered = bulkhead_->TryEnter();
      if (!entered) return refuse(entered.error());
      slot.emplace(std::move(entered).value());
    }

    const SteadyTime start = clock_->Now();
    std::optional<R> result;
    try {
      result.emplace(std::invoke(fn_, args...));
    } catch (...) {
      if (breaker_ != nullptr) breaker_->OnThrown(clock_->Now() - start);
      throw;
    }
    const auto elapsed = clock_->Now() - start;
    slot.reset();

    if (budget_ && elapsed > *budget_) {
      // The call ran to its end and its answer is dropped: whether it took effect is unknown
      // unless it had already failed in a way that says it did not.
      const bool unknown = result->has_value() || result->error().outcome_unknown;
      result.emplace(TimeoutError(what_, elapsed, *budget_));
      result->error().outcome_unknown = unknown;
    }
    if (!result->has_value()) {
      const Error& error = result->error();
      if (limiter_ != nullptr && error.kind == ErrorKind::kRateLimited && error.retry_after) {
        limiter_->PauseFor(*error.retry_after);
      }
    }
    if (breaker_ != nullptr) {
      if (result->has_value()) {
        breaker_->OnSuccess(elapsed);
      } else {
        breaker_->OnError(elapsed, result->error());
      }
    }
    return std::move(*result);
  }

  F fn_;
  Clock* clock_;
  Retry* retry_ = nullptr;
  CircuitBreaker* breaker_ = nullptr;
  RateLimiter* limiter_ = nullptr;
  Millis limiter_max_wait_{0};
  std::int64_t tokens_ = 1;
  Bulkhead* bulkhead_ = nullptr;
  std::optional<std::chrono::nanoseconds> budget_;
  std::string what_ = "call";
};

template <class F>
Decorated<std::decay_t<F>> Decorate(F&& fn, Clock& clock = DefaultClock()) {
  return Decorated<std::decay_t<F>>(std::forward<F>(fn), clock);
}

}  // namespace contexten::core::resilience
