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
//
// Replicas (../shared/DESIGN.md §2, store/): with a Leadership, only the replica that leads the
// role fires. The term is confirmed before each fire (Lead re-checks its session), and a tick
// whose term changed or was lost stops firing: a replica that lost its lock to a new leader (a
// greater epoch) does not fire beside it. The compare and set on last_slot and the slot's run id
// are what still hold if two replicas briefly overlap.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/leadership.hpp"
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
  bool leading = true;                      // false: another replica leads; nothing was fired
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

  // Fires only while `leadership` leads `role` (null: always, the single-process default). A
  // follower looks again `follower_poll` later, so it takes over within that after the leader
  // died. Set before the first Tick.
  void set_leadership(store::Leadership* leadership, std::string role = "scheduler",
                      core::Millis follower_poll = std::chrono::seconds(5));

  core::Result<TickResult> Tick(core::WallTime now);

 private:
  // The term this replica holds now; nullopt when it does not lead (or cannot tell).
  std::optional<std::int64_t> Term();

  store::ScheduleStore& store_;
  Fire fire_;
  core::Millis retry_after_;
  store::Leadership* leadership_ = nullptr;
  std::string role_ = "scheduler";
  core::Millis follower_poll_ = std::chrono::seconds(5);
};

}  // namespace contexten::workflows::schedule
