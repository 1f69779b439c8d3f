#include "store/postgres/pg_inbox.hpp"

#include <chrono>
#include <deque>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

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

namespace {

// One queued AppendAsync or MarkDoneAsync.
struct QueuedOp {
  std::optional<InboxItem> item;  // set: an append
  std::function<void(core::Result<AppendResult>)> append_done;
  AppendResult result;
  std::int64_t id = 0;  // a terminal mark
  InboxStatus status = InboxStatus::kDone;
  std::string reason;
  std::int64_t now_ms = 0;
  std::function<void(core::Status)> mark_done;

  core::Status Perform(PgConnection& connection) {
    if (item) return InsertInboxRow(connection, *item, result);
    return Terminate(connection, id, status, status == InboxStatus::kFailed, reason, now_ms);
  }

  void Finish(const core::Status& outcome) {
    if (item) {
      if (!append_done) return;
      if (outcome) {
        append_done(result);
      } else {
        append_done(outcome.error());
      }
    } else if (mark_done) {
      mark_done(outcome);
    }
  }
};

}  // namespace

struct PgInbox::Batcher {
  // Enough to flush a burst in a few transactions, small enough that one batch's rows and
  // locks stay modest and a failed batch is cheap to redo one by one.
  static constexpr std::size_t kMaxBatch = 256;

  explicit Batcher(PgDatabase& database) : db(database) {}

  PgDatabase& db;
  std::mutex mu;
  std::deque<QueuedOp> queue;
  bool in_flight = false;  // one batch at a time: the next one collects what arrives meanwhile

  static void Enqueue(const std::shared_ptr<Batcher>& self, QueuedOp op) {
    {
      std::lock_guard lock(self->mu);
      self->queue.push_back(std::move(op));
    }
    Kick(self);
  }

  static void Kick(const std::shared_ptr<Batcher>& self) {
    auto ops = std::make_shared<std::vector<QueuedOp>>();
    {
      std::lock_guard lock(self->mu);
      if (self->in_flight || self->queue.empty()) return;
      const std::size_t n = std::min(kMaxBatch, self->queue.size());
      ops->reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        ops->push_back(std::move(self->queue.front()));
        self->queue.pop_front();
      }
      self->in_flight = true;
    }
    self->db.Submit(
        [ops](PgConnection& connection) -> core::Status {
          for (QueuedOp& op : *ops) {
            if (auto done = op.Perform(connection); !done) return done;
          }
          return core::Ok();
        },
        [self, ops](core::Status status) {
          if (status || ops->size() == 1 || status.error().kind == core::ErrorKind::kUnavailable) {
            for (QueuedOp& op : *ops) op.Finish(status);
          } else {
            // One operation failed (a mark of a missing row, say) and rolled the batch back:
            // each gets its own transaction and its own outcome, as without batching.
            for (QueuedOp& op : *ops) {
              op.Finish(self->db.Transact(
                  [&op](PgConnection& connection) { return op.Perform(connection); }));
            }
          }
          {
            std::lock_guard lock(self->mu);
            self->in_flight = false;
          }
          Kick(self);
        });
  }
};

PgInbox::PgInbox(PgDatabase& db, core::Clock& clock)
    : db_(db), clock_(clock), batcher_(std::make_shared<Batcher>(db)) {}

void PgInbox::AppendAsync(InboxItem item, std::function<void(core::Result<AppendResult>)> done) {
  if (item.received_at == core::WallTime{}) item.received_at = clock_.WallNow();
  if (item.last_error.size() > kMaxErrorChars) item.last_error.resize(kMaxErrorChars);
  QueuedOp op;
  op.item = std::move(item);
  op.append_done = std::move(done);
  Batcher::Enqueue(batcher_, std::move(op));
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
  QueuedOp op;
  op.id = id;
  op.status = status;
  op.reason = std::move(reason);
  op.now_ms = ToMs(clock_.WallNow());
  op.mark_done = std::move(done);
  Batcher::Enqueue(batcher_, std::move(op));
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
