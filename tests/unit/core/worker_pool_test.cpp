#include "core/worker_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>

namespace contexten::core {
namespace {

TEST(WorkerPoolTest, RunsEveryTaskBeforeShutdownReturns) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool(2);
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(pool.Post([&] { ++ran; }));
    pool.Shutdown();
    EXPECT_FALSE(pool.Post([&] { ++ran; }));
  }
  EXPECT_EQ(ran.load(), 1000);
}

}  // namespace
}  // namespace contexten::core
