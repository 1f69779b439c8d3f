// Leadership (store/leadership.hpp): one leader per role among replicas, fenced by a growing
// epoch; on PostgreSQL through advisory locks, so a replica's death (its session closing) frees
// the role.

#include "store/leadership.hpp"

#include <gtest/gtest.h>

#include "store/postgres/pg_leadership.hpp"
#include "tests/support/store_engines.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten::store {
namespace {

TEST(AlwaysLeaderTest, TheOneProcessAlwaysLeadsInOneTerm) {
  AlwaysLeader leader;
  EXPECT_EQ(leader.Lead("scheduler").value_or(std::nullopt), 1);
  leader.StepDown("scheduler");
  EXPECT_EQ(leader.Lead("scheduler").value_or(std::nullopt), 1);
}

using PgLeadershipTest = testing::StoreEngineTest;
INSTANTIATE_TEST_SUITE_P(Engines, PgLeadershipTest,
                         ::testing::Values(testing::StoreEngine::kPostgres),
                         testing::StoreEngineName);

TEST_P(PgLeadershipTest, OneReplicaLeadsEachRoleAndATakeoverHasAGreaterEpoch) {
  auto other_db = store_->OpenPg("replica-b");
  ASSERT_NE(other_db, nullptr);
  auto a = std::make_unique<postgres::PgLeadership>(*store_->pg());
  postgres::PgLeadership b(*other_db);

  auto first = a->Lead("scheduler");
  ASSERT_TRUE(first) << first.error().Describe();
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ(a->Lead("scheduler").value_or(std::nullopt), **first);  // still the same term
  EXPECT_EQ(b.Lead("scheduler").value_or(std::optional<std::int64_t>(-1)), std::nullopt);
  // Roles are independent: B may lead the health monitor.
  EXPECT_TRUE(b.Lead("health").value_or(std::nullopt).has_value());

  a->StepDown("scheduler");
  auto second = b.Lead("scheduler");
  ASSERT_TRUE(second && second->has_value());
  EXPECT_GT(**second, **first);

  // A replica that dies (its session closes) frees its roles.
  EXPECT_EQ(a->Lead("health").value_or(std::optional<std::int64_t>(-1)), std::nullopt);
  b.StepDown("health");
  ASSERT_TRUE(a->Lead("health").value_or(std::nullopt).has_value());
  a.reset();
  // The server frees a closed session's locks once its backend exits, a moment after the client
  // hangs up (PostgreSQL docs, "Advisory Locks"): B takes the role within a deadline.
  EXPECT_TRUE(
      testing::WaitFor([&] { return b.Lead("health").value_or(std::nullopt).has_value(); }));
}

}  // namespace
}  // namespace contexten::store
