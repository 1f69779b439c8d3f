#pragma once
// Slack's Web API rate limits as the sandbox enforces them: a token bucket per method sized by
// the method's tier (https://api.slack.com/apis/rate-limits), chat.postMessage paced per
// channel (about one message per second with a short burst), and injected 429s for tests.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace contexten::sandbox {

struct SlackRateLimitOptions {
  bool enabled = true;
  int tier1_per_minute = 1;
  int tier2_per_minute = 20;
  int tier3_per_minute = 50;
  int tier4_per_minute = 100;
  double post_message_per_second = 1.0;  // per channel
  int post_message_burst = 3;            // per channel
  // apps.connections.open is Tier 1, but clients legitimately open several sockets at start
  // and on every refresh; this burst keeps reconnect tests honest without starving them.
  int connections_open_burst = 20;
};

enum class SlackRateTier { kNone, kTier1, kTier2, kTier3, kTier4, kPostMessage };

// The tier Slack documents for `method`; kNone for methods the sandbox does not limit.
SlackRateTier TierFor(std::string_view method);

class WebApiRateLimits {
 public:
  WebApiRateLimits(SlackRateLimitOptions options, const core::Clock& clock);

  // Takes one call's token. nullopt: the call may proceed. A value: answer 429 with this
  // Retry-After (whole seconds, at least 1) and do nothing else. `channel` matters only for
  // chat.postMessage.
  std::optional<int> Admit(std::string_view method, std::string_view channel = "");

  // The next `count` calls of `method` are refused with `retry_after_seconds`, whether or not
  // their bucket has room (and even with limits disabled).
  void Inject(const std::string& method, int count, int retry_after_seconds);

  // How many calls were refused so far (injected or not).
  std::uint64_t refused() const;

 private:
  struct Bucket {
    double tokens = 0;
    core::SteadyTime refilled{};
  };
  struct Injection {
    int remaining = 0;
    int retry_after_seconds = 1;
  };
  // Refill rate (tokens per second) and capacity for a tier.
  std::pair<double, double> Shape(SlackRateTier tier, std::string_view method) const;

  const SlackRateLimitOptions options_;
  const core::Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, Bucket, std::less<>> buckets_;
  std::map<std::string, Injection, std::less<>> injections_;
  std::uint64_t refused_ = 0;
};

}  // namespace contexten::sandbox
