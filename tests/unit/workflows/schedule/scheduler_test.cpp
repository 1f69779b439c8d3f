#include "workflows/schedule/scheduler.hpp"

#include <date/date.h>
#include <date/tz.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_leadership.hpp"
#include "store/postgres/pg_schedule_store.hpp"
#include "store/sqlite_schedule_store.hpp"
#include "tests/support/fakes/fake_leadership.hpp"
#include "tests/support/fakes/memory_schedule_store.hpp"
#include "tests/support/store_engines.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/wait_for.hpp"
#include "tests/unit/workflows/schedule/utc_time.hpp"
#include "workflows/schedule/schedule_loop.hpp"

namespace contexten::workflows::schedule {
namespace {

using namespace std::chrono_literals;

using test::Utc;

std::int64_t Ms(core::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string Show(core::WallTime t) {
  return date::format("%F %R UTC", std::chrono::floor<std::chrono::seconds>(t));
}

store::ScheduleRecord Schedule(const std::string& cron, const std::string& tz,
                               core::WallTime created) {
  store::ScheduleRecord r;
  r.channel = "C1";
  r.kind = "digest";
  r.cron = cron;
  r.tz = tz;
  r.created_by = "U1";
  r.created_at_ms = Ms(created);
  return r;
}

// Fires into a run-id set, as engine.Start would: a run id seen before is not a new run.
struct Runs {
  std::vector<core::WallTime> slots;  // every call
  std::set<std::string> started;      // distinct runs
  int fail_next = 0;
  Scheduler::Fire Fire() {
    return [this](const store::ScheduleRecord& s, core::WallTime slot) -> core::Status {
      if (fail_next > 0) {
        --fail_next;
        return core::MakeError(core::ErrorKind::kUnavailable, "store busy");
      }
      slots.push_back(slot);
      started.insert(SlotRunId(s.id, slot));
      return core::Ok();
    };
  }
};

// Ticks every `step` from `from` to `to`; returns each fired slot with the tick that fired it.
std::vector<std::pair<core::WallTime, core::WallTime>> Drive(Scheduler& scheduler,
                                                             core::WallTime from, core::WallTime to,
                                                             core::WallTime::duration step) {
  std::vector<std::pair<core::WallTime, core::WallTime>> fired;
  for (core::WallTime now = from; now <= to; now += step) {
    auto tick = scheduler.Tick(now);
    EXPECT_TRUE(tick.has_value());
    if (!tick) break;
    EXPECT_TRUE(tick->errors.empty());
    for (const auto& t : tick->fired) fired.emplace_back(t.slot, now);
  }
  return fired;
}

TEST(SchedulerTest, BerlinWeekdaysAtNineAcrossDstChanges2026And2027) {
  testing::MemoryScheduleStore store;
  Runs runs;
  Scheduler scheduler(store, runs.Fire());
  const core::WallTime start = Utc("2026-01-01 00:00");
  const core::WallTime end = Utc("2028-01-01 00:00");
  ASSERT_TRUE(store.Add(Schedule("0 9 * * 1-5", "Europe/Berlin", start)).has_value());
  const auto fired = Drive(scheduler, start, end, 20min);

  // Expected independently: every Monday..Friday, 09:00 local in Berlin.
  const auto* berlin = date::locate_zone("Europe/Berlin");
  std::vector<core::WallTime> expected;
  for (date::local_days d{date::year{2026} / 1 / 1}; d < date::local_days{date::year{2028} / 1 / 1};
       d += date::days(1)) {
    const unsigned wd = date::weekday{d}.c_encoding();
    if (wd == 0 || wd == 6) continue;
    const auto at = date::zoned_time(berlin, d + 9h).get_sys_time();
    expected.push_back(core::WallTime{at.time_since_epoch()});
  }
  ASSERT_EQ(fired.size(), expected.size());
  for (std::size_t i = 0; i < fired.size(); ++i) {
    EXPECT_EQ(fired[i].first, expected[i]) << i << ": " << Show(fired[i].first);
    // Fired by the first tick at or after the slot.
    EXPECT_GE(fired[i].second, fired[i].first);
    EXPECT_LT(fired[i].second, fired[i].first + 20min);
  }
  EXPECT_EQ(runs.started.size(), expected.size());  // once per slot
  // The days around each change, by hand: CET is UTC+1 (08:00Z), CEST UTC+2 (07:00Z).
  std::set<core::WallTime> slots(runs.slots.begin(), runs.slots.end());
  for (const char* at :
       {"2026-03-27 08:00", "2026-03-30 07:00", "2026-10-23 07:00", "2026-10-26 08:00",
        "2027-03-26 08:00", "2027-03-29 07:00", "2027-10-29 07:00", "2027-11-01 08:00"}) {
    EXPECT_TRUE(slots.count(Utc(at))) << at;
  }
  for (const char* not_at : {"2026-03-28 08:00", "2026-03-29 07:00", "2026-10-25 08:00"}) {
    EXPECT_FALSE(slots.count(Utc(not_at))) << not_at;  // weekend
  }
}

TEST(SchedulerTest, DowntimeOverTwoSlotsFiresOnceAndRestartDoesNotRefire) {
  testing::TempDir dir;
  store::StoreOptions options;
  options.path = dir.File("s.db");
  auto db = store::Database::Open(options);
  ASSERT_TRUE(db.has_value());
  store::SqliteScheduleStore store(**db);
  Runs runs;
  // Created Friday 2026-03-06; runs until Monday 08:00 Berlin, down until Tuesday 12:00.
  auto id = store.Add(Schedule("0 9 * * 1-5", "Europe/Berlin", Utc("2026-03-06 12:00")));
  ASSERT_TRUE(id.has_value());
  {
    Scheduler before(store, runs.Fire());
    Drive(before, Utc("2026-03-06 12:00"), Utc("2026-03-09 07:00"), 30min);
    EXPECT_TRUE(runs.slots.empty());
  }
  Scheduler after(store, runs.Fire());  // the restart
  auto first = after.Tick(Utc("2026-03-10 11:00"));
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->fired.size(), 1u);
  EXPECT_EQ(first->fired[0].slot, Utc("2026-03-10 08:00"));  // the latest missed: Tuesday
  EXPECT_EQ(first->next_wake, Utc("2026-03-11 08:00"));
  // A second tick, and another restart, fire nothing more.
  auto second = after.Tick(Utc("2026-03-10 11:00"));
  ASSERT_TRUE(second.has_value());
  EXPECT_TRUE(second->fired.empty());
  Scheduler again(store, runs.Fire());
  auto third = again.Tick(Utc("2026-03-10 11:30"));
  ASSERT_TRUE(third.has_value());
  EXPECT_TRUE(third->fired.empty());
  EXPECT_EQ(runs.slots.size(), 1u);
  auto row = store.Get(*id);
  EXPECT_EQ((*row)->last_slot_ms, Ms(Utc("2026-03-10 08:00")));
  EXPECT_EQ((*row)->next_due_ms, Ms(Utc("2026-03-11 08:00")));
}

TEST(SchedulerTest, SpringForwardDailyAtTwoThirtyFiresOnceThatDay) {
  testing::MemoryScheduleStore store;
  Runs runs;
  Scheduler scheduler(store, runs.Fire());
  // Berlin, 2026-03-29: 02:00 CET -> 03:00 CEST at 01:00 UTC.
  ASSERT_TRUE(store.Add(Schedule("30 2 * * *", "Europe/Berlin", Utc("2026-03-27 12:00"))));
  const auto fired = Drive(scheduler, Utc("2026-03-27 12:00"), Utc("2026-03-31 00:00"), 5min);
  ASSERT_EQ(fired.size(), 3u);
  EXPECT_EQ(fired[0].first, Utc("2026-03-28 01:30"));
  EXPECT_EQ(fired[1].first, Utc("2026-03-29 01:00"));  // the first instant after the gap
  EXPECT_EQ(fired[2].first, Utc("2026-03-30 00:30"));
}

TEST(SchedulerTest, FallBackDailyAtOneThirtyFiresOnce) {
  testing::MemoryScheduleStore store;
  Runs runs;
  Scheduler scheduler(store, runs.Fire());
  // New York, 2026-11-01: 02:00 EDT -> 01:00 EST at 06:00 UTC; 01:30 happens twice.
  ASSERT_TRUE(store.Add(Schedule("30 1 * * *", "America/New_York", Utc("2026-10-30 12:00"))));
  const auto fired = Drive(scheduler, Utc("2026-10-30 12:00"), Utc("2026-11-03 00:00"), 5min);
  ASSERT_EQ(fired.size(), 3u);
  EXPECT_EQ(fired[0].first, Utc("2026-10-31 05:30"));
  EXPECT_EQ(fired[1].first, Utc("2026-11-01 05:30"));  // 01:30 EDT; not again at 06:30
  EXPECT_EQ(fired[2].first, Utc("2026-11-02 06:30"));
}

TEST(SchedulerTest, AFailedFireIsRetriedAndWakesSoon) {
  testing::MemoryScheduleStore store;
  Runs runs;
  runs.fail_next = 1;
  Scheduler scheduler(store, runs.Fire(), 30s);
  ASSERT_TRUE(store.Add(Schedule("0 9 * * *", "UTC", Utc("2026-05-01 00:00"))));
  auto failed = scheduler.Tick(Utc("2026-05-01 09:00"));
  ASSERT_TRUE(failed.has_value());
  EXPECT_TRUE(failed->fired.empty());
  EXPECT_EQ(failed->errors.size(), 1u);
  EXPECT_EQ(failed->next_wake, Utc("2026-05-01 09:00") + 30s);
  auto retried = scheduler.Tick(Utc("2026-05-01 09:00") + 30s);
  ASSERT_TRUE(retried.has_value());
  ASSERT_EQ(retried->fired.size(), 1u);
  EXPECT_EQ(retried->fired[0].slot, Utc("2026-05-01 09:00"));
}

TEST(SchedulerTest, BrokenCronIsReportedAndNotWaitedFor) {
  testing::MemoryScheduleStore store;
  Runs runs;
  Scheduler scheduler(store, runs.Fire());
  auto bad = Schedule("0 9 * *", "UTC", Utc("2026-05-01 00:00"));
  bad.next_due_ms = 1;
  auto id = store.Add(bad);
  ASSERT_TRUE(store.Add(Schedule("0 10 * * *", "UTC", Utc("2026-05-01 00:00"))));
  auto tick = scheduler.Tick(Utc("2026-05-01 08:00"));
  ASSERT_TRUE(tick.has_value());
  ASSERT_EQ(tick->errors.size(), 1u);
  EXPECT_NE(tick->errors[0].find("needs 5 fields"), std::string::npos);
  EXPECT_EQ(tick->next_wake, Utc("2026-05-01 10:00"));
  EXPECT_EQ((*store.Get(*id))->next_due_ms, std::nullopt);
}

TEST(SchedulerTest, SlotRunIdIsStablePerScheduleAndSlot) {
  EXPECT_EQ(SlotRunId(7, Utc("2026-01-01 00:00")), "report:7@1767225600000");
  EXPECT_NE(SlotRunId(7, Utc("2026-01-01 00:00")), SlotRunId(8, Utc("2026-01-01 00:00")));
}

TEST(SchedulerTest, AFollowerFiresNothingAndLooksAgainSoonThenFiresOnceItLeads) {
  testing::MemoryScheduleStore store;
  Runs runs;
  testing::FakeLeadership leadership;
  leadership.leading = false;
  Scheduler scheduler(store, runs.Fire());
  scheduler.set_leadership(&leadership, "scheduler", 5s);
  ASSERT_TRUE(store.Add(Schedule("0 9 * * *", "UTC", Utc("2026-05-01 00:00"))));
  auto follower = scheduler.Tick(Utc("2026-05-01 09:00"));
  ASSERT_TRUE(follower.has_value());
  EXPECT_FALSE(follower->leading);
  EXPECT_TRUE(follower->fired.empty());
  EXPECT_TRUE(runs.slots.empty());
  EXPECT_EQ(follower->next_wake, Utc("2026-05-01 09:00") + 5s);
  EXPECT_EQ(leadership.last_role, "scheduler");
  // The leader died; this replica took the role: the slot still due fires once.
  leadership.leading = true;
  auto leader = scheduler.Tick(Utc("2026-05-01 09:00") + 5s);
  ASSERT_TRUE(leader.has_value());
  EXPECT_TRUE(leader->leading);
  ASSERT_EQ(leader->fired.size(), 1u);
  EXPECT_EQ(leader->fired[0].slot, Utc("2026-05-01 09:00"));
}

TEST(SchedulerTest, AReplicaWhoseTermChangesDuringATickStopsFiring) {
  testing::MemoryScheduleStore store;
  Runs runs;
  testing::FakeLeadership leadership;
  Scheduler scheduler(store, runs.Fire());
  scheduler.set_leadership(&leadership);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store.Add(Schedule("0 9 * * *", "UTC", Utc("2026-05-01 00:00"))));
  }
  // The session was lost after the first fire and the lock retaken in a new term (or by
  // another replica): the term the tick began in is gone, so it fires nothing more.
  leadership.on_lead = [&] {
    if (runs.slots.size() == 1) leadership.epoch = 2;
  };
  auto tick = scheduler.Tick(Utc("2026-05-01 09:00"));
  ASSERT_TRUE(tick.has_value());
  EXPECT_FALSE(tick->leading);
  EXPECT_EQ(tick->fired.size(), 1u);
  EXPECT_EQ(runs.slots.size(), 1u);
  // The next tick acts in the new term: the other two fire, the first does not again.
  auto next = scheduler.Tick(Utc("2026-05-01 09:00") + 5s);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->fired.size(), 2u);
  EXPECT_EQ(runs.started.size(), 3u);
}

TEST(SchedulerTest, AStoreThatCannotConfirmTheTermFiresNothing) {
  testing::MemoryScheduleStore store;
  Runs runs;
  struct Unreachable final : store::Leadership {
    core::Result<std::optional<std::int64_t>> Lead(const std::string&) override {
      return core::MakeError(core::ErrorKind::kUnavailable, "connection refused");
    }
    void StepDown(const std::string&) override {}
  } leadership;
  Scheduler scheduler(store, runs.Fire());
  scheduler.set_leadership(&leadership);
  ASSERT_TRUE(store.Add(Schedule("0 9 * * *", "UTC", Utc("2026-05-01 00:00"))));
  auto tick = scheduler.Tick(Utc("2026-05-01 09:00"));
  ASSERT_TRUE(tick.has_value());
  EXPECT_FALSE(tick->leading);
  EXPECT_TRUE(runs.slots.empty());
}

// Two replicas' schedulers on one PostgreSQL schema: one fires, and when its session dies the
// other takes over and fires the next slot, in a greater term.
using SchedulerReplicasTest = testing::StoreEngineTest;
INSTANTIATE_TEST_SUITE_P(Engines, SchedulerReplicasTest,
                         ::testing::Values(testing::StoreEngine::kPostgres),
                         testing::StoreEngineName);

TEST_P(SchedulerReplicasTest, TheOtherReplicaTakesOverWhenTheLeadersSessionDies) {
  auto b_db = store_->OpenPg("replica-b");
  ASSERT_NE(b_db, nullptr);
  store::postgres::PgScheduleStore b_store(*b_db);
  store::postgres::PgLeadership a_lead(*store_->pg());
  store::postgres::PgLeadership b_lead(*b_db);
  Runs a_runs;
  Runs b_runs;
  Scheduler a(store_->schedules(), a_runs.Fire());
  Scheduler b(b_store, b_runs.Fire());
  a.set_leadership(&a_lead);
  b.set_leadership(&b_lead);
  ASSERT_TRUE(store_->schedules().Add(Schedule("0 * * * *", "UTC", Utc("2026-05-01 00:30"))));

  auto a_first = a.Tick(Utc("2026-05-01 01:00"));
  ASSERT_TRUE(a_first.has_value()) << a_first.error().Describe();
  EXPECT_TRUE(a_first->leading);
  EXPECT_EQ(a_first->fired.size(), 1u);
  auto b_first = b.Tick(Utc("2026-05-01 01:00"));
  ASSERT_TRUE(b_first.has_value());
  EXPECT_FALSE(b_first->leading);
  EXPECT_TRUE(b_runs.slots.empty());
  auto first_epoch = a_lead.Lead("scheduler");
  ASSERT_TRUE(first_epoch && first_epoch->has_value());

  // A's session dies (its backend is terminated, as when the replica's host goes away).
  auto admin = store::postgres::PgConnection::Connect(testing::PgTestUrl(), "");
  ASSERT_TRUE(admin) << admin.error().Describe();
  ASSERT_TRUE(
      (*admin)->Exec("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = "
                     "'advisory' AND granted AND objid = (hashtext('contexten.lead.' || "
                     "$1 || '.scheduler')::bigint & 4294967295)::oid",
                     store::postgres::PgParams().Add(b_db->options().schema)));
  // The server frees the lock once the backend exits: B takes over within a deadline.
  std::optional<TickResult> b_took;
  ASSERT_TRUE(testing::WaitFor([&] {
    auto tick = b.Tick(Utc("2026-05-01 02:00"));
    if (tick && tick->leading) b_took = *tick;
    return b_took.has_value();
  }));
  ASSERT_EQ(b_took->fired.size(), 1u);
  EXPECT_EQ(b_took->fired[0].slot, Utc("2026-05-01 02:00"));
  auto b_epoch = b_lead.Lead("scheduler");
  ASSERT_TRUE(b_epoch && b_epoch->has_value());
  EXPECT_GT(**b_epoch, **first_epoch);
  // A, alive with a lost session, learns it no longer leads and fires nothing.
  auto a_after = a.Tick(Utc("2026-05-01 02:00"));
  ASSERT_TRUE(a_after.has_value());
  EXPECT_FALSE(a_after->leading);
  EXPECT_EQ(a_runs.slots.size(), 1u);
  EXPECT_EQ(b_runs.slots.size(), 1u);
}

TEST(ScheduleLoopTest, FiresWhenTheClockReachesTheSlotWithoutAThreadPerSchedule) {
  testing::MemoryScheduleStore store;
  Runs runs;
  std::mutex mu;
  Scheduler scheduler(store, [&](const store::ScheduleRecord& s, core::WallTime slot) {
    std::lock_guard lock(mu);
    return runs.Fire()(s, slot);
  });
  core::ManualClock clock(Utc("2026-05-01 08:59"));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(store.Add(Schedule("0 9 * * *", "UTC", Utc("2026-05-01 08:00"))));
  }
  ScheduleLoop loop(scheduler, clock, 1s);
  loop.Start();
  ASSERT_TRUE(testing::WaitFor([&] { return loop.ticks() >= 1; }));
  EXPECT_EQ(loop.fired(), 0u);
  EXPECT_EQ(*store.NextDue(), Ms(Utc("2026-05-01 09:00")));
  clock.Advance(1min);
  loop.Wake();
  ASSERT_TRUE(testing::WaitFor([&] { return loop.fired() == 3; }));
  loop.Stop();
  std::lock_guard lock(mu);
  EXPECT_EQ(runs.started.size(), 3u);
}

}  // namespace
}  // namespace contexten::workflows::schedule
