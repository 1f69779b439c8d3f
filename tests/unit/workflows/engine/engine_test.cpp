// The durable engine over the real SQLite store: one transaction per step, replays and
// redeliveries consumed once, durable waits and timers that survive a restart.

#include "workflows/engine/engine.hpp"

#include <gtest/gtest.h>

#include "tests/support/scripted_workflow.hpp"
#include "tests/support/workflow_fixture.hpp"

namespace contexten::workflows::engine {
namespace {

using nlohmann::json;

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() { Register(); }
  void Register() { f_.engine->Register(std::make_unique<testing::ScriptedWorkflow>()); }
  void Restart() {
    f_.Reopen();
    Register();
  }
  json State(const std::string& run_id) {
    auto run = f_.workflows->LoadRun(run_id);
    EXPECT_TRUE(run && *run);
    return json::parse((*run)->state_json);
  }
  static Event Start(json data = json::object()) { return {"start", std::move(data), ""}; }

  testing::WorkflowFixture f_;
};

TEST_F(EngineTest, StartWritesStateEffectsLinksAndFinishesTheInboxRowTogether) {
  const auto inbox_id = f_.PendingInboxRow("d1");
  auto started = f_.engine->Start(
      "scripted", "run-1",
      Start({{"effects", {{{"step", "post"}, {"lane", "slack"}, {"kind", "slack.post_message"}}}},
             {"links", {{{"from", "slack_thread:C1/1.1"}, {"to", "contexten_run:run-1"}}}}}),
      inbox_id);
  ASSERT_TRUE(started) << started.error().Describe();
  EXPECT_TRUE(started->applied);
  EXPECT_EQ(started->effects, 1u);

  EXPECT_EQ(State("run-1")["seen"][0]["type"], "start");
  auto effects = f_.workflows->Effects(store::EffectStatus::kPending, "run-1", 10);
  ASSERT_TRUE(effects);
  ASSERT_EQ(effects->size(), 1u);
  EXPECT_EQ((*effects)[0].idempotency_key(), "run-1/post");
  EXPECT_EQ((*effects)[0].order_key, "run-1");  // default: in order within the run
  EXPECT_EQ(f_.InboxStatus("d1"), "done");
  auto links = f_.workflows->LinksOf("slack_thread:C1/1.1");
  ASSERT_TRUE(links);
  ASSERT_EQ(links->size(), 1u);
  EXPECT_EQ((*links)[0].to_key, "contexten_run:run-1");
}

TEST_F(EngineTest, AStartReplayedAfterACrashDoesNotStartASecondRun) {
  json data = {{"effects", {{{"step", "create"}, {"lane", "linear"}}}}};
  ASSERT_TRUE(f_.engine->Start("scripted", "run-1", Start(data)));
  Restart();
  const auto inbox_id = f_.PendingInboxRow("replayed");
  auto again = f_.engine->Start("scripted", "run-1", Start(data), inbox_id);
  ASSERT_TRUE(again) << again.error().Describe();
  EXPECT_FALSE(again->applied);
  EXPECT_EQ(State("run-1")["seen"].size(), 1u);
  auto counts = f_.workflows->CountEffects();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->pending, 1);
  // The replayed delivery is still finished, so it is not replayed forever.
  EXPECT_EQ(f_.InboxStatus("replayed"), "done");
}

TEST_F(EngineTest, ARedeliveredEventIsConsumedOnce) {
  ASSERT_TRUE(f_.engine->Start("scripted", "run-1", Start()));
  Event e{"linear.issue", json::object(), "inbox:7"};
  auto first = f_.engine->Deliver("run-1", e);
  auto second = f_.engine->Deliver("run-1", e);
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(first->applied);
  EXPECT_FALSE(second->applied);
  EXPECT_EQ(State("run-1")["seen"].size(), 2u);
}

TEST_F(EngineTest, AWaitIsARowThatOutlivesTheProcess) {
  ASSERT_TRUE(f_.engine->Start("scripted", "run-1", Start({{"wait_for", {"linear_issue:ENG-1"}}})));
  ASSERT_TRUE(f_.engine->Start("scripted", "run-2", Start({{"wait_for", {"linear_issue:ENG-2"}}})));
  Restart();
  const auto inbox_id = f_.PendingInboxRow("hook-1");
  auto delivered = f_.engine->DeliverToWaiting(
      "linear_issue:ENG-1", {"linear.issue", json::object(), "inbox:hook-1"}, inbox_id);
  ASSERT_TRUE(delivered) << delivered.error().Describe();
  EXPECT_EQ(*delivered, 1u);
  EXPECT_EQ(State("run-1")["seen"].back()["type"], "linear.issue");
  EXPECT_EQ(State("run-2")["seen"].size(), 1u);
  EXPECT_EQ(f_.InboxStatus("hook-1"), "done");
}

// The webhook fast path: the delivery's inbox row and the step it leads to are one transaction.
store::InboxItem Arrival(const std::string& key, core::WallTime at) {
  store::InboxItem item;
  item.source = "test";
  item.dedupe_key = key;
  item.kind = "test";
  item.body = "{}";
  item.status = store::InboxStatus::kDone;
  item.received_at = at;
  return item;
}

TEST_F(EngineTest, AnArrivalIsStoredFinishedByTheStepItLeadsToInOneTransaction) {
  ASSERT_TRUE(f_.engine->Start("scripted", "run-1", Start()));
  const auto before = f_.database->transactions_committed();
  store::AppendResult appended;
  auto step = f_.engine->DeliverArrival(
      "run-1",
      {"linear.issue", {{"effects", {{{"step", "reply"}, {"lane", "slack"}}}}}, "delivery:d9"},
      Arrival("d9", f_.clock.WallNow()), appended);
  ASSERT_TRUE(step) << step.error().Describe();
  EXPECT_TRUE(step->applied);
  EXPECT_EQ(step->effects, 1u);
  EXPECT_EQ(appended.outcome, store::AppendOutcome::kInserted);
  EXPECT_GT(appended.id, 0);
  EXPECT_EQ(f_.database->transactions_committed() - before, 1u);
  EXPECT_EQ(f_.InboxStatus("d9"), "done");
  EXPECT_EQ(State("run-1")["seen"].back()["type"], "linear.issue");
}

TEST_F(EngineTest, ARedeliveredArrivalWritesNothing) {
  ASSERT_TRUE(f_.engine->Start("scripted", "run-1", Start()));
  const store::InboxItem arrival = Arrival("d9", f_.clock.WallNow());
  const Event event{
      "linear.issue", {{"effects", {{{"step", "reply"}, {"lane", "slack"}}}}}, "delivery:d9"};
  store::AppendResult first;
  ASSERT_TRUE(f_.engine->DeliverArrival("run-1", event, arrival, first));
  // Same delivery, as a new event key would make it look new to the run: only the inbox's
  // dedupe key stands between it and a second reply.
  Event again = event;
  again.key = "delivery:d9-retry";
  store::AppendResult second;
  auto step = f_.engine->DeliverArrival("run-1", again, arrival, second);
  ASSERT_TRUE(step) << step.error().Describe();
  EXPECT_FALSE(step->applied);
  EXPECT_EQ(second.outcome, store::AppendOutcome::kDuplicate);
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(State("run-1")["seen"].size(), 2u);
  auto counts = f_.workflows->CountEffects();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->pending, 1);
}

TEST_F(EngineTest, ADeliveryStoredPendingIsNotTakenAgainByTheFastPath) {
  ASSERT_TRUE(f_.engine->Start("scripted", "run-1", Start()));
  const auto pending = f_.PendingInboxRow("d9");
  store::AppendResult appended;
  auto step = f_.engine->DeliverArrival("run-1", {"linear.issue", json::object(), "delivery:d9"},
                                        Arrival("d9", f_.clock.WallNow()), appended);
  ASSERT_TRUE(step);
  EXPECT_FALSE(step->applied);
  EXPECT_EQ(appended.outcome, store::AppendOutcome::kDuplicate);
  EXPECT_EQ(appended.id, pending);
  EXPECT_EQ(f_.InboxStatus("d9"), "pending");  // its consumer finishes it, as usual
  EXPECT_EQ(State("run-1")["seen"].size(), 1u);
}

TEST_F(EngineTest, AnArrivalWhoseStepFailsIsNotStored) {
  store::AppendResult appended;
  auto step = f_.engine->DeliverArrival("no-such-run", {"linear.issue", json::object(), "k"},
                                        Arrival("d9", f_.clock.WallNow()), appended);
  ASSERT_FALSE(step);
  EXPECT_EQ(step.error().kind, core::ErrorKind::kNotFound);
  EXPECT_EQ(f_.InboxStatus("d9"), "missing");
}

TEST_F(EngineTest, AnEventNobodyWaitsForStillFinishesItsInboxRow) {
  const auto inbox_id = f_.PendingInboxRow("hook-2");
  auto delivered = f_.engine->DeliverToWaiting("linear_issue:NOPE-1",
                                               {"linear.issue", json::object(), "x"}, inbox_id);
  ASSERT_TRUE(delivered);
  EXPECT_EQ(*delivered, 0u);
  EXPECT_EQ(f_.InboxStatus("hook-2"), "done");
}

TEST_F(EngineTest, TimersFireWhenDueAndOnlyOnce) {
  ASSERT_TRUE(f_.engine->Start("scripted", "run-1",
                               Start({{"timers", {{{"name", "flush"}, {"in_ms", 10000}}}}})));
  auto next = f_.engine->NextTimerDue();
  ASSERT_TRUE(next && *next);
  EXPECT_EQ(**next, f_.NowMs() + 10000);
  auto early = f_.engine->FireDueTimers();
  ASSERT_TRUE(early);
  EXPECT_EQ(*early, 0u);

  f_.clock.Advance(std::chrono::seconds(10));
  Restart();  // the timer is a row: a restart in between changes nothing
  auto fired = f_.engine->FireDueTimers();
  ASSERT_TRUE(fired);
  EXPECT_EQ(*fired, 1u);
  EXPECT_EQ(State("run-1")["seen"].back()["type"], kTimerFired);
  EXPECT_EQ(State("run-1")["seen"].back()["name"], "flush");
  auto again = f_.engine->FireDueTimers();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0u);
}

TEST_F(EngineTest, AFinishedRunStopsWaiting) {
  ASSERT_TRUE(f_.engine->Start("scripted", "run-1", Start({{"wait_for", {"k"}}})));
  ASSERT_TRUE(f_.engine->Deliver("run-1", {"done", {{"finish", true}}, "e1"}));
  auto waiting = f_.workflows->RunsWaitingFor("k");
  ASSERT_TRUE(waiting);
  EXPECT_TRUE(waiting->empty());
  auto completed = f_.workflows->CountRuns(store::RunStatus::kCompleted, "scripted");
  ASSERT_TRUE(completed);
  EXPECT_EQ(*completed, 1);
}

TEST_F(EngineTest, AWorkflowThatThrowsFailsItsRunVisibly) {
  auto started = f_.engine->Start("scripted", "run-1", Start({{"fail_with", "boom"}}));
  ASSERT_TRUE(started) << started.error().Describe();
  EXPECT_TRUE(started->finished);
  auto failed = f_.workflows->CountRuns(store::RunStatus::kFailed, "");
  ASSERT_TRUE(failed);
  EXPECT_EQ(*failed, 1);
  auto history = f_.workflows->History("run-1");
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_NE((*history)[1].detail_json.find("boom"), std::string::npos);
}

TEST_F(EngineTest, HistoryRecordsEventsAndDecisionsInOrder) {
  ASSERT_TRUE(
      f_.engine->Start("scripted", "run-1",
                       Start({{"effects", {{{"step", "a"}, {"kind", "slack.post_message"}}}}})));
  ASSERT_TRUE(f_.engine->Deliver("run-1", {"ping", json::object(), "p"}));
  auto history = f_.workflows->History("run-1");
  ASSERT_TRUE(history);
  ASSERT_EQ(history->size(), 4u);
  EXPECT_EQ((*history)[0].kind, "event");
  EXPECT_NE((*history)[0].detail_json.find("start"), std::string::npos);
  EXPECT_EQ((*history)[1].kind, "decision");
  EXPECT_NE((*history)[1].detail_json.find("slack.post_message a"), std::string::npos);
  EXPECT_NE((*history)[2].detail_json.find("ping"), std::string::npos);
}

TEST_F(EngineTest, UnknownTypesAndRunsAreErrors) {
  auto unknown = f_.engine->Start("nope", "run-1", Start());
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, core::ErrorKind::kInvalidInput);
  auto missing = f_.engine->Deliver("run-404", {"x", json::object(), ""});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, core::ErrorKind::kNotFound);
}

}  // namespace
}  // namespace contexten::workflows::engine
