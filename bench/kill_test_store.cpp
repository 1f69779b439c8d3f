#include "bench/kill_test_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <filesystem>

#include "store/postgres/pg_connection.hpp"

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

namespace {

// Timers due after this (wall-clock ms) are not work the test waits for.
std::int64_t LaterThan() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count() +
         duration_cast<milliseconds>(hours(1)).count();
}

}  // namespace

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
    SQLite::Statement timers(db, "SELECT run_id, name, due_at_ms FROM workflow_timers");
    while (timers.executeStep()) {
      if (timers.getColumn(2).getInt64() <= LaterThan()) {
        ++snapshot.timers;
      } else {
        snapshot.later_timers.push_back(timers.getColumn(0).getString() + "/" +
                                        timers.getColumn(1).getString());
      }
    }
    db.exec("COMMIT");
    return snapshot;
  } catch (const std::exception& e) {
    // A store mid-creation (tables not migrated yet) reads as "not yet".
    return core::Unexpected(core::MakeError(core::ErrorKind::kUnavailable,
                                            std::string("reading the store: ") + e.what()));
  }
}

namespace {

using store::postgres::PgConnection;

core::Result<std::unique_ptr<PgConnection>> ConnectPg(const std::string& url,
                                                      const std::string& schema) {
  return PgConnection::Connect(url, schema);
}

core::Status CountPgByStatus(PgConnection& c, const char* table,
                             std::map<std::string, std::int64_t>& counts) {
  auto rows = c.Exec(std::string("SELECT status, COUNT(*) FROM ") + table + " GROUP BY status");
  if (!rows) return core::Unexpected(rows.error());
  for (int i = 0; i < rows->size(); ++i) counts[rows->Text(i, 0)] = rows->Int(i, 1);
  return core::Ok();
}

}  // namespace

core::Result<StoreSnapshot> ReadPgStore(const std::string& url, const std::string& schema,
                                        const std::string& run_type) {
  auto c = ConnectPg(url, schema);
  if (!c) return c.error();
  // The tables appear when the first replica has migrated the schema.
  auto migrated = (*c)->Exec("SELECT to_regclass('workflow_timers') IS NOT NULL");
  if (!migrated) return migrated.error();
  if (!migrated->Bool(0, 0)) {
    return core::Unexpected(core::MakeError(core::ErrorKind::kNotFound, "schema not migrated"));
  }
  // One snapshot (REPEATABLE READ): the counts and the runs describe the same moment.
  if (auto begun = (*c)->Exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); !begun) {
    return begun.error();
  }
  StoreSnapshot snapshot;
  auto runs = (*c)->Exec("SELECT id, status, state FROM workflow_runs WHERE type = $1",
                         store::postgres::PgParams().Add(run_type));
  if (!runs) return runs.error();
  for (int i = 0; i < runs->size(); ++i) {
    StoredRun run;
    run.id = runs->Text(i, 0);
    run.status = runs->Text(i, 1);
    run.state = nlohmann::json::parse(runs->Text(i, 2), nullptr, false);
    snapshot.runs.push_back(std::move(run));
  }
  if (auto s = CountPgByStatus(**c, "inbox", snapshot.inbox); !s) return s.error();
  if (auto s = CountPgByStatus(**c, "outbox", snapshot.outbox); !s) return s.error();
  auto timers = (*c)->Exec("SELECT run_id, name, due_at_ms FROM workflow_timers");
  if (!timers) return timers.error();
  for (int i = 0; i < timers->size(); ++i) {
    if (timers->Int(i, 2) <= LaterThan()) {
      ++snapshot.timers;
    } else {
      snapshot.later_timers.push_back(timers->Text(i, 0) + "/" + timers->Text(i, 1));
    }
  }
  (void)(*c)->Exec("COMMIT");
  return snapshot;
}

core::Result<ReplicaFacts> ReadReplicaFacts(const std::string& url, const std::string& schema) {
  auto c = ConnectPg(url, schema);
  if (!c) return c.error();
  ReplicaFacts facts;
  // Each episode's root is the effect "root-<episode>" of its incident run
  // (workflows/health/incident.cpp; "root-update-<n>" are its edits): one row per root post.
  auto roots = (*c)->Exec(
      "SELECT status, COUNT(*) FROM outbox WHERE run_id LIKE 'incident:%' AND step_id ~ "
      "'^root-[0-9]+$' GROUP BY status");
  if (!roots) return roots.error();
  for (int i = 0; i < roots->size(); ++i) {
    const std::string status = roots->Text(i, 0);
    if (status == "done") facts.incident_roots_done += roots->Int(i, 1);
    if (status == "pending" || status == "in_flight") facts.incident_roots_open += roots->Int(i, 1);
  }
  auto terms = (*c)->Exec("SELECT role, holder, epoch FROM leader_terms");
  if (!terms) return terms.error();
  for (int i = 0; i < terms->size(); ++i) {
    facts.leaders[terms->Text(i, 0)] = terms->Text(i, 1);
    facts.epochs[terms->Text(i, 0)] = terms->Int(i, 2);
  }
  return facts;
}

core::Status ExecPg(const std::string& url, const std::string& schema, const std::string& sql) {
  auto c = ConnectPg(url, schema);
  if (!c) return core::Unexpected(c.error());
  auto done = (*c)->Exec(sql);
  if (!done) return core::Unexpected(done.error());
  return core::Ok();
}

}  // namespace contexten::bench
