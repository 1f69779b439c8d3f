#include "workflows/health/health_checks.hpp"

#include <algorithm>

namespace contexten::workflows::health {
namespace {

namespace resilience = core::resilience;

HealthSignal Signal(std::string integration, std::string check) {
  HealthSignal signal;
  signal.integration = std::move(integration);
  signal.check = std::move(check);
  return signal;
}

std::string Minutes(std::int64_t ms) { return std::to_string(ms / 60000) + " min"; }

std::string BreakerStatus(resilience::CircuitState state) {
  switch (state) {
    case resilience::CircuitState::kOpen:
    case resilience::CircuitState::kForcedOpen:
      return kStatusOpen;
    case resilience::CircuitState::kHalfOpen:
      return kStatusHalfOpen;
    default:
      return kStatusOk;
  }
}

HealthSignal BreakerSignal(const std::string& integration,
                           const resilience::CircuitBreakerMetrics& metrics) {
  HealthSignal signal = Signal(integration, "breaker");
  signal.status = BreakerStatus(metrics.state);
  signal.errors = metrics.failed_calls;
  signal.detail = "circuit " + std::string(resilience::ToString(metrics.state));
  if (metrics.failure_rate >= 0) {
    signal.detail += ", failure rate " + std::to_string(static_cast<int>(metrics.failure_rate)) +
                     "% of " + std::to_string(metrics.buffered_calls) + " calls";
  }
  return signal;
}

}  // namespace

HealthCheck LaneCheck(std::string integration, std::string lane, HealthThresholds thresholds,
                      BreakerMetrics breaker) {
  return [integration = std::move(integration), lane = std::move(lane), thresholds,
          breaker = std::move(breaker)](const HealthInputs& in) {
    std::vector<HealthSignal> out;
    store::LaneDepth depth;
    if (in.store) {
      if (auto it = in.store->lanes.find(lane); it != in.store->lanes.end()) depth = it->second;
    }
    outbox::LaneStats stats;
    if (auto it = in.lanes.find(lane); it != in.lanes.end()) stats = it->second;

    HealthSignal calls = Signal(integration, "calls");
    calls.queued = depth.pending + depth.in_flight;
    for (const auto& [kind, n] : stats.errors_by_kind) calls.errors += static_cast<std::int64_t>(n);
    calls.last_error = stats.last_error;
    const int failing = stats.consecutive_failures;
    if (failing > 0) {
      calls.status = failing >= thresholds.failures_open ? kStatusOpen : kStatusDegraded;
      calls.detail = std::to_string(failing) + " call(s) in a row failed; " +
                     std::to_string(calls.queued) + " effect(s) queued";
    } else {
      calls.detail = std::to_string(stats.succeeded) + " call(s) done, " +
                     std::to_string(calls.queued) + " queued";
    }
    if (breaker) {
      // The breaker's state is the stronger word: open or half-open come from it.
      const auto metrics = breaker();
      const std::string from_breaker = BreakerStatus(metrics.state);
      if (from_breaker != kStatusOk) {
        calls.status = from_breaker;
        calls.detail = BreakerSignal(integration, metrics).detail + "; " + calls.detail;
      }
    }
    out.push_back(std::move(calls));

    HealthSignal backlog = Signal(integration, "outbox");
    backlog.queued = depth.pending;
    const std::int64_t age =
        depth.oldest_pending_created_ms > 0 ? in.now_ms - depth.oldest_pending_created_ms : 0;
    if (depth.pending >= thresholds.outbox_depth || age >= thresholds.outbox_age.count()) {
      backlog.status = kStatusDegraded;
    }
    backlog.detail = std::to_string(depth.pending) + " effect(s) pending, oldest " +
                     Minutes(std::max<std::int64_t>(age, 0)) + " old";
    out.push_back(std::move(backlog));
    return out;
  };
}

HealthCheck BreakerCheck(std::string integration, BreakerMetrics breaker) {
  return [integration = std::move(integration), breaker = std::move(breaker)](const HealthInputs&) {
    return std::vector<HealthSignal>{BreakerSignal(integration, breaker())};
  };
}

HealthCheck ConnectionCheck(std::string integration,
                            std::function<std::optional<std::string>()> problem) {
  return [integration = std::move(integration), problem = std::move(problem)](const HealthInputs&) {
    HealthSignal signal = Signal(integration, "connection");
    if (auto why = problem()) {
      signal.status = kStatusOpen;
      signal.detail = "not connected: " + *why;
      signal.last_error = *why;
    } else {
      signal.detail = "connected";
    }
    return std::vector<HealthSignal>{signal};
  };
}

HealthCheck StoreCheck(HealthThresholds thresholds) {
  return [thresholds](const HealthInputs& in) {
    std::vector<HealthSignal> out;
    HealthSignal readable = Signal("store", "readable");
    if (!in.store) {
      readable.status = kStatusOpen;
      readable.detail = "the store cannot be read";
      readable.last_error = in.store_error;
      out.push_back(std::move(readable));
      return out;
    }
    readable.detail = "open";
    out.push_back(std::move(readable));

    HealthSignal inbox = Signal("store", "inbox");
    const auto& s = *in.store;
    const std::int64_t age =
        s.oldest_inbox_pending_ms > 0 ? in.now_ms - s.oldest_inbox_pending_ms : 0;
    inbox.queued = s.inbox_pending;
    if (s.inbox_pending >= thresholds.inbox_depth || age >= thresholds.inbox_age.count()) {
      inbox.status = kStatusDegraded;
    }
    inbox.detail = std::to_string(s.inbox_pending) + " delivery(ies) not yet handled, oldest " +
                   Minutes(std::max<std::int64_t>(age, 0)) + " old";
    out.push_back(std::move(inbox));

    HealthSignal wal = Signal("store", "wal");
    wal.status = s.wal_bytes >= thresholds.wal_bytes ? kStatusDegraded : kStatusOk;
    wal.detail = "WAL " + std::to_string(s.wal_bytes / 1024) + " KiB";
    out.push_back(std::move(wal));

    HealthSignal dead = Signal("store", "dead_letters");
    std::string lanes;
    for (const auto& [lane, depth] : s.lanes) {
      dead.errors += depth.dead;
      if (depth.dead > 0)
        lanes += (lanes.empty() ? "" : ", ") + lane + " " + std::to_string(depth.dead);
    }
    dead.status = dead.errors >= thresholds.dead_letters ? kStatusDegraded : kStatusOk;
    dead.detail = dead.errors == 0 ? "no dead letters"
                                   : std::to_string(dead.errors) + " dead letter(s): " + lanes;
    out.push_back(std::move(dead));
    return out;
  };
}

HealthCheck WebhookSilenceCheck(std::string integration, std::string source,
                                HealthThresholds thresholds) {
  return [integration = std::move(integration), source = std::move(source),
          thresholds](const HealthInputs& in) {
    HealthSignal signal = Signal(integration, "webhooks");
    if (thresholds.webhook_silence.count() <= 0 || !in.store) return std::vector<HealthSignal>{};
    std::int64_t last = in.started_ms;
    if (auto it = in.store->last_received_ms.find(source); it != in.store->last_received_ms.end()) {
      last = std::max(last, it->second);
    }
    const std::int64_t silent = in.now_ms - last;
    if (silent >= thresholds.webhook_silence.count()) {
      signal.status = kStatusDegraded;
      signal.detail =
          "no webhook from " + integration + " for " + Minutes(silent) + " while it is configured";
    } else {
      signal.detail = "last webhook " + Minutes(std::max<std::int64_t>(silent, 0)) + " ago";
    }
    return std::vector<HealthSignal>{signal};
  };
}

}  // namespace contexten::workflows::health
