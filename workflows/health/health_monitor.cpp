#include "workflows/health/health_monitor.hpp"

#include <spdlog/spdlog.h>

#include "core/logging.hpp"

namespace contexten::workflows::health {
namespace {

std::shared_ptr<spdlog::logger> Log() {
  static auto log = core::Logger("health");
  return log;
}

std::int64_t WallMs(core::Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.WallNow().time_since_epoch())
      .count();
}

}  // namespace

HealthMonitor::HealthMonitor(engine::Engine& engine, core::Clock& clock, store::Database* database,
                             const outbox::OutboxRelay* relay)
    : engine_(engine),
      clock_(clock),
      database_(database),
      relay_(relay),
      started_ms_(WallMs(clock)) {}

void HealthMonitor::AddCheck(HealthCheck check) {
  std::lock_guard lock(mu_);
  checks_.push_back(std::move(check));
}

core::Result<std::vector<HealthSignal>> HealthMonitor::Tick() {
  HealthInputs inputs;
  inputs.now_ms = WallMs(clock_);
  inputs.started_ms = started_ms_;
  if (database_ || read_stats_) {
    auto stats = database_ ? store::ReadStoreStats(*database_) : read_stats_();
    if (stats) {
      inputs.store = std::move(*stats);
    } else {
      inputs.store_error = stats.error().Describe();
    }
  }
  if (relay_) inputs.lanes = relay_->lane_stats();

  std::vector<HealthCheck> checks;
  {
    std::lock_guard lock(mu_);
    checks = checks_;
  }
  std::vector<HealthSignal> signals;
  for (const auto& check : checks) {
    for (auto& signal : check(inputs)) signals.push_back(std::move(signal));
  }

  // Only this thread ticks; the lock guards what readers (status, metrics) see.
  const auto term = Term();
  bool first;
  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::int64_t>> told;
  {
    std::lock_guard lock(mu_);
    if (!term || term != term_) {
      // Not leading, or a new term: what this replica told before may be stale (another one
      // told the runs meanwhile), so the next term starts as after a restart.
      first_tick_ = true;
      told_.clear();
    }
    first = first_tick_;
    told = told_;
    if (leading_ != term.has_value()) {
      Log()->info(term ? "health: this replica leads; it tells the incident runs"
                       : "health: another replica leads; this one only samples");
    }
    leading_ = term.has_value();
    term_ = term;
  }
  if (!term) {
    std::lock_guard lock(mu_);
    last_ = signals;
    ++ticks_;
    return signals;
  }
  core::Status status = core::Ok();
  for (const auto& signal : signals) {
    const auto key = std::make_pair(signal.integration, signal.check);
    const auto was = told.find(key);
    const bool ok = signal.status == kStatusOk;
    bool tell;
    if (was == told.end()) {
      tell = !ok || first;  // a key never seen as a problem needs no run
    } else {
      tell = was->second.first != signal.status || (!ok && was->second.second != signal.queued);
    }
    if (!tell) continue;
    // Fencing: confirm the term before each delivery (Lead re-checks the session); a replica
    // that lost it stops telling, and the new leader starts over from a first sample.
    if (leadership_ && Term() != term) {
      std::lock_guard lock(mu_);
      first_tick_ = true;
      told_.clear();
      leading_ = false;
      term_.reset();
      last_ = signals;
      ++ticks_;
      return signals;
    }
    if (auto told_run = Tell(signal); !told_run) {
      Log()->warn("incident {}:{} not told: {}", signal.integration, signal.check,
                  told_run.error().Describe());
      status = told_run;
      continue;  // told again next tick
    }
    told[key] = {signal.status, signal.queued};
  }
  {
    std::lock_guard lock(mu_);
    first_tick_ = false;
    told_ = std::move(told);
    last_ = signals;
    ++ticks_;
  }
  if (!status) return core::Unexpected(status.error());
  return signals;
}

std::optional<std::int64_t> HealthMonitor::Term() {
  if (!leadership_) return 0;
  auto term = leadership_->Lead(role_);
  if (!term) {
    Log()->warn("health: leadership unknown: {}", term.error().Describe());
    return std::nullopt;
  }
  return *term;
}

bool HealthMonitor::leading() const {
  std::lock_guard lock(mu_);
  return leading_;
}

core::Status HealthMonitor::Tell(const HealthSignal& signal) {
  engine::Event event;
  event.type = kHealthSampleEvent;
  event.data = {{"integration", signal.integration},
                {"check", signal.check},
                {"status", signal.status},
                {"detail", signal.detail},
                {"errors", signal.errors},
                {"last_error", signal.last_error},
                {"queued", signal.queued}};
  const std::string run_id = IncidentRunId(signal.integration, signal.check);
  auto delivered = engine_.Deliver(run_id, event);
  if (delivered) return core::Ok();
  if (delivered.error().kind != core::ErrorKind::kNotFound) {
    return core::Unexpected(delivered.error());
  }
  if (signal.status == kStatusOk) return core::Ok();  // nothing to close
  auto started = engine_.Start(kIncidentType, run_id, std::move(event));
  if (!started) return core::Unexpected(started.error());
  return core::Ok();
}

std::vector<HealthSignal> HealthMonitor::last() const {
  std::lock_guard lock(mu_);
  return last_;
}

std::uint64_t HealthMonitor::ticks() const {
  std::lock_guard lock(mu_);
  return ticks_;
}

}  // namespace contexten::workflows::health
