// LinearExecutor over the in-memory Linear fake: each linear.* effect kind makes the right call
// with the right arguments and returns the result documented in effect_kinds.hpp; a create is
// looked up by its client-chosen id and a create answered kConflict returns the existing issue;
// bad arguments are kInvalidInput, never a throw. Last, the relay over a real SQLite store
// creates exactly one issue when Linear applied a create whose answer was lost.

#include "workflows/outbox/linear_executor.hpp"

#include <gtest/gtest.h>

#include "tests/support/fakes/fake_linear_api.hpp"
#include "tests/support/scripted_workflow.hpp"
#include "tests/support/workflow_fixture.hpp"
#include "workflows/outbox/effect_kinds.hpp"
#include "workflows/outbox/outbox_relay.hpp"

namespace contexten::workflows::outbox {
namespace {

using nlohmann::json;

constexpr char kIssueId[] = "6f1c1c0e-9a51-4c1b-8f0e-2d7a4b3c9e10";

store::EffectRecord Effect(const std::string& kind, const json& args) {
  store::EffectRecord effect;
  effect.id = 3;
  effect.run_id = "run-1";
  effect.step_id = "create-issue";
  effect.lane = kLinearLane;
  effect.kind = kind;
  effect.args_json = args.dump();
  return effect;
}

json CreateArgs() {
  return {{"id", kIssueId},
          {"team_key", "ENG"},
          {"title", "Login crashes"},
          {"description", "Steps: open the app"},
          {"priority", 2},
          {"assignee_id", "user-alice"}};
}

class LinearExecutorTest : public ::testing::Test {
 protected:
  testing::FakeLinearApi linear_;
  LinearExecutor executor_{linear_};
};

TEST_F(LinearExecutorTest, CreateIssueCreatesItUnderTheClientIdAndReturnsIt) {
  auto result = executor_.Execute(Effect(kLinearCreateIssue, CreateArgs()));
  ASSERT_TRUE(result) << result.error().Describe();
  auto issues = linear_.issues();
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].id, kIssueId);
  EXPECT_EQ(issues[0].team_key, "ENG");
  EXPECT_EQ(issues[0].title, "Login crashes");
  EXPECT_EQ(issues[0].description, "Steps: open the app");
  EXPECT_EQ(issues[0].priority, 2);
  ASSERT_TRUE(issues[0].assignee);
  EXPECT_EQ(issues[0].assignee->id, "user-alice");
  EXPECT_EQ(
      *result,
      (json{{"id", kIssueId},
            {"identifier", "ENG-1"},
            {"title", "Login crashes"},
            {"url", "https://linear.app/fake/issue/ENG-1"},
            {"priority", 2},
            {"team_key", "ENG"},
            {"state", {{"id", "eng-backlog"}, {"name", "Backlog"}, {"type", "backlog"}}},
            {"assignee", {{"id", "user-alice"}, {"name", "Alice"}, {"display_name", "alice"}}}}));
}

TEST_F(LinearExecutorTest, CreateIssueWithoutOptionalsLeavesThemUnset) {
  auto result = executor_.Execute(
      Effect(kLinearCreateIssue, {{"id", kIssueId}, {"team_key", "ENG"}, {"title", "T"}}));
  ASSERT_TRUE(result) << result.error().Describe();
  EXPECT_EQ((*result)["priority"], 0);
  EXPECT_TRUE((*result)["assignee"].is_null());
  EXPECT_EQ(linear_.issues().at(0).description, "");
}

TEST_F(LinearExecutorTest, CreateIssueForAnUnknownTeamIsNotFoundAndCreatesNothing) {
  auto args = CreateArgs();
  args["team_key"] = "OPS";
  auto result = executor_.Execute(Effect(kLinearCreateIssue, args));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, core::ErrorKind::kNotFound);
  EXPECT_TRUE(linear_.issues().empty());
  EXPECT_EQ(linear_.Calls("CreateIssue"), 0);
}

TEST_F(LinearExecutorTest, ACreateAnsweredConflictReturnsTheExistingIssue) {
  ASSERT_TRUE(executor_.Execute(Effect(kLinearCreateIssue, CreateArgs())));
  auto again = executor_.Execute(Effect(kLinearCreateIssue, CreateArgs()));
  ASSERT_TRUE(again) << again.error().Describe();
  EXPECT_EQ(linear_.Calls("CreateIssue"), 2);  // Linear was asked, and refused the second
  EXPECT_EQ(linear_.issues().size(), 1u);
  EXPECT_EQ((*again)["id"], kIssueId);
  EXPECT_EQ((*again)["identifier"], "ENG-1");
}

TEST_F(LinearExecutorTest, ACreateWhoseAnswerWasLostIsReturnedAsTheFailure) {
  linear_.FailNext(1, core::MakeOutcomeUnknown(core::ErrorKind::kTimeout, "no answer"),
                   "CreateIssue");
  auto result = executor_.Execute(Effect(kLinearCreateIssue, CreateArgs()));
  ASSERT_FALSE(result);
  EXPECT_TRUE(result.error().outcome_unknown);
  EXPECT_EQ(linear_.issues().size(), 1u);  // it landed all the same
}

TEST_F(LinearExecutorTest, LookupFindsAnIssueCreatedUnderTheEffectsClientId) {
  ASSERT_TRUE(executor_.Execute(Effect(kLinearCreateIssue, CreateArgs())));
  auto found = executor_.Lookup(Effect(kLinearCreateIssue, CreateArgs()));
  ASSERT_TRUE(found) << found.error().Describe();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((**found)["id"], kIssueId);
  EXPECT_EQ((**found)["identifier"], "ENG-1");
  EXPECT_EQ(linear_.Calls("CreateIssue"), 1);  // looking never creates
}

TEST_F(LinearExecutorTest, LookupIsNulloptWhenNoIssueHasTheClientId) {
  // Another issue exists; only the effect's own id counts.
  auto other = CreateArgs();
  other["id"] = "11111111-2222-4333-8444-555555555555";
  ASSERT_TRUE(executor_.Execute(Effect(kLinearCreateIssue, other)));
  auto found = executor_.Lookup(Effect(kLinearCreateIssue, CreateArgs()));
  ASSERT_TRUE(found) << found.error().Describe();
  EXPECT_FALSE(found->has_value());
}

TEST_F(LinearExecutorTest, LookupPassesOnAFailureOtherThanNotFound) {
  linear_.FailNext(1, core::MakeError(core::ErrorKind::kUnavailable, "503"), "IssueByIdentifier");
  auto found = executor_.Lookup(Effect(kLinearCreateIssue, CreateArgs()));
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().kind, core::ErrorKind::kUnavailable);
}

TEST_F(LinearExecutorTest, UpdateIssueSetsAssigneeTitlePriorityAndStateByName) {
  ASSERT_TRUE(executor_.Execute(Effect(kLinearCreateIssue, CreateArgs())));
  auto result = executor_.Execute(Effect(kLinearUpdateIssue, {{"issue_id", "ENG-1"},
                                                              {"assignee_id", "user-bob"},
                                                              {"title", "Login crashes on iOS"},
                                                              {"priority", 1},
                                                              {"team_key", "ENG"},
                                                              {"state_name", "in progress"}}));
  ASSERT_TRUE(result) << result.error().Describe();
  auto issue = linear_.issues().at(0);
  EXPECT_EQ(issue.title, "Login crashes on iOS");
  EXPECT_EQ(issue.priority, 1);
  EXPECT_EQ(issue.assignee->id, "user-bob");
  EXPECT_EQ(issue.state.name, "In Progress");
  EXPECT_EQ(issue.description, "Steps: open the app");  // untouched
  EXPECT_EQ((*result)["identifier"], "ENG-1");
  EXPECT_EQ((*result)["state"]["type"], "started");
  EXPECT_EQ((*result)["assignee"]["id"], "user-bob");
  EXPECT_EQ((*result)["title"], "Login crashes on iOS");
}

TEST_F(LinearExecutorTest, UpdateIssueByStateTypeTakesTheTeamsStateOfThatType) {
  ASSERT_TRUE(executor_.Execute(Effect(kLinearCreateIssue, CreateArgs())));
  // Close: whatever the team calls it, the state of type completed.
  auto closed = executor_.Execute(
      Effect(kLinearUpdateIssue,
             {{"issue_id", "ENG-1"}, {"team_key", "ENG"}, {"state_type", "completed"}}));
  ASSERT_TRUE(closed) << closed.error().Describe();
  EXPECT_EQ((*closed)["state"]["name"], "Done");
  EXPECT_EQ(linear_.issues().at(0).state.type, "completed");
  // Reopen: type unstarted.
  auto reopened = executor_.Execute(
      Effect(kLinearUpdateIssue,
             {{"issue_id", "ENG-1"}, {"team_key", "ENG"}, {"state_type", "unstarted"}}));
  ASSERT_TRUE(reopened) << reopened.error().Describe();
  EXPECT_EQ((*reopened)["state"]["name"], "Todo");
  auto none = executor_.Execute(Effect(
      kLinearUpdateIssue, {{"issue_id", "ENG-1"}, {"team_key", "ENG"}, {"state_type", "triage"}}));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, core::ErrorKind::kNotFound);
}

TEST_F(LinearExecutorTest, GetIssueReadsItByIdentifierAndListTeamsListsThem) {
  ASSERT_TRUE(executor_.Execute(Effect(kLinearCreateIssue, CreateArgs())));
  auto issue = executor_.Execute(Effect(kLinearGetIssue, {{"identifier", "ENG-1"}}));
  ASSERT_TRUE(issue) << issue.error().Describe();
  EXPECT_EQ((*issue)["id"], kIssueId);
  EXPECT_EQ((*issue)["team_key"], "ENG");
  auto missing = executor_.Execute(Effect(kLinearGetIssue, {{"identifier", "ENG-99"}}));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, core::ErrorKind::kNotFound);
  linear_.AddTeam("DES", "Design");
  auto teams = executor_.Execute(Effect(kLinearListTeams, json::object()));
  ASSERT_TRUE(teams) << teams.error().Describe();
  ASSERT_EQ((*teams)["teams"].size(), 2u);
  EXPECT_EQ((*teams)["teams"][1]["key"], "DES");
}

TEST_F(LinearExecutorTest, UserByNameMatchesNameOrDisplayNameInAnyCase) {
  auto found = executor_.Execute(Effect(kLinearUserByEmail, {{"name", "ALICE"}}));
  ASSERT_TRUE(found) << found.error().Describe();
  EXPECT_TRUE((*found)["found"]);
  EXPECT_EQ((*found)["user"]["id"], "user-alice");
  auto nobody = executor_.Execute(Effect(kLinearUserByEmail, {{"name", "carol"}}));
  ASSERT_TRUE(nobody);
  EXPECT_FALSE((*nobody)["found"]);
}

TEST_F(LinearExecutorTest, UpdateIssueWithAStateNeedsTheTeamKey) {
  ASSERT_TRUE(executor_.Execute(Effect(kLinearCreateIssue, CreateArgs())));
  auto result = executor_.Execute(
      Effect(kLinearUpdateIssue, {{"issue_id", "ENG-1"}, {"state_name", "Done"}}));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, core::ErrorKind::kInvalidInput);
  EXPECT_EQ(linear_.Calls("UpdateIssue"), 0);
}

TEST_F(LinearExecutorTest, UpdateIssueToAnUnknownStateIsNotFound) {
  ASSERT_TRUE(executor_.Execute(Effect(kLinearCreateIssue, CreateArgs())));
  auto result = executor_.Execute(Effect(
      kLinearUpdateIssue, {{"issue_id", "ENG-1"}, {"team_key", "ENG"}, {"state_name", "Shipped"}}));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, core::ErrorKind::kNotFound);
  EXPECT_EQ(linear_.issues().at(0).state.name, "Backlog");
}

TEST_F(LinearExecutorTest, UserByEmailFindsAnActiveUserIgnoringCase) {
  auto result = executor_.Execute(Effect(kLinearUserByEmail, {{"email", "Alice@Example.com"}}));
  ASSERT_TRUE(result) << result.error().Describe();
  EXPECT_EQ(*result, (json{{"found", true},
                           {"user",
                            {{"id", "user-alice"},
                             {"name", "Alice"},
                             {"display_name", "alice"},
                             {"email", "alice@example.com"}}}}));
}

TEST_F(LinearExecutorTest, UserByEmailIgnoresInactiveAndUnknownUsers) {
  linear_.AddUser("user-carol", "Carol", "carol@example.com", /*active=*/false);
  for (const char* email : {"carol@example.com", "nobody@example.com"}) {
    auto result = executor_.Execute(Effect(kLinearUserByEmail, {{"email", email}}));
    ASSERT_TRUE(result) << result.error().Describe();
    EXPECT_EQ(*result, (json{{"found", false}})) << email;
  }
}

TEST_F(LinearExecutorTest, CreateCommentPostsTheBodyOnTheIssueUnderTheClientId) {
  ASSERT_TRUE(executor_.Execute(Effect(kLinearCreateIssue, CreateArgs())));
  const std::string comment_id = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";
  auto result = executor_.Execute(Effect(
      kLinearCreateComment, {{"id", comment_id}, {"issue_id", "ENG-1"}, {"body", "Seen on 2.3"}}));
  ASSERT_TRUE(result) << result.error().Describe();
  auto comments = linear_.comments();
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0].id, comment_id);
  EXPECT_EQ(comments[0].issue_id, kIssueId);
  EXPECT_EQ(comments[0].body, "Seen on 2.3");
  EXPECT_EQ(*result, (json{{"id", comment_id}, {"url", comments[0].url}}));
  EXPECT_FALSE(comments[0].url.empty());
}

TEST_F(LinearExecutorTest, MissingRequiredArgumentsAreInvalidInputAndCallNothing) {
  const std::pair<const char*, json> cases[] = {
      {kLinearCreateIssue, {{"team_key", "ENG"}, {"title", "no id"}}},
      {kLinearCreateIssue, {{"id", kIssueId}, {"title", "no team"}}},
      {kLinearCreateIssue, {{"id", kIssueId}, {"team_key", "ENG"}}},
      {kLinearCreateIssue, {{"id", kIssueId}, {"team_key", "ENG"}, {"title", 7}}},
      {kLinearUpdateIssue, {{"title", "no issue"}}},
      {kLinearUserByEmail, {{"email", ""}}},
      {kLinearCreateComment, {{"issue_id", "ENG-1"}, {"body", "no id"}}},
      {kLinearCreateComment, {{"id", "c1"}, {"body", "no issue"}}},
      {kLinearCreateComment, {{"id", "c1"}, {"issue_id", "ENG-1"}}},
  };
  for (const auto& [kind, args] : cases) {
    auto result = executor_.Execute(Effect(kind, args));
    ASSERT_FALSE(result) << kind << " " << args.dump();
    EXPECT_EQ(result.error().kind, core::ErrorKind::kInvalidInput) << kind << " " << args.dump();
  }
  for (const char* method : {"Teams", "CreateIssue", "UpdateIssue", "Users", "CreateComment"}) {
    EXPECT_EQ(linear_.Calls(method), 0) << method;
  }
}

TEST_F(LinearExecutorTest, ArgumentsThatAreNotAJsonObjectAreInvalidInput) {
  for (const char* text : {"", "[]", "null", "{"}) {
    auto effect = Effect(kLinearCreateIssue, json::object());
    effect.args_json = text;
    auto result = executor_.Execute(effect);
    ASSERT_FALSE(result) << text;
    EXPECT_EQ(result.error().kind, core::ErrorKind::kInvalidInput) << text;
    auto looked = executor_.Lookup(effect);
    ASSERT_FALSE(looked) << text;
    EXPECT_EQ(looked.error().kind, core::ErrorKind::kInvalidInput) << text;
  }
}

TEST_F(LinearExecutorTest, AnUnknownKindIsInvalidInput) {
  auto result = executor_.Execute(Effect("linear.delete_workspace", json::object()));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, core::ErrorKind::kInvalidInput);
  EXPECT_NE(result.error().message.find("linear.delete_workspace"), std::string::npos);
}

TEST_F(LinearExecutorTest, OnlyACreateIsLookedUp) {
  ASSERT_TRUE(executor_.Execute(Effect(kLinearCreateIssue, CreateArgs())));
  const std::pair<const char*, json> cases[] = {
      {kLinearUpdateIssue, {{"issue_id", "ENG-1"}, {"title", "x"}}},
      {kLinearUserByEmail, {{"email", "alice@example.com"}}},
      {kLinearCreateComment, {{"id", "c1"}, {"issue_id", "ENG-1"}, {"body", "x"}}},
  };
  for (const auto& [kind, args] : cases) {
    auto found = executor_.Lookup(Effect(kind, args));
    ASSERT_TRUE(found) << kind;
    EXPECT_FALSE(found->has_value()) << kind;
  }
  EXPECT_EQ(linear_.Calls("IssueByIdentifier"), 0);
}

// The relay, the executor and the fake together over a real SQLite store: Linear applies the
// create but the answer is lost; the retry looks the issue up instead of creating it again, and
// the run hears of the issue.
TEST(LinearExecutorRelayTest, AnAppliedCreateWithALostAnswerMakesExactlyOneIssue) {
  testing::WorkflowFixture f;
  f.engine->Register(std::make_unique<testing::ScriptedWorkflow>());
  testing::FakeLinearApi linear;
  LinearExecutor executor(linear);
  RelayOptions options;
  options.max_attempts = 3;
  options.seed = 7;
  OutboxRelay relay(*f.workflows, *f.engine, f.clock, options);
  relay.AddLane(kLinearLane, executor);

  linear.FailNext(1, core::MakeOutcomeUnknown(core::ErrorKind::kTimeout, "read timed out"),
                  "CreateIssue");
  const json effect = {{"step", "create-issue"},
                       {"lane", kLinearLane},
                       {"kind", kLinearCreateIssue},
                       {"args", CreateArgs()}};
  auto started = f.engine->Start("scripted", "run-1", {"start", {{"effects", {effect}}}, ""});
  ASSERT_TRUE(started) << started.error().Describe();

  EXPECT_EQ(relay.Tick(), 1u);  // the create lands, its answer does not
  EXPECT_EQ(linear.issues().size(), 1u);
  auto pending = f.workflows->Effects(store::EffectStatus::kPending, "run-1", 10);
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_TRUE(pending->front().outcome_unknown);

  EXPECT_EQ(relay.Tick(), 0u);  // rescheduled durably, not due yet
  f.clock.Advance(std::chrono::minutes(10));
  EXPECT_EQ(relay.Tick(), 1u);

  EXPECT_EQ(linear.issues().size(), 1u);  // exactly one issue across the retry
  EXPECT_EQ(linear.Calls("CreateIssue"), 1);
  EXPECT_EQ(relay.stats().found_by_lookup, 1u);
  auto done = f.workflows->Effects(store::EffectStatus::kDone, "run-1", 10);
  ASSERT_TRUE(done);
  ASSERT_EQ(done->size(), 1u);
  auto run = f.workflows->LoadRun("run-1");
  ASSERT_TRUE(run && *run);
  const json seen = json::parse((*run)->state_json)["seen"];
  // start, the notice that the create waits for a retry, then its result.
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[1]["type"], engine::kEffectDeferred);
  EXPECT_EQ(seen[2]["type"], engine::kEffectDone);
  EXPECT_EQ(seen[2]["result"]["id"], kIssueId);
  EXPECT_EQ(seen[2]["result"]["identifier"], "ENG-1");
}

}  // namespace
}  // namespace contexten::workflows::outbox
