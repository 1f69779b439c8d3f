#pragma once
// Channel subscriptions on PostgreSQL: UNIQUE(channel, platform, target) with an upsert.

#include "store/postgres/pg_database.hpp"
#include "store/subscription_store.hpp"

namespace contexten::store::postgres {

class PgSubscriptionStore final : public SubscriptionStore {
 public:
  explicit PgSubscriptionStore(PgDatabase& db) : db_(db) {}
  core::Result<std::int64_t> Upsert(const SubscriptionRecord& record) override;
  core::Result<std::optional<SubscriptionRecord>> Find(const std::string& channel,
                                                       const std::string& platform,
                                                       const std::string& target) override;
  core::Result<bool> Remove(const std::string& channel, const std::string& platform,
                            const std::string& target) override;
  core::Result<std::vector<SubscriptionRecord>> ForChannel(const std::string& channel) override;
  core::Result<std::vector<SubscriptionRecord>> ForTarget(const std::string& platform,
                                                          const std::string& target) override;

 private:
  PgDatabase& db_;
};

}  // namespace contexten::store::postgres
