#pragma once
// The store: SQLite (the default: store.path) or PostgreSQL (store.url, for several replicas),
// and every store port on it. First built, last destroyed. The rest of the program sees the
// ports only; the SQLite database stays reachable for what exists only there (WAL statistics).

#include <memory>
#include <stdexcept>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "store/audit_log.hpp"
#include "store/database.hpp"
#include "store/inbox.hpp"
#include "store/leadership.hpp"
#include "store/schedule_store.hpp"
#include "store/store_stats.hpp"
#include "store/subscription_store.hpp"
#include "store/workflow_store.hpp"

namespace contexten::store::postgres {
class PgDatabase;
}  // namespace contexten::store::postgres

namespace contexten::bot::wiring {

class StoreModule {
 public:
  // Opens (and migrates) the store config.store names. Throws StartupError naming the SQLite
  // path, or for PostgreSQL the engine only (the URL may hold a password).
  StoreModule(const core::Config& config, core::Clock& clock);
  ~StoreModule();
  StoreModule(const StoreModule&) = delete;
  StoreModule& operator=(const StoreModule&) = delete;

  // The SQLite database; nullptr on PostgreSQL.
  store::Database* sqlite() { return database_.get(); }
  // The SQLite database, for SQLite-only callers (benchmarks); std::logic_error on PostgreSQL.
  store::Database& database();
  bool postgres() const { return pg_ != nullptr; }
  store::Inbox& inbox() { return *inbox_; }
  store::AuditLog& audit() { return *audit_; }
  store::WorkflowStore& workflows() { return *workflows_; }
  store::ScheduleStore& schedules() { return *schedules_; }
  store::SubscriptionStore& subscriptions() { return *subscriptions_; }
  // Which replica runs the scheduler and the health monitor: advisory locks on PostgreSQL (each
  // replica its own session), the one process on SQLite (store/leadership.hpp).
  store::Leadership& leadership() { return *leadership_; }
  // Ok when the store answers (the health check).
  core::Status Check();
  // Outbox, inbox and run counts for the health monitor and /metrics, from either engine.
  core::Result<store::StoreStats> Stats();

 private:
  std::unique_ptr<store::Database> database_;
  std::unique_ptr<store::postgres::PgDatabase> pg_;
  std::unique_ptr<store::Inbox> inbox_;
  std::unique_ptr<store::AuditLog> audit_;
  std::unique_ptr<store::WorkflowStore> workflows_;
  std::unique_ptr<store::ScheduleStore> schedules_;
  std::unique_ptr<store::SubscriptionStore> subscriptions_;
  std::unique_ptr<store::Leadership> leadership_;
};

}  // namespace contexten::bot::wiring
