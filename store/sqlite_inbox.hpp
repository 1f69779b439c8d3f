#pragma once
// The Inbox port over the SQLite store. Appends go through the writer thread (group commit), so
// many concurrent deliveries share one fsync; reads use the read-only connection.

#include "core/clock.hpp"
#include "store/database.hpp"
#include "store/inbox.hpp"

namespace contexten::store {

// Inserts `item` (received_at set) inside a write the caller runs on the writer thread; `result`
// says whether it was new or which row it duplicates. Shared by SqliteInbox and by
// SqliteWorkflowStore::CommitStep, which can append the row its step consumes
// (StepCommit::inbox_append).
core::Status InsertInboxRow(SQLite::Database& db, const InboxItem& item, AppendResult& result);

class SqliteInbox final : public Inbox {
 public:
  // `db` and `clock` must outlive this inbox. received_at is stamped from `clock` unless the
  // item already carries one.
  SqliteInbox(Database& db, core::Clock& clock);

  void AppendAsync(InboxItem item, std::function<void(core::Result<AppendResult>)> done) override;
  core::Result<AppendResult> Append(InboxItem item) override;
  // `status` is the terminal state: kDone, kFailed (gave up) or kSkipped.
  core::Status MarkDone(std::int64_t id, InboxStatus status = InboxStatus::kDone) override;
  // Records a failed attempt; the row stays pending so replay tries it again.
  core::Status MarkFailed(std::int64_t id, std::string reason) override;
  // Submitted to the writer, so marks share group commits with appends.
  void MarkDoneAsync(std::int64_t id, InboxStatus status, std::string reason,
                     std::function<void(core::Status)> done) override;
  core::Result<std::vector<InboxItem>> Pending(std::size_t limit,
                                               const std::string& source = {}) override;
  core::Result<std::optional<InboxItem>> Find(const std::string& source,
                                              const std::string& dedupe_key) override;
  core::Result<std::int64_t> Count(const std::string& source) override;

 private:
  Database& db_;
  core::Clock& clock_;
};

}  // namespace contexten::store
