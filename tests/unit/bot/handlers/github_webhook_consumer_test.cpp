// GitHubWebhookConsumer over a real SQLite store and engine: a failed run on the default branch
// starts one CI alert however often its row is replayed, a PR reaches the run tracking the issue
// it names, added routers see every typed delivery with its key, and a failing router leaves the
// row pending for the next start.

#include "bot/handlers/github_webhook_consumer.hpp"

#include <gtest/gtest.h>

#include "tests/support/workflow_fixture.hpp"
#include "workflows/builtin/ci_alert.hpp"
#include "workflows/builtin/file_issue.hpp"
#include "workflows/builtin/github_events.hpp"

namespace contexten::bot::handlers {
namespace {

using nlohmann::json;

std::string RunBody(std::int64_t id, const std::string& conclusion) {
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
                {"conclusion", conclusion},
                {"run_attempt", 1},
                {"html_url", "https://github.com/acme/web/actions/runs/" + std::to_string(id)},
                {"pull_requests", json::array()}}},
              {"repository", {{"full_name", "acme/web"}, {"default_branch", "main"}}},
              {"sender", {{"login", "octocat"}}}}
      .dump();
}

std::string FailedRunBody(std::int64_t id) { return RunBody(id, "failure"); }

// The workflow store with a hook after the first look for runs waiting on `key`: what another
// thread or replica did between the consumer's look and its delivery.
class RacingStore final : public store::WorkflowStore {
 public:
  RacingStore(store::WorkflowStore& inner, std::string key, std::function<void()> after_first_look)
      : inner_(inner), key_(std::move(key)), after_first_look_(std::move(after_first_look)) {}
  core::Result<std::vector<std::string>> RunsWaitingFor(const std::string& key) override {
    auto runs = inner_.RunsWaitingFor(key);
    if (key == key_ && after_first_look_) std::exchange(after_first_look_, nullptr)();
    return runs;
  }
  core::Result<std::optional<store::RunRecord>> LoadRun(const std::string& id) override {
    return inner_.LoadRun(id);
  }
  core::Result<store::CommitOutcome> CommitStep(const store::StepCommit& step) override {
    return inner_.CommitStep(step);
  }
  core::Status FinishInboxRow(std::int64_t id, std::int64_t now) override {
    return inner_.FinishInboxRow(id, now);
  }
  core::Result<std::vector<store::TimerRecord>> DueTimers(std::int64_t now,
                                                          std::size_t limit) override {
    return inner_.DueTimers(now, limit);
  }
  core::Result<std::optional<std::int64_t>> NextTimerDue() override {
    return inner_.NextTimerDue();
  }
  core::Result<std::vector<store::EffectRecord>> ClaimDue(const std::string& lane, std::int64_t now,
                                                          std::size_t limit) override {
    return inner_.ClaimDue(lane, now, limit);
  }
  core::Status Reschedule(std::int64_t id, std::int64_t due, const std::string& error, bool unknown,
                          bool counts) override {
    return inner_.Reschedule(id, due, error, unknown, counts);
  }
  core::Result<std::optional<std::int64_t>> NextEffectDue(const std::string& lane) override {
    return inner_.NextEffectDue(lane);
  }
  core::Status Complete(const store::EffectOutcome& outcome, std::int64_t now) override {
    return inner_.Complete(outcome, now);
  }
  core::Result<std::int64_t> ReleaseInFlight() override { return inner_.ReleaseInFlight(); }
  core::Result<std::int64_t> RetryDead(std::optional<std::int64_t> id) override {
    return inner_.RetryDead(id);
  }
  core::Result<std::vector<store::EffectRecord>> Effects(std::optional<store::EffectStatus> status,
                                                         const std::string& run_id,
                                                         std::size_t limit) override {
    return inner_.Effects(status, run_id, limit);
  }
  core::Result<store::EffectCounts> CountEffects() override { return inner_.CountEffects(); }
  core::Result<std::int64_t> CountActiveEffects(std::int64_t now) override {
    return inner_.CountActiveEffects(now);
  }
  core::Result<std::int64_t> CountRuns(std::optional<store::RunStatus> status,
                                       const std::string& type) override {
    return inner_.CountRuns(status, type);
  }
  core::Result<std::vector<store::HistoryEntry>> History(const std::string& id) override {
    return inner_.History(id);
  }
  core::Result<std::vector<store::LinkRecord>> LinksOf(const std::string& key) override {
    return inner_.LinksOf(key);
  }

 private:
  store::WorkflowStore& inner_;
  std::string key_;
  std::function<void()> after_first_look_;
};

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

TEST_F(GitHubWebhookConsumerTest, AFailureWhoseOpenAlertRecoversMeanwhileStartsItsOwnAlert) {
  consumer_->OnAccepted(Row("d-1", "workflow_run:completed", FailedRunBody(77)),
                        "workflow_run:completed", FailedRunBody(77));
  ASSERT_EQ(AlertRuns(), 1);
  ASSERT_EQ(f_.workflows->RunsWaitingFor(workflows::builtin::CiAlertKey("acme/web", "CI", "main"))
                .value_or(std::vector<std::string>{})
                .size(),
            1u);
  // Another replica handles the next failure (run 82). Between its look (an alert waits) and its
  // delivery, this one takes a passing run that closes the open alert.
  RacingStore racing(*f_.workflows, workflows::builtin::CiAlertKey("acme/web", "CI", "main"), [&] {
    consumer_->OnAccepted(Row("d-2", "workflow_run:completed", RunBody(81, "success")),
                          "workflow_run:completed", RunBody(81, "success"));
  });
  workflows::engine::Engine other_engine(racing, f_.clock);
  other_engine.Register(std::make_unique<workflows::builtin::CiAlertWorkflow>());
  workflows::builtin::GitHubRouteSettings settings;
  settings.team_keys = {"ENG"};
  settings.alerts_channel = "C0ALERTS";
  settings.linear_team = "ENG";
  GitHubWebhookConsumer other(*f_.inbox, other_engine, settings);
  other.OnAccepted(Row("d-3", "workflow_run:completed", FailedRunBody(82)),
                   "workflow_run:completed", FailedRunBody(82));
  auto first = f_.workflows->LoadRun("ci_alert:acme/web/77/1");
  ASSERT_TRUE(first && *first);
  EXPECT_EQ((*first)->status, store::RunStatus::kCompleted);
  EXPECT_EQ(Status("d-3"), "done");
  // The failure is not dropped: it has an alert of its own.
  EXPECT_EQ(AlertRuns(), 2);
  auto second = f_.workflows->LoadRun("ci_alert:acme/web/82/1");
  ASSERT_TRUE(second && *second);
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
