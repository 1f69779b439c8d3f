#include "store/sqlite_schedule_store.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace contexten::store {
namespace {

constexpr const char* kColumns =
    "SELECT id, channel, kind, cron, tz, options, created_by, created_at_ms, last_slot_ms, "
    "next_due_ms, enabled FROM schedules ";

std::optional<std::int64_t> OptionalInt(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getInt64();
}

ScheduleRecord ReadRow(SQLite::Statement& row) {
  ScheduleRecord r;
  r.id = row.getColumn(0).getInt64();
  r.channel = row.getColumn(1).getString();
  r.kind = row.getColumn(2).getString();
  r.cron = row.getColumn(3).getString();
  r.tz = row.getColumn(4).getString();
  r.options = row.getColumn(5).getString();
  r.created_by = row.getColumn(6).getString();
  r.created_at_ms = row.getColumn(7).getInt64();
  r.last_slot_ms = OptionalInt(row.getColumn(8));
  r.next_due_ms = OptionalInt(row.getColumn(9));
  r.enabled = row.getColumn(10).getInt() != 0;
  return r;
}

void BindOptional(SQLite::Statement& statement, int index, std::optional<std::int64_t> value) {
  if (value) {
    statement.bind(index, *value);
  } else {
    statement.bind(index);  // NULL
  }
}

}  // namespace

SqliteScheduleStore::SqliteScheduleStore(Database& db) : db_(db) {}

core::Result<std::int64_t> SqliteScheduleStore::Add(const ScheduleRecord& record) {
  if (record.channel.empty() || record.kind.empty() || record.cron.empty()) {
    return core::MakeError(core::ErrorKind::kInvalidInput,
                           "a schedule needs a channel, a kind and a cron");
  }
  std::int64_t id = 0;
  core::Status status = db_.Write([&](SQLite::Database& db) -> core::Status {
    SQLite::Statement& insert =
        Prepared(db,
                 "INSERT INTO schedules(channel, kind, cron, tz, options, created_by, "
                 "created_at_ms, last_slot_ms, next_due_ms, enabled) "
                 "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, record.channel);
    insert.bind(2, record.kind);
    insert.bind(3, record.cron);
    insert.bind(4, record.tz.empty() ? std::string("UTC") : record.tz);
    insert.bind(5, record.options.empty() ? std::string("{}") : record.options);
    insert.bind(6, record.created_by);
    insert.bind(7, record.created_at_ms);
    BindOptional(insert, 8, record.last_slot_ms);
    BindOptional(insert, 9, record.next_due_ms);
    insert.bind(10, record.enabled ? 1 : 0);
    insert.exec();
    id = db.getLastInsertRowid();
    return core::Ok();
  });
  if (!status) return status.error();
  return id;
}

core::Result<std::optional<ScheduleRecord>> SqliteScheduleStore::Get(std::int64_t id) {
  std::optional<ScheduleRecord> found;
  core::Status status = db_.ReadOnly([&](SQLite::Database& db) -> core::Status {
    SQLite::Statement& query = Prepared(db, std::string(kColumns) + "WHERE id = ?");
    query.bind(1, id);
    if (query.executeStep()) found = ReadRow(query);
    return core::Ok();
  });
  if (!status) return status.error();
  return found;
}

core::Result<std::vector<ScheduleRecord>> SqliteScheduleStore::List(bool enabled_only) {
  std::vector<ScheduleRecord> rows;
  core::Status status = db_.ReadOnly([&](SQLite::Database& db) -> core::Status {
    SQLite::Statement& query =
        Prepared(db, std::string(kColumns) + "WHERE (?1 = 0 OR enabled = 1) ORDER BY id");
    query.bind(1, enabled_only ? 1 : 0);
    while (query.executeStep()) rows.push_back(ReadRow(query));
    return core::Ok();
  });
  if (!status) return status.error();
  return rows;
}

core::Result<bool> SqliteScheduleStore::Remove(std::int64_t id) {
  bool removed = false;
  core::Status status = db_.Write([&](SQLite::Database& db) -> core::Status {
    SQLite::Statement& remove = Prepared(db, "DELETE FROM schedules WHERE id = ?");
    remove.bind(1, id);
    removed = remove.exec() > 0;
    return core::Ok();
  });
  if (!status) return status.error();
  return removed;
}

core::Result<bool> SqliteScheduleStore::MarkFired(std::int64_t id, std::int64_t slot_ms,
                                                  std::optional<std::int64_t> next_due_ms) {
  bool marked = false;
  core::Status status = db_.Write([&](SQLite::Database& db) -> core::Status {
    SQLite::Statement& update =
        Prepared(db,
                 "UPDATE schedules SET last_slot_ms = ?, next_due_ms = ? "
                 "WHERE id = ? AND (last_slot_ms IS NULL OR last_slot_ms < ?1)");
    update.bind(1, slot_ms);
    BindOptional(update, 2, next_due_ms);
    update.bind(3, id);
    marked = update.exec() > 0;
    return core::Ok();
  });
  if (!status) return status.error();
  return marked;
}

core::Status SqliteScheduleStore::SetNextDue(std::int64_t id,
                                             std::optional<std::int64_t> next_due_ms) {
  return db_.Write([&](SQLite::Database& db) -> core::Status {
    SQLite::Statement& update = Prepared(db, "UPDATE schedules SET next_due_ms = ? WHERE id = ?");
    BindOptional(update, 1, next_due_ms);
    update.bind(2, id);
    if (update.exec() == 0) {
      return core::MakeError(core::ErrorKind::kNotFound, "no schedule " + std::to_string(id));
    }
    return core::Ok();
  });
}

core::Result<std::optional<std::int64_t>> SqliteScheduleStore::NextDue() {
  std::optional<std::int64_t> next;
  core::Status status = db_.ReadOnly([&](SQLite::Database& db) -> core::Status {
    SQLite::Statement& query =
        Prepared(db, "SELECT MIN(next_due_ms) FROM schedules WHERE enabled = 1");
    if (query.executeStep()) next = OptionalInt(query.getColumn(0));
    return core::Ok();
  });
  if (!status) return status.error();
  return next;
}

}  // namespace contexten::store
