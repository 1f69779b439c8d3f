#pragma once

#include <functional>
#include <string>

#include "core/net/http_server.hpp"
#include "workflows/health/health_registry.hpp"

namespace contexten::bot {

// GET /healthz: the process is alive (always 200 while it can answer).
// GET /readyz: 200 when every registered component is ready, else 503; the body says which
// component is not and why (operators read it; load balancers read the status).
void InstallHealthRoutes(core::net::HttpServer& server, const workflows::HealthRegistry& health);

// GET /metrics: `render()` (bot/metrics.hpp) in the Prometheus text format.
void InstallMetricsRoute(core::net::HttpServer& server, std::function<std::string()> render);

}  // namespace contexten::bot
