#include "bot/wiring/orchestration_module.hpp"

#include <spdlog/spdlog.h>

#include "bot/wiring/platforms_module.hpp"
#include "bot/wiring/startup_error.hpp"
#include "bot/wiring/store_module.hpp"
#include "core/logging.hpp"
#include "workflows/builtin/ci_alert.hpp"
#include "workflows/builtin/deploy.hpp"
#include "workflows/builtin/file_issue.hpp"
#include "workflows/builtin/identity.hpp"
#include "workflows/builtin/intent_action.hpp"
#include "workflows/builtin/report.hpp"
#include "workflows/health/health_checks.hpp"
#include "workflows/health/incident.hpp"
#include "workflows/outbox/effect_kinds.hpp"
#include "workflows/rules/rule_workflow.hpp"
#include "workflows/subscriptions/feed_workflow.hpp"

namespace contexten::bot::wiring {
namespace {

// A relay thread waits for each Slack answer, so the lane moves at most threads / latency
// calls a second: 4 threads at 50 ms are 80 a second, fewer than one reply and one card update
// for each of 100 Linear changes a second (bench/workflow_e2e_bench). Slack's limits are kept
// by the pacer per method and channel, not by this number.
constexpr int kSlackLaneThreads = 16;

// The roles one replica leads at a time (store/leadership.hpp).
constexpr const char* kSchedulerRole = "scheduler";
constexpr const char* kHealthRole = "health";

workflows::health::IncidentOptions IncidentSettings(const core::Config& config) {
  workflows::health::IncidentOptions options;
  options.ops_channel = config.slack.ops_channel;
  options.grouping_delay = std::chrono::seconds(config.health.grouping_delay_seconds);
  options.reminder_interval = std::chrono::minutes(config.health.reminder_minutes);
  options.oncall_after = std::chrono::minutes(config.health.oncall_after_minutes);
  options.oncall_group = config.health.oncall_group;
  return options;
}

workflows::health::HealthThresholds Thresholds(const core::HealthConfig& health) {
  workflows::health::HealthThresholds t;
  t.failures_open = health.failures_open;
  t.outbox_depth = health.outbox_depth;
  t.outbox_age = std::chrono::minutes(health.outbox_age_minutes);
  t.inbox_depth = health.inbox_depth;
  t.inbox_age = std::chrono::minutes(health.inbox_age_minutes);
  t.webhook_silence = std::chrono::minutes(health.webhook_silence_minutes);
  t.wal_bytes = static_cast<std::int64_t>(health.wal_megabytes) * 1024 * 1024;
  return t;
}

workflows::health::BreakerMetrics MetricsOf(const core::resilience::CircuitBreaker* breaker) {
  if (!breaker) return nullptr;
  return [breaker] { return breaker->metrics(); };
}

const core::resilience::CircuitBreaker* BreakerNamed(const PlatformsModule& platforms,
                                                     const std::string& name) {
  for (const auto& [n, breaker] : platforms.breakers()) {
    if (n == name) return breaker;
  }
  return nullptr;
}

}  // namespace

OrchestrationModule::OrchestrationModule(const core::Config& config, StoreModule& store,
                                         PlatformsModule& platforms, core::Clock& clock)
    : workflow_store_(store.workflows()),
      schedule_store_(store.schedules()),
      subscription_store_(store.subscriptions()),
      engine_(workflow_store_, clock),
      slack_executor_(platforms.slack_outbox()),
      linear_executor_(platforms.linear() ? std::make_unique<workflows::outbox::LinearExecutor>(
                                                *platforms.linear())
                                          : nullptr),
      github_executor_(platforms.github() ? std::make_unique<workflows::outbox::GitHubExecutor>(
                                                *platforms.github())
                                          : nullptr),
      relay_(workflow_store_, engine_, clock),
      timers_(engine_),
      scheduler_(schedule_store_,
                 [this](const store::ScheduleRecord& schedule, core::WallTime slot) {
                   return FireReport(schedule, slot);
                 }),
      schedule_loop_(scheduler_, clock),
      health_monitor_(engine_, clock, store.sqlite(), &relay_),
      health_loop_(health_monitor_, std::chrono::seconds(config.health.sample_seconds)),
      events_(platforms.events()),
      leadership_(store.leadership()) {
  if (store.postgres()) health_monitor_.set_store_stats([&store] { return store.Stats(); });
  scheduler_.set_leadership(&leadership_, kSchedulerRole);
  health_monitor_.set_leadership(&leadership_, kHealthRole);
  engine_.Register(std::make_unique<workflows::builtin::FileIssueWorkflow>());
  engine_.Register(std::make_unique<workflows::builtin::ReportWorkflow>());
  engine_.Register(std::make_unique<workflows::builtin::IntentActionWorkflow>());
  engine_.Register(std::make_unique<workflows::builtin::IdentityWorkflow>());
  engine_.Register(std::make_unique<workflows::health::IncidentWorkflow>(IncidentSettings(config)));
  // What the monitor watches (workflows/health/health_checks.hpp); Socket Mode is added by the
  // ingress, which owns that connection.
  namespace health = workflows::health;
  const auto thresholds = Thresholds(config.health);
  health_monitor_.AddCheck(health::LaneCheck("slack_api", workflows::outbox::kSlackLane, thresholds,
                                             MetricsOf(BreakerNamed(platforms, "slack_outbox"))));
  if (linear_executor_) {
    health_monitor_.AddCheck(health::LaneCheck("linear", workflows::outbox::kLinearLane, thresholds,
                                               MetricsOf(BreakerNamed(platforms, "linear"))));
  }
  if (const auto* github = BreakerNamed(platforms, "github")) {
    health_monitor_.AddCheck(health::BreakerCheck("github", MetricsOf(github)));
  }
  health_monitor_.AddCheck(health::StoreCheck(thresholds));
  if (!config.github.webhook_secret.empty()) {
    health_monitor_.AddCheck(health::WebhookSilenceCheck("github", "github", thresholds));
  }
  if (!config.linear.webhook_secret.empty()) {
    health_monitor_.AddCheck(health::WebhookSilenceCheck("linear", "linear", thresholds));
  }
  engine_.Register(std::make_unique<workflows::builtin::CiAlertWorkflow>());
  engine_.Register(std::make_unique<workflows::builtin::DeployWorkflow>());
  engine_.Register(std::make_unique<workflows::subscriptions::FeedWorkflow>());
  engine_.Register(std::make_unique<workflows::rules::RuleWorkflow>());
  // Slack posts to different threads go out side by side; the per-channel pacing still holds.
  relay_.AddLane(workflows::outbox::kSlackLane, slack_executor_, kSlackLaneThreads);
  if (linear_executor_) relay_.AddLane(workflows::outbox::kLinearLane, *linear_executor_, 4);
  if (github_executor_) relay_.AddLane(workflows::outbox::kGitHubLane, *github_executor_, 4);
  engine_.set_on_effects([this] { relay_.Wake(); });
  engine_.set_on_timers([this] { timers_.Wake(); });
  if (auto started = relay_.Start(); !started) {
    throw StartupError(
        core::MakeError(started.error().kind, "outbox recovery: " + started.error().message));
  }
  timers_.Start();
  // A report missed while the process was down runs once now (workflows/schedule/scheduler.hpp).
  schedule_loop_.Start();
  // A breaker that changes state is sampled at once, not at the next interval.
  breaker_wakes_ = events_->Subscribe([this](const core::resilience::ResilienceEvent& event) {
    if (event.kind == core::resilience::ResilienceEventKind::kStateTransition) health_loop_.Wake();
  });
  health_loop_.Start();
}

OrchestrationModule::~OrchestrationModule() { Drain(); }

void OrchestrationModule::set_report_source(ReportSource source) {
  std::lock_guard lock(report_source_mu_);
  report_source_ = std::move(source);
}

core::Status OrchestrationModule::FireReport(const store::ScheduleRecord& schedule,
                                             core::WallTime slot) {
  // Under the lock: the ingress takes the source back (it reads its health registry) on drain.
  std::lock_guard lock(report_source_mu_);
  return workflows::builtin::StartScheduledReport(
      engine_, schedule, slot, report_source_,
      [this](const std::string& channel) { return ReportScopeFor(channel); });
}

workflows::builtin::ReportScope OrchestrationModule::ReportScopeFor(const std::string& channel) {
  workflows::builtin::ReportScope scope;
  scope.linear = linear_enabled();
  scope.github = github_enabled();
  if (auto subs = subscription_store_.ForChannel(channel)) {
    for (const auto& sub : *subs) {
      if (sub.platform == "github" && scope.github) scope.repos.push_back(sub.target);
      if (sub.platform == "linear" && scope.linear) scope.teams.push_back(sub.target);
    }
  }
  return scope;
}

bool OrchestrationModule::Quiet(std::chrono::milliseconds horizon) {
  const std::int64_t until = engine_.NowMs() + horizon.count();
  auto active = workflow_store_.CountActiveEffects(until);
  if (!active || *active > 0) return false;
  auto next_timer = engine_.NextTimerDue();
  return next_timer && (!*next_timer || **next_timer > until);
}

void OrchestrationModule::Drain() {
  if (drained_) return;
  drained_ = true;
  if (breaker_wakes_ != 0) events_->Unsubscribe(breaker_wakes_);
  health_loop_.Stop();
  schedule_loop_.Stop();
  // Another replica may take the roles at once rather than when this session closes.
  leadership_.StepDown(kHealthRole);
  leadership_.StepDown(kSchedulerRole);
  timers_.Stop();
  relay_.Stop();
}

}  // namespace contexten::bot::wiring
