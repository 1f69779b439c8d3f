#pragma once
// The circuit-breaker settings for a peer's web API (GitHub, Linear): one definition, so the
// two integrations trip and recover alike and an operator reasons about one set of numbers.

#include "core/resilience/circuit_breaker.hpp"

namespace contexten::core::resilience {

// Last 20 calls, judged once 10 have been made; open 30 s, then 3 trial calls; a call over
// 20 s counts as slow.
CircuitBreakerConfig PeerApiBreakerConfig();

}  // namespace contexten::core::resilience
