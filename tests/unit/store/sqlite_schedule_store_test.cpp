#include "store/sqlite_schedule_store.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "tests/support/temp_dir.hpp"

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

class SqliteScheduleStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    db_.reset();
    StoreOptions options;
    options.path = dir_.File("schedules.db");
    auto db = Database::Open(options);
    ASSERT_TRUE(db.has_value()) << db.error().Describe();
    db_ = std::move(*db);
    store_ = std::make_unique<SqliteScheduleStore>(*db_);
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<SqliteScheduleStore> store_;
};

TEST_F(SqliteScheduleStoreTest, AddGetRoundTripsEveryColumnAcrossReopen) {
  auto id = store_->Add(Digest());
  ASSERT_TRUE(id.has_value()) << id.error().Describe();
  Reopen();
  auto got = store_->Get(*id);
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

TEST_F(SqliteScheduleStoreTest, RefusesARowWithoutChannelKindOrCron) {
  ScheduleRecord r = Digest();
  r.cron.clear();
  auto id = store_->Add(r);
  ASSERT_FALSE(id.has_value());
  EXPECT_EQ(id.error().kind, core::ErrorKind::kInvalidInput);
}

TEST_F(SqliteScheduleStoreTest, ListFiltersDisabledAndRemoveDeletes) {
  auto a = store_->Add(Digest("C1"));
  ScheduleRecord off = Digest("C2");
  off.enabled = false;
  auto b = store_->Add(off);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(store_->List(false)->size(), 2u);
  auto enabled = store_->List(true);
  ASSERT_TRUE(enabled.has_value());
  ASSERT_EQ(enabled->size(), 1u);
  EXPECT_EQ((*enabled)[0].channel, "C1");
  EXPECT_TRUE(*store_->Remove(*a));
  EXPECT_FALSE(*store_->Remove(*a));
  EXPECT_FALSE(store_->Get(*a)->has_value());
}

TEST_F(SqliteScheduleStoreTest, MarkFiredOnlyMovesForward) {
  auto id = store_->Add(Digest());
  ASSERT_TRUE(id.has_value());
  EXPECT_TRUE(*store_->MarkFired(*id, 2000, 3000));
  EXPECT_FALSE(*store_->MarkFired(*id, 2000, 3000));  // the same slot again: refused
  EXPECT_FALSE(*store_->MarkFired(*id, 1500, 3000));  // an older one: refused
  EXPECT_TRUE(*store_->MarkFired(*id, 3000, std::nullopt));
  auto r = store_->Get(*id);
  EXPECT_EQ((*r)->last_slot_ms, 3000);
  EXPECT_EQ((*r)->next_due_ms, std::nullopt);
  EXPECT_FALSE(*store_->MarkFired(999, 4000, 5000));
}

TEST_F(SqliteScheduleStoreTest, NextDueIsTheEarliestEnabled) {
  EXPECT_EQ(*store_->NextDue(), std::nullopt);
  ScheduleRecord late = Digest();
  late.next_due_ms = 9000;
  ScheduleRecord off = Digest();
  off.next_due_ms = 100;
  off.enabled = false;
  auto a = store_->Add(late);
  ASSERT_TRUE(store_->Add(off).has_value());
  auto b = store_->Add(Digest());
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*store_->NextDue(), 5000);
  ASSERT_TRUE(store_->SetNextDue(*b, std::nullopt).has_value());
  EXPECT_EQ(*store_->NextDue(), 9000);
  auto missing = store_->SetNextDue(12345, 1);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, core::ErrorKind::kNotFound);
}

}  // namespace
}  // namespace contexten::store
