#pragma once
// Where the outcome of processing a stored webhook delivery is recorded on its inbox row.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "store/inbox.hpp"

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

}  // namespace contexten::bot::webhooks
