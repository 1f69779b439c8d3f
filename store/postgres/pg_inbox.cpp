#include "store/postgres/pg_inbox.hpp"

#include <chrono>
#include <limits>
#include <memory>
#include <utility>

#include "store/postgres/pg_connection.hpp"

namespace contexten::store::postgres {
namespace {

constexpr std::size_t kMaxErrorChars = 2000;  // last_error is for operators, not a log sink

constexpr const char* kInsert =
    "INSERT INTO inbox(source, dedupe_key, kind, body, received_at_ms, status, processed_at_ms, "
    "attempts, last_error) VALUES($1, $2, $3, $4, $5, $6, CASE WHEN $6 = 'pending' THEN NULL "
    "ELSE $5::BIGINT END, $7, $8) ON CONFLICT(source, dedupe_key) DO NOTHING RETURNING id";
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

core::Result<InboxItem> ReadRow(const PgRows& rows, int i) {
  InboxItem item;
  item.id = rows.Int(i, 0);
  item.source = rows.Text(i, 1);
  item.dedupe_key = rows.Text(i, 2);
  item.kind = rows.Text(i, 3);
  item.body = rows.Bytes(i, 4);
  item.received_at = FromMs(rows.Int(i, 5));
  const std::string status = rows.Text(i, 6);
  const std::optional<InboxStatus> parsed = InboxStatusFromString(status);
  if (!parsed) {
    return core::MakeError(
        core::ErrorKind::kInternal,
        "inbox row " + std::to_string(item.id) + " has an unknown status '" + status + "'");
  }
  item.status = *parsed;
  item.attempts = static_cast<int>(rows.Int(i, 7));
  item.last_error = rows.Text(i, 8);
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

// Sets a terminal status; with `count_failure` (a kFailed from MarkDoneAsync) also one more
// attempt and `reason` as last_error.
core::Status Terminate(PgConnection& connection, std::int64_t id, InboxStatus status,
                       bool count_failure, const std::string& reason, std::int64_t now_ms) {
  auto updated =
      count_failure
          ? connection.Exec(
                "UPDATE inbox SET status = 'failed', attempts = attempts + 1, last_error = $1, "
                "processed_at_ms = $2 WHERE id = $3",
                PgParams().Add(reason).Add(now_ms).Add(id))
          : connection.Exec("UPDATE inbox SET status = $1, processed_at_ms = $2 WHERE id = $3",
                            PgParams().Add(ToString(status)).Add(now_ms).Add(id));
  if (!updated) return updated.error();
  if (updated->affected() == 0) return NotFound(id);
  return core::Ok();
}

}  // namespace

core::Status InsertInboxRow(PgConnection& connection, const InboxItem& item, AppendResult& result) {
  if (item.source.empty() || item.dedupe_key.empty()) {
    return core::MakeError(core::ErrorKind::kInvalidInput,
                           "inbox item needs a source and a dedupe key");
  }
  const bool failed = item.status == InboxStatus::kFailed;
  PgParams params;
  params.Add(item.source)
      .Add(item.dedupe_key)
      .Add(item.kind)
      .AddBytes(item.body)
      .Add(ToMs(item.received_at))
      .Add(ToString(item.status))
      .Add(failed ? 1 : 0);
  if (failed) {
    params.Add(item.last_error);
  } else {
    params.AddNull();
  }
  auto inserted = connection.Exec(kInsert, params);
  if (!inserted) return inserted.error();
  if (!inserted->empty()) {
    result = AppendResult{AppendOutcome::kInserted, inserted->Int(0, 0)};
    return core::Ok();
  }
  // ON CONFLICT waited for the other insert to commit: the row is visible to this statement.
  auto found = connection.Exec("SELECT id FROM inbox WHERE source = $1 AND dedupe_key = $2",
                               PgParams().Add(item.source).Add(item.dedupe_key));
  if (!found) return found.error();
  if (found->empty()) {
    return core::MakeError(core::ErrorKind::kInternal, "inbox insert ignored but no row found");
  }
  result = AppendResult{AppendOutcome::kDuplicate, found->Int(0, 0)};
  return core::Ok();
}

PgInbox::PgInbox(PgDatabase& db, core::Clock& clock) : db_(db), clock_(clock) {}

void PgInbox::AppendAsync(InboxItem item, std::function<void(core::Result<AppendResult>)> done) {
  if (item.received_at == core::WallTime{}) item.received_at = clock_.WallNow();
  if (item.last_error.size() > kMaxErrorChars) item.last_error.resize(kMaxErrorChars);
  auto result = std::make_shared<AppendResult>();
  db_.Submit([item = std::move(item), result](
                 PgConnection& connection) { return InsertInboxRow(connection, item, *result); },
             [result, done = std::move(done)](core::Status status) {
               if (!done) return;
               if (status) {
                 done(*result);
               } else {
                 done(std::move(status.error()));
               }
             });
}

core::Result<AppendResult> PgInbox::Append(InboxItem item) {
  if (item.received_at == core::WallTime{}) item.received_at = clock_.WallNow();
  if (item.last_error.size() > kMaxErrorChars) item.last_error.resize(kMaxErrorChars);
  AppendResult result;
  auto status =
      db_.Run([&](PgConnection& connection) { return InsertInboxRow(connection, item, result); });
  if (!status) return status.error();
  return result;
}

core::Status PgInbox::MarkDone(std::int64_t id, InboxStatus status) {
  if (!IsTerminal(status)) return NotTerminal(status);
  const std::int64_t now_ms = ToMs(clock_.WallNow());
  // The status only: attempts and last_error stay as MarkFailed left them.
  return db_.Run([&](PgConnection& connection) {
    return Terminate(connection, id, status, /*count_failure=*/false, {}, now_ms);
  });
}

void PgInbox::MarkDoneAsync(std::int64_t id, InboxStatus status, std::string reason,
                            std::function<void(core::Status)> done) {
  if (!IsTerminal(status)) {
    if (done) done(NotTerminal(status));
    return;
  }
  if (reason.size() > kMaxErrorChars) reason.resize(kMaxErrorChars);
  const std::int64_t now_ms = ToMs(clock_.WallNow());
  db_.Submit(
      [id, status, reason = std::move(reason), now_ms](PgConnection& connection) {
        return Terminate(connection, id, status, status == InboxStatus::kFailed, reason, now_ms);
      },
      std::move(done));
}

core::Status PgInbox::MarkFailed(std::int64_t id, std::string reason) {
  if (reason.size() > kMaxErrorChars) reason.resize(kMaxErrorChars);
  return db_.Run([&](PgConnection& connection) -> core::Status {
    auto updated =
        connection.Exec("UPDATE inbox SET attempts = attempts + 1, last_error = $1 WHERE id = $2",
                        PgParams().Add(reason).Add(id));
    if (!updated) return updated.error();
    if (updated->affected() == 0) return NotFound(id);
    return core::Ok();
  });
}

core::Result<std::vector<InboxItem>> PgInbox::Pending(std::size_t limit,
                                                      const std::string& source) {
  std::vector<InboxItem> items;
  if (limit == 0) return items;
  const auto capped = static_cast<std::int64_t>(
      std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()));
  auto status = db_.Run([&](PgConnection& connection) -> core::Status {
    auto rows = connection.Exec(
        std::string(kColumns) +
            "WHERE status = 'pending' AND ($1 = '' OR source = $1) ORDER BY id LIMIT $2",
        PgParams().Add(source).Add(capped));
    if (!rows) return rows.error();
    for (int i = 0; i < rows->size(); ++i) {
      auto item = ReadRow(*rows, i);
      if (!item) return item.error();
      items.push_back(std::move(item).value());
    }
    return core::Ok();
  });
  if (!status) return status.error();
  return items;
}

core::Result<std::optional<InboxItem>> PgInbox::Find(const std::string& source,
                                                     const std::string& dedupe_key) {
  std::optional<InboxItem> found;
  auto status = db_.Run([&](PgConnection& connection) -> core::Status {
    auto rows = connection.Exec(std::string(kColumns) + "WHERE source = $1 AND dedupe_key = $2",
                                PgParams().Add(source).Add(dedupe_key));
    if (!rows) return rows.error();
    if (!rows->empty()) {
      auto item = ReadRow(*rows, 0);
      if (!item) return item.error();
      found = std::move(item).value();
    }
    return core::Ok();
  });
  if (!status) return status.error();
  return found;
}

core::Result<std::int64_t> PgInbox::Count(const std::string& source) {
  std::int64_t count = 0;
  auto status = db_.Run([&](PgConnection& connection) -> core::Status {
    auto rows =
        connection.Exec("SELECT COUNT(*) FROM inbox WHERE source = $1", PgParams().Add(source));
    if (!rows) return rows.error();
    count = rows->Int(0, 0);
    return core::Ok();
  });
  if (!status) return status.error();
  return count;
}

}  // namespace contexten::store::postgres
