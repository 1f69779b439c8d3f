#include "core/resilience/decorators.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "tests/unit/core/resilience/event_recorder_support.hpp"

namespace contexten::core::resilience {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::EventRecorder;
using State = CircuitState;
using Transition = std::pair<CircuitState, CircuitState>;

constexpr std::uint64_t kSeed = 7;

CircuitBreakerConfig TwoCallBreaker(std::chrono::nanoseconds wait) {
  CircuitBreakerConfig config;
  config.sliding_window_size = 2;
  config.minimum_number_of_calls = 2;
  config.permitted_calls_in_half_open = 1;
  config.wait_duration_in_open_state = wait;
  return config;
}

// A flaky upstream: fails `failures` times with kTransient, then answers.
struct FlakyCall {
  int failures = 0;
  int* calls = nullptr;
  Result<std::string> operator()() const {
    return ++*calls <= failures ? Result<std::string>(MakeError(ErrorKind::kTransient, "502"))
                                : Result<std::string>(std::string("ok"));
  }
};

TEST(DecoratorsTest, RetryStopsWhenTheOpenCircuitWaitIsTooLong) {
  FakeClock clock;
  CircuitBreaker breaker("github", TwoCallBreaker(minutes(10)), clock);
  RetryConfig retry_config;
  retry_config.max_attempts = 5;
  Retry retry("github", retry_config, clock, kSeed);
  int calls = 0;
  auto call = Decorate(FlakyCall{100, &calls}, clock).WithCircuitBreaker(breaker).WithRetry(retry);

  const Result<std::string> result = call();
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(result.error().message, "circuit 'github' is open");
  EXPECT_EQ(calls, 2);  // the third attempt met the open circuit and its 10 min wait
  EXPECT_EQ(breaker.state(), State::kOpen);
  // Two jittered backoffs (at most 500 ms + 1000 ms), never the circuit's 10 min.
  EXPECT_LE(clock.slept(), milliseconds(1500));
}

TEST(DecoratorsTest, RetryWaitsOutTheOpenCircuitAndTheTrialCloses) {
  FakeClock clock;
  CircuitBreaker breaker("github", TwoCallBreaker(seconds(30)), clock);
  EventRecorder recorder(breaker.events());
  RetryConfig retry_config;
  retry_config.max_attempts = 5;
  Retry retry("github", retry_config, clock, kSeed);
  int calls = 0;
  // The With* order does not matter: retry is always outermost.
  auto call = Decorate(FlakyCall{2, &calls}, clock).WithRetry(retry).WithCircuitBreaker(breaker);

  const SteadyTime start = clock.Now();
  const Result<std::string> result = call();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(*result, "ok");
  EXPECT_EQ(calls, 3);  // fail, fail (opens), [rejected, wait], trial succeeds
  EXPECT_EQ(breaker.state(), State::kClosed);
  EXPECT_EQ(recorder.Transitions(), (std::vector<Transition>{{State::kClosed, State::kOpen},
                                                             {State::kOpen, State::kHalfOpen},
                                                             {State::kHalfOpen, State::kClosed}}));
  // One backoff (<= 500 ms) before the circuit opened, then exactly its remaining wait: the
  // trial came right at the end of the 30 s.
  const auto elapsed = clock.Now() - start;
  EXPECT_GE(elapsed, seconds(30));
  EXPECT_LE(elapsed, seconds(30) + milliseconds(500));
}

TEST(DecoratorsTest, LocalRateLimitRefusalIsNotABreakerFailure) {
  FakeClock clock;
  CircuitBreakerConfig breaker_config = TwoCallBreaker(seconds(30));
  CircuitBreaker breaker("slack", breaker_config, clock);
  RateLimiter limiter("slack.tier1", {1, 1, minutes(1)}, clock);
  int calls = 0;
  auto call =
      Decorate(FlakyCall{0, &calls}, clock).WithCircuitBreaker(breaker).WithRateLimiter(limiter);

  EXPECT_TRUE(call().has_value());
  for (int i = 0; i < 3; ++i) {
    const Result<std::string> refused = call();
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().kind, ErrorKind::kRateLimited);
    EXPECT_EQ(*refused.error().retry_after, milliseconds(60000));
  }
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(breaker.state(), State::kClosed);
  EXPECT_EQ(breaker.metrics().buffered_calls, 1);
  EXPECT_EQ(breaker.metrics().failed_calls, 0);
}

TEST(DecoratorsTest, OpenCircuitSpendsNoTokens) {
  FakeClock clock;
  CircuitBreaker breaker("slack", TwoCallBreaker(seconds(30)), clock);
  RateLimiter limiter("slack.tier2", {20, 20, minutes(1)}, clock);
  breaker.TransitionToForcedOpen();
  int calls = 0;
  auto call =
      Decorate(FlakyCall{0, &calls}, clock).WithCircuitBreaker(breaker).WithRateLimiter(limiter);
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(call().has_value());
  EXPECT_EQ(limiter.available_tokens(), 20);
  EXPECT_EQ(calls, 0);
}

TEST(DecoratorsTest, A429WithRetryAfterPausesTheLimiterForEveryone) {
  FakeClock clock;
  RateLimiter limiter("slack.chat.postMessage", {10, 10, minutes(1)}, clock);
  auto post =
      Decorate(
          [](const std::string& channel) -> Result<std::string> {
            return MakeError(ErrorKind::kRateLimited, "ratelimited in " + channel, seconds(5));
          },
          clock)
          .WithRateLimiter(limiter);
  const Result<std::string> result = post(std::string("C1"));
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message, "ratelimited in C1");
  EXPECT_TRUE(limiter.paused());
  EXPECT_EQ(limiter.TimeUntilAvailable(), milliseconds(5000));
}

TEST(DecoratorsTest, RetryWithLimiterWaitsForThePauseThenSucceeds) {
  FakeClock clock;
  RateLimiter limiter("slack.chat.postMessage", {10, 10, minutes(1)}, clock);
  Retry retry("slack", {}, clock, kSeed);
  int calls = 0;
  auto post = Decorate(
                  [&]() -> Result<int> {
                    if (++calls == 1) return MakeError(ErrorKind::kRateLimited, "429", seconds(5));
                    return calls;
                  },
                  clock)
                  .WithRateLimiter(limiter)
                  .WithRetry(retry);
  const Result<int> result = post();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(*result, 2);
  EXPECT_EQ(clock.slept(), seconds(5));  // Retry-After honoured, and the pause had ended by then
}

TEST(DecoratorsTest, OverBudgetCallsBecomeTimeoutsAndOpenTheBreaker) {
  FakeClock clock;
  CircuitBreaker breaker("linear", TwoCallBreaker(seconds(30)), clock);
  int calls = 0;
  auto call = Decorate(
                  [&]() -> Result<int> {
                    ++calls;
                    clock.Advance(seconds(4));
                    return 1;
                  },
                  clock)
                  .WithCircuitBreaker(breaker)
                  .WithTimeout(seconds(3), "linear.issueCreate");
  for (int i = 0; i < 2; ++i) {
    const Result<int> result = call();
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().kind, ErrorKind::kTimeout);
    EXPECT_EQ(result.error().message, "linear.issueCreate took 4000 ms, over its 3000 ms budget");
  }
  EXPECT_EQ(breaker.state(), State::kOpen);
  EXPECT_FALSE(call().has_value());
  EXPECT_EQ(calls, 2);
}

TEST(DecoratorsTest, OverBudgetTimeoutSaysWhetherTheCallMayHaveTakenEffect) {
  FakeClock clock;
  Result<int> inner = 1;
  auto call = Decorate(
                  [&]() -> Result<int> {
                    clock.Advance(seconds(4));
                    return inner;
                  },
                  clock)
                  .WithTimeout(seconds(3), "slack.postMessage");
  // It ran to the end and its answer is dropped: it may well have taken effect.
  Result<int> late = call();
  ASSERT_FALSE(late.has_value());
  EXPECT_TRUE(late.error().outcome_unknown);

  inner = MakeOutcomeUnknown(ErrorKind::kTransient, "reset after sending");
  late = call();
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().kind, ErrorKind::kTimeout);
  EXPECT_TRUE(late.error().outcome_unknown);

  inner = MakeError(ErrorKind::kTransient, "connection refused");
  late = call();
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().kind, ErrorKind::kTimeout);
  EXPECT_FALSE(late.error().outcome_unknown) << "a slow refusal still sent nothing";
}

TEST(DecoratorsTest, RetryAndBreakerPassTheOutcomeUnknownFlagThrough) {
  FakeClock clock;
  CircuitBreaker breaker("github", TwoCallBreaker(seconds(30)), clock);
  RetryConfig config;
  config.max_attempts = 2;
  Retry retry("github", config, clock, kSeed);
  int calls = 0;
  auto call = Decorate(
                  [&]() -> Result<int> {
                    ++calls;
                    return MakeOutcomeUnknown(ErrorKind::kTimeout, "no answer");
                  },
                  clock)
                  .WithCircuitBreaker(breaker)
                  .WithRetry(retry);
  const Result<int> result = call();
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(result.error().kind, ErrorKind::kTimeout);
  EXPECT_TRUE(result.error().outcome_unknown);
}

TEST(DecoratorsTest, FullBulkheadRefusesWithoutCallingAndReturnsTheTrialPermit) {
  FakeClock clock;
  CircuitBreaker breaker("github", TwoCallBreaker(seconds(30)), clock);
  Bulkhead bulkhead("github", {1, milliseconds(0)}, clock);
  breaker.TransitionToOpen();
  clock.Advance(seconds(30));
  int calls = 0;
  auto call =
      Decorate(FlakyCall{0, &calls}, clock).WithCircuitBreaker(breaker).WithBulkhead(bulkhead);
  {
    Result<BulkheadPermit> taken = bulkhead.TryEnter();
    ASSERT_TRUE(taken.has_value());
    const Result<std::string> refused = call();  // half-open now, its one trial permit handed back
    ASSERT_FALSE(refused.has_value());
    EXPECT_NE(refused.error().message.find("bulkhead 'github' is full"), std::string::npos);
  }
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(breaker.state(), State::kHalfOpen);
  EXPECT_TRUE(call().has_value());  // the trial permit is still there
  EXPECT_EQ(breaker.state(), State::kClosed);
  EXPECT_EQ(bulkhead.available(), 1);
}

TEST(DecoratorsTest, ArgumentsReachEveryAttempt) {
  FakeClock clock;
  Retry retry("x", {}, clock, kSeed);
  std::vector<std::string> seen;
  auto call = Decorate(
                  [&](const std::string& text, int n) -> Result<std::size_t> {
                    seen.push_back(text + std::to_string(n));
                    if (seen.size() < 3) return MakeError(ErrorKind::kTransient, "x");
                    return seen.size();
                  },
                  clock)
                  .WithRetry(retry);
  const Result<std::size_t> result = call(std::string("a"), 1);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(seen, (std::vector<std::string>{"a1", "a1", "a1"}));
}

}  // namespace
}  // namespace contexten::core::resilience
