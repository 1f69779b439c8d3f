#include "store/sqlite_subscription_store.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "tests/support/temp_dir.hpp"

namespace contexten::store {
namespace {

SubscriptionRecord Sub(std::string channel, std::string target, std::string spec = "{}") {
  SubscriptionRecord r;
  r.channel = std::move(channel);
  r.platform = "github";
  r.target = std::move(target);
  r.spec = std::move(spec);
  r.created_by = "U1";
  r.created_at_ms = 1000;
  return r;
}

class SqliteSubscriptionStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    store_.reset();
    db_.reset();
    StoreOptions options;
    options.path = dir_.File("subscriptions.db");
    auto db = Database::Open(options);
    ASSERT_TRUE(db.has_value()) << db.error().Describe();
    db_ = std::move(*db);
    store_ = std::make_unique<SqliteSubscriptionStore>(*db_);
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<SqliteSubscriptionStore> store_;
};

TEST_F(SqliteSubscriptionStoreTest, SubscribingAgainReplacesTheSpecAndKeepsTheId) {
  auto first = store_->Upsert(Sub("C1", "acme/web", R"({"features":["pulls"]})"));
  ASSERT_TRUE(first.has_value()) << first.error().Describe();
  auto again = store_->Upsert(Sub("C1", "acme/web", R"({"features":["ci"]})"));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, *first);
  Reopen();  // persisted
  auto found = store_->Find("C1", "github", "acme/web");
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->spec, R"({"features":["ci"]})");
  EXPECT_EQ((*found)->created_by, "U1");
}

TEST_F(SqliteSubscriptionStoreTest, ListsByChannelAndByTargetAndRemoves) {
  ASSERT_TRUE(store_->Upsert(Sub("C1", "acme/web")).has_value());
  ASSERT_TRUE(store_->Upsert(Sub("C1", "acme/api")).has_value());
  ASSERT_TRUE(store_->Upsert(Sub("C2", "acme/web")).has_value());
  auto c1 = store_->ForChannel("C1");
  ASSERT_TRUE(c1.has_value());
  ASSERT_EQ(c1->size(), 2u);
  EXPECT_EQ((*c1)[0].target, "acme/web");
  auto web = store_->ForTarget("github", "acme/web");
  ASSERT_TRUE(web.has_value());
  ASSERT_EQ(web->size(), 2u);
  EXPECT_EQ((*web)[1].channel, "C2");
  EXPECT_TRUE(store_->ForTarget("linear", "acme/web")->empty());
  auto removed = store_->Remove("C1", "github", "acme/web");
  ASSERT_TRUE(removed.has_value());
  EXPECT_TRUE(*removed);
  EXPECT_FALSE(*store_->Remove("C1", "github", "acme/web"));
  EXPECT_EQ(store_->ForTarget("github", "acme/web")->size(), 1u);
}

TEST_F(SqliteSubscriptionStoreTest, RefusesARowWithoutChannelOrTarget) {
  auto bad = store_->Upsert(Sub("", "acme/web"));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().kind, core::ErrorKind::kInvalidInput);
}

}  // namespace
}  // namespace contexten::store
