#include "bot/metrics.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "core/metrics/prometheus_text.hpp"

namespace contexten::bot {
namespace {

using core::metrics::Exposition;
using core::metrics::HistogramSample;
namespace resilience = core::resilience;

template <std::size_t N, std::size_t M>
HistogramSample Histogram(core::metrics::Labels labels, const std::array<double, N>& bounds,
                          const std::array<std::uint64_t, M>& buckets, double sum) {
  HistogramSample h;
  h.labels = std::move(labels);
  h.bounds.assign(bounds.begin(), bounds.end());
  h.buckets.assign(buckets.begin(), buckets.end());
  h.sum = sum;
  return h;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

double AgeSeconds(std::int64_t now_ms, std::int64_t since_ms) {
  return since_ms > 0 ? std::max<double>(0, static_cast<double>(now_ms - since_ms) / 1000.0) : 0;
}

void Integrations(Exposition& e, const MetricsSnapshot& s) {
  for (const auto& [lane, stats] : s.lanes) {
    e.Counter("contexten_integration_requests_total",
              "Calls the outbox relay made to a platform (performs and lookups).",
              static_cast<double>(stats.attempts), {{"integration", lane}});
  }
  for (const auto& [lane, stats] : s.lanes) {
    for (const auto& [kind, n] : stats.errors_by_kind) {
      e.Counter("contexten_integration_errors_total", "Calls that failed, by error kind.",
                static_cast<double>(n), {{"integration", lane}, {"kind", kind}});
    }
  }
  for (const auto& [lane, stats] : s.lanes) {
    e.Histogram("contexten_integration_request_duration_seconds",
                "How long each platform call took.",
                Histogram({{"integration", lane}}, workflows::outbox::LaneStats::kLatencyBounds,
                          stats.latency_buckets, stats.latency_sum_seconds));
  }
  for (const auto& [lane, stats] : s.lanes) {
    e.Gauge("contexten_integration_consecutive_failures",
            "Failed calls in a row since the last success (rate-limit refusals aside).",
            stats.consecutive_failures, {{"integration", lane}});
  }
}

void Outbox(Exposition& e, const MetricsSnapshot& s) {
  e.Counter("contexten_outbox_performed_total", "Effects performed.",
            static_cast<double>(s.relay.performed));
  e.Counter("contexten_outbox_rescheduled_total",
            "Attempts that failed retryably and were rescheduled durably.",
            static_cast<double>(s.relay.rescheduled));
  e.Counter("contexten_outbox_dead_lettered_total", "Effects given up on (dead letters).",
            static_cast<double>(s.relay.dead_lettered));
  e.Counter("contexten_outbox_lookups_total",
            "Lookups before re-creating after an unknown outcome.",
            static_cast<double>(s.relay.looked_up));
  if (!s.store) return;
  for (const auto& [lane, depth] : s.store->lanes) {
    e.Gauge("contexten_outbox_depth", "Effects waiting or being performed, by lane and status.",
            static_cast<double>(depth.pending), {{"lane", lane}, {"status", "pending"}});
    e.Gauge("contexten_outbox_depth", "Effects waiting or being performed, by lane and status.",
            static_cast<double>(depth.in_flight), {{"lane", lane}, {"status", "in_flight"}});
  }
  for (const auto& [lane, depth] : s.store->lanes) {
    e.Gauge("contexten_outbox_oldest_pending_age_seconds", "Age of the oldest pending effect.",
            AgeSeconds(s.now_ms, depth.oldest_pending_created_ms), {{"lane", lane}});
  }
  for (const auto& [lane, depth] : s.store->lanes) {
    e.Gauge("contexten_dead_letters", "Dead effects an operator can retry.",
            static_cast<double>(depth.dead), {{"lane", lane}});
  }
}

void Store(Exposition& e, const MetricsSnapshot& s) {
  e.Gauge("contexten_store_up", "Whether the store could be read for this scrape.",
          s.store ? 1 : 0);
  if (!s.store) return;
  e.Gauge("contexten_inbox_pending", "Deliveries received and not yet handled.",
          static_cast<double>(s.store->inbox_pending));
  e.Gauge("contexten_inbox_oldest_pending_age_seconds", "Age of the oldest unhandled delivery.",
          AgeSeconds(s.now_ms, s.store->oldest_inbox_pending_ms));
  e.Gauge("contexten_store_wal_bytes", "Size of the SQLite write-ahead log.",
          static_cast<double>(s.store->wal_bytes));
  for (const auto& [key, n] : s.store->runs) {
    e.Gauge("contexten_workflow_runs", "Workflow runs by type and status.", static_cast<double>(n),
            {{"type", key.first}, {"status", key.second}});
  }
  bool any_report = false;
  for (const auto& [key, n] : s.store->runs) {
    if (key.first != "report") continue;
    any_report = true;
    e.Gauge("contexten_report_runs", "Report runs (scheduled and on demand) by status.",
            static_cast<double>(n), {{"status", key.second}});
  }
  if (!any_report) {
    e.Gauge("contexten_report_runs", "Report runs (scheduled and on demand) by status.", 0,
            {{"status", "completed"}});
  }
}

void Breakers(Exposition& e, const MetricsSnapshot& s) {
  static constexpr resilience::CircuitState kStates[] = {
      resilience::CircuitState::kClosed, resilience::CircuitState::kOpen,
      resilience::CircuitState::kHalfOpen, resilience::CircuitState::kForcedOpen,
      resilience::CircuitState::kDisabled};
  for (const auto& [name, metrics] : s.breakers) {
    for (auto state : kStates) {
      e.Gauge("contexten_breaker_state", "1 for the state each circuit breaker is in.",
              metrics.state == state ? 1 : 0,
              {{"breaker", name}, {"state", Lower(resilience::ToString(state))}});
    }
  }
  for (const auto& [name, metrics] : s.breakers) {
    e.Gauge("contexten_breaker_failure_ratio",
            "Failed share of the calls in the breaker's window (-1 until enough calls).",
            metrics.failure_rate < 0 ? -1 : metrics.failure_rate / 100.0, {{"breaker", name}});
  }
  for (const auto& [name, metrics] : s.breakers) {
    e.Counter("contexten_breaker_not_permitted_calls_total", "Calls the breaker refused.",
              static_cast<double>(metrics.not_permitted_calls), {{"breaker", name}});
  }
}

void Slack(Exposition& e, const MetricsSnapshot& s) {
  e.Gauge("contexten_socket_mode_connected", "Whether Socket Mode is connected.",
          s.socket_mode_connected ? 1 : 0);
  e.Gauge("contexten_socket_mode_connections", "Socket Mode sockets open now.",
          s.socket_mode.open_connections);
  e.Counter("contexten_socket_mode_envelopes_total", "Envelopes received over Socket Mode.",
            static_cast<double>(s.socket_mode.envelopes));
  e.Counter("contexten_socket_mode_acks_total", "Acks sent over Socket Mode.",
            static_cast<double>(s.socket_mode.acks_sent));
  e.Counter("contexten_socket_mode_reconnects_total", "Socket Mode reconnect attempts.",
            static_cast<double>(s.socket_mode.reconnects));
  e.Histogram("contexten_socket_mode_ack_latency_seconds",
              "From receipt of an envelope to its ack (Slack allows 3 s).",
              Histogram({}, DispatcherStats::kAckBounds, s.dispatcher.ack_latency_buckets,
                        s.dispatcher.ack_latency_sum_seconds));
  e.Counter("contexten_slack_deliveries_total", "Slack deliveries, by what became of them.",
            static_cast<double>(s.dispatcher.inserted), {{"outcome", "accepted"}});
  e.Counter("contexten_slack_deliveries_total", "Slack deliveries, by what became of them.",
            static_cast<double>(s.dispatcher.duplicates), {{"outcome", "duplicate"}});
  e.Counter("contexten_slack_deliveries_total", "Slack deliveries, by what became of them.",
            static_cast<double>(s.dispatcher.handled), {{"outcome", "handled"}});
  e.Counter("contexten_slack_deliveries_total", "Slack deliveries, by what became of them.",
            static_cast<double>(s.dispatcher.failed), {{"outcome", "failed"}});
  e.Counter("contexten_slack_slow_acks_total", "Acks sent more than 2 s after receipt.",
            static_cast<double>(s.dispatcher.slow_acks));
}

void Health(Exposition& e, const MetricsSnapshot& s) {
  for (const auto& signal : s.health) {
    e.Gauge("contexten_health_ok", "1 when a health check is ok, 0 when degraded or down.",
            signal.status == workflows::health::kStatusOk ? 1 : 0,
            {{"integration", signal.integration}, {"check", signal.check}});
  }
}

}  // namespace

std::string RenderMetrics(const MetricsSnapshot& snapshot) {
  Exposition e;
  Integrations(e, snapshot);
  Outbox(e, snapshot);
  Store(e, snapshot);
  Breakers(e, snapshot);
  Slack(e, snapshot);
  Health(e, snapshot);
  return e.Render();
}

}  // namespace contexten::bot
