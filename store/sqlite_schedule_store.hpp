#pragma once
// ScheduleStore on the SQLite store: writes through the single writer, reads on the read-only
// connections.

#include "store/database.hpp"
#include "store/schedule_store.hpp"

namespace contexten::store {

class SqliteScheduleStore final : public ScheduleStore {
 public:
  explicit SqliteScheduleStore(Database& db);  // `db` must outlive this store

  core::Result<std::int64_t> Add(const ScheduleRecord& record) override;
  core::Result<std::optional<ScheduleRecord>> Get(std::int64_t id) override;
  core::Result<std::vector<ScheduleRecord>> List(bool enabled_only) override;
  core::Result<bool> Remove(std::int64_t id) override;
  core::Result<bool> MarkFired(std::int64_t id, std::int64_t slot_ms,
                               std::optional<std::int64_t> next_due_ms) override;
  core::Status SetNextDue(std::int64_t id, std::optional<std::int64_t> next_due_ms) override;
  core::Result<std::optional<std::int64_t>> NextDue() override;

 private:
  Database& db_;
};

}  // namespace contexten::store
