#pragma once
// Where the outcome of processing a stored webhook delivery is recorded on its inbox row.

#include <cstdint>
#include <memory>
#include <string>

#include "core/clock.hpp"
#include "store/database.hpp"
#include "store/inbox.hpp"

namespace contexten::bot::webhooks {

class DeliveryMarks {
 public:
  virtual ~DeliveryMarks() = default;
  // `status` is terminal: "done", "skipped" or "failed" (with `reason`). Errors are logged by
  // the implementation; a row that could not be marked stays pending and is looked at again.
  virtual void Mark(std::int64_t inbox_id, const std::string& status,
                    const std::string& reason) = 0;
};

// Through the Inbox port. Each call blocks for its own commit, which is fine at test rates.
class InboxPortMarks final : public DeliveryMarks {
 public:
  explicit InboxPortMarks(store::Inbox& inbox) : inbox_(inbox) {}
  void Mark(std::int64_t inbox_id, const std::string& status, const std::string& reason) override;

 private:
  store::Inbox& inbox_;
};

// Submits the update to the store's writer and returns at once, so marks ride in the same
// group commits as the appends instead of each worker waiting for a commit of its own (at
// thousands of deliveries per second the blocking form would fall minutes behind).
class AsyncStoreMarks final : public DeliveryMarks {
 public:
  AsyncStoreMarks(store::Database& db, core::Clock& clock) : db_(db), clock_(clock) {}
  void Mark(std::int64_t inbox_id, const std::string& status, const std::string& reason) override;

 private:
  store::Database& db_;
  core::Clock& clock_;
};

}  // namespace contexten::bot::webhooks
