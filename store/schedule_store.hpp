#pragma once
// Scheduled channel reports (../shared/DESIGN.md §2, store/ "schedules"). A schedule is a row:
// its cron and zone, the channel it posts to, the last slot it fired (so a slot fires once, even
// across restarts) and when it is next due (what the scheduler loop waits for).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace contexten::store {

struct ScheduleRecord {
  std::int64_t id = 0;
  std::string channel;
  std::string kind;            // "digest" | "weekly"
  std::string cron;            // five fields or a macro (workflows/schedule/cron.hpp)
  std::string tz;              // IANA name, "UTC" by default
  std::string options = "{}";  // JSON: the report's options
  std::string created_by;      // Slack user id
  std::int64_t created_at_ms = 0;
  std::optional<std::int64_t> last_slot_ms;  // the last slot fired
  std::optional<std::int64_t> next_due_ms;   // the next slot, as last computed
  bool enabled = true;
};

// Port. Implemented by SqliteScheduleStore.
class ScheduleStore {
 public:
  virtual ~ScheduleStore() = default;
  // Stores `record` (its id is ignored) and returns the new id.
  virtual core::Result<std::int64_t> Add(const ScheduleRecord& record) = 0;
  virtual core::Result<std::optional<ScheduleRecord>> Get(std::int64_t id) = 0;
  // Every schedule, or only the enabled ones, by id.
  virtual core::Result<std::vector<ScheduleRecord>> List(bool enabled_only) = 0;
  // Deletes; false when there was no such schedule.
  virtual core::Result<bool> Remove(std::int64_t id) = 0;
  // Records that `slot_ms` fired and the next due time, only if no slot at or after it fired
  // already (compare and set): false when another tick or process got there first.
  virtual core::Result<bool> MarkFired(std::int64_t id, std::int64_t slot_ms,
                                       std::optional<std::int64_t> next_due_ms) = 0;
  // Sets the next due time (nullopt: never, e.g. a cron that cannot fire) without firing.
  virtual core::Status SetNextDue(std::int64_t id, std::optional<std::int64_t> next_due_ms) = 0;
  // The earliest next_due_ms of the enabled schedules.
  virtual core::Result<std::optional<std::int64_t>> NextDue() = 0;
};

}  // namespace contexten::store
