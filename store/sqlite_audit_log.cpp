#include "store/sqlite_audit_log.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <nlohmann/json.hpp>

namespace contexten::store {
namespace {

using nlohmann::json;

// Everything the table has no column for, as the `detail` JSON.
std::string Detail(const AuditEntry& e) {
  return json{{"channel", e.channel},
              {"source", e.source},
              {"args", e.args},
              {"decision", e.decision},
              {"outcome", e.outcome}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

void ReadDetail(const std::string& text, AuditEntry& e) {
  const json detail = json::parse(text, nullptr, false);
  if (!detail.is_object()) return;
  auto str = [&](const char* key) {
    auto it = detail.find(key);
    return it != detail.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  e.channel = str("channel");
  e.source = str("source");
  e.args = str("args");
  e.decision = str("decision");
  e.outcome = str("outcome");
}

}  // namespace

core::Result<std::int64_t> SqliteAuditLog::Append(const AuditEntry& entry) {
  std::int64_t id = 0;
  auto written = db_.Write([&](SQLite::Database& db) -> core::Status {
    auto& insert =
        Prepared(db, "INSERT INTO audit_log(at_ms, actor, action, detail) VALUES(?, ?, ?, ?)");
    insert.bind(1, static_cast<std::int64_t>(entry.at_ms));
    insert.bind(2, entry.actor);
    insert.bind(3, entry.action);
    insert.bind(4, Detail(entry));
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
      ReadDetail(select.getColumn(4).getString(), e);
      out.push_back(std::move(e));
    }
    return core::Ok();
  });
  if (!read) return core::Unexpected(read.error());
  return out;
}

}  // namespace contexten::store
