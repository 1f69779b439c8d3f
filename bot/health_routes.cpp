#include "bot/health_routes.hpp"

#include <nlohmann/json.hpp>

#include "bot/version.hpp"
#include "core/metrics/prometheus_text.hpp"

namespace contexten::bot {

void InstallHealthRoutes(core::net::HttpServer& server, const workflows::HealthRegistry& health) {
  server.Route("GET", "/healthz", [](core::net::HttpRequest&&, core::net::HttpResponder respond) {
    respond(core::net::HttpResponse::Json(
        200, nlohmann::json{{"status", "alive"}, {"version", Version()}}.dump()));
  });
  server.Route(
      "GET", "/readyz", [&health](core::net::HttpRequest&&, core::net::HttpResponder respond) {
        nlohmann::json checks = nlohmann::json::object();
        bool ready = true;
        for (const auto& c : health.Check()) {
          checks[c.name] = {{"ready", c.ready}, {"detail", c.detail}};
          if (!c.gates_readiness) checks[c.name]["gates_readiness"] = false;
          ready = ready && (c.ready || !c.gates_readiness);
        }
        nlohmann::json body = {{"status", ready ? "ready" : "not_ready"}, {"checks", checks}};
        respond(core::net::HttpResponse::Json(ready ? 200 : 503, body.dump()));
      });
}

void InstallMetricsRoute(core::net::HttpServer& server, std::function<std::string()> render) {
  server.Route(
      "GET", "/metrics",
      [render = std::move(render)](core::net::HttpRequest&&, core::net::HttpResponder respond) {
        auto response = core::net::HttpResponse::Text(200, render());
        response.headers.Set("Content-Type", core::metrics::kContentType);
        respond(std::move(response));
      });
}

}  // namespace contexten::bot
