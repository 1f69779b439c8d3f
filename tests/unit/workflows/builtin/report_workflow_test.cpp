// ReportWorkflow: renders the report it is started with and posts it once through the outbox;
// a slot started twice (a restart between firing and recording it) is one run and one post.

#include <gtest/gtest.h>

#include "tests/support/workflow_fixture.hpp"
#include "workflows/builtin/report.hpp"
#include "workflows/outbox/effect_kinds.hpp"
#include "workflows/schedule/scheduler.hpp"

namespace contexten::workflows::builtin {
namespace {

using nlohmann::json;

ReportRequest Digest() {
  ReportRequest r;
  r.kind = kDigestReport;
  r.channel = "C_TEAM";
  r.schedule_id = 3;
  r.slot_ms = 1'773'219'600'000;
  r.model.has_pulls = true;
  present::ReportPull pull;
  pull.repo = "acme/api";
  pull.number = 42;
  pull.title = "Add rate limiter";
  pull.created_at_ms = r.slot_ms - 3'600'000;
  pull.updated_at_ms = pull.created_at_ms;
  r.model.pulls.push_back(pull);
  return r;
}

TEST(ReportWorkflowTest, StartPostsTheRenderedReportToTheChannel) {
  ReportWorkflow workflow;
  const ReportRequest request = Digest();
  engine::Event start{"start",
                      {{"kind", request.kind},
                       {"channel", request.channel},
                       {"model", present::ToJson(request.model)},
                       {"options", json::object()}},
                      "start"};
  auto d = workflow.Decide({"report:3@1", request.slot_ms}, nullptr, start);
  ASSERT_EQ(d.effects.size(), 1u);
  const auto row = engine::ToRow(d.effects[0].action);
  EXPECT_EQ(row.kind, outbox::kSlackPostMessage);
  EXPECT_EQ(row.args["channel"], "C_TEAM");
  EXPECT_NE(row.args["text"].get<std::string>().find("1 PRs awaiting first review"),
            std::string::npos);
  EXPECT_NE(row.args["blocks"].dump().find("acme/api#42"), std::string::npos);
  EXPECT_EQ(d.outcome, engine::Decision::Outcome::kContinue);

  auto done = workflow.Decide(
      {"report:3@1", request.slot_ms}, d.state,
      {engine::kEffectDone, {{"step", "post"}, {"result", {{"ts", "1.0001"}}}}, "effect:1"});
  EXPECT_EQ(done.outcome, engine::Decision::Outcome::kCompleted);
  EXPECT_EQ(done.state["ts"], "1.0001");
}

TEST(ReportWorkflowTest, ADeadPostFailsTheRunAndAnUnknownKindFailsAtOnce) {
  ReportWorkflow workflow;
  auto d = workflow.Decide({"r", 0}, nullptr,
                           {"start", {{"kind", "weekly"}, {"channel", "C1"}}, "start"});
  ASSERT_EQ(d.effects.size(), 1u);
  auto dead = workflow.Decide(
      {"r", 0}, d.state,
      {engine::kEffectDead, {{"step", "post"}, {"error", "channel_not_found"}}, "e"});
  EXPECT_EQ(dead.outcome, engine::Decision::Outcome::kFailed);
  EXPECT_EQ(dead.state["error"], "channel_not_found");

  auto unknown = workflow.Decide({"r2", 0}, nullptr,
                                 {"start", {{"kind", "monthly"}, {"channel", "C1"}}, "start"});
  EXPECT_TRUE(unknown.effects.empty());
  EXPECT_EQ(unknown.outcome, engine::Decision::Outcome::kFailed);
}

TEST(ReportWorkflowTest, ASlotStartedTwiceIsOneRunAndOnePost) {
  testing::WorkflowFixture f;
  f.engine->Register(std::make_unique<ReportWorkflow>());
  const ReportRequest request = Digest();
  const std::string run_id = schedule::SlotRunId(
      request.schedule_id, core::WallTime{std::chrono::milliseconds(request.slot_ms)});
  auto first = StartReport(*f.engine, run_id, request);
  ASSERT_TRUE(first.has_value()) << first.error().Describe();
  EXPECT_TRUE(first->applied);
  EXPECT_EQ(first->effects, 1u);
  f.Reopen();  // a crash before the schedule recorded the slot
  f.engine->Register(std::make_unique<ReportWorkflow>());
  auto again = StartReport(*f.engine, run_id, request);
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(again->applied);
  auto effects = f.workflows->Effects(std::nullopt, run_id, 10);
  ASSERT_TRUE(effects.has_value());
  EXPECT_EQ(effects->size(), 1u);
}

TEST(ReportWorkflowTest, StartRefusesUnknownKindsAndMissingChannels) {
  testing::WorkflowFixture f;
  f.engine->Register(std::make_unique<ReportWorkflow>());
  ReportRequest bad = Digest();
  bad.kind = "monthly";
  auto refused = StartReport(*f.engine, "r1", bad);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, core::ErrorKind::kInvalidInput);
  ReportRequest nowhere = Digest();
  nowhere.channel.clear();
  EXPECT_FALSE(StartReport(*f.engine, "r2", nowhere).has_value());
}

}  // namespace
}  // namespace contexten::workflows::builtin
