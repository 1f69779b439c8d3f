#pragma once
// AuditLog on the SQLite store: appends go through the single writer, reads use the read-only
// connections.

#include "store/audit_log.hpp"
#include "store/database.hpp"

namespace contexten::store {

class SqliteAuditLog final : public AuditLog {
 public:
  explicit SqliteAuditLog(Database& db) : db_(db) {}

  core::Result<std::int64_t> Append(const AuditEntry& entry) override;
  core::Result<std::vector<AuditEntry>> Recent(std::size_t limit) override;

 private:
  Database& db_;
};

}  // namespace contexten::store
