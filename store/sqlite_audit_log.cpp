#include "store/sqlite_audit_log.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "store/audit_detail.hpp"

namespace contexten::store {

core::Result<std::int64_t> SqliteAuditLog::Append(const AuditEntry& entry) {
  std::int64_t id = 0;
  auto written = db_.Write([&](SQLite::Database& db) -> core::Status {
    auto& insert =
        Prepared(db, "INSERT INTO audit_log(at_ms, actor, action, detail) VALUES(?, ?, ?, ?)");
    insert.bind(1, static_cast<std::int64_t>(entry.at_ms));
    insert.bind(2, entry.actor);
    insert.bind(3, entry.action);
    insert.bind(4, AuditDetailJson(entry));
    insert.exec();
    id = db.getLastInsertRowid();
    return core::Ok();
  });
  if (!written) return core::Unexpected(written.error());
  return id;
}

core::Result<std::vector<AuditEntry>> SqliteAuditLog::Recent(std::size_t limit) {
  std::vector<AuditEntry> out;
  auto read = db_.ReadOnly([&](SQLite::Database& db) -> core::Status {
    auto& select = Prepared(db,
                            "SELECT id, at_ms, actor, action, COALESCE(detail, '') FROM audit_log "
                            "ORDER BY id DESC LIMIT ?");
    select.bind(1, static_cast<std::int64_t>(limit));
    while (select.executeStep()) {
      AuditEntry e;
      e.id = select.getColumn(0).getInt64();
      e.at_ms = select.getColumn(1).getInt64();
      e.actor = select.getColumn(2).getString();
      e.action = select.getColumn(3).getString();
      ReadAuditDetail(select.getColumn(4).getString(), e);
      out.push_back(std::move(e));
    }
    return core::Ok();
  });
  if (!read) return core::Unexpected(read.error());
  return out;
}

}  // namespace contexten::store
