#include "store/sqlite_inbox.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <chrono>
#include <future>
#include <limits>
#include <memory>
#include <utility>

namespace contexten::store {
namespace {

constexpr std::size_t kMaxErrorChars = 2000;  // last_error is for operators, not a log sink

constexpr const char* kInsert =
    "INSERT INTO inbox(source, dedupe_key, kind, body, received_at_ms) VALUES(?, ?, ?, ?, ?) "
    "ON CONFLICT(source, dedupe_key) DO NOTHING";
// A row that is finished on arrival (a delivery nobody processes): one write, not two.
constexpr const char* kInsertFinished =
    "INSERT INTO inbox(source, dedupe_key, kind, body, received_at_ms, status, processed_at_ms) "
    "VALUES(?, ?, ?, ?, ?, ?, ?5) ON CONFLICT(source, dedupe_key) DO NOTHING";
// Failed on arrival (a body its parser refused): one attempt, with the reason.
constexpr const char* kInsertFailed =
    "INSERT INTO inbox(source, dedupe_key, kind, body, received_at_ms, status, processed_at_ms, "
    "attempts, last_error) VALUES(?, ?, ?, ?, ?, 'failed', ?5, 1, ?6) "
    "ON CONFLICT(source, dedupe_key) DO NOTHING";
constexpr const char* kFindId = "SELECT id FROM inbox WHERE source = ? AND dedupe_key = ?";
constexpr const char* kColumns =
    "SELECT id, source, dedupe_key, kind, body, received_at_ms, status, attempts, "
    "COALESCE(last_error, '') FROM inbox ";

std::int64_t ToMs(core::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

core::WallTime FromMs(std::int64_t ms) {
  return core::WallTime{
      std::chrono::duration_cast<core::WallTime::duration>(std::chrono::milliseconds(ms))};
}

// A row whose status text is not one of InboxStatus's is reported, not guessed at.
core::Result<InboxItem> ReadRow(SQLite::Statement& row) {
  InboxItem item;
  item.id = row.getColumn(0).getInt64();
  item.source = row.getColumn(1).getString();
  item.dedupe_key = row.getColumn(2).getString();
  item.kind = row.getColumn(3).getString();
  const SQLite::Column body = row.getColumn(4);
  item.body.assign(static_cast<const char*>(body.getBlob()),
                   static_cast<std::size_t>(body.getBytes()));
  item.received_at = FromMs(row.getColumn(5).getInt64());
  const std::string status = row.getColumn(6).getString();
  const std::optional<InboxStatus> parsed = InboxStatusFromString(status);
  if (!parsed) {
    return core::MakeError(
        core::ErrorKind::kInternal,
        "inbox row " + std::to_string(item.id) + " has an unknown status '" + status + "'");
  }
  item.status = *parsed;
  item.attempts = row.getColumn(7).getInt();
  item.last_error = row.getColumn(8).getString();
  return item;
}

core::Status NotFound(std::int64_t id) {
  return core::MakeError(core::ErrorKind::kNotFound, "no inbox row " + std::to_string(id));
}

core::Error NotTerminal(InboxStatus status) {
  return core::MakeError(core::ErrorKind::kInvalidInput,
                         "inbox terminal status must be done, failed or skipped, not '" +
                             std::string(ToString(status)) + "'");
}

// Sets a terminal status without touching attempts or last_error.
core::Status UpdateStatus(SQLite::Database& db, std::int64_t id, InboxStatus status,
                          std::int64_t now_ms) {
  SQLite::Statement& update =
      Prepared(db, "UPDATE inbox SET status = ?, processed_at_ms = ? WHERE id = ?");
  update.bind(1, std::string(ToString(status)));
  update.bind(2, now_ms);
  update.bind(3, id);
  if (update.exec() == 0) return NotFound(id);
  return core::Ok();
}

}  // namespace

core::Status InsertInboxRow(SQLite::Database& db, const InboxItem& item, AppendResult& result) {
  if (item.source.empty() || item.dedupe_key.empty()) {
    return core::MakeError(core::ErrorKind::kInvalidInput,
                           "inbox item needs a source and a dedupe key");
  }
  if (item.body.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    return core::MakeError(core::ErrorKind::kTooLarge, "inbox body too large");
  }
  const bool failed = item.status == InboxStatus::kFailed;
  const bool finished = IsTerminal(item.status);
  SQLite::Statement& insert =
      Prepared(db, failed ? kInsertFailed : (finished ? kInsertFinished : kInsert));
  insert.bind(1, item.source);
  insert.bind(2, item.dedupe_key);
  insert.bind(3, item.kind);
  insert.bindNoCopy(4, static_cast<const void*>(item.body.data()),
                    static_cast<int>(item.body.size()));
  insert.bind(5, static_cast<std::int64_t>(ToMs(item.received_at)));
  if (failed) {
    insert.bind(6, item.last_error);
  } else if (finished) {
    insert.bind(6, std::string(ToString(item.status)));
  }
  if (insert.exec() == 1) {
    result = AppendResult{AppendOutcome::kInserted, db.getLastInsertRowid()};
    return core::Ok();
  }
  SQLite::Statement& find = Prepared(db, kFindId);
  find.bind(1, item.source);
  find.bind(2, item.dedupe_key);
  if (!find.executeStep()) {
    return core::MakeError(core::ErrorKind::kInternal, "inbox insert ignored but no row found");
  }
  result = AppendResult{AppendOutcome::kDuplicate, find.getColumn(0).getInt64()};
  return core::Ok();
}

SqliteInbox::SqliteInbox(Database& db, core::Clock& clock) : db_(db), clock_(clock) {}

void SqliteInbox::AppendAsync(InboxItem item,
                              std::function<void(core::Result<AppendResult>)> done) {
  if (item.received_at == core::WallTime{}) item.received_at = clock_.WallNow();
  if (item.last_error.size() > kMaxErrorChars) item.last_error.resize(kMaxErrorChars);
  // Filled on the writer thread by the work, read by `done` on the same thread after commit.
  auto result = std::make_shared<AppendResult>();
  auto work = [item = std::move(item), result](SQLite::Database& db) -> core::Status {
    return InsertInboxRow(db, item, *result);
  };
  db_.Submit(std::move(work), [result, done = std::move(done)](core::Status status) {
    if (!done) return;
    if (status) {
      done(*result);
    } else {
      done(std::move(status.error()));
    }
  });
}

core::Result<AppendResult> SqliteInbox::Append(InboxItem item) {
  if (db_.OnWriterThread()) {
    return core::MakeError(core::ErrorKind::kInternal,
                           "SqliteInbox::Append called on the writer thread (use AppendAsync)");
  }
  std::promise<core::Result<AppendResult>> promise;
  auto future = promise.get_future();
  AppendAsync(std::move(item),
              [&promise](core::Result<AppendResult> r) { promise.set_value(std::move(r)); });
  return future.get();
}

core::Status SqliteInbox::MarkDone(std::int64_t id, InboxStatus status) {
  if (!IsTerminal(status)) return NotTerminal(status);
  const std::int64_t now_ms = ToMs(clock_.WallNow());
  return db_.Write(
      [&](SQLite::Database& db) -> core::Status { return UpdateStatus(db, id, status, now_ms); });
}

void SqliteInbox::MarkDoneAsync(std::int64_t id, InboxStatus status, std::string reason,
                                std::function<void(core::Status)> done) {
  if (!IsTerminal(status)) {
    if (done) done(NotTerminal(status));
    return;
  }
  if (reason.size() > kMaxErrorChars) reason.resize(kMaxErrorChars);
  const std::int64_t now_ms = ToMs(clock_.WallNow());
  db_.Submit(
      [id, status, reason = std::move(reason), now_ms](SQLite::Database& db) -> core::Status {
        if (status != InboxStatus::kFailed) return UpdateStatus(db, id, status, now_ms);
        SQLite::Statement& update =
            Prepared(db,
                     "UPDATE inbox SET status = 'failed', attempts = attempts + 1, last_error = ?, "
                     "processed_at_ms = ? WHERE id = ?");
        update.bind(1, reason);
        update.bind(2, now_ms);
        update.bind(3, id);
        if (update.exec() == 0) return NotFound(id);
        return core::Ok();
      },
      std::move(done));
}

core::Status SqliteInbox::MarkFailed(std::int64_t id, std::string reason) {
  if (reason.size() > kMaxErrorChars) reason.resize(kMaxErrorChars);
  return db_.Write([&](SQLite::Database& db) -> core::Status {
    SQLite::Statement& update =
        Prepared(db, "UPDATE inbox SET attempts = attempts + 1, last_error = ? WHERE id = ?");
    update.bind(1, reason);
    update.bind(2, id);
    if (update.exec() == 0) return NotFound(id);
    return core::Ok();
  });
}

core::Result<std::vector<InboxItem>> SqliteInbox::Pending(std::size_t limit,
                                                          const std::string& source) {
  std::vector<InboxItem> items;
  if (limit == 0) return items;
  const auto capped = static_cast<std::int64_t>(
      std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
  core::Status status = db_.ReadOnly([&](SQLite::Database& db) -> core::Status {
    SQLite::Statement& query = Prepared(
        db, std::string(kColumns) +
                "WHERE status = 'pending' AND (?1 = '' OR source = ?1) ORDER BY id LIMIT ?2");
    query.bind(1, source);
    query.bind(2, capped);
    while (query.executeStep()) {
      auto item = ReadRow(query);
      if (!item) return item.error();
      items.push_back(std::move(item).value());
    }
    return core::Ok();
  });
  if (!status) return status.error();
  return items;
}

core::Result<std::optional<InboxItem>> SqliteInbox::Find(const std::string& source,
                                                         const std::string& dedupe_key) {
  std::optional<InboxItem> found;
  core::Status status = db_.ReadOnly([&](SQLite::Database& db) -> core::Status {
    SQLite::Statement& query =
        Prepared(db, std::string(kColumns) + "WHERE source = ? AND dedupe_key = ?");
    query.bind(1, source);
    query.bind(2, dedupe_key);
    if (query.executeStep()) {
      auto item = ReadRow(query);
      if (!item) return item.error();
      found = std::move(item).value();
    }
    return core::Ok();
  });
  if (!status) return status.error();
  return found;
}

core::Result<std::int64_t> SqliteInbox::Count(const std::string& source) {
  std::int64_t count = 0;
  core::Status status = db_.ReadOnly([&](SQLite::Database& db) -> core::Status {
    SQLite::Statement& query = Prepared(db, "SELECT COUNT(*) FROM inbox WHERE source = ?");
    query.bind(1, source);
    if (query.executeStep()) count = query.getColumn(0).getInt64();
    return core::Ok();
  });
  if (!status) return status.error();
  return count;
}

}  // namespace contexten::store
