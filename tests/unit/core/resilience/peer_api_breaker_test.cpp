#include "core/resilience/peer_api_breaker.hpp"

#include <gtest/gtest.h>

namespace contexten::core::resilience {
namespace {

TEST(PeerApiBreakerConfigTest, IsValidAndJudgesOnlyAfterEnoughCalls) {
  const CircuitBreakerConfig config = PeerApiBreakerConfig();
  EXPECT_NO_THROW(config.Validate());
  // A breaker that opened on its first failures would take a peer down for one blip.
  EXPECT_GE(config.minimum_number_of_calls, 5);
  EXPECT_LE(config.minimum_number_of_calls, config.sliding_window_size);
  EXPECT_GT(config.permitted_calls_in_half_open, 0);
}

}  // namespace
}  // namespace contexten::core::resilience
