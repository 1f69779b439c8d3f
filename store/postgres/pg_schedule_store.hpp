#pragma once
// Scheduled reports on PostgreSQL. MarkFired is a compare and set on last_slot_ms, so a slot
// fires once even when two replicas' schedulers reach it together.

#include "store/postgres/pg_database.hpp"
#include "store/schedule_store.hpp"

namespace contexten::store::postgres {

class PgScheduleStore final : public ScheduleStore {
 public:
  explicit PgScheduleStore(PgDatabase& db) : db_(db) {}
  core::Result<std::int64_t> Add(const ScheduleRecord& record) override;
  core::Result<std::optional<ScheduleRecord>> Get(std::int64_t id) override;
  core::Result<std::vector<ScheduleRecord>> List(bool enabled_only) override;
  core::Result<bool> Remove(std::int64_t id) override;
  core::Result<bool> MarkFired(std::int64_t id, std::int64_t slot_ms,
                               std::optional<std::int64_t> next_due_ms) override;
  core::Status SetNextDue(std::int64_t id, std::optional<std::int64_t> next_due_ms) override;
  core::Result<std::optional<std::int64_t>> NextDue() override;

 private:
  PgDatabase& db_;
};

}  // namespace contexten::store::postgres
