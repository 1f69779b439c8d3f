#pragma once
// The standard checks the health monitor runs (health_monitor.hpp), each a pure function of one
// sample's inputs plus what it was built with. Thresholds come from the configuration
// (`health:` in the YAML), with the defaults below.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/resilience/circuit_breaker.hpp"
#include "workflows/health/health_monitor.hpp"

namespace contexten::workflows::health {

struct HealthThresholds {
  // Attempts in a row that failed (rate-limit refusals aside): from 1 the integration is
  // degraded, from this many it is open (down).
  int failures_open = 3;
  std::int64_t outbox_depth = 1000;                                // pending effects on one lane
  std::chrono::milliseconds outbox_age{std::chrono::minutes(15)};  // oldest pending effect
  std::int64_t inbox_depth = 1000;                                 // deliveries not yet handled
  std::chrono::milliseconds inbox_age{std::chrono::minutes(5)};
  std::int64_t dead_letters = 1;  // dead effects on a lane
  std::int64_t wal_bytes = 256LL * 1024 * 1024;
  // A configured webhook source that has sent nothing for this long is degraded; 0: off.
  std::chrono::milliseconds webhook_silence{std::chrono::minutes(60)};
};

// Degraded while any of `lane`'s latest attempts failed, open from failures_open in a row or
// while `breaker` (when given) is open; half-open with the breaker. Also outbox depth and age.
// `queued` is the lane's pending effects.
using BreakerMetrics = std::function<core::resilience::CircuitBreakerMetrics()>;
HealthCheck LaneCheck(std::string integration, std::string lane, HealthThresholds thresholds,
                      BreakerMetrics breaker = nullptr);

// A breaker alone (a platform the relay does not call, e.g. Slack's fast path).
HealthCheck BreakerCheck(std::string integration, BreakerMetrics breaker);

// A connection (Socket Mode): `problem` returns why it is not connected, or nothing.
HealthCheck ConnectionCheck(std::string integration,
                            std::function<std::optional<std::string>()> problem);

// The store: readable, inbox backlog depth and age, WAL size, dead letters per lane.
HealthCheck StoreCheck(HealthThresholds thresholds);

// "No webhook from <source> for N minutes while it is configured": a silent integration is the
// failure people miss. Counted from the newest inbox row of `source`, or from the monitor's start.
HealthCheck WebhookSilenceCheck(std::string integration, std::string source,
                                HealthThresholds thresholds);

}  // namespace contexten::workflows::health
