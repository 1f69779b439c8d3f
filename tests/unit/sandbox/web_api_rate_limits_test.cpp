#include "sandbox/slack/web_api_rate_limits.hpp"

#include <gtest/gtest.h>

#include "core/clock.hpp"

namespace contexten::sandbox {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(WebApiRateLimitsTest, TiersFollowSlacksTable) {
  EXPECT_EQ(TierFor("chat.postMessage"), SlackRateTier::kPostMessage);
  EXPECT_EQ(TierFor("chat.update"), SlackRateTier::kTier3);
  EXPECT_EQ(TierFor("chat.delete"), SlackRateTier::kTier3);
  EXPECT_EQ(TierFor("chat.postEphemeral"), SlackRateTier::kTier4);
  EXPECT_EQ(TierFor("chat.getPermalink"), SlackRateTier::kTier4);
  EXPECT_EQ(TierFor("views.open"), SlackRateTier::kTier4);
  EXPECT_EQ(TierFor("views.push"), SlackRateTier::kTier4);
  EXPECT_EQ(TierFor("views.update"), SlackRateTier::kTier4);
  EXPECT_EQ(TierFor("reactions.add"), SlackRateTier::kTier3);
  EXPECT_EQ(TierFor("users.info"), SlackRateTier::kTier4);
  EXPECT_EQ(TierFor("conversations.info"), SlackRateTier::kTier3);
  EXPECT_EQ(TierFor("auth.test"), SlackRateTier::kTier4);
  EXPECT_EQ(TierFor("apps.connections.open"), SlackRateTier::kTier1);
  EXPECT_EQ(TierFor("no.such.method"), SlackRateTier::kNone);
}

TEST(WebApiRateLimitsTest, PostMessageBurstsThenPacesPerChannel) {
  core::FakeClock clock;
  WebApiRateLimits limits({}, clock);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(limits.Admit("chat.postMessage", "C1")) << i;
  auto refused = limits.Admit("chat.postMessage", "C1");
  ASSERT_TRUE(refused);
  EXPECT_EQ(*refused, 1);
  // Another channel has its own bucket.
  EXPECT_FALSE(limits.Admit("chat.postMessage", "C2"));
  // One second later exactly one more fits.
  clock.Advance(seconds(1));
  EXPECT_FALSE(limits.Admit("chat.postMessage", "C1"));
  EXPECT_TRUE(limits.Admit("chat.postMessage", "C1"));
  EXPECT_EQ(limits.refused(), 2u);
}

TEST(WebApiRateLimitsTest, RetryAfterIsTheWholeSecondsUntilATokenRefills) {
  core::FakeClock clock;
  SlackRateLimitOptions options;
  options.tier3_per_minute = 6;  // one token per 10 s, burst 6
  WebApiRateLimits limits(options, clock);
  for (int i = 0; i < 6; ++i) ASSERT_FALSE(limits.Admit("chat.update")) << i;
  auto refused = limits.Admit("chat.update");
  ASSERT_TRUE(refused);
  EXPECT_EQ(*refused, 10);
  clock.Advance(milliseconds(2500));
  refused = limits.Admit("chat.update");
  ASSERT_TRUE(refused);
  EXPECT_EQ(*refused, 8);  // 7.5 s left, rounded up
  clock.Advance(milliseconds(7500));
  EXPECT_FALSE(limits.Admit("chat.update"));
  // Other Tier 3 methods have their own bucket.
  EXPECT_FALSE(limits.Admit("reactions.add"));
}

TEST(WebApiRateLimitsTest, ConnectionsOpenGetsAGenerousBurst) {
  core::FakeClock clock;
  WebApiRateLimits limits({}, clock);
  for (int i = 0; i < 20; ++i) ASSERT_FALSE(limits.Admit("apps.connections.open")) << i;
  EXPECT_TRUE(limits.Admit("apps.connections.open"));
}

TEST(WebApiRateLimitsTest, DisabledLimitsAdmitEverythingButInjections) {
  core::FakeClock clock;
  SlackRateLimitOptions options;
  options.enabled = false;
  WebApiRateLimits limits(options, clock);
  for (int i = 0; i < 50; ++i) ASSERT_FALSE(limits.Admit("chat.postMessage", "C1")) << i;
  limits.Inject("chat.postMessage", 2, 7);
  EXPECT_EQ(limits.Admit("chat.postMessage", "C1"), 7);
  EXPECT_EQ(limits.Admit("chat.postMessage", "C9"), 7);
  EXPECT_FALSE(limits.Admit("chat.postMessage", "C1"));
  EXPECT_EQ(limits.refused(), 2u);
}

TEST(WebApiRateLimitsTest, InjectionOnlyHitsItsMethodAndRetryAfterIsAtLeastOne) {
  core::FakeClock clock;
  WebApiRateLimits limits({}, clock);
  limits.Inject("views.open", 1, 0);
  EXPECT_FALSE(limits.Admit("views.push"));
  EXPECT_EQ(limits.Admit("views.open"), 1);
  EXPECT_FALSE(limits.Admit("views.open"));
}

TEST(WebApiRateLimitsTest, UnknownMethodsAreNotLimited) {
  core::FakeClock clock;
  WebApiRateLimits limits({}, clock);
  for (int i = 0; i < 1000; ++i) ASSERT_FALSE(limits.Admit("api.test"));
}

}  // namespace
}  // namespace contexten::sandbox
