// Scheduled reports end to end below the bot (issue 12, acceptance 2): a schedule row, the
// scheduler ticking on a fake clock, the report run it starts, and the outbox relay posting the
// digest to the Slack stand-in over loopback HTTP. `0 9 * * 1-5 tz:Europe/Berlin` posts at 09:00
// Berlin across the spring-forward weekend, once per slot; after a downtime over two slots it
// posts once.

#include <gtest/gtest.h>

#include <functional>

#include "core/net/http_client.hpp"
#include "core/net/io_runtime.hpp"
#include "integrations/slack/slack_web_client.hpp"
#include "sandbox/slack/slack_sandbox.hpp"
#include "store/sqlite_schedule_store.hpp"
#include "tests/support/wait_for.hpp"
#include "tests/support/workflow_fixture.hpp"
#include "workflows/builtin/report.hpp"
#include "workflows/outbox/outbox_relay.hpp"
#include "workflows/outbox/slack_executor.hpp"
#include "workflows/schedule/scheduler.hpp"

namespace contexten {
namespace {

using namespace std::chrono_literals;

// 2026-03-27 (a Friday) 06:00 UTC = 07:00 CET; Berlin moves to CEST on Sunday the 29th.
const core::WallTime kFridayMorning{std::chrono::seconds(1'774'591'200)};

class ScheduledReportFlowTest : public ::testing::Test {
 protected:
  ScheduledReportFlowTest() : io_(2), slack_sandbox_(io_), http_(io_, {}) {}

  void SetUp() override {
    ASSERT_TRUE(slack_sandbox_.Start());
    f_.clock.Advance(kFridayMorning - f_.clock.WallNow());
    slack_ = std::make_unique<integrations::slack::SlackWebClient>(
        http_, slack_sandbox_.api_url(), slack_sandbox_.options().bot_token);
    slack_executor_ = std::make_unique<workflows::outbox::SlackExecutor>(*slack_);
    f_.engine->Register(std::make_unique<workflows::builtin::ReportWorkflow>());
    workflows::outbox::RelayOptions options;
    options.seed = 7;
    relay_ = std::make_unique<workflows::outbox::OutboxRelay>(*f_.workflows, *f_.engine, f_.clock,
                                                              options);
    relay_->AddLane("slack", *slack_executor_);
    schedules_ = std::make_unique<store::SqliteScheduleStore>(*f_.database);
    scheduler_ = std::make_unique<workflows::schedule::Scheduler>(
        *schedules_, [this](const store::ScheduleRecord& s, core::WallTime slot) {
          return workflows::builtin::StartScheduledReport(
              *f_.engine, s, slot, [](const workflows::present::ReportOptions&) {
                workflows::present::ReportModel model;
                model.health.push_back({"Slack", true, "connected"});
                return model;
              });
        });
  }

  void TearDown() override {
    relay_.reset();
    slack_sandbox_.Stop();
  }

  // Moves the clock to `at`, ticks the scheduler, and lets the relay post what it started.
  std::size_t TickAt(core::WallTime at) {
    f_.clock.Advance(at - f_.clock.WallNow());
    auto tick = scheduler_->Tick(f_.clock.WallNow());
    EXPECT_TRUE(tick.has_value());
    if (!tick) return 0;
    EXPECT_TRUE(tick->errors.empty());
    return tick->fired.size();
  }

  // Runs the relay until `count` digests are in the channel (the stand-in paces posts per
  // channel in real time; a 429 is a durable reschedule on the fake clock).
  bool Posted(std::size_t count) {
    return testing::WaitFor(
        [&] {
          f_.clock.Advance(1s);
          relay_->Tick();
          return Digests().size() >= count;
        },
        std::chrono::seconds(30));
  }

  std::vector<sandbox::SandboxMessage> Digests() {
    std::vector<sandbox::SandboxMessage> out;
    for (auto& m : slack_sandbox_.Messages("C0TEAM")) {
      if (m.text.starts_with("Daily digest")) out.push_back(m);
    }
    return out;
  }

  testing::WorkflowFixture f_;
  core::net::IoRuntime io_;
  sandbox::SlackSandbox slack_sandbox_;
  core::net::HttpClient http_;
  std::unique_ptr<integrations::slack::SlackWebClient> slack_;
  std::unique_ptr<workflows::outbox::SlackExecutor> slack_executor_;
  std::unique_ptr<workflows::outbox::OutboxRelay> relay_;
  std::unique_ptr<store::SqliteScheduleStore> schedules_;
  std::unique_ptr<workflows::schedule::Scheduler> scheduler_;
};

TEST_F(ScheduledReportFlowTest, WeekdayDigestPostsAtNineBerlinOncePerSlotAndOnceAfterDowntime) {
  store::ScheduleRecord row;
  row.channel = "C0TEAM";
  row.kind = "digest";
  row.cron = "0 9 * * 1-5";
  row.tz = "Europe/Berlin";
  row.created_by = "U0SANDBOXUSER";
  row.created_at_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(kFridayMorning.time_since_epoch())
          .count();
  ASSERT_TRUE(schedules_->Add(row).has_value());

  EXPECT_EQ(TickAt(kFridayMorning + 59min), 0u);  // 07:59 CET
  EXPECT_EQ(TickAt(kFridayMorning + 2h), 1u);     // 09:00 CET = 08:00 UTC
  ASSERT_TRUE(Posted(1));
  EXPECT_EQ(TickAt(kFridayMorning + 2h + 30min), 0u);  // the same slot, not again
  // The weekend, then Monday 09:00 CEST = 07:00 UTC: summer time moved the slot an hour.
  EXPECT_EQ(TickAt(kFridayMorning + 72h), 0u);  // Monday 06:00 UTC
  EXPECT_EQ(TickAt(kFridayMorning + 73h), 1u);  // Monday 07:00 UTC
  ASSERT_TRUE(Posted(2));
  // Down from Monday noon to Wednesday 10:00 UTC: Tuesday's and Wednesday's slots were missed.
  EXPECT_EQ(TickAt(kFridayMorning + 124h), 1u);
  ASSERT_TRUE(Posted(3));
  EXPECT_EQ(TickAt(kFridayMorning + 125h), 0u);
  // Let the relay run a while longer: still three digests, each a new message in the channel.
  for (int i = 0; i < 5; ++i) relay_->Tick();
  const auto digests = Digests();
  ASSERT_EQ(digests.size(), 3u);
  EXPECT_NE(digests[0].blocks.dump().find("Integration health"), std::string::npos);
  auto runs = f_.workflows->CountRuns(store::RunStatus::kCompleted, "report");
  ASSERT_TRUE(runs.has_value());
  EXPECT_EQ(*runs, 3);
}

}  // namespace
}  // namespace contexten
