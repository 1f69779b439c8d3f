#include "integrations/slack/rate_tiers.hpp"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>

#include "core/clock.hpp"
#include "core/resilience/rate_limiter.hpp"

namespace contexten::integrations::slack {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(RateTiersTest, MethodsHaveSlacksDocumentedTiers) {
  EXPECT_EQ(RateTierFor("chat.postMessage"), SlackRateTier::kPostMessage);
  EXPECT_EQ(RateTierFor("chat.update"), SlackRateTier::kTier3);
  EXPECT_EQ(RateTierFor("chat.delete"), SlackRateTier::kTier3);
  EXPECT_EQ(RateTierFor("chat.postEphemeral"), SlackRateTier::kTier4);
  EXPECT_EQ(RateTierFor("chat.getPermalink"), SlackRateTier::kTier4);
  EXPECT_EQ(RateTierFor("views.open"), SlackRateTier::kTier4);
  EXPECT_EQ(RateTierFor("views.update"), SlackRateTier::kTier4);
  EXPECT_EQ(RateTierFor("views.push"), SlackRateTier::kTier4);
  EXPECT_EQ(RateTierFor("reactions.add"), SlackRateTier::kTier3);
  EXPECT_EQ(RateTierFor("users.info"), SlackRateTier::kTier4);
  EXPECT_EQ(RateTierFor("conversations.info"), SlackRateTier::kTier3);
  EXPECT_EQ(RateTierFor("auth.test"), SlackRateTier::kTier4);
  EXPECT_EQ(RateTierFor("apps.connections.open"), SlackRateTier::kTier1);
}

TEST(RateTiersTest, UnknownMethodGetsTheConservativeTier3) {
  EXPECT_EQ(RateTierFor("admin.users.list"), SlackRateTier::kTier3);
  EXPECT_EQ(RateTierFor(""), SlackRateTier::kTier3);
}

TEST(RateTiersTest, SpecialMethodsAreMarkedAndTableHasNoDuplicates) {
  std::set<std::string> seen;
  std::set<std::string> special;
  for (const auto& entry : KnownSlackMethodTiers()) {
    EXPECT_TRUE(seen.insert(std::string(entry.method)).second) << entry.method;
    if (entry.special) special.insert(std::string(entry.method));
  }
  EXPECT_EQ(special, (std::set<std::string>{"auth.test", "chat.getPermalink", "chat.postMessage"}));
}

TEST(RateTiersTest, TierRatesMatchSlack) {
  const SlackTierRates rates;
  EXPECT_EQ(rates.PerMinute(SlackRateTier::kTier1), 1);
  EXPECT_EQ(rates.PerMinute(SlackRateTier::kTier2), 20);
  EXPECT_EQ(rates.PerMinute(SlackRateTier::kTier3), 50);
  EXPECT_EQ(rates.PerMinute(SlackRateTier::kTier4), 100);
  EXPECT_EQ(rates.PerMinute(SlackRateTier::kPostMessage), 0);
}

// Drains a bucket built from `config` and returns how long the next token takes.
core::Millis GapAfterBurst(const core::resilience::RateLimiterConfig& config, std::int64_t* burst) {
  core::FakeClock clock;
  core::resilience::RateLimiter limiter("t", config, clock);
  *burst = 0;
  while (limiter.TryAcquire()) ++*burst;
  return limiter.TimeUntilAvailable();
}

TEST(RateTiersTest, TierBucketRefillsAtTheTierRateWithASixSecondBurst) {
  const SlackTierRates rates;
  std::int64_t burst = 0;
  EXPECT_EQ(GapAfterBurst(TierBucket(SlackRateTier::kTier4, rates), &burst), milliseconds(600));
  EXPECT_EQ(burst, 10);
  EXPECT_EQ(GapAfterBurst(TierBucket(SlackRateTier::kTier3, rates), &burst), milliseconds(1200));
  EXPECT_EQ(burst, 5);
  EXPECT_EQ(GapAfterBurst(TierBucket(SlackRateTier::kTier2, rates), &burst), milliseconds(3000));
  EXPECT_EQ(burst, 2);
  // Tier 1 still allows one call, never zero.
  EXPECT_EQ(GapAfterBurst(TierBucket(SlackRateTier::kTier1, rates), &burst), seconds(60));
  EXPECT_EQ(burst, 1);
}

TEST(RateTiersTest, TierBucketFollowsConfiguredRates) {
  SlackTierRates rates;
  rates.tier3_per_minute = 600;
  rates.burst_window = seconds(0);
  std::int64_t burst = 0;
  EXPECT_EQ(GapAfterBurst(TierBucket(SlackRateTier::kTier3, rates), &burst), milliseconds(100));
  EXPECT_EQ(burst, 1);
}

TEST(RateTiersTest, PostMessageBucketIsPerSecondWithBurst) {
  std::int64_t burst = 0;
  EXPECT_EQ(GapAfterBurst(PostMessageBucket(1.0, 3), &burst), seconds(1));
  EXPECT_EQ(burst, 3);
  EXPECT_EQ(GapAfterBurst(PostMessageBucket(20.0, 2), &burst), milliseconds(50));
  EXPECT_EQ(burst, 2);
}

TEST(RateTiersTest, BadConfigurationThrowsNamingTheField) {
  EXPECT_THROW(TierBucket(SlackRateTier::kPostMessage, SlackTierRates{}), std::invalid_argument);
  SlackTierRates rates;
  rates.tier2_per_minute = 0;
  try {
    rates.Validate();
    FAIL() << "expected a throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("tier2_per_minute"), std::string::npos) << e.what();
  }
  EXPECT_THROW(PostMessageBucket(0.0, 3), std::invalid_argument);
  EXPECT_THROW(PostMessageBucket(1.0, 0), std::invalid_argument);
}

}  // namespace
}  // namespace contexten::integrations::slack
