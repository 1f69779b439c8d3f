#pragma once
// The SQLite store. One writer thread owns the write connection; other threads submit work to
// it and the writer commits several submissions in one transaction (group commit), each inside
// its own SAVEPOINT so that one failing submission does not roll back its neighbours.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/result.hpp"

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace contexten::store {

struct StoreOptions {
  std::string path = "contexten.db";  // ":memory:" is refused: the store must be durable
  std::chrono::milliseconds busy_timeout{5000};
  std::size_t max_batch = 512;  // submissions per transaction at most
};

class Database {
 public:
  using Work = std::function<core::Status(SQLite::Database& db)>;
  using Read = std::function<core::Status(SQLite::Database& db)>;

  // Opens (creating the file if needed), sets WAL and busy timeout, and applies migrations.
  static core::Result<std::unique_ptr<Database>> Open(StoreOptions options);
  ~Database();  // drains submitted work, then closes

  // Runs `work` on the writer thread. `done` runs on the writer thread after the transaction
  // holding `work` has committed (durable), or with the error that rolled it back.
  void Submit(Work work, std::function<void(core::Status)> done);
  // Blocking form of Submit.
  core::Status Write(Work work);
  // Runs `read` on a read-only connection (WAL: does not block the writer). Thread-safe.
  core::Status ReadOnly(Read read);

  // True on the writer thread (inside Work and `done`), where blocking on a write would wait
  // for itself.
  bool OnWriterThread() const;

  int schema_version() const;
  const std::string& path() const;
  // Transactions the writer has committed (for tests and metrics: group commit means this grows
  // more slowly than the number of submissions under load).
  std::uint64_t transactions_committed() const;

 private:
  struct Impl;
  explicit Database(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A statement prepared once per connection, returned reset with bindings cleared. Only valid
// inside a Work or Read, on the connection it was given: it is reset again when that call
// returns, so a half-stepped SELECT never pins an old WAL snapshot. Throws std::logic_error when
// called outside a Work/Read (which the writer turns into a kInternal Status).
SQLite::Statement& Prepared(SQLite::Database& db, const std::string& sql);

// Applies numbered migrations up to the latest; returns the resulting version.
core::Result<int> Migrate(const std::string& path);
int LatestSchemaVersion();

}  // namespace contexten::store
