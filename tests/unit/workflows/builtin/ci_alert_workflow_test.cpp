// CiAlertWorkflow's decisions, step by step (pure: events in, effects out).

#include <gtest/gtest.h>

#include <optional>

#include "workflows/builtin/ci_alert.hpp"
#include "workflows/builtin/github_events.hpp"
#include "workflows/outbox/effect_kinds.hpp"
#include "workflows/present/github_messages.hpp"

namespace contexten::workflows::builtin {
namespace {

using engine::Decision;
using engine::Event;
using nlohmann::json;

class CiAlertWorkflowTest : public ::testing::Test {
 protected:
  Decision Step(const Event& event) {
    Decision d = workflow_.Decide({"ci_alert:acme/web/77/1", now_ms_}, state_, event);
    state_ = d.state;
    return d;
  }
  static json RunData(std::int64_t id, std::int64_t attempt, const std::string& conclusion) {
    return {{"repo", "acme/web"},
            {"run_id", id},
            {"attempt", attempt},
            {"workflow", "CI"},
            {"branch", "main"},
            {"sha", "abc"},
            {"status", "completed"},
            {"conclusion", conclusion},
            {"url", "https://github.com/acme/web/actions/runs/" + std::to_string(id)}};
  }
  Decision Start() {
    json start = RunData(77, 1, "failure");
    start["channel"] = "C0ALERTS";
    start["linear_team"] = "ENG";
    return Step({"start", start, "github:1"});
  }
  Decision Done(const std::string& step, json result) {
    return Step(
        {engine::kEffectDone, {{"step", step}, {"result", std::move(result)}}, "e:" + step});
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

  CiAlertWorkflow workflow_;
  json state_;
  std::int64_t now_ms_ = 1'700'000'000'000;
};

TEST_F(CiAlertWorkflowTest, StartPostsTheAlertWithBothButtonsAndAsksForTheFailingJobs) {
  auto d = Start();
  auto post = Find(d, outbox::kSlackPostMessage);
  ASSERT_TRUE(post);
  EXPECT_EQ(post->args["channel"], "C0ALERTS");
  const std::string blocks = post->args["blocks"].dump();
  EXPECT_NE(blocks.find(present::kCiRerunAction), std::string::npos);
  EXPECT_NE(blocks.find(present::kCiCreateIssueAction), std::string::npos);
  auto checks = Find(d, outbox::kGitHubListCheckRuns);
  ASSERT_TRUE(checks);
  EXPECT_EQ(checks->args["ref"], "abc");
  // Its workflow and branch (later failures), its run (attempts), its repository (`/ctx rerun`).
  EXPECT_EQ(d.wait_for,
            (std::vector<std::string>{CiAlertKey("acme/web", "CI", "main"),
                                      GitHubRunKey("acme/web", 77), CiRepoKey("acme/web")}));
}

TEST_F(CiAlertWorkflowTest, ReRunCallsGitHubOnceAndTheNewAttemptsPassClosesTheAlert) {
  Start();
  Done("alert", {{"channel", "C0ALERTS"}, {"ts", "100.1"}});
  auto d = Click(present::kCiRerunAction, "U1", "slack:a");
  auto rerun = Find(d, outbox::kGitHubRerunFailedJobs);
  ASSERT_TRUE(rerun);
  EXPECT_EQ(rerun->lane, outbox::kGitHubLane);
  EXPECT_EQ(rerun->args["run_id"], 77);
  EXPECT_EQ(rerun->args["attempt"], 1);
  // A second click while it runs asks nothing of GitHub.
  auto again = Click(present::kCiRerunAction, "U2", "slack:b");
  EXPECT_FALSE(Find(again, outbox::kGitHubRerunFailedJobs));
  EXPECT_TRUE(Find(again, outbox::kSlackPostEphemeral));
  // The new attempt passes: said in the thread, root updated, run finished.
  auto passed = Step({kGitHubWorkflowRunEvent, RunData(77, 2, "success"), "github:2"});
  auto reply = Find(passed, outbox::kSlackPostMessage);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->args["thread_ts"], "100.1");
  EXPECT_NE(reply->args["text"].get<std::string>().find("passed after the re-run"),
            std::string::npos);
  EXPECT_TRUE(Find(passed, outbox::kSlackUpdateMessage));
  EXPECT_EQ(passed.outcome, Decision::Outcome::kCompleted);
}

TEST_F(CiAlertWorkflowTest, ASecondFailureRepliesInTheThreadOnce) {
  Start();
  Done("alert", {{"channel", "C0ALERTS"}, {"ts", "100.1"}});
  auto d = Step({kGitHubWorkflowRunEvent, RunData(80, 1, "failure"), "github:3"});
  auto reply = Find(d, outbox::kSlackPostMessage);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->args["thread_ts"], "100.1");
  EXPECT_EQ(d.wait_for, std::vector<std::string>{GitHubRunKey("acme/web", 80)});
  // The same failure delivered again (another delivery id): nothing new.
  auto same = Step({kGitHubWorkflowRunEvent, RunData(80, 1, "failure"), "github:4"});
  EXPECT_TRUE(same.effects.empty());
  EXPECT_EQ(state_["failures"].size(), 2u);
}

TEST_F(CiAlertWorkflowTest, CreateIssueFilesTheFailingJobsWithAStableIdLinksAndPostsItsCard) {
  Start();
  Done("alert", {{"channel", "C0ALERTS"}, {"ts", "100.1"}});
  Done("checks", {{"check_runs", json::array({{{"name", "build"}, {"conclusion", "failure"}},
                                              {{"name", "lint"}, {"conclusion", "success"}}})}});
  auto d = Click(present::kCiCreateIssueAction, "U1", "slack:c");
  auto create = Find(d, outbox::kLinearCreateIssue);
  ASSERT_TRUE(create);
  EXPECT_EQ(create->args["team_key"], "ENG");
  const std::string description = create->args["description"];
  EXPECT_NE(description.find("- build"), std::string::npos);
  EXPECT_EQ(description.find("lint"), std::string::npos);
  const std::string id = create->args["id"];
  // Asked twice: one issue.
  EXPECT_FALSE(
      Find(Click(present::kCiCreateIssueAction, "U2", "slack:d"), outbox::kLinearCreateIssue));
  auto filed = Done("issue", {{"id", id},
                              {"identifier", "ENG-9"},
                              {"title", "CI failing"},
                              {"url", "https://linear.app/x/issue/ENG-9"},
                              {"state", {{"name", "Backlog"}, {"type", "backlog"}}}});
  ASSERT_GE(filed.links.size(), 1u);
  EXPECT_EQ(filed.links[0].from_key, "linear_issue:ENG-9");
  EXPECT_EQ(filed.links[0].to_key, GitHubRunKey("acme/web", 77));
  EXPECT_EQ(filed.links[0].kind, "created_from");
  int replies = 0;
  for (const auto& e : filed.effects) {
    auto row = engine::ToRow(e.action);
    if (row.kind == outbox::kSlackPostMessage) {
      ++replies;
      EXPECT_EQ(row.args["thread_ts"], "100.1");
    }
  }
  EXPECT_EQ(replies, 2);  // who filed it, and its card
}

TEST_F(CiAlertWorkflowTest, RepliesBeforeTheAlertIsPostedWaitForIt) {
  Start();
  auto d = Step({kGitHubWorkflowRunEvent, RunData(80, 1, "failure"), "github:3"});
  EXPECT_FALSE(Find(d, outbox::kSlackPostMessage));
  auto posted = Done("alert", {{"channel", "C0ALERTS"}, {"ts", "100.1"}});
  auto reply = Find(posted, outbox::kSlackPostMessage);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->args["thread_ts"], "100.1");
}

}  // namespace
}  // namespace contexten::workflows::builtin
