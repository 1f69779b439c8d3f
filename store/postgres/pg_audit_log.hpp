#pragma once
// The audit log on PostgreSQL.

#include "store/audit_log.hpp"
#include "store/postgres/pg_database.hpp"

namespace contexten::store::postgres {

class PgAuditLog final : public AuditLog {
 public:
  explicit PgAuditLog(PgDatabase& db) : db_(db) {}
  core::Result<std::int64_t> Append(const AuditEntry& entry) override;
  core::Result<std::vector<AuditEntry>> Recent(std::size_t limit) override;

 private:
  PgDatabase& db_;
};

}  // namespace contexten::store::postgres
