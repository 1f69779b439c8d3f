#include "bot/wiring/store_module.hpp"

#include <SQLiteCpp/Database.h>

#include "bot/wiring/startup_error.hpp"
#include "store/postgres/pg_audit_log.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_database.hpp"
#include "store/postgres/pg_inbox.hpp"
#include "store/postgres/pg_leadership.hpp"
#include "store/postgres/pg_schedule_store.hpp"
#include "store/postgres/pg_store_stats.hpp"
#include "store/postgres/pg_subscription_store.hpp"
#include "store/postgres/pg_workflow_store.hpp"
#include "store/sqlite_audit_log.hpp"
#include "store/sqlite_inbox.hpp"
#include "store/sqlite_schedule_store.hpp"
#include "store/sqlite_subscription_store.hpp"
#include "store/sqlite_workflow_store.hpp"

namespace contexten::bot::wiring {

StoreModule::StoreModule(const core::Config& config, core::Clock& clock) {
  if (config.store.postgres()) {
    store::postgres::PgOptions options;
    options.url = config.store.url;
    options.schema = config.store.schema;
    options.replica_id = config.store.replica_id;
    options.lease = std::chrono::seconds(config.store.lease_seconds);
    options.pool_size = static_cast<std::size_t>(config.store.pool_size);
    auto db = store::postgres::PgDatabase::Open(options);
    if (!db) {
      // libpq's messages name host and port, never the password; the URL is not repeated.
      throw StartupError(
          core::MakeError(db.error().kind, "store (postgresql, store.url): " + db.error().message));
    }
    pg_ = std::move(*db);
    inbox_ = std::make_unique<store::postgres::PgInbox>(*pg_, clock);
    audit_ = std::make_unique<store::postgres::PgAuditLog>(*pg_);
    workflows_ = std::make_unique<store::postgres::PgWorkflowStore>(*pg_);
    schedules_ = std::make_unique<store::postgres::PgScheduleStore>(*pg_);
    subscriptions_ = std::make_unique<store::postgres::PgSubscriptionStore>(*pg_);
    leadership_ = std::make_unique<store::postgres::PgLeadership>(*pg_);
    return;
  }
  store::StoreOptions options;
  options.path = config.store.path;
  auto database = store::Database::Open(options);
  if (!database) {
    throw StartupError(core::MakeError(
        database.error().kind, "store '" + config.store.path + "': " + database.error().message));
  }
  database_ = std::move(*database);
  inbox_ = std::make_unique<store::SqliteInbox>(*database_, clock);
  audit_ = std::make_unique<store::SqliteAuditLog>(*database_);
  workflows_ = std::make_unique<store::SqliteWorkflowStore>(*database_);
  schedules_ = std::make_unique<store::SqliteScheduleStore>(*database_);
  subscriptions_ = std::make_unique<store::SqliteSubscriptionStore>(*database_);
  leadership_ = std::make_unique<store::AlwaysLeader>();
}

StoreModule::~StoreModule() {
  // The ports before the engine they run on; the leadership's session closes, freeing its roles.
  leadership_.reset();
  subscriptions_.reset();
  schedules_.reset();
  workflows_.reset();
  audit_.reset();
  inbox_.reset();
}

store::Database& StoreModule::database() {
  if (!database_) throw std::logic_error("the store is PostgreSQL: there is no SQLite database");
  return *database_;
}

core::Status StoreModule::Check() {
  if (pg_) {
    return pg_->Run([](store::postgres::PgConnection& c) -> core::Status {
      auto rows = c.Exec("SELECT 1");
      if (!rows) return rows.error();
      return core::Ok();
    });
  }
  return database_->ReadOnly([](SQLite::Database&) { return core::Ok(); });
}

core::Result<store::StoreStats> StoreModule::Stats() {
  if (pg_) return store::postgres::ReadPgStoreStats(*pg_);
  return store::ReadStoreStats(*database_);
}

}  // namespace contexten::bot::wiring
