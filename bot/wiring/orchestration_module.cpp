#include "bot/wiring/orchestration_module.hpp"

#include <spdlog/spdlog.h>

#include "bot/wiring/platforms_module.hpp"
#include "bot/wiring/startup_error.hpp"
#include "bot/wiring/store_module.hpp"
#include "core/logging.hpp"
#include "workflows/builtin/file_issue.hpp"
#include "workflows/builtin/identity.hpp"
#include "workflows/builtin/intent_action.hpp"
#include "workflows/builtin/report.hpp"
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

}  // namespace

OrchestrationModule::OrchestrationModule(StoreModule& store, PlatformsModule& platforms,
                                         core::Clock& clock)
    : workflow_store_(store.database()),
      schedule_store_(store.database()),
      subscription_store_(store.database()),
      engine_(workflow_store_, clock),
      slack_executor_(platforms.slack_outbox()),
      linear_executor_(platforms.linear() ? std::make_unique<workflows::outbox::LinearExecutor>(
                                                *platforms.linear())
                                          : nullptr),
      relay_(workflow_store_, engine_, clock),
      timers_(engine_),
      scheduler_(schedule_store_,
                 [this](const store::ScheduleRecord& schedule, core::WallTime slot) {
                   return FireReport(schedule, slot);
                 }),
      schedule_loop_(scheduler_, clock) {
  engine_.Register(std::make_unique<workflows::builtin::FileIssueWorkflow>());
  engine_.Register(std::make_unique<workflows::builtin::ReportWorkflow>());
  engine_.Register(std::make_unique<workflows::builtin::IntentActionWorkflow>());
  engine_.Register(std::make_unique<workflows::builtin::IdentityWorkflow>());
  engine_.Register(std::make_unique<workflows::subscriptions::FeedWorkflow>());
  engine_.Register(std::make_unique<workflows::rules::RuleWorkflow>());
  // Slack posts to different threads go out side by side; the per-channel pacing still holds.
  relay_.AddLane(workflows::outbox::kSlackLane, slack_executor_, kSlackLaneThreads);
  if (linear_executor_) relay_.AddLane(workflows::outbox::kLinearLane, *linear_executor_, 4);
  engine_.set_on_effects([this] { relay_.Wake(); });
  engine_.set_on_timers([this] { timers_.Wake(); });
  if (auto started = relay_.Start(); !started) {
    throw StartupError(
        core::MakeError(started.error().kind, "outbox recovery: " + started.error().message));
  }
  timers_.Start();
  // A report missed while the process was down runs once now (workflows/schedule/scheduler.hpp).
  schedule_loop_.Start();
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
  return workflows::builtin::StartScheduledReport(engine_, schedule, slot, report_source_);
}

bool OrchestrationModule::Quiet() {
  const std::int64_t now = engine_.NowMs();
  auto active = workflow_store_.CountActiveEffects(now);
  if (!active || *active > 0) return false;
  auto next_timer = engine_.NextTimerDue();
  return next_timer && (!*next_timer || **next_timer > now);
}

void OrchestrationModule::Drain() {
  if (drained_) return;
  drained_ = true;
  schedule_loop_.Stop();
  timers_.Stop();
  relay_.Stop();
}

}  // namespace contexten::bot::wiring
