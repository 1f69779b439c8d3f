// GitHubWebhookConsumer over a real SQLite store and engine: a failed run on the default branch
// starts one CI alert however often its row is replayed, a PR reaches the run tracking the issue
// it names, added routers see every typed delivery with its key, and a failing router leaves the
// row pending for the next start.

#include "bot/handlers/github_webhook_consumer.hpp"

#include <gtest/gtest.h>

#include "tests/support/workflow_fixture.hpp"
#include "workflows/builtin/ci_alert.hpp"
#include "workflows/builtin/file_issue.hpp"

namespace contexten::bot::handlers {
namespace {

using nlohmann::json;

std::string FailedRunBody(std::int64_t id) {
  return json{{"action", "completed"},
              {"workflow_run",
               {{"id", id},
                {"name", "CI"},
                {"workflow_id", 5},
                {"head_branch", "main"},
                {"head_sha", "abc"},
                {"path", ".github/workflows/ci.yml"},
                {"event", "push"},
                {"status", "completed"},
                {"conclusion", "failure"},
                {"run_attempt", 1},
                {"html_url", "https://github.com/acme/web/actions/runs/" + std::to_string(id)},
                {"pull_requests", json::array()}}},
              {"repository", {{"full_name", "acme/web"}, {"default_branch", "main"}}},
              {"sender", {{"login", "octocat"}}}}
      .dump();
}

class GitHubWebhookConsumerTest : public ::testing::Test {
 protected:
  GitHubWebhookConsumerTest() {
    f_.engine->Register(std::make_unique<workflows::builtin::CiAlertWorkflow>());
    f_.engine->Register(std::make_unique<workflows::builtin::FileIssueWorkflow>());
    workflows::builtin::GitHubRouteSettings settings;
    settings.team_keys = {"ENG"};
    settings.alerts_channel = "C0ALERTS";
    settings.linear_team = "ENG";
    consumer_ = std::make_unique<GitHubWebhookConsumer>(*f_.inbox, *f_.engine, settings);
  }

  std::int64_t Row(const std::string& delivery, const std::string& kind, const std::string& body) {
    store::InboxItem item;
    item.source = "github";
    item.dedupe_key = delivery;
    item.kind = kind;
    item.body = body;
    auto appended = f_.inbox->Append(item);
    EXPECT_TRUE(appended);
    return appended ? appended->id : 0;
  }
  std::string Status(const std::string& delivery) {
    auto found = f_.inbox->Find("github", delivery);
    return found && *found ? std::string(store::ToString((*found)->status)) : "missing";
  }
  std::int64_t AlertRuns() {
    return f_.workflows->CountRuns(std::nullopt, workflows::builtin::kCiAlertType).value_or(-1);
  }

  testing::WorkflowFixture f_;
  std::unique_ptr<GitHubWebhookConsumer> consumer_;
};

TEST_F(GitHubWebhookConsumerTest, AFailedRunOnMainStartsOneAlertAndFinishesItsRow) {
  const auto id = Row("d-1", "workflow_run:completed", FailedRunBody(77));
  consumer_->OnAccepted(id, "workflow_run:completed", FailedRunBody(77));
  EXPECT_EQ(Status("d-1"), "done");
  EXPECT_EQ(AlertRuns(), 1);
  auto run = f_.workflows->LoadRun("ci_alert:acme/web/77/1");
  ASSERT_TRUE(run && *run);
}

TEST_F(GitHubWebhookConsumerTest, ASecondFailureGoesToTheOpenAlertNotANewOne) {
  consumer_->OnAccepted(Row("d-1", "workflow_run:completed", FailedRunBody(77)),
                        "workflow_run:completed", FailedRunBody(77));
  consumer_->OnAccepted(Row("d-2", "workflow_run:completed", FailedRunBody(80)),
                        "workflow_run:completed", FailedRunBody(80));
  EXPECT_EQ(AlertRuns(), 1);
  auto run = f_.workflows->LoadRun("ci_alert:acme/web/77/1");
  ASSERT_TRUE(run && *run);
  EXPECT_EQ(json::parse((*run)->state_json)["failures"].size(), 2u);
}

TEST_F(GitHubWebhookConsumerTest, ASecondFailureReplayedAfterACrashStillStartsNoAlert) {
  consumer_->OnAccepted(Row("d-1", "workflow_run:completed", FailedRunBody(77)),
                        "workflow_run:completed", FailedRunBody(77));
  // Delivered to the open alert, then the process died before the row was finished.
  const auto id = Row("d-2", "workflow_run:completed", FailedRunBody(80));
  bool crash = true;
  consumer_->AddRouter([&](std::int64_t, const std::string&,
                           const integrations::github::GitHubEvent&) -> core::Status {
    if (crash) return core::Unexpected(core::MakeError(core::ErrorKind::kUnavailable, "killed"));
    return core::Ok();
  });
  consumer_->OnAccepted(id, "workflow_run:completed", FailedRunBody(80));
  EXPECT_EQ(Status("d-2"), "pending");
  crash = false;
  ASSERT_TRUE(consumer_->Recover());
  EXPECT_EQ(Status("d-2"), "done");
  EXPECT_EQ(AlertRuns(), 1);
  auto run = f_.workflows->LoadRun("ci_alert:acme/web/77/1");
  ASSERT_TRUE(run && *run);
  EXPECT_EQ(json::parse((*run)->state_json)["failures"].size(), 2u);
}

TEST_F(GitHubWebhookConsumerTest, AFailingRouterLeavesTheRowPendingAndRecoveryRetriesIt) {
  int calls = 0;
  bool fail = true;
  std::string seen_key;
  consumer_->AddRouter([&](std::int64_t, const std::string& key,
                           const integrations::github::GitHubEvent& event) -> core::Status {
    ++calls;
    seen_key = key;
    EXPECT_TRUE(std::holds_alternative<integrations::github::WorkflowRunEvent>(event));
    if (fail) return core::Unexpected(core::MakeError(core::ErrorKind::kTransient, "busy"));
    return core::Ok();
  });
  const auto id = Row("d-1", "workflow_run:completed", FailedRunBody(77));
  consumer_->OnAccepted(id, "workflow_run:completed", FailedRunBody(77));
  EXPECT_EQ(Status("d-1"), "pending");
  EXPECT_EQ(seen_key, GitHubWebhookConsumer::DeliveryKey(id));
  fail = false;
  auto replayed = consumer_->Recover();
  ASSERT_TRUE(replayed);
  EXPECT_EQ(*replayed, 1u);
  EXPECT_EQ(Status("d-1"), "done");
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(AlertRuns(), 1);  // the replay started nothing twice
}

TEST_F(GitHubWebhookConsumerTest, UnparseableRowsAreFailedNotRetriedForever) {
  const auto id = Row("d-1", "workflow_run:completed", "{}");
  consumer_->OnAccepted(id, "workflow_run:completed", "{}");
  EXPECT_EQ(Status("d-1"), "failed");
}

}  // namespace
}  // namespace contexten::bot::handlers
