#pragma once
// Full-jitter exponential backoff (the AWS "full jitter" scheme): the n-th wait (n from 0) is
// uniform in [0, min(cap, initial * multiplier^n)]. Shared by retry and reconnect loops.

#include <chrono>
#include <random>

#include "core/clock.hpp"

namespace contexten::core::resilience {

struct BackoffPolicy {
  Millis initial = Millis(500);
  double multiplier = 2.0;
  Millis cap = std::chrono::seconds(30);
};

// The upper bound of the n-th wait: min(cap, initial * multiplier^attempt), attempt from 0.
Millis BackoffCeiling(const BackoffPolicy& policy, int attempt);

// A random wait in [0, BackoffCeiling(policy, attempt)], drawn from `rng` so tests can seed it.
Millis ComputeBackoff(int attempt, std::mt19937_64& rng, const BackoffPolicy& policy = {});

}  // namespace contexten::core::resilience
