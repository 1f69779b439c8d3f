#include "core/resilience/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>

#include "core/clock.hpp"
#include "core/resilience/keyed_rate_limiter.hpp"
#include "tests/unit/core/resilience/event_recorder_support.hpp"

namespace contexten::core::resilience {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::EventRecorder;

// Slack tier 2: 20 calls per minute, one token every 3 s.
RateLimiterConfig Tier2() { return {20, 20, minutes(1)}; }

TEST(RateLimiterTest, StartsFullAndAllowsABurstOfCapacity) {
  FakeClock clock;
  RateLimiter limiter("slack.tier2", Tier2(), clock);
  EXPECT_EQ(limiter.available_tokens(), 20);
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(limiter.TryAcquire()) << i;
  EXPECT_FALSE(limiter.TryAcquire());
  EXPECT_EQ(limiter.available_tokens(), 0);
}

TEST(RateLimiterTest, TimeUntilAvailableIsExact) {
  FakeClock clock;
  RateLimiter limiter("slack.tier2", Tier2(), clock);
  ASSERT_TRUE(limiter.TryAcquire(20));
  EXPECT_EQ(limiter.TimeUntilAvailable(1), milliseconds(3000));
  EXPECT_EQ(limiter.TimeUntilAvailable(2), milliseconds(6000));
  clock.Advance(milliseconds(2999));
  EXPECT_FALSE(limiter.TryAcquire());
  EXPECT_EQ(limiter.TimeUntilAvailable(1), milliseconds(1));
  clock.Advance(milliseconds(1));
  EXPECT_TRUE(limiter.TryAcquire());
  EXPECT_FALSE(limiter.TryAcquire());
}

TEST(RateLimiterTest, RefillNeverExceedsCapacity) {
  FakeClock clock;
  RateLimiter limiter("x", {5, 1, seconds(1)}, clock);
  ASSERT_TRUE(limiter.TryAcquire(5));
  clock.Advance(std::chrono::hours(24 * 365));
  EXPECT_EQ(limiter.available_tokens(), 5);
  EXPECT_TRUE(limiter.TryAcquire(5));
  EXPECT_FALSE(limiter.TryAcquire());
}

TEST(RateLimiterTest, FractionalRefillAccumulatesExactly) {
  FakeClock clock;
  RateLimiter limiter("x", {1, 3, seconds(1)}, clock);  // a token every 333.33 ms
  ASSERT_TRUE(limiter.TryAcquire());
  for (int i = 0; i < 3; ++i) {
    clock.Advance(milliseconds(333));
    ASSERT_FALSE(limiter.TryAcquire()) << i;
    clock.Advance(milliseconds(1));  // 334 ms: past 333.33
    ASSERT_TRUE(limiter.TryAcquire()) << i;
  }
}

TEST(RateLimiterTest, AcquireWaitsThroughTheClockWithinItsBound) {
  FakeClock clock;
  RateLimiter limiter("slack.tier2", Tier2(), clock);
  ASSERT_TRUE(limiter.TryAcquire(20));
  const Status granted = limiter.Acquire(1, seconds(5));
  EXPECT_TRUE(granted.has_value());
  EXPECT_EQ(clock.slept(), seconds(3));
  EXPECT_FALSE(limiter.TryAcquire());  // the token it waited for was taken
}

TEST(RateLimiterTest, AcquireRefusesWithRetryAfterWhenTheWaitIsTooLong) {
  FakeClock clock;
  RateLimiter limiter("slack.tier2", Tier2(), clock);
  EventRecorder recorder(limiter.events());
  ASSERT_TRUE(limiter.TryAcquire(20));
  const Status refused = limiter.Acquire(1, seconds(1));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, ErrorKind::kRateLimited);
  EXPECT_EQ(*refused.error().retry_after, milliseconds(3000));
  EXPECT_EQ(clock.slept(), std::chrono::nanoseconds(0));
  EXPECT_EQ(limiter.TimeUntilAvailable(1), milliseconds(3000));  // nothing reserved
  EXPECT_EQ(recorder.Of(ResilienceEventKind::kRateLimited).size(), 1u);
}

TEST(RateLimiterTest, ZeroWaitAcquireSucceedsOnlyWithTokensAtHand) {
  FakeClock clock;
  RateLimiter limiter("x", {1, 1, seconds(1)}, clock);
  EXPECT_TRUE(limiter.Acquire().has_value());
  EXPECT_FALSE(limiter.Acquire().has_value());
}

TEST(RateLimiterTest, MoreThanCapacityIsInvalid) {
  FakeClock clock;
  RateLimiter limiter("x", {2, 1, seconds(1)}, clock);
  EXPECT_FALSE(limiter.TryAcquire(3));
  EXPECT_EQ(limiter.TimeUntilAvailable(3), milliseconds::max());
  const Status refused = limiter.Acquire(3, minutes(10));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, ErrorKind::kInvalidInput);
}

TEST(RateLimiterTest, PauseBlocksEveryoneUntilItEnds) {
  FakeClock clock;
  RateLimiter limiter("slack.chat.postMessage", Tier2(), clock);
  EventRecorder recorder(limiter.events());
  limiter.PauseFor(seconds(30));  // a 429 with Retry-After: 30
  EXPECT_TRUE(limiter.paused());
  EXPECT_FALSE(limiter.TryAcquire());
  EXPECT_EQ(limiter.TimeUntilAvailable(1), milliseconds(30000));
  limiter.PauseUntil(clock.Now() + seconds(5));  // an earlier end does not shorten it
  EXPECT_EQ(limiter.TimeUntilAvailable(1), milliseconds(30000));
  EXPECT_EQ(recorder.Of(ResilienceEventKind::kRateLimiterPaused).size(), 1u);

  const Status refused = limiter.Acquire(1, seconds(10));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(*refused.error().retry_after, milliseconds(30000));

  EXPECT_TRUE(limiter.Acquire(1, minutes(1)).has_value());
  EXPECT_EQ(clock.slept(), seconds(30));
  EXPECT_FALSE(limiter.paused());
  // The server said we were over its limit: the bucket was drained to the one token the retry
  // just used, so nothing is left until it refills.
  EXPECT_FALSE(limiter.TryAcquire());
}

TEST(RateLimiterTest, RejectsNonsenseConfig) {
  FakeClock clock;
  EXPECT_THROW(RateLimiter("x", {0, 1, seconds(1)}, clock), std::invalid_argument);
  EXPECT_THROW(RateLimiter("x", {1, 0, seconds(1)}, clock), std::invalid_argument);
  EXPECT_THROW(RateLimiter("x", {1, 1, std::chrono::nanoseconds(0)}, clock), std::invalid_argument);
}

KeyedRateLimiterConfig PerChannel() {
  KeyedRateLimiterConfig config;
  config.bucket = {1, 1, seconds(1)};  // about one message per second per channel
  config.idle_ttl = minutes(10);
  return config;
}

TEST(KeyedRateLimiterTest, EachKeyHasItsOwnBucket) {
  FakeClock clock;
  KeyedRateLimiter limiter("slack.chat.postMessage", PerChannel(), clock);
  EXPECT_TRUE(limiter.TryAcquire("C1"));
  EXPECT_FALSE(limiter.TryAcquire("C1"));
  EXPECT_TRUE(limiter.TryAcquire("C2"));
  EXPECT_EQ(limiter.size(), 2u);
  EXPECT_EQ(limiter.For("C1"), limiter.For("C1"));
  EXPECT_EQ(limiter.For("C1")->name(), "slack.chat.postMessage[C1]");
}

TEST(RateLimiterTest, PauseEndsWithOneTokenNotAFullBurst) {
  FakeClock clock;
  RateLimiterConfig config{5, 1, seconds(1)};  // burst 5, 1 per second
  RateLimiter limiter("peer", config, clock);
  limiter.PauseFor(seconds(10));
  clock.Advance(seconds(10));
  EXPECT_TRUE(limiter.TryAcquire());   // the retry the server allowed
  EXPECT_FALSE(limiter.TryAcquire());  // not the 5 a full bucket would have given
  clock.Advance(seconds(1));
  EXPECT_TRUE(limiter.TryAcquire());
}

TEST(KeyedRateLimiterTest, PauseAppliesToOneKey) {
  FakeClock clock;
  KeyedRateLimiter limiter("slack.chat.postMessage", PerChannel(), clock);
  EventRecorder recorder(limiter.events());
  limiter.PauseUntil("C1", clock.Now() + seconds(10));
  EXPECT_FALSE(limiter.TryAcquire("C1"));
  EXPECT_TRUE(limiter.TryAcquire("C2"));
  // Buckets publish on the keyed limiter's bus.
  const auto paused = recorder.Of(ResilienceEventKind::kRateLimiterPaused);
  ASSERT_EQ(paused.size(), 1u);
  EXPECT_EQ(paused[0].component, "slack.chat.postMessage[C1]");
}

TEST(KeyedRateLimiterTest, EvictsOnlyIdleFullBuckets) {
  FakeClock clock;
  KeyedRateLimiterConfig config = PerChannel();
  config.bucket = {1, 1, minutes(20)};  // refills slower than the idle ttl
  KeyedRateLimiter limiter("x", config, clock);
  EXPECT_TRUE(limiter.TryAcquire("drained"));
  limiter.For("untouched");
  clock.Advance(minutes(10));
  EXPECT_EQ(limiter.EvictIdle(), 1u);  // "drained" would forget its debt, so it stays
  EXPECT_EQ(limiter.size(), 1u);
  EXPECT_FALSE(limiter.TryAcquire("drained"));
  clock.Advance(minutes(10));  // "drained" is full again and untouched for 10 min
  EXPECT_EQ(limiter.EvictIdle(), 1u);
  EXPECT_EQ(limiter.size(), 0u);
}

TEST(KeyedRateLimiterTest, SweepsOnItsOwnWhileUsed) {
  FakeClock clock;
  KeyedRateLimiter limiter("x", PerChannel(), clock);
  for (int i = 0; i < 50; ++i) limiter.For("C" + std::to_string(i));
  EXPECT_EQ(limiter.size(), 50u);
  clock.Advance(minutes(10));
  limiter.For("fresh");
  EXPECT_EQ(limiter.size(), 1u);
}

}  // namespace
}  // namespace contexten::core::resilience
