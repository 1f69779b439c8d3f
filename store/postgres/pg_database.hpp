#pragma once
// The PostgreSQL store engine (../shared/DESIGN.md §2, store/): a pool of connections, one
// worker thread for the asynchronous writes the ports offer (Inbox::AppendAsync), and the
// migrations, applied on open. Several replicas share one database: coordination is the
// database's (unique keys, row locks with SKIP LOCKED, leases), never a protocol of our own.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.hpp"

namespace contexten::store::postgres {

class PgConnection;

struct PgOptions {
  std::string url;     // libpq URL or key=value conninfo; may hold a password: never logged
  std::string schema;  // optional: tables live in this schema (created if missing)
  std::size_t pool_size = 4;
  // This process among the replicas: outbox claims are stamped with it, so a restart releases
  // its own claims at once and leaves the other replicas' alone (theirs expire with the lease).
  std::string replica_id;
  // How long a claimed effect or timer stays another replica's before it may be taken over.
  std::chrono::milliseconds lease{60000};
};

class PgDatabase {
 public:
  using Work = std::function<core::Status(PgConnection& connection)>;

  // Connects, creates the schema if set, and applies the migrations (pg_migrations.hpp).
  static core::Result<std::unique_ptr<PgDatabase>> Open(PgOptions options);
  ~PgDatabase();  // drains submitted work, then closes every connection
  PgDatabase(const PgDatabase&) = delete;
  PgDatabase& operator=(const PgDatabase&) = delete;

  // Runs `work` on a pooled connection, outside any transaction (one statement commits itself).
  core::Status Run(const Work& work);
  // Runs `work` in one transaction: committed when it returns Ok, rolled back otherwise. A
  // serialization failure or deadlock (SQLSTATE class 40) runs it again, a few times.
  core::Status Transact(const Work& work);
  // Transact on the worker thread; `done` runs there after the commit (or with the error).
  void Submit(Work work, std::function<void(core::Status)> done);
  bool OnWorkerThread() const;

  const PgOptions& options() const;
  int schema_version() const;

 private:
  struct Impl;
  explicit PgDatabase(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Applies the PostgreSQL migrations up to the latest on `connection`; returns the version.
core::Result<int> MigratePostgres(PgConnection& connection);
int LatestPostgresSchemaVersion();

}  // namespace contexten::store::postgres
