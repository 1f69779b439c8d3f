#pragma once
// Prepared statements kept per connection. Preparing costs more than running a small INSERT, and
// the inbox runs the same few statements thousands of times a second on the writer thread.

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace SQLite {
class Database;
class Statement;
}  // namespace SQLite

namespace contexten::store {

class StatementCache {
 public:
  explicit StatementCache(SQLite::Database& db);
  ~StatementCache();  // finalizes every statement: must run before the connection closes
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  SQLite::Database& db() const { return db_; }
  // Returns the statement for `sql`, reset and with bindings cleared. Throws SQLite::Exception
  // when `sql` does not prepare.
  SQLite::Statement& Get(const std::string& sql);
  // Resets every statement handed out since the last call. Call once the caller is done with
  // them: an un-reset statement holds its read transaction open.
  void ResetUsed() noexcept;

 private:
  static constexpr std::size_t kMaxStatements = 128;  // bounds memory if callers build SQL text
  SQLite::Database& db_;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> statements_;
  std::vector<SQLite::Statement*> used_;
};

// Makes `cache` the one Prepared() uses on this thread for the lifetime of the scope.
class ScopedStatementCache {
 public:
  explicit ScopedStatementCache(StatementCache& cache);
  ~ScopedStatementCache();
  ScopedStatementCache(const ScopedStatementCache&) = delete;
  ScopedStatementCache& operator=(const ScopedStatementCache&) = delete;

 private:
  StatementCache* previous_;
};

}  // namespace contexten::store
