#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/clock.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten::core {
namespace {

using contexten::testing::WaitFor;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ManualClockTest, SleeperWaitsUntilAdvancePassesItsWakeUp) {
  ManualClock clock;
  const SteadyTime start = clock.Now();
  std::atomic<bool> woke{false};
  std::thread sleeper([&] {
    clock.SleepFor(seconds(10));
    woke = true;
  });
  ASSERT_TRUE(WaitFor([&] { return clock.sleepers() == 1; }));
  ASSERT_EQ(clock.NextWakeUp(), start + seconds(10));

  clock.Advance(seconds(9));
  EXPECT_EQ(clock.sleepers(), 1u) << "9 s of 10: still asleep";
  EXPECT_FALSE(woke.load());

  clock.Advance(seconds(1));
  EXPECT_EQ(clock.sleepers(), 0u) << "released by the Advance that reached its wake-up";
  EXPECT_FALSE(clock.NextWakeUp().has_value());
  ASSERT_TRUE(WaitFor([&] { return woke.load(); }));
  sleeper.join();
  EXPECT_EQ(clock.Now(), start + seconds(10));
}

TEST(ManualClockTest, NextWakeUpIsTheEarliestAndSleepersWakeInOrder) {
  ManualClock clock;
  const SteadyTime start = clock.Now();
  std::atomic<int> woke_long{0};
  std::atomic<int> woke_short{0};
  std::thread long_sleeper([&] {
    clock.SleepFor(seconds(30));
    ++woke_long;
  });
  std::thread short_sleeper([&] {
    clock.SleepFor(seconds(5));
    ++woke_short;
  });
  ASSERT_TRUE(WaitFor([&] { return clock.sleepers() == 2; }));
  EXPECT_EQ(clock.NextWakeUp(), start + seconds(5));

  ASSERT_TRUE(clock.AdvanceToNextWakeUp());
  EXPECT_EQ(clock.Now(), start + seconds(5));
  ASSERT_TRUE(WaitFor([&] { return woke_short.load() == 1; }));
  EXPECT_EQ(woke_long.load(), 0);
  EXPECT_EQ(clock.sleepers(), 1u);
  EXPECT_EQ(clock.NextWakeUp(), start + seconds(30));

  ASSERT_TRUE(clock.AdvanceToNextWakeUp());
  ASSERT_TRUE(WaitFor([&] { return woke_long.load() == 1; }));
  EXPECT_FALSE(clock.AdvanceToNextWakeUp()) << "nobody left to wake";
  EXPECT_EQ(clock.Now(), start + seconds(30));
  long_sleeper.join();
  short_sleeper.join();
}

TEST(ManualClockTest, ZeroSleepReturnsAtOnceAndTimeOnlyMovesOnAdvance) {
  ManualClock clock;
  const SteadyTime steady = clock.Now();
  const WallTime wall = clock.WallNow();
  clock.SleepFor(milliseconds(0));
  clock.SleepFor(milliseconds(-5));
  EXPECT_EQ(clock.sleepers(), 0u);
  EXPECT_EQ(clock.Now(), steady);
  clock.Advance(milliseconds(1500));
  clock.Advance(milliseconds(-100));  // ignored: time never goes back
  EXPECT_EQ(clock.Now(), steady + milliseconds(1500));
  EXPECT_EQ(clock.WallNow(), wall + milliseconds(1500));
}

}  // namespace
}  // namespace contexten::core
