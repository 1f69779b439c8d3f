#pragma once
// Channel subscriptions (../shared/DESIGN.md §2, store/ "subscriptions"): one row per channel
// and target (a GitHub repository or a Linear team). The subscription's features, filters and
// noise settings are its `spec` (JSON, workflows/subscriptions/subscription.hpp); the store
// does not read them.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace contexten::store {

struct SubscriptionRecord {
  std::int64_t id = 0;
  std::string channel;
  std::string platform;  // "github" | "linear"
  std::string target;    // "owner/repo" (lower case) | team key
  std::string spec = "{}";
  std::string created_by;  // Slack user id
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
};

// Port. Implemented by SqliteSubscriptionStore.
class SubscriptionStore {
 public:
  virtual ~SubscriptionStore() = default;
  // Adds, or replaces the spec of the channel's subscription to the same target (as
  // `/github subscribe` updates a subscription). Returns the row's id (kept on replace).
  virtual core::Result<std::int64_t> Upsert(const SubscriptionRecord& record) = 0;
  virtual core::Result<std::optional<SubscriptionRecord>> Find(const std::string& channel,
                                                               const std::string& platform,
                                                               const std::string& target) = 0;
  // False when the channel had no such subscription.
  virtual core::Result<bool> Remove(const std::string& channel, const std::string& platform,
                                    const std::string& target) = 0;
  // A channel's subscriptions, by id.
  virtual core::Result<std::vector<SubscriptionRecord>> ForChannel(const std::string& channel) = 0;
  // Every channel's subscription to a target, by id.
  virtual core::Result<std::vector<SubscriptionRecord>> ForTarget(const std::string& platform,
                                                                  const std::string& target) = 0;
};

}  // namespace contexten::store
