// HealthMonitor over a real engine and store: it starts an incident run on the first problem,
// tells it only what changed, and after a restart closes an incident that healed meanwhile.
// The standard checks read the store and the relay's lane stats.

#include "workflows/health/health_monitor.hpp"

#include <gtest/gtest.h>

#include "tests/support/fakes/fake_leadership.hpp"
#include "tests/support/workflow_fixture.hpp"
#include "workflows/health/health_checks.hpp"

namespace contexten::workflows::health {
namespace {

using nlohmann::json;

class HealthMonitorTest : public ::testing::Test {
 protected:
  void SetUp() override { Build(); }

  void Build() {
    IncidentOptions options;
    options.ops_channel = "C0OPS";
    f_.engine->Register(std::make_unique<IncidentWorkflow>(options));
    monitor_ = std::make_unique<HealthMonitor>(*f_.engine, f_.clock, f_.database.get(), nullptr);
    monitor_->AddCheck([this](const HealthInputs&) {
      HealthSignal s;
      s.integration = "linear";
      s.check = "calls";
      s.status = status_;
      s.queued = queued_;
      return std::vector<HealthSignal>{s};
    });
  }

  // The run's version: one per step it took.
  std::int64_t Steps() {
    auto run = f_.workflows->LoadRun(IncidentRunId("linear", "calls"));
    return run && *run ? (*run)->version : 0;
  }
  json State() {
    auto run = f_.workflows->LoadRun(IncidentRunId("linear", "calls"));
    return run && *run ? json::parse((*run)->state_json) : json();
  }

  testing::WorkflowFixture f_;
  std::unique_ptr<HealthMonitor> monitor_;
  std::string status_ = kStatusOk;
  std::int64_t queued_ = 0;
};

TEST_F(HealthMonitorTest, AHealthyIntegrationStartsNoRun) {
  ASSERT_TRUE(monitor_->Tick());
  ASSERT_TRUE(monitor_->Tick());
  EXPECT_EQ(Steps(), 0);
  EXPECT_EQ(monitor_->last().size(), 1u);
}

TEST_F(HealthMonitorTest, OnlyChangesAreDelivered) {
  status_ = kStatusOpen;
  ASSERT_TRUE(monitor_->Tick());
  const auto after_first = Steps();
  EXPECT_GE(after_first, 1);
  EXPECT_EQ(State()["phase"], "pending");
  ASSERT_TRUE(monitor_->Tick());  // same status, same queue
  EXPECT_EQ(Steps(), after_first);
  queued_ = 3;  // the queue behind the problem grew: the run learns (for "what was replayed")
  ASSERT_TRUE(monitor_->Tick());
  EXPECT_EQ(Steps(), after_first + 1);
  EXPECT_EQ(State()["max_queued"], 3);
  status_ = kStatusOk;
  ASSERT_TRUE(monitor_->Tick());
  EXPECT_EQ(State()["phase"], "idle");  // healed within the grouping delay
}

TEST_F(HealthMonitorTest, AfterARestartTheFirstSampleClosesWhatHealedMeanwhile) {
  status_ = kStatusOpen;
  ASSERT_TRUE(monitor_->Tick());
  f_.clock.Advance(std::chrono::seconds(31));
  ASSERT_TRUE(f_.engine->FireDueTimers());
  EXPECT_EQ(State()["phase"], "posted");
  // Restart: a new engine and monitor; the integration healed while we were down.
  f_.Reopen();
  status_ = kStatusOk;
  Build();
  ASSERT_TRUE(monitor_->Tick());
  EXPECT_EQ(State()["phase"], "closing");  // recovered; the root's ts never came back
}

TEST_F(HealthMonitorTest, AReplicaThatDoesNotLeadSamplesButStartsNoIncident) {
  testing::FakeLeadership leadership;
  leadership.leading = false;
  monitor_->set_leadership(&leadership);
  status_ = kStatusOpen;
  ASSERT_TRUE(monitor_->Tick());
  ASSERT_TRUE(monitor_->Tick());
  EXPECT_EQ(Steps(), 0);  // no run: nothing will be posted by this replica
  EXPECT_FALSE(monitor_->leading());
  EXPECT_EQ(leadership.last_role, "health");
  ASSERT_EQ(monitor_->last().size(), 1u);  // its own status page still sees the problem
  EXPECT_EQ(monitor_->last()[0].status, kStatusOpen);
  // It takes over (the leader died): the first sample in its term starts the incident.
  leadership.leading = true;
  ASSERT_TRUE(monitor_->Tick());
  EXPECT_TRUE(monitor_->leading());
  EXPECT_GE(Steps(), 1);
  EXPECT_EQ(State()["phase"], "pending");
}

TEST_F(HealthMonitorTest, ALeaderThatLosesItsTermStopsTellingAndANewTermRetellsTheStatus) {
  testing::FakeLeadership leadership;
  monitor_->set_leadership(&leadership);
  status_ = kStatusOpen;
  ASSERT_TRUE(monitor_->Tick());
  const auto told = Steps();
  ASSERT_GE(told, 1);
  // Another replica leads now and heals the incident; this one, still seeing the problem with
  // a longer queue, tells nothing.
  leadership.leading = false;
  queued_ = 5;
  ASSERT_TRUE(monitor_->Tick());
  EXPECT_EQ(Steps(), told);
  EXPECT_FALSE(monitor_->leading());
  // Leading again in a greater term: it tells the run the current status even though that
  // status did not change from what it told in its old term (as after a restart).
  leadership.leading = true;
  leadership.epoch = 3;
  ASSERT_TRUE(monitor_->Tick());
  EXPECT_EQ(Steps(), told + 1);
  EXPECT_EQ(State()["max_queued"], 5);
}

TEST(HealthChecksTest, LaneCheckDegradesThenOpensWithFailuresInARow) {
  HealthThresholds thresholds;
  thresholds.failures_open = 3;
  auto check = LaneCheck("linear", "linear", thresholds);
  HealthInputs in;
  in.now_ms = 1'000'000;
  in.store = store::StoreStats{};
  in.store->lanes["linear"].pending = 4;
  in.store->lanes["linear"].oldest_pending_created_ms = in.now_ms - 1000;
  auto& lane = in.lanes["linear"];
  lane.consecutive_failures = 1;
  lane.errors_by_kind["transient"] = 1;
  lane.last_error = "transient: HTTP 503";
  auto signals = check(in);
  ASSERT_EQ(signals.size(), 2u);
  EXPECT_EQ(signals[0].check, "calls");
  EXPECT_EQ(signals[0].status, kStatusDegraded);
  EXPECT_EQ(signals[0].queued, 4);
  EXPECT_EQ(signals[0].last_error, "transient: HTTP 503");
  lane.consecutive_failures = 3;
  EXPECT_EQ(check(in)[0].status, kStatusOpen);
  lane.consecutive_failures = 0;
  EXPECT_EQ(check(in)[0].status, kStatusOk);
  EXPECT_EQ(check(in)[1].status, kStatusOk);  // 4 pending, 1 s old: no backlog
  in.store->lanes["linear"].oldest_pending_created_ms = in.now_ms - 16 * 60'000;
  EXPECT_EQ(check(in)[1].status, kStatusDegraded);
}

TEST(HealthChecksTest, TheBreakerDecidesOpenAndHalfOpen) {
  core::resilience::CircuitBreakerMetrics metrics;
  auto check = LaneCheck("github", "github", {}, [&] { return metrics; });
  HealthInputs in;
  metrics.state = core::resilience::CircuitState::kOpen;
  EXPECT_EQ(check(in)[0].status, kStatusOpen);
  metrics.state = core::resilience::CircuitState::kHalfOpen;
  EXPECT_EQ(check(in)[0].status, kStatusHalfOpen);
  metrics.state = core::resilience::CircuitState::kClosed;
  EXPECT_EQ(check(in)[0].status, kStatusOk);
}

TEST(HealthChecksTest, ASilentWebhookSourceIsASignalOfItsOwn) {
  HealthThresholds thresholds;
  thresholds.webhook_silence = std::chrono::minutes(60);
  auto check = WebhookSilenceCheck("github", "github", thresholds);
  HealthInputs in;
  in.started_ms = 0;
  in.now_ms = 59 * 60'000;
  in.store = store::StoreStats{};
  EXPECT_EQ(check(in)[0].status, kStatusOk);
  in.now_ms = 61 * 60'000;
  EXPECT_EQ(check(in)[0].status, kStatusDegraded);
  EXPECT_NE(check(in)[0].detail.find("no webhook from github for 61 min"), std::string::npos);
  in.store->last_received_ms["github"] = 30 * 60'000;
  EXPECT_EQ(check(in)[0].status, kStatusOk);
}

TEST(HealthChecksTest, StoreCheckCountsDeadLettersAndBacklog) {
  HealthThresholds thresholds;
  auto check = StoreCheck(thresholds);
  HealthInputs in;
  in.now_ms = 10 * 60'000;
  in.store = store::StoreStats{};
  in.store->inbox_pending = 2;
  in.store->oldest_inbox_pending_ms = in.now_ms - 6 * 60'000;
  in.store->lanes["slack"].dead = 2;
  auto signals = check(in);
  ASSERT_EQ(signals.size(), 4u);
  EXPECT_EQ(signals[0].status, kStatusOk);        // readable
  EXPECT_EQ(signals[1].status, kStatusDegraded);  // inbox 6 min old
  EXPECT_EQ(signals[2].status, kStatusOk);        // WAL
  EXPECT_EQ(signals[3].status, kStatusDegraded);  // dead letters
  EXPECT_NE(signals[3].detail.find("slack 2"), std::string::npos);
  in.store.reset();
  in.store_error = "disk I/O error";
  EXPECT_EQ(check(in)[0].status, kStatusOpen);
}

}  // namespace
}  // namespace contexten::workflows::health
