#include "bot/app.hpp"

#include <utility>

#include "bot/dispatcher.hpp"
#include "bot/wiring/ingress_module.hpp"
#include "bot/wiring/orchestration_module.hpp"
#include "bot/wiring/platforms_module.hpp"
#include "bot/wiring/startup_error.hpp"
#include "bot/wiring/store_module.hpp"
#include "core/clock.hpp"
#include "core/redactor.hpp"
#include "core/wait_until.hpp"

namespace contexten::bot {

// Members in construction order; teardown is the reverse.
struct App::Modules {
  Modules(const AppOptions& options, core::Clock& clock)
      : store(options.config, clock),
        platforms(options.config, clock),
        orchestration(options.config, store, platforms, clock),
        ingress(options.config, store, platforms, orchestration, clock,
                wiring::IngressOptions{options.allow_port_fallback}) {}

  wiring::StoreModule store;
  wiring::PlatformsModule platforms;
  wiring::OrchestrationModule orchestration;
  wiring::IngressModule ingress;
};

App::App(AppOptions options) : options_(std::move(options)) {}

App::~App() { Stop(); }

core::Status App::Start() {
  for (const auto& secret : options_.config.Secrets()) core::Redactor::Global().AddSecret(secret);
  try {
    modules_ = std::make_unique<Modules>(options_, core::DefaultClock());
  } catch (const wiring::StartupError& e) {
    return core::Unexpected(e.error());
  }
  return core::Ok();
}

void App::Stop() {
  if (!modules_) return;
  modules_->ingress.Drain();
  modules_->orchestration.Drain();
  // Nothing may run on the I/O thread while the modules are destroyed.
  modules_->platforms.io().Stop();
  modules_.reset();
}

bool App::WaitConnected(std::chrono::milliseconds deadline) {
  return core::WaitUntil([this] { return modules_ && modules_->ingress.connected(); }, deadline);
}

bool App::WaitIdle(std::chrono::milliseconds deadline, std::chrono::milliseconds horizon) {
  // Idle twice in a row around the outbox check: a delivery handled just now may have started
  // work the relay has not claimed yet, and an effect just finished may have fed a run.
  return core::WaitUntil(
      [this, horizon] {
        return modules_ && modules_->ingress.idle() && modules_->orchestration.Quiet(horizon) &&
               modules_->ingress.idle();
      },
      deadline);
}

uint16_t App::http_port() const { return modules_ ? modules_->ingress.http_port() : 0; }

integrations::github::GitHubApi* App::github() {
  return modules_ ? modules_->platforms.github() : nullptr;
}

integrations::linear::LinearApi* App::linear() {
  return modules_ ? modules_->platforms.linear() : nullptr;
}

Dispatcher& App::dispatcher() { return modules_->ingress.dispatcher(); }

bool App::ready() const { return modules_ && modules_->ingress.health().AllReady(); }

core::Status App::ReloadRules() {
  if (!modules_) return core::MakeError(core::ErrorKind::kUnavailable, "not started");
  return modules_->ingress.ReloadRules();
}

}  // namespace contexten::bot
