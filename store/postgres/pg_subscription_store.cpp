#include "store/postgres/pg_subscription_store.hpp"

#include "store/postgres/pg_connection.hpp"

namespace contexten::store::postgres {
namespace {

constexpr const char* kColumns =
    "SELECT id, channel, platform, target, spec, created_by, created_at_ms, updated_at_ms "
    "FROM subscriptions ";

SubscriptionRecord ReadRow(const PgRows& rows, int i) {
  SubscriptionRecord r;
  r.id = rows.Int(i, 0);
  r.channel = rows.Text(i, 1);
  r.platform = rows.Text(i, 2);
  r.target = rows.Text(i, 3);
  r.spec = rows.Text(i, 4);
  r.created_by = rows.Text(i, 5);
  r.created_at_ms = rows.Int(i, 6);
  r.updated_at_ms = rows.Int(i, 7);
  return r;
}

core::Result<std::vector<SubscriptionRecord>> Select(PgDatabase& db, const std::string& where,
                                                     const PgParams& params) {
  std::vector<SubscriptionRecord> out;
  auto status = db.Run([&](PgConnection& c) -> core::Status {
    auto rows = c.Exec(std::string(kColumns) + where, params);
    if (!rows) return rows.error();
    for (int i = 0; i < rows->size(); ++i) out.push_back(ReadRow(*rows, i));
    return core::Ok();
  });
  if (!status) return status.error();
  return out;
}

}  // namespace

core::Result<std::int64_t> PgSubscriptionStore::Upsert(const SubscriptionRecord& record) {
  if (record.channel.empty() || record.platform.empty() || record.target.empty()) {
    return core::MakeError(core::ErrorKind::kInvalidInput,
                           "a subscription needs a channel, a platform and a target");
  }
  std::int64_t id = 0;
  auto status = db_.Run([&](PgConnection& c) -> core::Status {
    auto rows = c.Exec(
        "INSERT INTO subscriptions(channel, platform, target, spec, created_by, created_at_ms, "
        "updated_at_ms) VALUES($1, $2, $3, $4, $5, $6, $6) ON CONFLICT(channel, platform, "
        "target) DO UPDATE SET spec = excluded.spec, updated_at_ms = excluded.updated_at_ms "
        "RETURNING id",
        PgParams()
            .Add(record.channel)
            .Add(record.platform)
            .Add(record.target)
            .Add(record.spec.empty() ? std::string("{}") : record.spec)
            .Add(record.created_by)
            .Add(record.created_at_ms));
    if (!rows) return rows.error();
    id = rows->Int(0, 0);
    return core::Ok();
  });
  if (!status) return status.error();
  return id;
}

core::Result<std::optional<SubscriptionRecord>> PgSubscriptionStore::Find(
    const std::string& channel, const std::string& platform, const std::string& target) {
  auto rows = Select(db_, "WHERE channel = $1 AND platform = $2 AND target = $3",
                     PgParams().Add(channel).Add(platform).Add(target));
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<SubscriptionRecord>();
  return std::optional<SubscriptionRecord>(std::move(rows->front()));
}

core::Result<bool> PgSubscriptionStore::Remove(const std::string& channel,
                                               const std::string& platform,
                                               const std::string& target) {
  bool removed = false;
  auto status = db_.Run([&](PgConnection& c) -> core::Status {
    auto rows =
        c.Exec("DELETE FROM subscriptions WHERE channel = $1 AND platform = $2 AND target = $3",
               PgParams().Add(channel).Add(platform).Add(target));
    if (!rows) return rows.error();
    removed = rows->affected() > 0;
    return core::Ok();
  });
  if (!status) return status.error();
  return removed;
}

core::Result<std::vector<SubscriptionRecord>> PgSubscriptionStore::ForChannel(
    const std::string& channel) {
  return Select(db_, "WHERE channel = $1 ORDER BY id", PgParams().Add(channel));
}

core::Result<std::vector<SubscriptionRecord>> PgSubscriptionStore::ForTarget(
    const std::string& platform, const std::string& target) {
  return Select(db_, "WHERE platform = $1 AND target = $2 ORDER BY id",
                PgParams().Add(platform).Add(target));
}

}  // namespace contexten::store::postgres
