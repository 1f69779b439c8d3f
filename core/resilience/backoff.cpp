#include "core/resilience/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace contexten::core::resilience {

Millis BackoffCeiling(const BackoffPolicy& policy, int attempt) {
  const double cap = static_cast<double>(std::max<Millis::rep>(policy.cap.count(), 0));
  const double grown = static_cast<double>(policy.initial.count()) *
                       std::pow(std::max(policy.multiplier, 1.0), std::max(attempt, 0));
  // Compare in double so a large attempt overflows to +inf and is capped, never wraps.
  return Millis(static_cast<Millis::rep>(std::clamp(grown, 0.0, cap)));
}

Millis ComputeBackoff(int attempt, std::mt19937_64& rng, const BackoffPolicy& policy) {
  std::uniform_int_distribution<Millis::rep> pick(0, BackoffCeiling(policy, attempt).count());
  return Millis(pick(rng));
}

}  // namespace contexten::core::resilience
