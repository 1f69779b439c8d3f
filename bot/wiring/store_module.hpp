#pragma once
// The store: the SQLite database and the inbox on it. First built, last destroyed.

#include <memory>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "store/database.hpp"
#include "store/sqlite_audit_log.hpp"
#include "store/sqlite_inbox.hpp"

namespace contexten::bot::wiring {

class StoreModule {
 public:
  // Opens (and migrates) the store at config.store.path. Throws StartupError naming the path.
  StoreModule(const core::Config& config, core::Clock& clock);
  StoreModule(const StoreModule&) = delete;
  StoreModule& operator=(const StoreModule&) = delete;

  store::Database& database() { return *database_; }
  store::SqliteInbox& inbox() { return inbox_; }
  store::AuditLog& audit() { return audit_; }

 private:
  std::unique_ptr<store::Database> database_;
  store::SqliteInbox inbox_;
  store::SqliteAuditLog audit_;
};

}  // namespace contexten::bot::wiring
