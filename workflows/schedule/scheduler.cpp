#include "workflows/schedule/scheduler.hpp"

#include <algorithm>
#include <array>

#include "workflows/schedule/cron.hpp"

namespace contexten::workflows::schedule {
namespace {

using namespace std::chrono_literals;

std::int64_t ToMs(core::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

core::WallTime FromMs(std::int64_t ms) {
  return core::WallTime{
      std::chrono::duration_cast<core::WallTime::duration>(std::chrono::milliseconds(ms))};
}

// The latest slot in (after, now], knowing there is at least one (`first`). Looks back over
// growing windows so an every-minute schedule after a month of downtime does not walk every
// missed minute.
core::WallTime LatestDue(const CronSpec& spec, const TimeZone& zone, core::WallTime after,
                         core::WallTime first, core::WallTime now) {
  constexpr std::array<std::chrono::hours, 5> kWindows = {1h, 24h, 24h * 8, 24h * 32, 24h * 367};
  std::optional<core::WallTime> start;
  for (const auto window : kWindows) {
    const core::WallTime from = std::max(after, now - window);
    if (auto s = NextAfter(spec, from, zone); s && *s <= now) {
      start = *s;
      break;
    }
  }
  core::WallTime latest = start.value_or(first);
  while (true) {
    auto next = NextAfter(spec, latest, zone);
    if (!next || *next > now) return latest;
    latest = *next;
  }
}

}  // namespace

std::string SlotRunId(std::int64_t schedule_id, core::WallTime slot) {
  return "report:" + std::to_string(schedule_id) + "@" + std::to_string(ToMs(slot));
}

SlotPlan PlanSchedule(const store::ScheduleRecord& schedule, core::WallTime now) {
  SlotPlan plan;
  auto spec = ParseCron(schedule.cron);
  if (!spec) {
    plan.error = spec.error().message;
    return plan;
  }
  auto zone = TimeZone::Find(schedule.tz.empty() ? "UTC" : schedule.tz);
  if (!zone) {
    plan.error = zone.error().message;
    return plan;
  }
  // Slots at or before the last one fired (or the creation) are never due again.
  const core::WallTime after = FromMs(schedule.last_slot_ms.value_or(schedule.created_at_ms));
  const auto first = NextAfter(*spec, after, *zone);
  if (!first) return plan;
  if (*first > now) {
    plan.next_due = first;
    return plan;
  }
  plan.due_slot = LatestDue(*spec, *zone, after, *first, now);
  plan.next_due = NextAfter(*spec, *plan.due_slot, *zone);
  return plan;
}

Scheduler::Scheduler(store::ScheduleStore& store, Fire fire, core::Millis retry_after)
    : store_(store), fire_(std::move(fire)), retry_after_(retry_after) {}

void Scheduler::set_leadership(store::Leadership* leadership, std::string role,
                               core::Millis follower_poll) {
  leadership_ = leadership;
  role_ = std::move(role);
  follower_poll_ = follower_poll;
}

std::optional<std::int64_t> Scheduler::Term() {
  if (!leadership_) return 0;
  auto term = leadership_->Lead(role_);
  // A store that cannot answer cannot confirm the term either: do not act on it.
  if (!term) return std::nullopt;
  return *term;
}

core::Result<TickResult> Scheduler::Tick(core::WallTime now) {
  TickResult result;
  const auto term = Term();
  if (!term) {
    result.leading = false;
    result.next_wake = now + follower_poll_;
    return result;
  }
  auto rows = store_.List(/*enabled_only=*/true);
  if (!rows) return rows.error();
  auto wake_at = [&](core::WallTime at) {
    result.next_wake = result.next_wake ? std::min(*result.next_wake, at) : at;
  };
  for (const auto& row : *rows) {
    const SlotPlan plan = PlanSchedule(row, now);
    const std::optional<std::int64_t> next_ms =
        plan.next_due ? std::optional<std::int64_t>(ToMs(*plan.next_due)) : std::nullopt;
    if (!plan.error.empty()) {
      result.errors.push_back("schedule " + std::to_string(row.id) + ": " + plan.error);
      if (row.next_due_ms) (void)store_.SetNextDue(row.id, std::nullopt);
      continue;
    }
    if (plan.due_slot) {
      // Fencing: the term this tick began in must still be held (the session re-checked), or a
      // replica that lost its lock while planning would fire beside the new leader.
      if (leadership_ && Term() != term) {
        result.leading = false;
        result.next_wake = now + follower_poll_;
        return result;
      }
      if (auto fired = fire_(row, *plan.due_slot); !fired) {
        result.errors.push_back("schedule " + std::to_string(row.id) + ": " +
                                fired.error().Describe());
        wake_at(now + retry_after_);
        continue;
      }
      auto marked = store_.MarkFired(row.id, ToMs(*plan.due_slot), next_ms);
      if (!marked) {
        result.errors.push_back("schedule " + std::to_string(row.id) + ": " +
                                marked.error().Describe());
        wake_at(now + retry_after_);
        continue;
      }
      if (*marked) result.fired.push_back({row.id, *plan.due_slot});
    } else if (row.next_due_ms != next_ms) {
      if (auto set = store_.SetNextDue(row.id, next_ms); !set) {
        result.errors.push_back("schedule " + std::to_string(row.id) + ": " +
                                set.error().Describe());
      }
    }
    if (plan.next_due) wake_at(*plan.next_due);
  }
  return result;
}

}  // namespace contexten::workflows::schedule
