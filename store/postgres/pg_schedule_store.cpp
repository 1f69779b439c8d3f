#include "store/postgres/pg_schedule_store.hpp"

#include "store/postgres/pg_connection.hpp"

namespace contexten::store::postgres {
namespace {

constexpr const char* kColumns =
    "SELECT id, channel, kind, cron, tz, options, created_by, created_at_ms, last_slot_ms, "
    "next_due_ms, enabled FROM schedules ";

ScheduleRecord ReadRow(const PgRows& rows, int i) {
  ScheduleRecord r;
  r.id = rows.Int(i, 0);
  r.channel = rows.Text(i, 1);
  r.kind = rows.Text(i, 2);
  r.cron = rows.Text(i, 3);
  r.tz = rows.Text(i, 4);
  r.options = rows.Text(i, 5);
  r.created_by = rows.Text(i, 6);
  r.created_at_ms = rows.Int(i, 7);
  r.last_slot_ms = rows.OptionalInt(i, 8);
  r.next_due_ms = rows.OptionalInt(i, 9);
  r.enabled = rows.Bool(i, 10);
  return r;
}

// Runs one statement; `use` reads its rows.
template <typename Use>
core::Status Statement(PgDatabase& db, const std::string& sql, const PgParams& params, Use use) {
  return db.Run([&](PgConnection& c) -> core::Status {
    auto rows = c.Exec(sql, params);
    if (!rows) return rows.error();
    return use(*rows);
  });
}

}  // namespace

core::Result<std::int64_t> PgScheduleStore::Add(const ScheduleRecord& record) {
  if (record.channel.empty() || record.kind.empty() || record.cron.empty()) {
    return core::MakeError(core::ErrorKind::kInvalidInput,
                           "a schedule needs a channel, a kind and a cron");
  }
  std::int64_t id = 0;
  auto status = Statement(db_,
                          "INSERT INTO schedules(channel, kind, cron, tz, options, created_by, "
                          "created_at_ms, last_slot_ms, next_due_ms, enabled) "
                          "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                          PgParams()
                              .Add(record.channel)
                              .Add(record.kind)
                              .Add(record.cron)
                              .Add(record.tz.empty() ? std::string("UTC") : record.tz)
                              .Add(record.options.empty() ? std::string("{}") : record.options)
                              .Add(record.created_by)
                              .Add(record.created_at_ms)
                              .Add(record.last_slot_ms)
                              .Add(record.next_due_ms)
                              .Add(record.enabled),
                          [&](const PgRows& rows) -> core::Status {
                            id = rows.Int(0, 0);
                            return core::Ok();
                          });
  if (!status) return status.error();
  return id;
}

core::Result<std::optional<ScheduleRecord>> PgScheduleStore::Get(std::int64_t id) {
  std::optional<ScheduleRecord> found;
  auto status = Statement(db_, std::string(kColumns) + "WHERE id = $1", PgParams().Add(id),
                          [&](const PgRows& rows) -> core::Status {
                            if (!rows.empty()) found = ReadRow(rows, 0);
                            return core::Ok();
                          });
  if (!status) return status.error();
  return found;
}

core::Result<std::vector<ScheduleRecord>> PgScheduleStore::List(bool enabled_only) {
  std::vector<ScheduleRecord> out;
  auto status = Statement(db_, std::string(kColumns) + "WHERE (NOT $1 OR enabled) ORDER BY id",
                          PgParams().Add(enabled_only), [&](const PgRows& rows) -> core::Status {
                            for (int i = 0; i < rows.size(); ++i) out.push_back(ReadRow(rows, i));
                            return core::Ok();
                          });
  if (!status) return status.error();
  return out;
}

core::Result<bool> PgScheduleStore::Remove(std::int64_t id) {
  bool removed = false;
  auto status = Statement(db_, "DELETE FROM schedules WHERE id = $1", PgParams().Add(id),
                          [&](const PgRows& rows) -> core::Status {
                            removed = rows.affected() > 0;
                            return core::Ok();
                          });
  if (!status) return status.error();
  return removed;
}

core::Result<bool> PgScheduleStore::MarkFired(std::int64_t id, std::int64_t slot_ms,
                                              std::optional<std::int64_t> next_due_ms) {
  bool marked = false;
  auto status = Statement(db_,
                          "UPDATE schedules SET last_slot_ms = $1, next_due_ms = $2 WHERE id = $3 "
                          "AND (last_slot_ms IS NULL OR last_slot_ms < $1)",
                          PgParams().Add(slot_ms).Add(next_due_ms).Add(id),
                          [&](const PgRows& rows) -> core::Status {
                            marked = rows.affected() > 0;
                            return core::Ok();
                          });
  if (!status) return status.error();
  return marked;
}

core::Status PgScheduleStore::SetNextDue(std::int64_t id, std::optional<std::int64_t> next_due_ms) {
  return Statement(db_, "UPDATE schedules SET next_due_ms = $1 WHERE id = $2",
                   PgParams().Add(next_due_ms).Add(id), [&](const PgRows& rows) -> core::Status {
                     if (rows.affected() == 0) {
                       return core::MakeError(core::ErrorKind::kNotFound,
                                              "no schedule " + std::to_string(id));
                     }
                     return core::Ok();
                   });
}

core::Result<std::optional<std::int64_t>> PgScheduleStore::NextDue() {
  std::optional<std::int64_t> next;
  auto status = Statement(db_, "SELECT MIN(next_due_ms) FROM schedules WHERE enabled", PgParams(),
                          [&](const PgRows& rows) -> core::Status {
                            next = rows.OptionalInt(0, 0);
                            return core::Ok();
                          });
  if (!status) return status.error();
  return next;
}

}  // namespace contexten::store::postgres
