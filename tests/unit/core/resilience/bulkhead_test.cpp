#include "core/resilience/bulkhead.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>
#include <utility>

#include "core/clock.hpp"
#include "tests/support/wait_for.hpp"
#include "tests/unit/core/resilience/event_recorder_support.hpp"

namespace contexten::core::resilience {
namespace {

using std::chrono::milliseconds;
using testing::EventRecorder;

TEST(BulkheadTest, RefusesBeyondMaxConcurrentWithoutWaiting) {
  FakeClock clock;
  Bulkhead bulkhead("github", {2, milliseconds(0)}, clock);
  EventRecorder recorder(bulkhead.events());
  Result<BulkheadPermit> a = bulkhead.TryEnter();
  Result<BulkheadPermit> b = bulkhead.TryEnter();
  ASSERT_TRUE(a.has_value());
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(bulkhead.available(), 0);

  const Result<BulkheadPermit> c = bulkhead.TryEnter();
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(c.error().message, "bulkhead 'github' is full (2 concurrent calls)");
  EXPECT_TRUE(c.error().refused_locally);  // nothing was sent
  EXPECT_EQ(recorder.Of(ResilienceEventKind::kBulkheadFull).size(), 1u);

  a.value().Release();
  EXPECT_EQ(bulkhead.available(), 1);
  EXPECT_TRUE(bulkhead.TryEnter().has_value());  // entered and released at once
  EXPECT_EQ(bulkhead.available(), 1);
}

TEST(BulkheadTest, PermitReleasesExactlyOnceWhenMovedAndDestroyed) {
  FakeClock clock;
  Bulkhead bulkhead("x", {1, milliseconds(0)}, clock);
  {
    Result<BulkheadPermit> entered = bulkhead.TryEnter();
    ASSERT_TRUE(entered.has_value());
    BulkheadPermit moved = std::move(entered).value();
    EXPECT_TRUE(moved.held());
    BulkheadPermit again;
    again = std::move(moved);
    EXPECT_FALSE(moved.held());  // NOLINT(bugprone-use-after-move): checking the moved-from
    EXPECT_EQ(bulkhead.available(), 0);
  }
  EXPECT_EQ(bulkhead.available(), 1);
  EXPECT_TRUE(bulkhead.TryEnter().has_value());
}

TEST(BulkheadTest, WaiterGetsTheSlotAnotherThreadReleases) {
  FakeClock clock;
  // The wait bound is real time and generous; the test never waits for it to pass.
  Bulkhead bulkhead("slack", {1, std::chrono::seconds(60)}, clock);
  std::optional<BulkheadPermit> holder;
  {
    Result<BulkheadPermit> entered = bulkhead.TryEnter();
    ASSERT_TRUE(entered.has_value());
    holder.emplace(std::move(entered).value());
  }
  std::atomic<bool> waiter_entered{false};
  std::thread waiter([&] {
    Result<BulkheadPermit> entered = bulkhead.TryEnter();
    waiter_entered = entered.has_value();
  });
  ASSERT_TRUE(contexten::testing::WaitFor([&] { return bulkhead.waiting() == 1; }));
  EXPECT_FALSE(waiter_entered);
  holder.reset();
  waiter.join();
  EXPECT_TRUE(waiter_entered);
  EXPECT_EQ(bulkhead.waiting(), 0);
  EXPECT_EQ(bulkhead.available(), 1);  // the waiter's permit was released when it returned
}

TEST(BulkheadTest, RejectsNonsenseConfig) {
  FakeClock clock;
  EXPECT_THROW(Bulkhead("x", {0, milliseconds(0)}, clock), std::invalid_argument);
  EXPECT_THROW(Bulkhead("x", {1, milliseconds(-1)}, clock), std::invalid_argument);
}

}  // namespace
}  // namespace contexten::core::resilience
