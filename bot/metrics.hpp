#pragma once
// /metrics (../shared/DESIGN.md §1, the operator): what the bot's parts count, gathered at scrape
// time and written in the Prometheus text format (core/metrics/prometheus_text.hpp). Pure: the
// ingress gathers a MetricsSnapshot from the live modules and renders it.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bot/dispatcher.hpp"
#include "core/resilience/circuit_breaker.hpp"
#include "integrations/slack/socket_mode_client.hpp"
#include "store/store_stats.hpp"
#include "workflows/health/health_monitor.hpp"
#include "workflows/outbox/outbox_relay.hpp"

namespace contexten::bot {

struct MetricsSnapshot {
  std::int64_t now_ms = 0;
  // Relay lane -> the integration it calls ("slack" -> "slack", "linear" -> "linear").
  std::map<std::string, workflows::outbox::LaneStats> lanes;
  workflows::outbox::RelayStats relay;
  std::optional<store::StoreStats> store;
  std::vector<std::pair<std::string, core::resilience::CircuitBreakerMetrics>> breakers;
  DispatcherStats dispatcher;
  integrations::slack::SocketModeStats socket_mode;
  bool socket_mode_connected = false;
  std::vector<workflows::health::HealthSignal> health;
};

std::string RenderMetrics(const MetricsSnapshot& snapshot);

}  // namespace contexten::bot
