#include "core/resilience/retry.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <stdexcept>
#include <vector>

#include "core/clock.hpp"
#include "core/resilience/backoff.hpp"
#include "tests/unit/core/resilience/event_recorder_support.hpp"

namespace contexten::core::resilience {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::EventRecorder;

constexpr std::uint64_t kSeed = 42;

// A call that fails with the scripted errors, then succeeds, and notes the time it was called.
class ScriptedCall {
 public:
  ScriptedCall(FakeClock& clock, std::vector<Error> errors)
      : clock_(clock), errors_(std::move(errors)) {}
  Result<int> operator()() {
    call_times_.push_back(clock_.Now());
    if (calls_ < errors_.size()) return errors_[calls_++];
    ++calls_;
    return 42;
  }
  std::size_t calls() const { return calls_; }
  // Waits between consecutive calls.
  std::vector<milliseconds> Gaps() const {
    std::vector<milliseconds> gaps;
    for (std::size_t i = 1; i < call_times_.size(); ++i) {
      gaps.push_back(std::chrono::duration_cast<milliseconds>(call_times_[i] - call_times_[i - 1]));
    }
    return gaps;
  }

 private:
  FakeClock& clock_;
  std::vector<Error> errors_;
  std::size_t calls_ = 0;
  std::vector<SteadyTime> call_times_;
};

Error Transient() { return MakeError(ErrorKind::kTransient, "502 from upstream"); }

TEST(RetryTest, RetriesRetryableErrorsUntilSuccess) {
  FakeClock clock;
  Retry retry("github", {}, clock, kSeed);
  EventRecorder recorder(retry.events());
  ScriptedCall call(clock, {Transient(), MakeError(ErrorKind::kTimeout, "slow")});
  const Result<int> result = retry.Execute([&] { return call(); });
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(*result, 42);
  EXPECT_EQ(call.calls(), 3u);
  EXPECT_EQ(recorder.Of(ResilienceEventKind::kRetry).size(), 2u);
  EXPECT_TRUE(recorder.Of(ResilienceEventKind::kRetryGaveUp).empty());
}

TEST(RetryTest, StopsAfterMaxAttemptsWithTheLastError) {
  FakeClock clock;
  RetryConfig config;
  config.max_attempts = 4;
  Retry retry("github", config, clock, kSeed);
  EventRecorder recorder(retry.events());
  ScriptedCall call(clock, std::vector<Error>(10, Transient()));
  const Result<int> result = retry.Execute([&] { return call(); });
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ErrorKind::kTransient);
  EXPECT_EQ(result.error().message, "502 from upstream");
  EXPECT_EQ(call.calls(), 4u);
  EXPECT_EQ(recorder.Of(ResilienceEventKind::kRetry).size(), 3u);
  EXPECT_EQ(recorder.Of(ResilienceEventKind::kRetryGaveUp).size(), 1u);
}

TEST(RetryTest, NonRetryableErrorsAreReturnedAtOnce) {
  FakeClock clock;
  Retry retry("linear", {}, clock, kSeed);
  EventRecorder recorder(retry.events());
  ScriptedCall call(clock, {MakeError(ErrorKind::kInvalidInput, "bad title")});
  const Result<int> result = retry.Execute([&] { return call(); });
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(call.calls(), 1u);
  EXPECT_EQ(clock.slept(), std::chrono::nanoseconds(0));
  EXPECT_TRUE(recorder.Of(ResilienceEventKind::kRetry).empty());
}

TEST(RetryTest, RetryPredicateIsConfigurable) {
  FakeClock clock;
  RetryConfig config;
  config.retry_on = [](const Error& e) { return e.kind == ErrorKind::kConflict; };
  Retry retry("linear", config, clock, kSeed);
  ScriptedCall call(clock, {MakeError(ErrorKind::kConflict, "x"), Transient()});
  EXPECT_FALSE(retry.Execute([&] { return call(); }).has_value());
  EXPECT_EQ(call.calls(), 2u);  // conflict retried, transient not
}

TEST(RetryTest, EachSleepIsWithinTheFullJitterBound) {
  FakeClock clock;
  RetryConfig config;
  config.max_attempts = 8;
  config.initial_backoff = milliseconds(100);
  config.max_backoff = milliseconds(1000);
  Retry retry("github", config, clock, kSeed);
  ScriptedCall call(clock, std::vector<Error>(10, Transient()));
  EXPECT_FALSE(retry.Execute([&] { return call(); }).has_value());

  const std::vector<milliseconds> gaps = call.Gaps();
  ASSERT_EQ(gaps.size(), 7u);
  milliseconds total{0};
  for (std::size_t n = 0; n < gaps.size(); ++n) {
    const milliseconds bound = std::min(milliseconds(1000), milliseconds(100 << n));
    EXPECT_GE(gaps[n], milliseconds(0)) << "sleep " << n;
    EXPECT_LE(gaps[n], bound) << "sleep " << n;
    total += gaps[n];
  }
  // Every wait went through Clock::SleepFor.
  EXPECT_EQ(clock.slept(), total);
  EXPECT_GT(total, milliseconds(0));
}

TEST(RetryTest, SameSeedSameSleeps) {
  auto sleeps = [](std::uint64_t seed) {
    FakeClock clock;
    RetryConfig config;
    config.max_attempts = 6;
    Retry retry("github", config, clock, seed);
    ScriptedCall call(clock, std::vector<Error>(10, Transient()));
    (void)retry.Execute([&] { return call(); });
    return call.Gaps();
  };
  EXPECT_EQ(sleeps(7), sleeps(7));
}

TEST(RetryTest, RetryAfterIsHonouredExactly) {
  FakeClock clock;
  Retry retry("slack", {}, clock, kSeed);
  ScriptedCall call(clock, {MakeError(ErrorKind::kRateLimited, "ratelimited", seconds(7))});
  const Result<int> result = retry.Execute([&] { return call(); });
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(call.Gaps(), std::vector<milliseconds>{milliseconds(7000)});
  EXPECT_EQ(clock.slept(), seconds(7));
}

TEST(RetryTest, RetryAfterIsIgnoredWhenConfiguredSo) {
  FakeClock clock;
  RetryConfig config;
  config.respect_retry_after = false;
  Retry retry("slack", config, clock, kSeed);
  ScriptedCall call(clock, {MakeError(ErrorKind::kRateLimited, "ratelimited", minutes(10))});
  ASSERT_TRUE(retry.Execute([&] { return call(); }).has_value());
  EXPECT_LE(clock.slept(), milliseconds(500));  // jitter bound for the first retry
}

TEST(RetryTest, TooLongRetryAfterGivesUpWithTheError) {
  FakeClock clock;
  Retry retry("github", {}, clock, kSeed);
  EventRecorder recorder(retry.events());
  ScriptedCall call(clock, {MakeError(ErrorKind::kRateLimited, "secondary rate limit",
                                      minutes(5) + milliseconds(1))});
  const Result<int> result = retry.Execute([&] { return call(); });
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().kind, ErrorKind::kRateLimited);
  EXPECT_EQ(*result.error().retry_after, minutes(5) + milliseconds(1));
  EXPECT_EQ(call.calls(), 1u);
  EXPECT_EQ(clock.slept(), std::chrono::nanoseconds(0));
  EXPECT_EQ(recorder.Of(ResilienceEventKind::kRetryGaveUp).size(), 1u);
}

TEST(RetryTest, RetryAfterAtTheLimitIsStillHonoured) {
  FakeClock clock;
  Retry retry("github", {}, clock, kSeed);
  ScriptedCall call(clock, {MakeError(ErrorKind::kRateLimited, "x", minutes(5))});
  EXPECT_TRUE(retry.Execute([&] { return call(); }).has_value());
  EXPECT_EQ(clock.slept(), minutes(5));
}

TEST(RetryTest, RejectsNonsenseConfig) {
  FakeClock clock;
  RetryConfig config;
  config.max_attempts = 0;
  EXPECT_THROW(Retry("x", config, clock), std::invalid_argument);
  config = {};
  config.max_backoff = milliseconds(1);
  EXPECT_THROW(Retry("x", config, clock), std::invalid_argument);
}

TEST(BackoffTest, CeilingGrowsByMultiplierUpToCap) {
  const BackoffPolicy policy;  // 500 ms, x2, cap 30 s
  EXPECT_EQ(BackoffCeiling(policy, 0), milliseconds(500));
  EXPECT_EQ(BackoffCeiling(policy, 1), milliseconds(1000));
  EXPECT_EQ(BackoffCeiling(policy, 5), milliseconds(16000));
  EXPECT_EQ(BackoffCeiling(policy, 6), milliseconds(30000));     // 32 s capped
  EXPECT_EQ(BackoffCeiling(policy, 5000), milliseconds(30000));  // no overflow
}

TEST(BackoffTest, DrawsStayWithinBoundsAndVary) {
  std::mt19937_64 rng(kSeed);
  const BackoffPolicy policy{milliseconds(100), 2.0, milliseconds(800)};
  for (int attempt = 0; attempt < 6; ++attempt) {
    milliseconds lo = milliseconds::max();
    milliseconds hi{0};
    for (int i = 0; i < 200; ++i) {
      const milliseconds d = ComputeBackoff(attempt, rng, policy);
      ASSERT_GE(d, milliseconds(0));
      ASSERT_LE(d, BackoffCeiling(policy, attempt));
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    EXPECT_LT(lo, hi) << "full jitter spreads the waits, attempt " << attempt;
  }
}

}  // namespace
}  // namespace contexten::core::resilience
