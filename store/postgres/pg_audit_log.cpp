#include "store/postgres/pg_audit_log.hpp"

#include "store/audit_detail.hpp"
#include "store/postgres/pg_connection.hpp"

namespace contexten::store::postgres {

core::Result<std::int64_t> PgAuditLog::Append(const AuditEntry& entry) {
  std::int64_t id = 0;
  auto status = db_.Run([&](PgConnection& c) -> core::Status {
    auto rows = c.Exec(
        "INSERT INTO audit_log(at_ms, actor, action, detail) VALUES($1, $2, $3, $4) RETURNING id",
        PgParams().Add(entry.at_ms).Add(entry.actor).Add(entry.action).Add(AuditDetailJson(entry)));
    if (!rows) return rows.error();
    id = rows->Int(0, 0);
    return core::Ok();
  });
  if (!status) return status.error();
  return id;
}

core::Result<std::vector<AuditEntry>> PgAuditLog::Recent(std::size_t limit) {
  std::vector<AuditEntry> out;
  auto status = db_.Run([&](PgConnection& c) -> core::Status {
    auto rows = c.Exec(
        "SELECT id, at_ms, actor, action, COALESCE(detail, '') FROM audit_log ORDER BY id DESC "
        "LIMIT $1",
        PgParams().Add(static_cast<std::int64_t>(limit)));
    if (!rows) return rows.error();
    for (int i = 0; i < rows->size(); ++i) {
      AuditEntry e;
      e.id = rows->Int(i, 0);
      e.at_ms = rows->Int(i, 1);
      e.actor = rows->Text(i, 2);
      e.action = rows->Text(i, 3);
      ReadAuditDetail(rows->Text(i, 4), e);
      out.push_back(std::move(e));
    }
    return core::Ok();
  });
  if (!status) return status.error();
  return out;
}

}  // namespace contexten::store::postgres
