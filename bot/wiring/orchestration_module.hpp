#pragma once
// Orchestration (../shared/DESIGN.md §3): the workflow store, the durable engine with the
// built-in workflows, the outbox relay with one lane per platform, and the timer loop. Built
// after the store and the platforms, before ingress, so ingress handlers can start and feed
// workflows; drained before the I/O runtime stops, since the relay calls the platform clients.
// Starting it resumes what a crash left: effects in flight are looked up before they are redone,
// pending effects and due timers run, waiting runs keep waiting. Scheduled reports: one loop
// waits for the earliest schedule row and starts a report run per slot (run id from schedule and
// slot, so a slot fired again after a crash is the same run). The health monitor samples the
// store, the relay's lanes and the breakers on its own loop and feeds the incident runs, which
// post to `slack.ops_channel` through the outbox like any other effect. With several replicas on
// one PostgreSQL store, only the replica leading role "scheduler" fires report slots and only
// the one leading "health" tells incident runs (store/leadership.hpp); every replica runs the
// relay and the timers, which claim their rows.

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>

#include "core/clock.hpp"
#include "core/config.hpp"
#include "core/resilience/events.hpp"
#include "store/schedule_store.hpp"
#include "store/subscription_store.hpp"
#include "store/workflow_store.hpp"
#include "workflows/builtin/report.hpp"
#include "workflows/engine/engine.hpp"
#include "workflows/engine/timer_loop.hpp"
#include "workflows/health/health_loop.hpp"
#include "workflows/health/health_monitor.hpp"
#include "workflows/outbox/github_executor.hpp"
#include "workflows/outbox/linear_executor.hpp"
#include "workflows/outbox/outbox_relay.hpp"
#include "workflows/outbox/slack_executor.hpp"
#include "workflows/present/report_model.hpp"
#include "workflows/schedule/schedule_loop.hpp"
#include "workflows/schedule/scheduler.hpp"

namespace contexten::bot::wiring {

class StoreModule;
class PlatformsModule;

class OrchestrationModule {
 public:
  // Throws StartupError when the relay cannot recover the outbox.
  OrchestrationModule(const core::Config& config, StoreModule& store, PlatformsModule& platforms,
                      core::Clock& clock);
  ~OrchestrationModule();  // Drain()
  OrchestrationModule(const OrchestrationModule&) = delete;
  OrchestrationModule& operator=(const OrchestrationModule&) = delete;

  workflows::engine::Engine& engine() { return engine_; }
  store::WorkflowStore& workflows() { return workflow_store_; }
  workflows::outbox::OutboxRelay& relay() { return relay_; }
  store::ScheduleStore& schedules() { return schedule_store_; }
  workflows::health::HealthMonitor& health_monitor() { return health_monitor_; }
  store::SubscriptionStore& subscriptions() { return subscription_store_; }
  // After a schedule was added or removed: the scheduler looks again at once.
  void WakeScheduler() { schedule_loop_.Wake(); }
  using ReportSource =
      std::function<workflows::present::ReportModel(const workflows::present::ReportOptions&)>;
  // What scheduled reports show (set once the health registry exists); until then they show
  // an empty model.
  void set_report_source(ReportSource source);
  // What a digest for `channel` reads: Linear's open issues (the teams the channel subscribes
  // to, else every team) when Linear is configured; PRs and default-branch runs of the
  // repositories the channel subscribes to when GitHub is.
  workflows::builtin::ReportScope ReportScopeFor(const std::string& channel);
  // Whether Linear effects can be performed (Linear configured).
  bool linear_enabled() const { return linear_executor_ != nullptr; }
  // Whether GitHub effects can be performed (GitHub configured).
  bool github_enabled() const { return github_executor_ != nullptr; }

  // True when the relay has nothing to do now and no timer is due (retries waiting for a later
  // time do not count). With a horizon, work due within it counts too: a rate-limit refusal
  // rescheduled a second ahead is work still to come, a deploy's expiry minutes ahead is not.
  bool Quiet(std::chrono::milliseconds horizon = std::chrono::milliseconds(0));

  // Stops the scheduler, the relay lanes (an effect being performed finishes) and the timer loop.
  // Call while the I/O runtime still runs. What is left stays in the outbox for the next start.
  void Drain();

 private:
  core::Status FireReport(const store::ScheduleRecord& schedule, core::WallTime slot);

  // The store module's ports (SQLite or PostgreSQL, bot/wiring/store_module.hpp).
  store::WorkflowStore& workflow_store_;
  store::ScheduleStore& schedule_store_;
  store::SubscriptionStore& subscription_store_;
  workflows::engine::Engine engine_;
  workflows::outbox::SlackExecutor slack_executor_;
  std::unique_ptr<workflows::outbox::LinearExecutor> linear_executor_;
  std::unique_ptr<workflows::outbox::GitHubExecutor> github_executor_;
  workflows::outbox::OutboxRelay relay_;
  workflows::engine::TimerLoop timers_;
  std::mutex report_source_mu_;
  ReportSource report_source_;
  workflows::schedule::Scheduler scheduler_;
  workflows::schedule::ScheduleLoop schedule_loop_;
  workflows::health::HealthMonitor health_monitor_;
  workflows::health::HealthLoop health_loop_;
  std::shared_ptr<core::resilience::EventBus> events_;
  core::resilience::EventBus::SubscriptionId breaker_wakes_ = 0;
  store::Leadership& leadership_;
  bool drained_ = false;
};

}  // namespace contexten::bot::wiring
