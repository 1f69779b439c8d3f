#include "store/sqlite_subscription_store.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

namespace contexten::store {
namespace {

constexpr const char* kColumns =
    "SELECT id, channel, platform, target, spec, created_by, created_at_ms, updated_at_ms "
    "FROM subscriptions ";

SubscriptionRecord ReadRow(SQLite::Statement& row) {
  SubscriptionRecord r;
  r.id = row.getColumn(0).getInt64();
  r.channel = row.getColumn(1).getString();
  r.platform = row.getColumn(2).getString();
  r.target = row.getColumn(3).getString();
  r.spec = row.getColumn(4).getString();
  r.created_by = row.getColumn(5).getString();
  r.created_at_ms = row.getColumn(6).getInt64();
  r.updated_at_ms = row.getColumn(7).getInt64();
  return r;
}

}  // namespace

SqliteSubscriptionStore::SqliteSubscriptionStore(Database& db) : db_(db) {}

core::Result<std::int64_t> SqliteSubscriptionStore::Upsert(const SubscriptionRecord& record) {
  if (record.channel.empty() || record.platform.empty() || record.target.empty()) {
    return core::MakeError(core::ErrorKind::kInvalidInput,
                           "a subscription needs a channel, a platform and a target");
  }
  std::int64_t id = 0;
  core::Status status = db_.Write([&](SQLite::Database& db) -> core::Status {
    SQLite::Statement& upsert =
        Prepared(db,
                 "INSERT INTO subscriptions(channel, platform, target, spec, created_by, "
                 "created_at_ms, updated_at_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?6) "
                 "ON CONFLICT(channel, platform, target) DO UPDATE SET spec = excluded.spec, "
                 "updated_at_ms = excluded.updated_at_ms RETURNING id");
    upsert.bind(1, record.channel);
    upsert.bind(2, record.platform);
    upsert.bind(3, record.target);
    upsert.bind(4, record.spec.empty() ? std::string("{}") : record.spec);
    upsert.bind(5, record.created_by);
    upsert.bind(6, record.created_at_ms);
    if (upsert.executeStep()) id = upsert.getColumn(0).getInt64();
    upsert.reset();
    return core::Ok();
  });
  if (!status) return status.error();
  return id;
}

core::Result<std::optional<SubscriptionRecord>> SqliteSubscriptionStore::Find(
    const std::string& channel, const std::string& platform, const std::string& target) {
  std::optional<SubscriptionRecord> found;
  core::Status status = db_.ReadOnly([&](SQLite::Database& db) -> core::Status {
    SQLite::Statement& query =
        Prepared(db, std::string(kColumns) + "WHERE channel = ? AND platform = ? AND target = ?");
    query.bind(1, channel);
    query.bind(2, platform);
    query.bind(3, target);
    if (query.executeStep()) found = ReadRow(query);
    return core::Ok();
  });
  if (!status) return status.error();
  return found;
}

core::Result<bool> SqliteSubscriptionStore::Remove(const std::string& channel,
                                                   const std::string& platform,
                                                   const std::string& target) {
  bool removed = false;
  core::Status status = db_.Write([&](SQLite::Database& db) -> core::Status {
    SQLite::Statement& remove =
        Prepared(db, "DELETE FROM subscriptions WHERE channel = ? AND platform = ? AND target = ?");
    remove.bind(1, channel);
    remove.bind(2, platform);
    remove.bind(3, target);
    removed = remove.exec() > 0;
    return core::Ok();
  });
  if (!status) return status.error();
  return removed;
}

core::Result<std::vector<SubscriptionRecord>> SqliteSubscriptionStore::ForChannel(
    const std::string& channel) {
  std::vector<SubscriptionRecord> rows;
  core::Status status = db_.ReadOnly([&](SQLite::Database& db) -> core::Status {
    SQLite::Statement& query =
        Prepared(db, std::string(kColumns) + "WHERE channel = ? ORDER BY id");
    query.bind(1, channel);
    while (query.executeStep()) rows.push_back(ReadRow(query));
    return core::Ok();
  });
  if (!status) return status.error();
  return rows;
}

core::Result<std::vector<SubscriptionRecord>> SqliteSubscriptionStore::ForTarget(
    const std::string& platform, const std::string& target) {
  std::vector<SubscriptionRecord> rows;
  core::Status status = db_.ReadOnly([&](SQLite::Database& db) -> core::Status {
    SQLite::Statement& query =
        Prepared(db, std::string(kColumns) + "WHERE platform = ? AND target = ? ORDER BY id");
    query.bind(1, platform);
    query.bind(2, target);
    while (query.executeStep()) rows.push_back(ReadRow(query));
    return core::Ok();
  });
  if (!status) return status.error();
  return rows;
}

}  // namespace contexten::store
