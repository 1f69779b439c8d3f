#include "store/statement_cache.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <stdexcept>

#include "store/database.hpp"

namespace contexten::store {
namespace {

thread_local StatementCache* current_cache = nullptr;

}  // namespace

StatementCache::StatementCache(SQLite::Database& db) : db_(db) {}

StatementCache::~StatementCache() = default;

SQLite::Statement& StatementCache::Get(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    auto statement = std::make_unique<SQLite::Statement>(db_, sql);
    it = statements_.emplace(sql, std::move(statement)).first;
  } else {
    it->second->reset();
    it->second->clearBindings();
  }
  used_.push_back(it->second.get());
  return *it->second;
}

void StatementCache::ResetUsed() noexcept {
  for (SQLite::Statement* statement : used_) statement->tryReset();
  used_.clear();
  // Only between calls is no statement referenced by a caller, so only here may we drop some.
  if (statements_.size() > kMaxStatements) statements_.clear();
}

ScopedStatementCache::ScopedStatementCache(StatementCache& cache) : previous_(current_cache) {
  current_cache = &cache;
}

ScopedStatementCache::~ScopedStatementCache() { current_cache = previous_; }

SQLite::Statement& Prepared(SQLite::Database& db, const std::string& sql) {
  if (current_cache == nullptr || &current_cache->db() != &db) {
    throw std::logic_error("store::Prepared used outside a Database Work/Read on its connection");
  }
  return current_cache->Get(sql);
}

}  // namespace contexten::store
