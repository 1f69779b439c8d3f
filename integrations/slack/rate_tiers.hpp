#pragma once
// Slack's documented Web API rate tiers (https://api.slack.com/apis/rate-limits) and the token
// bucket each one gets on our side. Limits are per method, per workspace, per app; the buckets
// here keep us under them so that a 429 is the exception, not the pacing mechanism.

#include <chrono>
#include <span>
#include <string_view>

#include "core/resilience/rate_limiter.hpp"

namespace contexten::integrations::slack {

enum class SlackRateTier {
  kTier1,        // 1+ per minute
  kTier2,        // 20+ per minute
  kTier3,        // 50+ per minute
  kTier4,        // 100+ per minute
  kPostMessage,  // "special": about 1 per second per channel, short bursts allowed
};

struct SlackMethodTier {
  std::string_view method;
  SlackRateTier tier;
  // Slack documents a more generous "special" allowance on top of the tier (auth.test,
  // chat.getPermalink); we still pace at the tier, which is safe.
  bool special = false;
};

// Every method this project calls, with its tier.
std::span<const SlackMethodTier> KnownSlackMethodTiers();

// The tier of `method`; unknown methods get Tier 3, the conservative middle.
SlackRateTier RateTierFor(std::string_view method);

std::string_view ToString(SlackRateTier tier);

// Calls per minute for each tier (Slack's numbers by default) and how much of a burst our
// buckets allow: `burst_window` worth of calls, at least one.
struct SlackTierRates {
  int tier1_per_minute = 1;
  int tier2_per_minute = 20;
  int tier3_per_minute = 50;
  int tier4_per_minute = 100;
  std::chrono::seconds burst_window{6};

  // Calls per minute for a tier; 0 for kPostMessage, which is paced per channel instead.
  int PerMinute(SlackRateTier tier) const;
  // Throws std::invalid_argument naming the field (a startup/config error).
  void Validate() const;
};

// The token bucket for one method of `tier`: refills one token every minute / per_minute,
// holds max(1, per_minute * burst_window / 1 min). kPostMessage is not a method-wide bucket
// and throws std::invalid_argument.
core::resilience::RateLimiterConfig TierBucket(SlackRateTier tier, const SlackTierRates& rates);

// The per-channel bucket for chat.postMessage: `per_second` refill, `burst` capacity.
// Throws std::invalid_argument on a rate <= 0 or burst < 1.
core::resilience::RateLimiterConfig PostMessageBucket(double per_second, int burst);

}  // namespace contexten::integrations::slack
