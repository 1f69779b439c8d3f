#include "sandbox/slack/web_api_rate_limits.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

namespace contexten::sandbox {
namespace {

struct MethodTier {
  std::string_view method;
  SlackRateTier tier;
};

constexpr std::array kTiers = {
    MethodTier{"apps.connections.open", SlackRateTier::kTier1},
    MethodTier{"auth.test", SlackRateTier::kTier4},
    MethodTier{"chat.postMessage", SlackRateTier::kPostMessage},
    MethodTier{"chat.update", SlackRateTier::kTier3},
    MethodTier{"chat.delete", SlackRateTier::kTier3},
    MethodTier{"chat.postEphemeral", SlackRateTier::kTier4},
    MethodTier{"chat.getPermalink", SlackRateTier::kTier4},
    MethodTier{"views.open", SlackRateTier::kTier4},
    MethodTier{"views.push", SlackRateTier::kTier4},
    MethodTier{"views.update", SlackRateTier::kTier4},
    MethodTier{"views.publish", SlackRateTier::kTier4},
    MethodTier{"reactions.add", SlackRateTier::kTier3},
    MethodTier{"users.info", SlackRateTier::kTier4},
    MethodTier{"conversations.info", SlackRateTier::kTier3},
    MethodTier{"conversations.history", SlackRateTier::kTier3},
    MethodTier{"conversations.replies", SlackRateTier::kTier3},
};

}  // namespace

SlackRateTier TierFor(std::string_view method) {
  for (const auto& entry : kTiers) {
    if (entry.method == method) return entry.tier;
  }
  return SlackRateTier::kNone;
}

WebApiRateLimits::WebApiRateLimits(SlackRateLimitOptions options, const core::Clock& clock)
    : options_(options), clock_(clock) {}

std::pair<double, double> WebApiRateLimits::Shape(SlackRateTier tier,
                                                  std::string_view method) const {
  auto per_minute = [](int n) {
    const double rate = std::max(n, 1);
    // Slack lets a tier's whole minute of calls come in a burst.
    return std::pair{rate / 60.0, rate};
  };
  switch (tier) {
    case SlackRateTier::kTier1: {
      auto shape = per_minute(options_.tier1_per_minute);
      if (method == "apps.connections.open") {
        shape.second = std::max<double>(shape.second, options_.connections_open_burst);
      }
      return shape;
    }
    case SlackRateTier::kTier2:
      return per_minute(options_.tier2_per_minute);
    case SlackRateTier::kTier3:
      return per_minute(options_.tier3_per_minute);
    case SlackRateTier::kTier4:
      return per_minute(options_.tier4_per_minute);
    case SlackRateTier::kPostMessage:
      return {std::max(options_.post_message_per_second, 1e-6),
              static_cast<double>(std::max(options_.post_message_burst, 1))};
    case SlackRateTier::kNone:
      break;
  }
  return {0, 0};
}

std::optional<int> WebApiRateLimits::Admit(std::string_view method, std::string_view channel) {
  std::lock_guard lock(mu_);
  if (auto it = injections_.find(method); it != injections_.end() && it->second.remaining > 0) {
    --it->second.remaining;
    ++refused_;
    return std::max(it->second.retry_after_seconds, 1);
  }
  const SlackRateTier tier = TierFor(method);
  if (!options_.enabled || tier == SlackRateTier::kNone) return std::nullopt;
  const auto [rate, capacity] = Shape(tier, method);
  std::string key(method);
  if (tier == SlackRateTier::kPostMessage) key.append(":").append(channel);

  const auto now = clock_.Now();
  auto [it, created] = buckets_.try_emplace(key, Bucket{capacity, now});
  Bucket& bucket = it->second;
  if (!created) {
    const double elapsed = std::chrono::duration<double>(now - bucket.refilled).count();
    bucket.tokens = std::min(capacity, bucket.tokens + std::max(elapsed, 0.0) * rate);
    bucket.refilled = now;
  }
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return std::nullopt;
  }
  ++refused_;
  const double wait = (1.0 - bucket.tokens) / rate;
  return std::max(1, static_cast<int>(std::ceil(wait)));
}

void WebApiRateLimits::Inject(const std::string& method, int count, int retry_after_seconds) {
  std::lock_guard lock(mu_);
  auto& injection = injections_[method];
  injection.remaining = std::max(count, 0);
  injection.retry_after_seconds = std::max(retry_after_seconds, 1);
}

std::uint64_t WebApiRateLimits::refused() const {
  std::lock_guard lock(mu_);
  return refused_;
}

}  // namespace contexten::sandbox
