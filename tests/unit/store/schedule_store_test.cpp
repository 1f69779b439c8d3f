// The schedule store port on both engines (tests/support/store_engines.hpp).

#include <gtest/gtest.h>

#include "tests/support/store_engines.hpp"

namespace contexten::store {
namespace {

ScheduleRecord Digest(std::string channel = "C1") {
  ScheduleRecord r;
  r.channel = std::move(channel);
  r.kind = "digest";
  r.cron = "0 9 * * 1-5";
  r.tz = "Europe/Berlin";
  r.options = R"({"stale_hours":48})";
  r.created_by = "U1";
  r.created_at_ms = 1000;
  r.next_due_ms = 5000;
  return r;
}

using ScheduleStoreTest = testing::StoreEngineTest;
CONTEXTEN_STORE_ENGINES(ScheduleStoreTest);

TEST_P(ScheduleStoreTest, AddGetRoundTripsEveryColumnAcrossReopen) {
  auto id = store_->schedules().Add(Digest());
  ASSERT_TRUE(id.has_value()) << id.error().Describe();
  Reopen();
  auto got = store_->schedules().Get(*id);
  ASSERT_TRUE(got.has_value() && got->has_value());
  const ScheduleRecord& r = **got;
  EXPECT_EQ(r.id, *id);
  EXPECT_EQ(r.channel, "C1");
  EXPECT_EQ(r.kind, "digest");
  EXPECT_EQ(r.cron, "0 9 * * 1-5");
  EXPECT_EQ(r.tz, "Europe/Berlin");
  EXPECT_EQ(r.options, R"({"stale_hours":48})");
  EXPECT_EQ(r.created_by, "U1");
  EXPECT_EQ(r.created_at_ms, 1000);
  EXPECT_EQ(r.last_slot_ms, std::nullopt);
  EXPECT_EQ(r.next_due_ms, 5000);
  EXPECT_TRUE(r.enabled);
}

TEST_P(ScheduleStoreTest, RefusesARowWithoutChannelKindOrCron) {
  ScheduleRecord r = Digest();
  r.cron.clear();
  auto id = store_->schedules().Add(r);
  ASSERT_FALSE(id.has_value());
  EXPECT_EQ(id.error().kind, core::ErrorKind::kInvalidInput);
}

TEST_P(ScheduleStoreTest, ListFiltersDisabledAndRemoveDeletes) {
  auto a = store_->schedules().Add(Digest("C1"));
  ScheduleRecord off = Digest("C2");
  off.enabled = false;
  auto b = store_->schedules().Add(off);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(store_->schedules().List(false)->size(), 2u);
  auto enabled = store_->schedules().List(true);
  ASSERT_TRUE(enabled.has_value());
  ASSERT_EQ(enabled->size(), 1u);
  EXPECT_EQ((*enabled)[0].channel, "C1");
  EXPECT_TRUE(*store_->schedules().Remove(*a));
  EXPECT_FALSE(*store_->schedules().Remove(*a));
  EXPECT_FALSE(store_->schedules().Get(*a)->has_value());
}

TEST_P(ScheduleStoreTest, MarkFiredOnlyMovesForward) {
  auto id = store_->schedules().Add(Digest());
  ASSERT_TRUE(id.has_value());
  EXPECT_TRUE(*store_->schedules().MarkFired(*id, 2000, 3000));
  EXPECT_FALSE(*store_->schedules().MarkFired(*id, 2000, 3000));  // the same slot again: refused
  EXPECT_FALSE(*store_->schedules().MarkFired(*id, 1500, 3000));  // an older one: refused
  EXPECT_TRUE(*store_->schedules().MarkFired(*id, 3000, std::nullopt));
  auto r = store_->schedules().Get(*id);
  EXPECT_EQ((*r)->last_slot_ms, 3000);
  EXPECT_EQ((*r)->next_due_ms, std::nullopt);
  EXPECT_FALSE(*store_->schedules().MarkFired(999, 4000, 5000));
}

TEST_P(ScheduleStoreTest, NextDueIsTheEarliestEnabled) {
  EXPECT_EQ(*store_->schedules().NextDue(), std::nullopt);
  ScheduleRecord late = Digest();
  late.next_due_ms = 9000;
  ScheduleRecord off = Digest();
  off.next_due_ms = 100;
  off.enabled = false;
  auto a = store_->schedules().Add(late);
  ASSERT_TRUE(store_->schedules().Add(off).has_value());
  auto b = store_->schedules().Add(Digest());
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*store_->schedules().NextDue(), 5000);
  ASSERT_TRUE(store_->schedules().SetNextDue(*b, std::nullopt).has_value());
  EXPECT_EQ(*store_->schedules().NextDue(), 9000);
  auto missing = store_->schedules().SetNextDue(12345, 1);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, core::ErrorKind::kNotFound);
}

}  // namespace
}  // namespace contexten::store
