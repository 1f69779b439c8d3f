#include "core/resilience/timeout.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "core/clock.hpp"

namespace contexten::core::resilience {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(DeadlineTest, TracksRemainingAndExpiresStrictlyAfterTheBudget) {
  FakeClock clock;
  const Deadline deadline(clock, seconds(3));
  EXPECT_EQ(deadline.Remaining(), seconds(3));
  clock.Advance(seconds(3));
  EXPECT_FALSE(deadline.Expired());
  EXPECT_TRUE(deadline.Check("ack").has_value());
  clock.Advance(milliseconds(1));
  EXPECT_TRUE(deadline.Expired());
  EXPECT_EQ(deadline.Remaining(), std::chrono::nanoseconds(0));
  const Status late = deadline.Check("ack");
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().kind, ErrorKind::kTimeout);
  EXPECT_EQ(late.error().message, "ack took 3001 ms, over its 3000 ms budget");
}

TEST(WithTimeBudgetTest, PassesThroughOutcomesWithinBudget) {
  FakeClock clock;
  const Result<int> ok = WithTimeBudget(clock, seconds(1), "lookup", [&]() -> Result<int> {
    clock.Advance(seconds(1));
    return 5;
  });
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, 5);
  const Result<int> failed = WithTimeBudget(clock, seconds(1), "lookup", [&]() -> Result<int> {
    return MakeError(ErrorKind::kNotFound, "no such issue");
  });
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().kind, ErrorKind::kNotFound);
}

TEST(WithTimeBudgetTest, TurnsAnOverBudgetOutcomeIntoTimeout) {
  FakeClock clock;
  const Result<int> late = WithTimeBudget(clock, seconds(1), "views.open", [&]() -> Result<int> {
    clock.Advance(seconds(2));
    return 5;
  });
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().kind, ErrorKind::kTimeout);
  EXPECT_EQ(late.error().message, "views.open took 2000 ms, over its 1000 ms budget");
}

}  // namespace
}  // namespace contexten::core::resilience
