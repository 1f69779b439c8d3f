#pragma once
// SubscriptionStore on the SQLite store: writes through the single writer, reads on the
// read-only connections.

#include "store/database.hpp"
#include "store/subscription_store.hpp"

namespace contexten::store {

class SqliteSubscriptionStore final : public SubscriptionStore {
 public:
  explicit SqliteSubscriptionStore(Database& db);  // `db` must outlive this store

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
  Database& db_;
};

}  // namespace contexten::store
