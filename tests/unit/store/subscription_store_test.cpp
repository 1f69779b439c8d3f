// The subscription store port on both engines (tests/support/store_engines.hpp).

#include <gtest/gtest.h>

#include "tests/support/store_engines.hpp"

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

using SubscriptionStoreTest = testing::StoreEngineTest;
CONTEXTEN_STORE_ENGINES(SubscriptionStoreTest);

TEST_P(SubscriptionStoreTest, SubscribingAgainReplacesTheSpecAndKeepsTheId) {
  auto first = store_->subscriptions().Upsert(Sub("C1", "acme/web", R"({"features":["pulls"]})"));
  ASSERT_TRUE(first.has_value()) << first.error().Describe();
  auto again = store_->subscriptions().Upsert(Sub("C1", "acme/web", R"({"features":["ci"]})"));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, *first);
  Reopen();  // persisted
  auto found = store_->subscriptions().Find("C1", "github", "acme/web");
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->spec, R"({"features":["ci"]})");
  EXPECT_EQ((*found)->created_by, "U1");
}

TEST_P(SubscriptionStoreTest, ListsByChannelAndByTargetAndRemoves) {
  ASSERT_TRUE(store_->subscriptions().Upsert(Sub("C1", "acme/web")).has_value());
  ASSERT_TRUE(store_->subscriptions().Upsert(Sub("C1", "acme/api")).has_value());
  ASSERT_TRUE(store_->subscriptions().Upsert(Sub("C2", "acme/web")).has_value());
  auto c1 = store_->subscriptions().ForChannel("C1");
  ASSERT_TRUE(c1.has_value());
  ASSERT_EQ(c1->size(), 2u);
  EXPECT_EQ((*c1)[0].target, "acme/web");
  auto web = store_->subscriptions().ForTarget("github", "acme/web");
  ASSERT_TRUE(web.has_value());
  ASSERT_EQ(web->size(), 2u);
  EXPECT_EQ((*web)[1].channel, "C2");
  EXPECT_TRUE(store_->subscriptions().ForTarget("linear", "acme/web")->empty());
  auto removed = store_->subscriptions().Remove("C1", "github", "acme/web");
  ASSERT_TRUE(removed.has_value());
  EXPECT_TRUE(*removed);
  EXPECT_FALSE(*store_->subscriptions().Remove("C1", "github", "acme/web"));
  EXPECT_EQ(store_->subscriptions().ForTarget("github", "acme/web")->size(), 1u);
}

TEST_P(SubscriptionStoreTest, RefusesARowWithoutChannelOrTarget) {
  auto bad = store_->subscriptions().Upsert(Sub("", "acme/web"));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().kind, core::ErrorKind::kInvalidInput);
}

}  // namespace
}  // namespace contexten::store
