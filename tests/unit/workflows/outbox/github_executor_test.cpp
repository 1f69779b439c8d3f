// GitHubExecutor over the in-memory GitHub fake: each github.* effect kind makes its call with
// the row's arguments, and each kind that changes something is looked up after an unknown
// outcome instead of being done twice (DESIGN.md §3): a re-run by the run's attempt, a comment
// by the idempotency marker in its body, a dispatch by a run created since the request.

#include "workflows/outbox/github_executor.hpp"

#include <gtest/gtest.h>

#include "integrations/github/github_app_auth.hpp"
#include "tests/support/fakes/fake_github_api.hpp"
#include "workflows/outbox/effect_kinds.hpp"

namespace contexten::workflows::outbox {
namespace {

using nlohmann::json;
namespace github = integrations::github;

const github::RepoRef kRepo{"acme", "web"};

store::EffectRecord Effect(const std::string& kind, const json& args) {
  store::EffectRecord effect;
  effect.id = 3;
  effect.run_id = "run-1";
  effect.step_id = "step-1";
  effect.lane = kGitHubLane;
  effect.kind = kind;
  effect.args_json = args.dump();
  return effect;
}

class GitHubExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    github::WorkflowRun run;
    run.id = 77;
    run.workflow_id = 5;
    run.name = "CI";
    run.head_branch = "main";
    run.status = "completed";
    run.conclusion = "failure";
    run.run_attempt = 1;
    github_.AddWorkflowRun(kRepo, run);
  }
  static json RerunArgs() { return {{"repo", "acme/web"}, {"run_id", 77}, {"attempt", 1}}; }

  testing::FakeGitHubApi github_;
  GitHubExecutor executor_{github_};
};

TEST_F(GitHubExecutorTest, ReRunCallsTheEndpointForTheRun) {
  auto result = executor_.Execute(Effect(kGitHubRerunFailedJobs, RerunArgs()));
  ASSERT_TRUE(result) << result.error().Describe();
  EXPECT_EQ(github_.reruns(), std::vector<std::int64_t>{77});
  EXPECT_EQ((*result)["rerun_of_attempt"], 1);
}

TEST_F(GitHubExecutorTest, AReRunWhoseAnswerWasLostIsFoundByTheRunsNextAttempt) {
  github_.FailNext(1, core::MakeOutcomeUnknown(core::ErrorKind::kTimeout, "read timed out"),
                   "RerunFailedJobs", /*applied=*/true);
  const auto effect = Effect(kGitHubRerunFailedJobs, RerunArgs());
  auto first = executor_.Execute(effect);
  ASSERT_FALSE(first);
  ASSERT_TRUE(MayHaveApplied(first.error()));
  auto found = executor_.Lookup(effect);
  ASSERT_TRUE(found) << found.error().Describe();
  ASSERT_TRUE(found->has_value());  // attempt 2 exists: nothing to redo
  EXPECT_EQ(github_.reruns().size(), 1u);
}

TEST_F(GitHubExecutorTest, AReRunThatDidNotLandIsNotFound) {
  auto found = executor_.Lookup(Effect(kGitHubRerunFailedJobs, RerunArgs()));
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->has_value());
}

TEST_F(GitHubExecutorTest, ACommentCarriesItsKeyAndIsFoundByItAfterAnUnknownOutcome) {
  github::PullRequest pr;
  pr.title = "Fix";
  const int number = github_.AddPullRequest(kRepo, pr).number;
  const auto effect = Effect(kGitHubCreateComment,
                             {{"repo", "acme/web"}, {"number", number}, {"body", "Linked ENG-1"}});
  EXPECT_FALSE(executor_.Lookup(effect)->has_value());
  github_.FailNext(1, core::MakeOutcomeUnknown(core::ErrorKind::kTimeout, "read timed out"),
                   "CreateComment", /*applied=*/true);
  ASSERT_FALSE(executor_.Execute(effect));
  auto found = executor_.Lookup(effect);
  ASSERT_TRUE(found) << found.error().Describe();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(github_.Calls("CreateComment"), 1);
}

TEST_F(GitHubExecutorTest, DispatchSendsTheInputsAndALaterRunOfItIsFoundByLookup) {
  const std::int64_t requested_ms = 1'700'000'000'000;
  const auto effect = Effect(kGitHubDispatchWorkflow, {{"repo", "acme/web"},
                                                       {"workflow", "deploy.yml"},
                                                       {"ref", "main"},
                                                       {"inputs", {{"environment", "staging"}}},
                                                       {"requested_at_ms", requested_ms}});
  ASSERT_TRUE(executor_.Execute(effect));
  ASSERT_EQ(github_.workflow_dispatches().size(), 1u);
  EXPECT_EQ(github_.workflow_dispatches()[0].workflow.inputs.at("environment"), "staging");
  EXPECT_FALSE(executor_.Lookup(effect)->has_value());  // no run of it yet
  github::WorkflowRun run;
  run.id = 90;
  run.name = "deploy.yml";
  run.head_branch = "main";
  run.event = "workflow_dispatch";
  run.created_at = github::FormatIso8601(core::WallTime(std::chrono::milliseconds(requested_ms)));
  github_.AddWorkflowRun(kRepo, run);
  auto found = executor_.Lookup(effect);
  ASSERT_TRUE(found && found->has_value());
  EXPECT_EQ((**found)["run_id"], 90);
}

TEST_F(GitHubExecutorTest, CheckRunsAreListedForTheRef) {
  github::CheckRun check;
  check.name = "build";
  check.head_sha = "abc";
  check.status = "completed";
  check.conclusion = "failure";
  github_.AddCheckRun(kRepo, check);
  auto result =
      executor_.Execute(Effect(kGitHubListCheckRuns, {{"repo", "acme/web"}, {"ref", "abc"}}));
  ASSERT_TRUE(result);
  ASSERT_EQ((*result)["check_runs"].size(), 1u);
  EXPECT_EQ((*result)["check_runs"][0]["conclusion"], "failure");
}

TEST_F(GitHubExecutorTest, ARepositoryReadNamesItsDefaultBranch) {
  github_.SetDefaultBranch(kRepo, "trunk");
  auto result = executor_.Execute(Effect(kGitHubGetRepository, {{"repo", "acme/web"}}));
  ASSERT_TRUE(result) << result.error().Describe();
  EXPECT_EQ((*result)["default_branch"], "trunk");
  EXPECT_EQ((*result)["full_name"], "acme/web");
  auto missing = executor_.Execute(Effect(kGitHubGetRepository, {{"repo", "acme/nowhere"}}));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, core::ErrorKind::kNotFound);
}

TEST_F(GitHubExecutorTest, APullRequestReadCarriesWhatTheCardShows) {
  github::PullRequest pr;
  pr.title = "Speed up search";
  pr.state = "open";
  pr.user = "hubot";
  pr.draft = true;
  pr.head_ref = "faster-search";
  const auto added = github_.AddPullRequest(kRepo, pr);
  auto result = executor_.Execute(
      Effect(kGitHubGetPullRequest, {{"repo", "acme/web"}, {"number", added.number}}));
  ASSERT_TRUE(result) << result.error().Describe();
  EXPECT_EQ((*result)["repo"], "acme/web");
  EXPECT_EQ((*result)["number"], added.number);
  EXPECT_EQ((*result)["title"], "Speed up search");
  EXPECT_EQ((*result)["author"], "hubot");
  EXPECT_EQ((*result)["draft"], true);
  EXPECT_EQ((*result)["branch"], "faster-search");
  auto missing = executor_.Execute(
      Effect(kGitHubGetPullRequest, {{"repo", "acme/web"}, {"number", added.number + 100}}));
  ASSERT_FALSE(missing);
  auto bad = executor_.Execute(Effect(kGitHubGetPullRequest, {{"repo", "acme/web"}}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, core::ErrorKind::kInvalidInput);
}

TEST_F(GitHubExecutorTest, BadArgumentsAreInvalidInputNeverAThrow) {
  auto result = executor_.Execute(Effect(kGitHubRerunFailedJobs, {{"repo", "not-a-repo"}}));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().kind, core::ErrorKind::kInvalidInput);
  EXPECT_FALSE(executor_.Execute(Effect("github.nope", json::object())));
  EXPECT_FALSE(ParseRepo("a/b/c"));
  EXPECT_EQ(ParseRepo("a/b")->FullName(), "a/b");
}

}  // namespace
}  // namespace contexten::workflows::outbox
