#pragma once
// The inbox on PostgreSQL: UNIQUE(source, dedupe_key) with INSERT ... ON CONFLICT DO NOTHING, so
// a redelivery is a no-op whichever replica it lands on.

#include <memory>

#include "core/clock.hpp"
#include "store/inbox.hpp"
#include "store/postgres/pg_database.hpp"

namespace contexten::store::postgres {

class PgConnection;

// Inserts `item` (or finds the existing row of its key) inside the caller's transaction: the
// inbox append of a StepCommit (StepCommit::inbox_append).
core::Status InsertInboxRow(PgConnection& connection, const InboxItem& item, AppendResult& result);

// AppendAsync and MarkDoneAsync are group-committed: what callers queue while one transaction
// runs goes into the next one (up to kMaxBatch operations), so a burst of webhooks costs one WAL
// flush per batch, not one per delivery, as the SQLite store's writer does (DESIGN.md §3 "one
// writer thread ... group commit"). Each `done` still runs only after its operation committed.
class PgInbox final : public Inbox {
 public:
  PgInbox(PgDatabase& db, core::Clock& clock);

  // `done` runs on the store's worker thread, never on the caller's stack.
  void AppendAsync(InboxItem item, std::function<void(core::Result<AppendResult>)> done) override;
  core::Result<AppendResult> Append(InboxItem item) override;
  core::Status MarkDone(std::int64_t id, InboxStatus status = InboxStatus::kDone) override;
  core::Status MarkFailed(std::int64_t id, std::string reason) override;
  void MarkDoneAsync(std::int64_t id, InboxStatus status, std::string reason,
                     std::function<void(core::Status)> done) override;
  core::Result<std::vector<InboxItem>> Pending(std::size_t limit,
                                               const std::string& source = {}) override;
  core::Result<std::optional<InboxItem>> Find(const std::string& source,
                                              const std::string& dedupe_key) override;
  core::Result<std::int64_t> Count(const std::string& source) override;

 private:
  struct Batcher;

  PgDatabase& db_;
  core::Clock& clock_;
  // Shared with the batches in flight: their completions may run after this object is gone
  // (PgDatabase drains its worker when it is destroyed, which may be later).
  std::shared_ptr<Batcher> batcher_;
};

}  // namespace contexten::store::postgres
