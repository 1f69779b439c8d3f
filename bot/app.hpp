#pragma once
// The composition root: the one place that chooses implementations and wires them together.
// It owns the wiring modules (bot/wiring/), built in order store -> platforms -> orchestration
// -> ingress and destroyed in reverse (../shared/DESIGN.md §2).

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/config.hpp"
#include "core/result.hpp"

namespace contexten::integrations::github {
class GitHubApi;
}
namespace contexten::integrations::linear {
class LinearApi;
}

namespace contexten::bot {

class Dispatcher;

struct AppOptions {
  core::Config config;
  // An HTTP port that is taken is not fatal: serve on a free one (sandbox mode: a newcomer may
  // run two copies).
  bool allow_port_fallback = false;
};

class App {
 public:
  explicit App(AppOptions options);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Opens the store, replays unfinished work, starts the HTTP server and Socket Mode.
  // Startup problems come back as errors naming the cause.
  core::Status Start();
  // Drains (Socket Mode and HTTP stop, accepted deliveries finish, worker pools join), stops
  // the I/O runtime, then destroys the modules in reverse order of construction.
  void Stop();

  // Waits until Slack is connected (hello received) or the deadline passes.
  bool WaitConnected(std::chrono::milliseconds deadline);
  // Waits until every received delivery is durable and handled and the workflows have nothing
  // to do now (effects performed, due timers fired; retries due later do not count). With a
  // horizon, also until nothing is due within it (retries and paced posts a moment ahead).
  bool WaitIdle(std::chrono::milliseconds deadline,
                std::chrono::milliseconds horizon = std::chrono::milliseconds(0));

  uint16_t http_port() const;
  // The resilient clients (retry, breaker, rate limit); null when not configured.
  integrations::github::GitHubApi* github();
  integrations::linear::LinearApi* linear();
  Dispatcher& dispatcher();
  bool ready() const;
  // Reads the rules file again (SIGHUP); the previous rules stay when it does not load.
  core::Status ReloadRules();

 private:
  struct Modules;

  AppOptions options_;
  std::unique_ptr<Modules> modules_;
};

}  // namespace contexten::bot
