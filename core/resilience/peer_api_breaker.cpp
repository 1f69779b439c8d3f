#include "core/resilience/peer_api_breaker.hpp"

namespace contexten::core::resilience {

CircuitBreakerConfig PeerApiBreakerConfig() {
  CircuitBreakerConfig config;
  config.sliding_window_size = 20;
  config.minimum_number_of_calls = 10;
  config.wait_duration_in_open_state = std::chrono::seconds(30);
  config.permitted_calls_in_half_open = 3;
  config.slow_call_duration_threshold = std::chrono::seconds(20);
  return config;
}

}  // namespace contexten::core::resilience
