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

// A digest with Linear and GitHub to read: one read per team and two per repository, no post
// until every read has answered, and then one post rendered with the engine's clock.
ReportScope ScopeOf(std::vector<std::string> repos, std::vector<std::string> teams) {
  ReportScope scope;
  scope.linear = true;
  scope.github = true;
  scope.repos = std::move(repos);
  scope.teams = std::move(teams);
  return scope;
}

engine::Event Done(const std::string& step, json result) {
  return {engine::kEffectDone, {{"step", step}, {"result", std::move(result)}}, "effect:" + step};
}

TEST(ReportWorkflowTest, ADigestReadsLinearAndGitHubThroughEffectsThenPostsOnce) {
  ReportWorkflow workflow;
  constexpr std::int64_t kNow = 1'773'219'600'000;
  const engine::DecideContext context{"report:9@1", kNow};
  present::ReportOptions options;
  options.teams = {"ENG"};  // the options' teams and repos win over the scope's
  auto d = workflow.Decide(context, nullptr,
                           {"start",
                            {{"kind", "digest"},
                             {"channel", "C_TEAM"},
                             {"options", present::ToJson(options)},
                             {"scope", ToJson(ScopeOf({"acme/api"}, {"OPS"}))}},
                            "start"});
  ASSERT_EQ(d.effects.size(), 3u);
  std::vector<std::string> kinds;
  for (const auto& e : d.effects) kinds.push_back(engine::ToRow(e.action).kind);
  EXPECT_EQ(kinds,
            (std::vector<std::string>{outbox::kLinearSearchIssues, outbox::kGitHubListPullRequests,
                                      outbox::kGitHubListWorkflowRuns}));
  EXPECT_EQ(engine::ToRow(d.effects[0].action).args["team_key"], "ENG");
  EXPECT_EQ(engine::ToRow(d.effects[2].action).args["branch"], "main");
  EXPECT_EQ(d.state["status"], "gathering");
  // Linked when a list is cut: the GitHub search of the repositories' open PRs.
  EXPECT_EQ(d.state["model"]["full_list_url"],
            "https://github.com/pulls?q=is%3Aopen+is%3Apr+repo%3Aacme%2Fapi");

  json state = d.state;
  d = workflow.Decide(context, state,
                      Done(d.effects[0].step, {{"issues",
                                                {{{"identifier", "ENG-1"},
                                                  {"team", "ENG"},
                                                  {"state", "In Progress"},
                                                  {"state_type", "started"},
                                                  {"assignee", "Ada"}}}}}));
  EXPECT_TRUE(d.effects.empty());
  state = d.state;
  d = workflow.Decide(context, state,
                      Done("read:pulls:acme/api", {{"pulls",
                                                    {{{"repo", "acme/api"},
                                                      {"number", 7},
                                                      {"title", "Add rate limiter"},
                                                      {"created_at_ms", kNow - 5 * 3'600'000},
                                                      {"updated_at_ms", kNow - 3'600'000}}}}}));
  EXPECT_TRUE(d.effects.empty());
  state = d.state;
  // The newest run of CI on main failed; an older failure of Lint was fixed by a later run.
  d = workflow.Decide(context, state,
                      Done("read:runs:acme/api", {{"runs",
                                                   {{{"workflow_id", 1},
                                                     {"name", "CI"},
                                                     {"branch", "main"},
                                                     {"status", "completed"},
                                                     {"conclusion", "failure"},
                                                     {"created_at_ms", kNow - 7'200'000}},
                                                    {{"workflow_id", 2},
                                                     {"name", "Lint"},
                                                     {"branch", "main"},
                                                     {"status", "completed"},
                                                     {"conclusion", "success"}},
                                                    {{"workflow_id", 2},
                                                     {"name", "Lint"},
                                                     {"branch", "main"},
                                                     {"status", "completed"},
                                                     {"conclusion", "failure"}}}}}));
  ASSERT_EQ(d.effects.size(), 1u);
  const auto post = engine::ToRow(d.effects[0].action);
  EXPECT_EQ(post.kind, outbox::kSlackPostMessage);
  const std::string blocks = post.args["blocks"].dump();
  EXPECT_NE(blocks.find("acme/api#7"), std::string::npos);
  EXPECT_NE(blocks.find("5h old"), std::string::npos);  // aged by the engine's clock
  EXPECT_NE(blocks.find("In Progress* (1): Ada 1"), std::string::npos);
  EXPECT_NE(blocks.find("Failed CI on default branches* (1)"), std::string::npos);
  EXPECT_EQ(blocks.find("Lint"), std::string::npos);
  // A read answered again (a redelivered event) changes nothing.
  auto again = workflow.Decide(context, d.state, Done("read:runs:acme/api", json::object()));
  EXPECT_TRUE(again.effects.empty());
}

TEST(ReportWorkflowTest, ADeadReadSaysSoAndAPreviewGoesToTheAskerAlone) {
  ReportWorkflow workflow;
  const engine::DecideContext context{"report-preview:E1", 0};
  auto d = workflow.Decide(context, nullptr,
                           {"start",
                            {{"kind", "digest"},
                             {"channel", "C_TEAM"},
                             {"ephemeral_user", "U1"},
                             {"scope", ToJson(ScopeOf({}, {}))}},
                            "start"});
  // Every team (no team named); no repositories: the PR section says how to choose some.
  ASSERT_EQ(d.effects.size(), 1u);
  EXPECT_FALSE(engine::ToRow(d.effects[0].action).args.contains("team_key"));
  d = workflow.Decide(context, d.state,
                      {engine::kEffectDead,
                       {{"step", d.effects[0].step}, {"error", "Linear answered 503"}},
                       "dead"});
  ASSERT_EQ(d.effects.size(), 1u);
  const auto post = engine::ToRow(d.effects[0].action);
  EXPECT_EQ(post.kind, outbox::kSlackPostEphemeral);
  EXPECT_EQ(post.args["user"], "U1");
  const std::string blocks = post.args["blocks"].dump();
  EXPECT_NE(blocks.find("could not read Linear (Linear answered 503)"), std::string::npos);
  EXPECT_NE(blocks.find("no repositories chosen"), std::string::npos);
}

TEST(ReportWorkflowTest, NothingToReadPostsAtOnceAsBefore) {
  ReportWorkflow workflow;
  auto d = workflow.Decide({"r", 0}, nullptr,
                           {"start",
                            {{"kind", "digest"},
                             {"channel", "C1"},
                             {"scope", ToJson(ReportScope{})},
                             {"options", json::object()}},
                            "start"});
  ASSERT_EQ(d.effects.size(), 1u);
  EXPECT_EQ(engine::ToRow(d.effects[0].action).kind, outbox::kSlackPostMessage);
}

}  // namespace
}  // namespace contexten::workflows::builtin
