#include "store/migrations.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <array>
#include <chrono>
#include <string>

#include "store/database.hpp"
#include "store/sqlite_error.hpp"

namespace contexten::store {
namespace {

// Append only: a migration, once released, is never edited. Index i is version i + 1.
constexpr std::array<const char*, 5> kMigrations = {
    // 1: the inbox. UNIQUE(source, dedupe_key) is what makes redeliveries no-ops; the
    // (status, id) index serves "pending, oldest first" for crash-recovery replay.
    R"sql(
      CREATE TABLE inbox (
        id INTEGER PRIMARY KEY,
        source TEXT NOT NULL,
        dedupe_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        body BLOB NOT NULL,
        received_at_ms INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        processed_at_ms INTEGER,
        UNIQUE(source, dedupe_key)
      );
      CREATE INDEX inbox_status_id ON inbox(status, id);
    )sql",
    // 2: who did what, for operators.
    R"sql(
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at_ms INTEGER NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT
      );
    )sql",
    // 3: the orchestration core (DESIGN.md §3). A run's state, its outbox, timers, waits, the
    // events it consumed (per-run dedupe), its history, and the correlation links.
    R"sql(
      CREATE TABLE workflow_runs (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        status TEXT NOT NULL,
        state TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL
      );
      CREATE INDEX workflow_runs_status ON workflow_runs(status, type);
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL,
        step_id TEXT NOT NULL,
        lane TEXT NOT NULL,
        kind TEXT NOT NULL,
        order_key TEXT NOT NULL,
        args TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        due_at_ms INTEGER NOT NULL,
        last_error TEXT,
        outcome_unknown INTEGER NOT NULL DEFAULT 0,
        result TEXT,
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL,
        UNIQUE(run_id, step_id)
      );
      CREATE INDEX outbox_due ON outbox(lane, status, due_at_ms);
      CREATE INDEX outbox_order ON outbox(order_key, status, id);
      CREATE INDEX outbox_status ON outbox(status, id);
      CREATE TABLE workflow_timers (
        run_id TEXT NOT NULL,
        name TEXT NOT NULL,
        due_at_ms INTEGER NOT NULL,
        PRIMARY KEY(run_id, name)
      );
      CREATE INDEX workflow_timers_due ON workflow_timers(due_at_ms);
      CREATE TABLE workflow_waits (
        wait_key TEXT NOT NULL,
        run_id TEXT NOT NULL,
        PRIMARY KEY(wait_key, run_id)
      );
      CREATE INDEX workflow_waits_run ON workflow_waits(run_id);
      CREATE TABLE workflow_events (
        run_id TEXT NOT NULL,
        event_key TEXT NOT NULL,
        PRIMARY KEY(run_id, event_key)
      ) WITHOUT ROWID;
      CREATE TABLE workflow_history (
        id INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL
      );
      CREATE INDEX workflow_history_run ON workflow_history(run_id, id);
      CREATE TABLE correlation_links (
        id INTEGER PRIMARY KEY,
        from_key TEXT NOT NULL,
        to_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        evidence TEXT NOT NULL,
        run_id TEXT,
        created_at_ms INTEGER NOT NULL,
        UNIQUE(from_key, to_key, kind)
      );
      CREATE INDEX correlation_links_to ON correlation_links(to_key);
    )sql",
    // 4: scheduled channel reports. next_due_ms is what the scheduler loop waits for (one row,
    // no thread per schedule); last_slot_ms is the last slot fired, so a restart or a second
    // tick never fires a slot twice.
    R"sql(
      CREATE TABLE schedules (
        id INTEGER PRIMARY KEY,
        channel TEXT NOT NULL,
        kind TEXT NOT NULL,
        cron TEXT NOT NULL,
        tz TEXT NOT NULL,
        options TEXT NOT NULL DEFAULT '{}',
        created_by TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        last_slot_ms INTEGER,
        next_due_ms INTEGER,
        enabled INTEGER NOT NULL DEFAULT 1
      );
      CREATE INDEX schedules_due ON schedules(enabled, next_due_ms);
    )sql",
    // 6 in the merged order (issue 10; the 5th entry on this branch): channel subscriptions.
    // One row per channel and target; `spec` is the subscription's features, filters and
    // noise settings as JSON (workflows/subscriptions/subscription.hpp). The (platform,
    // target) index serves "who subscribes to this repository" for every webhook.
    R"sql(
      CREATE TABLE subscriptions (
        id INTEGER PRIMARY KEY,
        channel TEXT NOT NULL,
        platform TEXT NOT NULL,
        target TEXT NOT NULL,
        spec TEXT NOT NULL DEFAULT '{}',
        created_by TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL,
        UNIQUE(channel, platform, target)
      );
      CREATE INDEX subscriptions_target ON subscriptions(platform, target);
    )sql",
};

int CurrentVersion(SQLite::Database& db) {
  return db.execAndGet("SELECT COALESCE(MAX(version), 0) FROM schema_version").getInt();
}

std::int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(kMigrations.size()); }

core::Result<int> MigrateConnection(SQLite::Database& db) {
  const int latest = LatestSchemaVersion();
  try {
    db.exec(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        "version INTEGER PRIMARY KEY, applied_at_ms INTEGER NOT NULL)");
    while (true) {
      db.exec("BEGIN IMMEDIATE");
      try {
        // Re-read under the write lock: another process may have migrated meanwhile.
        const int version = CurrentVersion(db);
        if (version > latest) {
          db.exec("ROLLBACK");
          return core::Unexpected(core::MakeError(
              core::ErrorKind::kConflict, "database schema version " + std::to_string(version) +
                                              " is newer than this build's " +
                                              std::to_string(latest)));
        }
        if (version == latest) {
          db.exec("COMMIT");
          return version;
        }
        db.exec(kMigrations[static_cast<std::size_t>(version)]);
        SQLite::Statement record(db,
                                 "INSERT INTO schema_version(version, applied_at_ms) VALUES(?, ?)");
        record.bind(1, version + 1);
        record.bind(2, static_cast<std::int64_t>(NowMs()));
        record.exec();
        db.exec("COMMIT");
      } catch (...) {
        db.tryExec("ROLLBACK");
        throw;
      }
    }
  } catch (const SQLite::Exception& e) {
    return core::Unexpected(FromSqlite(e, "migration"));
  } catch (const std::exception& e) {
    return core::Unexpected(FromException(e, "migration"));
  }
}

core::Result<int> Migrate(const std::string& path) {
  if (path.empty() || path == ":memory:") {
    return core::Unexpected(
        core::MakeError(core::ErrorKind::kInvalidInput, "store path must name a file"));
  }
  try {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 5000);
    return MigrateConnection(db);
  } catch (const SQLite::Exception& e) {
    return core::Unexpected(FromSqlite(e, "open " + path));
  }
}

}  // namespace contexten::store
