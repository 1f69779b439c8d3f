#include "integrations/slack/rate_tiers.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

namespace contexten::integrations::slack {
namespace {

constexpr std::array kMethodTiers = {
    SlackMethodTier{"apps.connections.open", SlackRateTier::kTier1},
    SlackMethodTier{"auth.test", SlackRateTier::kTier4, true},
    SlackMethodTier{"chat.postMessage", SlackRateTier::kPostMessage, true},
    SlackMethodTier{"chat.update", SlackRateTier::kTier3},
    SlackMethodTier{"chat.delete", SlackRateTier::kTier3},
    SlackMethodTier{"chat.postEphemeral", SlackRateTier::kTier4},
    SlackMethodTier{"chat.getPermalink", SlackRateTier::kTier4, true},
    SlackMethodTier{"views.open", SlackRateTier::kTier4},
    SlackMethodTier{"views.update", SlackRateTier::kTier4},
    SlackMethodTier{"views.push", SlackRateTier::kTier4},
    SlackMethodTier{"reactions.add", SlackRateTier::kTier3},
    SlackMethodTier{"users.info", SlackRateTier::kTier4},
    SlackMethodTier{"usergroups.users.list", SlackRateTier::kTier2},
    SlackMethodTier{"conversations.info", SlackRateTier::kTier3},
    SlackMethodTier{"conversations.history", SlackRateTier::kTier3},
    SlackMethodTier{"conversations.replies", SlackRateTier::kTier3},
};

}  // namespace

std::span<const SlackMethodTier> KnownSlackMethodTiers() { return kMethodTiers; }

SlackRateTier RateTierFor(std::string_view method) {
  for (const auto& entry : kMethodTiers) {
    if (entry.method == method) return entry.tier;
  }
  return SlackRateTier::kTier3;
}

std::string_view ToString(SlackRateTier tier) {
  switch (tier) {
    case SlackRateTier::kTier1:
      return "tier1";
    case SlackRateTier::kTier2:
      return "tier2";
    case SlackRateTier::kTier3:
      return "tier3";
    case SlackRateTier::kTier4:
      return "tier4";
    case SlackRateTier::kPostMessage:
      return "post_message";
  }
  return "unknown";
}

int SlackTierRates::PerMinute(SlackRateTier tier) const {
  switch (tier) {
    case SlackRateTier::kTier1:
      return tier1_per_minute;
    case SlackRateTier::kTier2:
      return tier2_per_minute;
    case SlackRateTier::kTier3:
      return tier3_per_minute;
    case SlackRateTier::kTier4:
      return tier4_per_minute;
    case SlackRateTier::kPostMessage:
      return 0;
  }
  return 0;
}

void SlackTierRates::Validate() const {
  auto check = [](const char* field, int value) {
    if (value < 1) throw std::invalid_argument(std::string("slack ") + field + " must be >= 1");
  };
  check("tier1_per_minute", tier1_per_minute);
  check("tier2_per_minute", tier2_per_minute);
  check("tier3_per_minute", tier3_per_minute);
  check("tier4_per_minute", tier4_per_minute);
  if (burst_window.count() < 0) {
    throw std::invalid_argument("slack burst_window must be >= 0");
  }
}

core::resilience::RateLimiterConfig TierBucket(SlackRateTier tier, const SlackTierRates& rates) {
  if (tier == SlackRateTier::kPostMessage) {
    throw std::invalid_argument("chat.postMessage is paced per channel, not by a tier bucket");
  }
  rates.Validate();
  const std::int64_t per_minute = rates.PerMinute(tier);
  core::resilience::RateLimiterConfig config;
  // One token every minute / per_minute, in exact nanoseconds: refill_tokens per minute.
  config.refill_tokens = per_minute;
  config.refill_period = std::chrono::minutes(1);
  config.capacity = std::max<std::int64_t>(1, per_minute * rates.burst_window.count() / 60);
  return config;
}

core::resilience::RateLimiterConfig PostMessageBucket(double per_second, int burst) {
  if (!(per_second > 0) || !std::isfinite(per_second)) {
    throw std::invalid_argument("slack post_message_per_second must be > 0");
  }
  if (burst < 1) throw std::invalid_argument("slack post_message_burst must be >= 1");
  core::resilience::RateLimiterConfig config;
  config.capacity = burst;
  config.refill_tokens = 1;
  config.refill_period =
      std::chrono::nanoseconds(std::max<std::int64_t>(1, std::llround(1e9 / per_second)));
  return config;
}

}  // namespace contexten::integrations::slack
