// DeployWorkflow's decisions, step by step (pure: events in, effects out).

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

#include "workflows/builtin/deploy.hpp"
#include "workflows/builtin/github_events.hpp"
#include "workflows/outbox/effect_kinds.hpp"
#include "workflows/present/github_messages.hpp"

namespace contexten::workflows::builtin {
namespace {

using engine::Decision;
using engine::Event;
using nlohmann::json;

class DeployWorkflowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto d = Step({"start",
                   {{"repo", "acme/web"},
                    {"environment", "staging"},
                    {"ref", "main"},
                    {"workflow", ".github/workflows/deploy.yml"},
                    {"requester", "U1"},
                    {"channel", "C1"},
                    {"expires_at_ms", now_ms_ + 600'000}},
                   ""});
    start_ = d;
    Step({engine::kEffectDone,
          {{"step", "request"}, {"result", {{"channel", "C1"}, {"ts", "100.1"}}}},
          "e:request"});
  }
  Decision Step(const Event& event) {
    Decision d = workflow_.Decide({"deploy:slack:env-1", now_ms_}, state_, event);
    state_ = d.state;
    return d;
  }
  Decision Click(std::string_view action, const std::string& user, const std::string& key) {
    return Step({kSlackClickEvent, {{"action", std::string(action)}, {"user", user}}, key});
  }
  static std::optional<engine::EffectRow> Find(const Decision& d, const std::string& kind) {
    for (const auto& e : d.effects) {
      if (auto row = engine::ToRow(e.action); row.kind == kind) return row;
    }
    return std::nullopt;
  }
  static json RunData(const std::string& status, const std::string& conclusion = "") {
    return {{"repo", "acme/web"},
            {"run_id", 501},
            {"attempt", 1},
            {"workflow", "Deploy"},
            {"branch", "main"},
            {"event", "workflow_dispatch"},
            {"status", status},
            {"conclusion", conclusion},
            {"url", "https://github.com/acme/web/actions/runs/501"}};
  }

  DeployWorkflow workflow_;
  json state_;
  Decision start_;
  std::int64_t now_ms_ = 1'700'000'000'000;
};

TEST_F(DeployWorkflowTest, TheRequestHasButtonsAndADurableExpiry) {
  auto post = Find(start_, outbox::kSlackPostMessage);
  ASSERT_TRUE(post);
  EXPECT_NE(post->args["blocks"].dump().find(present::kDeployConfirmAction), std::string::npos);
  ASSERT_EQ(start_.timers.size(), 1u);
  EXPECT_EQ(start_.timers[0].due_at_ms, now_ms_ + 600'000);
  EXPECT_TRUE(start_.effects.size() == 1u);  // nothing dispatched before a confirmation
}

TEST_F(DeployWorkflowTest, ConfirmDispatchesOnceWithTheInputsAndFollowsTheRunToSuccess) {
  auto d = Click(present::kDeployConfirmAction, "U2", "slack:a");
  auto dispatch = Find(d, outbox::kGitHubDispatchWorkflow);
  ASSERT_TRUE(dispatch);
  EXPECT_EQ(dispatch->args["workflow"], "deploy.yml");
  EXPECT_EQ(dispatch->args["ref"], "main");
  EXPECT_EQ(dispatch->args["inputs"]["environment"], "staging");
  EXPECT_EQ(d.cancel_timers, std::vector<std::string>{"expire"});
  EXPECT_EQ(d.wait_for,
            (std::vector<std::string>{GitHubDispatchKey("acme/web", "deploy.yml", "main"),
                                      GitHubDeployKey("acme/web", "staging")}));
  EXPECT_FALSE(
      Find(Click(present::kDeployConfirmAction, "U3", "slack:b"), outbox::kGitHubDispatchWorkflow));
  auto running = Step({kGitHubWorkflowRunEvent, RunData("in_progress"), "github:1"});
  EXPECT_EQ(running.wait_for, std::vector<std::string>{GitHubRunKey("acme/web", 501)});
  auto status = Step({kGitHubDeploymentStatusEvent,
                      {{"environment", "staging"}, {"state", "success"}},
                      "github:2"});
  EXPECT_TRUE(Find(status, outbox::kSlackPostMessage));
  auto done = Step({kGitHubWorkflowRunEvent, RunData("completed", "success"), "github:3"});
  EXPECT_EQ(done.outcome, Decision::Outcome::kCompleted);
  auto reply = Find(done, outbox::kSlackPostMessage);
  ASSERT_TRUE(reply);
  EXPECT_NE(reply->args["text"].get<std::string>().find("Deployed"), std::string::npos);
}

TEST_F(DeployWorkflowTest, ADeploymentStatusThatArrivesAfterTheRunCompletedIsStillTold) {
  Click(present::kDeployConfirmAction, "U2", "slack:a");
  Step({kGitHubWorkflowRunEvent, RunData("in_progress"), "github:1"});
  // GitHub delivers webhooks in no set order: the run's completion first.
  auto done = Step({kGitHubWorkflowRunEvent, RunData("completed", "success"), "github:3"});
  EXPECT_NE(done.outcome, Decision::Outcome::kCompleted);
  ASSERT_TRUE(Find(done, outbox::kSlackPostMessage));
  ASSERT_EQ(done.timers.size(), 1u);
  EXPECT_EQ(done.timers[0].name, "settle");
  EXPECT_GT(done.timers[0].due_at_ms, now_ms_);
  auto late = Step({kGitHubDeploymentStatusEvent,
                    {{"environment", "staging"}, {"state", "success"}},
                    "github:2"});
  auto told = Find(late, outbox::kSlackPostMessage);
  ASSERT_TRUE(told);
  EXPECT_NE(told->args["text"].get<std::string>().find("Deployment to *staging*: success"),
            std::string::npos);
  EXPECT_EQ(late.outcome, Decision::Outcome::kCompleted);
  EXPECT_EQ(late.cancel_timers, (std::vector<std::string>{"expire", "settle"}));
}

TEST_F(DeployWorkflowTest, ARunWithoutADeploymentEndsAtTheSettleTimer) {
  Click(present::kDeployConfirmAction, "U2", "slack:a");
  auto done = Step({kGitHubWorkflowRunEvent, RunData("completed", "failure"), "github:3"});
  EXPECT_NE(done.outcome, Decision::Outcome::kCompleted);
  // A pending status is not the end of the deployment.
  auto pending = Step({kGitHubDeploymentStatusEvent,
                       {{"environment", "staging"}, {"state", "in_progress"}},
                       "github:4"});
  EXPECT_NE(pending.outcome, Decision::Outcome::kCompleted);
  auto settled = Step({engine::kTimerFired, {{"name", "settle"}}, "timer:settle"});
  EXPECT_EQ(settled.outcome, Decision::Outcome::kCompleted);
  EXPECT_NE(state_.dump().find("failed"), std::string::npos) << state_.dump();
}

TEST_F(DeployWorkflowTest, AnUnconfirmedRequestExpiresAtItsTimer) {
  auto d = Step({engine::kTimerFired, {{"name", "expire"}}, "timer:expire@1"});
  EXPECT_EQ(d.outcome, Decision::Outcome::kCompleted);
  EXPECT_FALSE(Find(d, outbox::kGitHubDispatchWorkflow));
  auto update = Find(d, outbox::kSlackUpdateMessage);
  ASSERT_TRUE(update);
  EXPECT_NE(update->args["text"].get<std::string>().find("expired"), std::string::npos);
}

TEST_F(DeployWorkflowTest, CancelEndsItWithoutDispatching) {
  auto d = Click(present::kDeployCancelAction, "U1", "slack:a");
  EXPECT_EQ(d.outcome, Decision::Outcome::kCompleted);
  EXPECT_FALSE(Find(d, outbox::kGitHubDispatchWorkflow));
}

// Without a ref: GitHub names the repository's default branch; the request card (with its
// [Confirm deploy]) goes out once it is known, and the dispatch uses it.
class DeployDefaultBranchTest : public DeployWorkflowTest {
 protected:
  void SetUp() override {
    start_ = Step({"start",
                   {{"repo", "acme/web"},
                    {"environment", "staging"},
                    {"ref", ""},
                    {"workflow", "deploy.yml"},
                    {"requester", "U1"},
                    {"channel", "C1"},
                    {"expires_at_ms", now_ms_ + 600'000}},
                   ""});
  }
  Decision BranchIs(const std::string& branch) {
    return Step({engine::kEffectDone,
                 {{"step", "default-branch"}, {"result", {{"default_branch", branch}}}},
                 "e:default-branch"});
  }
  Decision CardPosted() {
    return Step({engine::kEffectDone,
                 {{"step", "request"}, {"result", {{"channel", "C1"}, {"ts", "100.1"}}}},
                 "e:request"});
  }
};

TEST_F(DeployDefaultBranchTest, AsksGitHubForTheDefaultBranchThenPostsAndDispatchesOnIt) {
  auto ask = Find(start_, outbox::kGitHubGetRepository);
  ASSERT_TRUE(ask);
  EXPECT_EQ(ask->lane, engine::kGitHubLane);
  EXPECT_EQ(ask->args["repo"], "acme/web");
  EXPECT_FALSE(Find(start_, outbox::kSlackPostMessage));  // no card to confirm on yet

  auto known = BranchIs("trunk");
  auto card = Find(known, outbox::kSlackPostMessage);
  ASSERT_TRUE(card);
  EXPECT_NE(card->args["text"].get<std::string>().find("at `trunk`"), std::string::npos);
  CardPosted();

  auto confirmed = Click(present::kDeployConfirmAction, "U2", "slack:c");
  auto dispatch = Find(confirmed, outbox::kGitHubDispatchWorkflow);
  ASSERT_TRUE(dispatch);
  EXPECT_EQ(dispatch->args["ref"], "trunk");
  EXPECT_EQ(dispatch->args["inputs"]["ref"], "trunk");
  EXPECT_NE(std::find(confirmed.wait_for.begin(), confirmed.wait_for.end(),
                      GitHubDispatchKey("acme/web", "deploy.yml", "trunk")),
            confirmed.wait_for.end());
}

TEST_F(DeployDefaultBranchTest, NoAnswerFromGitHubShowsTheFailureAndEnds) {
  auto dead = Step(
      {engine::kEffectDead, {{"step", "default-branch"}, {"error", "404 Not Found"}}, "e:dead"});
  auto card = Find(dead, outbox::kSlackPostMessage);
  ASSERT_TRUE(card);
  EXPECT_FALSE(card->args.contains("thread_ts"));  // the card itself; the reason waits for it
  auto posted = CardPosted();
  EXPECT_EQ(posted.outcome, Decision::Outcome::kCompleted);
  auto reply = Find(posted, outbox::kSlackPostMessage);
  ASSERT_TRUE(reply);
  EXPECT_NE(reply->args["text"].get<std::string>().find("404"), std::string::npos);
  EXPECT_FALSE(Find(posted, outbox::kGitHubDispatchWorkflow));
}

}  // namespace
}  // namespace contexten::workflows::builtin
