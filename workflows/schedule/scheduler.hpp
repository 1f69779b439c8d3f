#pragma once
// The scheduler (../shared/DESIGN.md §2, workflows/schedule/): Tick(now) finds the schedules
// whose slot has come, fires each once, and says when to look again. Nothing here sleeps or
// holds a thread per schedule: the next due time is a row (store/schedule_store.hpp).
//
// Slots: the instants a schedule's cron names in its zone (workflows/schedule/cron.hpp). A slot
// is due when it is after the last slot fired (or the schedule's creation) and at or before now.
// When several are due (the process was down over them), only the latest fires: a report missed
// during downtime runs once on start, not once per missed slot. A slot is recorded as fired
// (compare and set on last_slot) after the fire callback accepted it, so a crash in between
// fires it again on restart: the callback must be idempotent per (schedule, slot), e.g. a
// workflow run whose id is derived from both.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/schedule_store.hpp"

namespace contexten::workflows::schedule {

// What one schedule needs now (pure).
struct SlotPlan {
  std::optional<core::WallTime> due_slot;  // the latest due slot, to fire now
  std::optional<core::WallTime> next_due;  // the first slot after now (nullopt: never)
  std::string error;                       // the cron or zone does not parse
};

SlotPlan PlanSchedule(const store::ScheduleRecord& schedule, core::WallTime now);

struct Trigger {
  std::int64_t schedule_id = 0;
  core::WallTime slot{};
};

struct TickResult {
  std::vector<Trigger> fired;
  std::optional<core::WallTime> next_wake;  // the earliest next due time (nullopt: none)
  std::vector<std::string> errors;          // schedules that could not be planned or fired
};

// A stable run id for one slot of one schedule: "report:<id>@<slot ms>".
std::string SlotRunId(std::int64_t schedule_id, core::WallTime slot);

class Scheduler {
 public:
  // Starts what a slot asks for; must be idempotent per (schedule, slot). An error leaves the
  // slot unfired, to be tried again `retry_after` later.
  using Fire = std::function<core::Status(const store::ScheduleRecord&, core::WallTime slot)>;

  Scheduler(store::ScheduleStore& store, Fire fire,
            core::Millis retry_after = std::chrono::seconds(30));

  core::Result<TickResult> Tick(core::WallTime now);

 private:
  store::ScheduleStore& store_;
  Fire fire_;
  core::Millis retry_after_;
};

}  // namespace contexten::workflows::schedule
