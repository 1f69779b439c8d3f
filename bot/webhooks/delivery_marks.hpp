#pragma once
// Where the outcome of processing a stored webhook delivery is recorded on its inbox row.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "store/database.hpp"
#include "store/inbox.hpp"
#include "store/sqlite_inbox.hpp"

namespace contexten::bot::webhooks {

class DeliveryMarks {
 public:
  virtual ~DeliveryMarks() = default;
  // `status` is terminal: "done", "skipped" or "failed" (with `reason`). Errors are logged by
  // the implementation; a row that could not be marked stays pending and is looked at again.
  // `finished`, if set, runs once the mark is durable or has failed.
  virtual void Mark(std::int64_t inbox_id, const std::string& status, const std::string& reason,
                    std::function<void()> finished = {}) = 0;
};

// Through Inbox::MarkDoneAsync: returns at once, and with the SQLite inbox the marks ride in
// the same group commits as the appends instead of each worker waiting for a commit of its own
// (at thousands of deliveries per second the blocking form would fall minutes behind).
class InboxPortMarks final : public DeliveryMarks {
 public:
  explicit InboxPortMarks(store::Inbox& inbox) : inbox_(inbox) {}
  void Mark(std::int64_t inbox_id, const std::string& status, const std::string& reason,
            std::function<void()> finished = {}) override;

 private:
  store::Inbox& inbox_;
};

// The same over a Database given directly (kept for callers that predate
// Inbox::MarkDoneAsync; the ingress's default, InboxPortMarks, now does the same).
class AsyncStoreMarks final : public DeliveryMarks {
 public:
  AsyncStoreMarks(store::Database& db, core::Clock& clock) : inbox_(db, clock), marks_(inbox_) {}
  void Mark(std::int64_t inbox_id, const std::string& status, const std::string& reason,
            std::function<void()> finished = {}) override {
    marks_.Mark(inbox_id, status, reason, std::move(finished));
  }

 private:
  store::SqliteInbox inbox_;
  InboxPortMarks marks_;
};

}  // namespace contexten::bot::webhooks
