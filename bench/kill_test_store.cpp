#include "bench/kill_test_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>

namespace contexten::bench {
namespace {

std::map<std::string, std::int64_t> CountByStatus(SQLite::Database& db, const char* table) {
  std::map<std::string, std::int64_t> counts;
  SQLite::Statement query(
      db, std::string("SELECT status, COUNT(*) FROM ") + table + " GROUP BY status");
  while (query.executeStep())
    counts[query.getColumn(0).getString()] = query.getColumn(1).getInt64();
  return counts;
}

std::int64_t Get(const std::map<std::string, std::int64_t>& counts, const std::string& key) {
  auto it = counts.find(key);
  return it == counts.end() ? 0 : it->second;
}

}  // namespace

std::int64_t StoreSnapshot::Inbox(const std::string& status) const { return Get(inbox, status); }
std::int64_t StoreSnapshot::Outbox(const std::string& status) const { return Get(outbox, status); }

std::int64_t StoreSnapshot::InboxNotDone() const {
  std::int64_t n = 0;
  for (const auto& [status, rows] : inbox) {
    if (status != "done") n += rows;
  }
  return n;
}

core::Result<StoreSnapshot> ReadStore(const std::string& path, const std::string& run_type) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return core::Unexpected(core::MakeError(core::ErrorKind::kNotFound, "no store at " + path));
  }
  try {
    SQLite::Database db(path, SQLite::OPEN_READONLY, 5000);
    StoreSnapshot snapshot;
    // One read transaction: the counts and the runs describe the same moment.
    db.exec("BEGIN");
    SQLite::Statement runs(db, "SELECT id, status, state FROM workflow_runs WHERE type = ?");
    runs.bind(1, run_type);
    while (runs.executeStep()) {
      StoredRun run;
      run.id = runs.getColumn(0).getString();
      run.status = runs.getColumn(1).getString();
      run.state = nlohmann::json::parse(runs.getColumn(2).getString(), nullptr, false);
      snapshot.runs.push_back(std::move(run));
    }
    snapshot.inbox = CountByStatus(db, "inbox");
    snapshot.outbox = CountByStatus(db, "outbox");
    snapshot.timers = db.execAndGet("SELECT COUNT(*) FROM workflow_timers").getInt64();
    db.exec("COMMIT");
    return snapshot;
  } catch (const std::exception& e) {
    // A store mid-creation (tables not migrated yet) reads as "not yet".
    return core::Unexpected(core::MakeError(core::ErrorKind::kUnavailable,
                                            std::string("reading the store: ") + e.what()));
  }
}

}  // namespace contexten::bench
