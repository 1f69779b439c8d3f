#include "bot/handlers/linear_reference_cache.hpp"

#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "tests/support/fakes/fake_linear_api.hpp"

namespace contexten::bot::handlers {
namespace {

TEST(LinearReferenceCacheTest, EmptyUntilTheFirstReadThenFreshForTheTtl) {
  testing::FakeLinearApi linear;
  linear.AddLabel("label-bug", "Bug");
  linear.AddUser("user-gone", "Gone", "gone@example.com", /*active=*/false);
  core::FakeClock clock;
  LinearReferenceCache cache(linear, clock, std::chrono::minutes(10));
  EXPECT_FALSE(cache.Cached());
  EXPECT_FALSE(cache.Fresh());

  auto read = cache.Refresh();
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_EQ(read->teams.size(), 1u);
  EXPECT_EQ(read->teams[0].key, "ENG");
  EXPECT_EQ(read->users.size(), 2u);  // the inactive user is not offered
  ASSERT_EQ(read->labels.size(), 1u);
  EXPECT_TRUE(cache.Fresh());
  ASSERT_TRUE(cache.Cached());
  EXPECT_EQ(cache.Cached()->labels[0].name, "Bug");

  clock.Advance(std::chrono::minutes(9));
  EXPECT_TRUE(cache.Fresh());
  clock.Advance(std::chrono::minutes(2));
  EXPECT_FALSE(cache.Fresh());
  EXPECT_TRUE(cache.Cached());  // stale data is still offered until the next read
}

TEST(LinearReferenceCacheTest, AFailedReadKeepsWhatWasCached) {
  testing::FakeLinearApi linear;
  core::FakeClock clock;
  LinearReferenceCache cache(linear, clock, std::chrono::minutes(1));
  ASSERT_TRUE(cache.Refresh());
  linear.AddTeam("OPS", "Operations");
  clock.Advance(std::chrono::minutes(2));
  linear.FailNext(1, core::MakeError(core::ErrorKind::kUnavailable, "Linear is down"), "Users");
  EXPECT_FALSE(cache.Refresh());
  ASSERT_TRUE(cache.Cached());
  EXPECT_EQ(cache.Cached()->teams.size(), 1u);  // not half of the new read
  EXPECT_FALSE(cache.Fresh());
  ASSERT_TRUE(cache.Refresh());
  EXPECT_EQ(cache.Cached()->teams.size(), 2u);
}

}  // namespace
}  // namespace contexten::bot::handlers
