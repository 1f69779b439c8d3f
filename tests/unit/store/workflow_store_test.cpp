// The workflow store port on both engines (tests/support/store_engines.hpp): a step is one
// transaction (its inbox append included), versions and per-run event dedupe, the outbox's
// order per key, claims, retries and timers. Then PostgreSQL only: two replicas on one database
// share the outbox and the timers through row locks (SKIP LOCKED) and leases.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>
#include <vector>

#include "tests/support/store_engines.hpp"

namespace contexten::store {
namespace {

using core::ErrorKind;

EffectRecord Effect(std::string step_id, std::string order_key, std::int64_t due_at_ms = 0) {
  EffectRecord e;
  e.step_id = std::move(step_id);
  e.lane = "slack";
  e.kind = "slack.post_message";
  e.order_key = std::move(order_key);
  e.args_json = R"({"text":"hi"})";
  e.due_at_ms = due_at_ms;
  return e;
}

StepCommit Create(std::string run_id, std::int64_t now_ms = 100) {
  StepCommit step;
  step.run_id = std::move(run_id);
  step.type = "test";
  step.create = true;
  step.state_json = R"({"n":0})";
  step.now_ms = now_ms;
  return step;
}

StepCommit Next(std::string run_id, std::int64_t expected_version, std::int64_t now_ms = 200) {
  StepCommit step;
  step.run_id = std::move(run_id);
  step.expected_version = expected_version;
  step.state_json = R"({"n":1})";
  step.now_ms = now_ms;
  return step;
}

using WorkflowStoreTest = testing::StoreEngineTest;
CONTEXTEN_STORE_ENGINES(WorkflowStoreTest);

TEST_P(WorkflowStoreTest, CreateThenStepBumpsTheVersionAndAStaleStepConflicts) {
  auto& store = store_->workflows();
  ASSERT_EQ(store.CommitStep(Create("r1")).value_or(CommitOutcome::kDuplicate),
            CommitOutcome::kApplied);
  auto again = store.CommitStep(Create("r1"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::kConflict);

  ASSERT_TRUE(store.CommitStep(Next("r1", 1)));
  StepCommit stale = Next("r1", 1);
  stale.effects.push_back(Effect("never", "k"));
  auto conflict = store.CommitStep(stale);
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().kind, ErrorKind::kConflict);
  // Rolled back whole: the stale step's effect is not in the outbox.
  EXPECT_TRUE(store.Effects(std::nullopt, "r1", 10)->empty());

  Reopen();
  auto run = store_->workflows().LoadRun("r1");
  ASSERT_TRUE(run && *run);
  EXPECT_EQ((*run)->version, 2);
  EXPECT_EQ((*run)->state_json, R"({"n":1})");
  EXPECT_EQ((*run)->type, "test");
  EXPECT_EQ((*run)->created_at_ms, 100);
  EXPECT_EQ((*run)->updated_at_ms, 200);
  EXPECT_FALSE(store_->workflows().LoadRun("nope")->has_value());
  EXPECT_EQ(store_->workflows().CountRuns(RunStatus::kRunning, "test").value_or(-1), 1);
}

TEST_P(WorkflowStoreTest, AStepsInboxAppendIsInItsTransactionAndARedeliveryWritesNothing) {
  auto& store = store_->workflows();
  InboxItem delivery;
  delivery.source = "github";
  delivery.dedupe_key = "d-1";
  delivery.kind = "push";
  delivery.body = "{}";
  delivery.received_at = clock_.WallNow();
  delivery.status = InboxStatus::kDone;

  AppendResult appended;
  StepCommit step = Create("r1");
  step.inbox_append = &delivery;
  step.appended = &appended;
  step.effects.push_back(Effect("e1", "k"));
  ASSERT_EQ(store.CommitStep(step).value_or(CommitOutcome::kDuplicate), CommitOutcome::kApplied);
  EXPECT_EQ(appended.outcome, AppendOutcome::kInserted);

  // The redelivery: the same key, a duplicate, and nothing written (not even a conflict).
  AppendResult again;
  StepCommit redelivered = Create("r1");
  redelivered.inbox_append = &delivery;
  redelivered.appended = &again;
  ASSERT_EQ(store.CommitStep(redelivered).value_or(CommitOutcome::kApplied),
            CommitOutcome::kDuplicate);
  EXPECT_EQ(again.outcome, AppendOutcome::kDuplicate);
  EXPECT_EQ(again.id, appended.id);

  // A step that fails (its run exists) takes its inbox row with it.
  InboxItem other = delivery;
  other.dedupe_key = "d-2";
  StepCommit failing = Create("r1");
  failing.inbox_append = &other;
  ASSERT_FALSE(store.CommitStep(failing));
  EXPECT_FALSE(store_->inbox().Find("github", "d-2")->has_value());
  auto stored = store_->inbox().Find("github", "d-1");
  ASSERT_TRUE(stored && *stored);
  EXPECT_EQ((*stored)->status, InboxStatus::kDone);
  EXPECT_EQ(store.Effects(std::nullopt, "r1", 10)->size(), 1u);
}

TEST_P(WorkflowStoreTest, AConsumedEventIsADuplicateButStillFinishesItsInboxRow) {
  auto& store = store_->workflows();
  ASSERT_TRUE(store.CommitStep(Create("r1")));
  StepCommit first = Next("r1", 1);
  first.consumed_event_key = "ev-1";
  ASSERT_EQ(store.CommitStep(first).value_or(CommitOutcome::kDuplicate), CommitOutcome::kApplied);

  InboxItem item;
  item.source = "test";
  item.dedupe_key = "row";
  item.kind = "test";
  auto row = store_->inbox().Append(item);
  ASSERT_TRUE(row);
  StepCommit replay = Next("r1", 2);
  replay.consumed_event_key = "ev-1";
  replay.inbox_done = row->id;
  ASSERT_EQ(store.CommitStep(replay).value_or(CommitOutcome::kApplied), CommitOutcome::kDuplicate);
  EXPECT_EQ((*store.LoadRun("r1"))->version, 2);  // the duplicate changed nothing else
  EXPECT_EQ((*store_->inbox().Find("test", "row"))->status, InboxStatus::kDone);
}

TEST_P(WorkflowStoreTest, ClaimDueKeepsOrderPerKeyAndRetriesKeepTheirPlace) {
  auto& store = store_->workflows();
  StepCommit step = Create("r1");
  step.effects = {Effect("a1", "thread-A"), Effect("a2", "thread-A"), Effect("b1", "thread-B")};
  ASSERT_TRUE(store.CommitStep(step));

  auto claimed = store.ClaimDue("slack", 1000, 10);
  ASSERT_TRUE(claimed) << claimed.error().Describe();
  ASSERT_EQ(claimed->size(), 2u);  // a1 and b1; a2 waits for a1
  EXPECT_EQ((*claimed)[0].step_id, "a1");
  EXPECT_EQ((*claimed)[1].step_id, "b1");
  EXPECT_EQ((*claimed)[0].status, EffectStatus::kInFlight);
  EXPECT_EQ((*claimed)[0].attempts, 1);
  EXPECT_TRUE(store.ClaimDue("slack", 1000, 10)->empty());
  EXPECT_TRUE(store.ClaimDue("linear", 1000, 10)->empty());

  // a1 fails and is retried later: a2 still waits behind it.
  ASSERT_TRUE(store.Reschedule((*claimed)[0].id, 5000, "503", true));
  EXPECT_TRUE(store.ClaimDue("slack", 1000, 10)->empty());
  // The earliest pending is a2 (due at once, but behind a1), then a1's retry.
  EXPECT_EQ(store.NextEffectDue("slack").value_or(std::nullopt), 0);
  auto retried = store.ClaimDue("slack", 5000, 10);
  ASSERT_TRUE(retried);
  ASSERT_EQ(retried->size(), 1u);
  EXPECT_EQ((*retried)[0].step_id, "a1");
  EXPECT_EQ((*retried)[0].attempts, 2);
  EXPECT_TRUE((*retried)[0].outcome_unknown);
  EXPECT_EQ((*retried)[0].last_error, "503");

  ASSERT_TRUE(store.Complete({(*retried)[0].id, EffectStatus::kDone, R"({"ok":true})", ""}, 5001));
  auto next = store.ClaimDue("slack", 5001, 10);
  ASSERT_TRUE(next);
  ASSERT_EQ(next->size(), 1u);
  EXPECT_EQ((*next)[0].step_id, "a2");
  auto counts = store.CountEffects();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->done, 1);
  EXPECT_EQ(counts->in_flight, 2);
  EXPECT_EQ(store.CountActiveEffects(5001).value_or(-1), 2);
}

TEST_P(WorkflowStoreTest, ClaimLanesClaimTheNewEffectsInTheSameCommit) {
  auto& store = store_->workflows();
  std::vector<EffectRecord> claimed;
  StepCommit step = Create("r1", 1000);
  step.effects = {Effect("now", "k1"), Effect("later", "k2", 9000), Effect("queued", "k1")};
  step.claim_lanes = {"slack"};
  step.claimed = &claimed;
  ASSERT_TRUE(store.CommitStep(step));
  ASSERT_EQ(claimed.size(), 1u);  // "later" is not due, "queued" waits behind "now"
  EXPECT_EQ(claimed[0].step_id, "now");
  EXPECT_EQ(claimed[0].status, EffectStatus::kInFlight);
  EXPECT_EQ(claimed[0].attempts, 1);
  // Restart: what was in flight goes back to pending, outcome unknown.
  Reopen();
  EXPECT_EQ(store_->workflows().ReleaseInFlight().value_or(-1), 1);
  auto pending = store_->workflows().Effects(EffectStatus::kPending, "r1", 10);
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 3u);
  EXPECT_TRUE((*pending)[0].outcome_unknown);
}

TEST_P(WorkflowStoreTest, DeadLettersAreRetriedByAnOperator) {
  auto& store = store_->workflows();
  StepCommit step = Create("r1");
  step.effects = {Effect("e1", "k1"), Effect("e2", "k2")};
  ASSERT_TRUE(store.CommitStep(step));
  auto claimed = store.ClaimDue("slack", 1000, 10);
  ASSERT_TRUE(claimed && claimed->size() == 2u);
  for (const auto& e : *claimed) {
    ASSERT_TRUE(store.Complete({e.id, EffectStatus::kDead, "", "gone"}, 1001));
  }
  EXPECT_EQ(store.Effects(EffectStatus::kDead, "", 10)->front().last_error, "gone");
  EXPECT_EQ(store.RetryDead((*claimed)[0].id).value_or(-1), 1);
  EXPECT_EQ(store.RetryDead(std::nullopt).value_or(-1), 1);
  EXPECT_EQ(store.CountEffects()->pending, 2);
}

TEST_P(WorkflowStoreTest, TimersWaitsLinksAndHistory) {
  auto& store = store_->workflows();
  StepCommit step = Create("r1", 100);
  step.set_timers = {{"r1", "expire", 5000}, {"r1", "remind", 3000}};
  step.add_waits = {"linear_issue:ENG-1"};
  step.links = {{"slack_thread:C1/1", "linear_issue:ENG-1", "created_from", "{}", "", 0}};
  step.history = {{0, "r1", 0, "decision", R"({"why":"test"})"}};
  ASSERT_TRUE(store.CommitStep(step));
  EXPECT_EQ(store.NextTimerDue().value_or(std::nullopt), 3000);
  EXPECT_EQ(*store.RunsWaitingFor("linear_issue:ENG-1"), std::vector<std::string>{"r1"});
  auto links = store.LinksOf("linear_issue:ENG-1");
  ASSERT_TRUE(links && links->size() == 1u);
  EXPECT_EQ((*links)[0].run_id, "r1");
  auto history = store.History("r1");
  ASSERT_TRUE(history && history->size() == 1u);
  EXPECT_EQ((*history)[0].at_ms, 100);

  auto due = store.DueTimers(3000, 10);
  ASSERT_TRUE(due);
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ((*due)[0].name, "remind");
  StepCommit fire = Next("r1", 1, 3000);
  fire.fired_timer = "remind";
  fire.status = RunStatus::kCompleted;
  ASSERT_TRUE(store.CommitStep(fire));
  // A finished run keeps no timers and waits for nothing.
  EXPECT_EQ(store.NextTimerDue().value_or(std::optional<std::int64_t>(1)), std::nullopt);
  EXPECT_TRUE(store.RunsWaitingFor("linear_issue:ENG-1")->empty());
}

// PostgreSQL only: replicas.
class PgReplicaTest : public testing::StoreEngineTest {
 protected:
  void SetUp() override {
    testing::StoreEngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    other_db_ = store_->OpenPg("replica-b");
    ASSERT_NE(other_db_, nullptr);
    other_ = std::make_unique<postgres::PgWorkflowStore>(*other_db_);
  }
  void TearDown() override {
    other_.reset();
    other_db_.reset();
    testing::StoreEngineTest::TearDown();
  }
  std::unique_ptr<postgres::PgDatabase> other_db_;
  std::unique_ptr<postgres::PgWorkflowStore> other_;
};
INSTANTIATE_TEST_SUITE_P(Engines, PgReplicaTest, ::testing::Values(testing::StoreEngine::kPostgres),
                         testing::StoreEngineName);

TEST_P(PgReplicaTest, TwoReplicasClaimingAtOnceNeverShareAnEffect) {
  constexpr int kEffects = 200;
  StepCommit step = Create("r1");
  for (int i = 0; i < kEffects; ++i) {
    step.effects.push_back(Effect("e" + std::to_string(i), "key-" + std::to_string(i)));
  }
  ASSERT_TRUE(store_->workflows().CommitStep(step));
  std::vector<std::int64_t> mine;
  std::vector<std::int64_t> theirs;
  auto claim_all = [](WorkflowStore& store, std::vector<std::int64_t>& out) {
    while (true) {
      auto claimed = store.ClaimDue("slack", 1000, 7);
      if (!claimed || claimed->empty()) return;
      for (const auto& e : *claimed) out.push_back(e.id);
    }
  };
  std::thread a([&] { claim_all(store_->workflows(), mine); });
  std::thread b([&] { claim_all(*other_, theirs); });
  a.join();
  b.join();
  std::set<std::int64_t> all(mine.begin(), mine.end());
  for (auto id : theirs) EXPECT_TRUE(all.insert(id).second) << "effect " << id << " claimed twice";
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kEffects));
  EXPECT_EQ(store_->workflows().CountEffects()->in_flight, kEffects);
}

TEST_P(PgReplicaTest, ADeadReplicasClaimIsTakenOverOnlyAfterItsLease) {
  StepCommit step = Create("r1");
  step.effects = {Effect("e1", "k1")};
  ASSERT_TRUE(store_->workflows().CommitStep(step));
  auto claimed = store_->workflows().ClaimDue("slack", 1000, 10);
  ASSERT_TRUE(claimed && claimed->size() == 1u);

  // Replica A "dies" holding the claim. B's restart does not release A's claim, and B cannot
  // claim it while the lease (30 s in these tests) runs.
  EXPECT_EQ(other_->ReleaseInFlight().value_or(-1), 0);
  EXPECT_TRUE(other_->ClaimDue("slack", 1000 + 29999, 10)->empty());
  auto taken = other_->ClaimDue("slack", 1000 + 30000, 10);
  ASSERT_TRUE(taken);
  ASSERT_EQ(taken->size(), 1u);
  EXPECT_EQ((*taken)[0].id, (*claimed)[0].id);
  EXPECT_EQ((*taken)[0].attempts, 2);
  EXPECT_TRUE((*taken)[0].outcome_unknown);  // A may have performed it: look first
  // Now it is B's: A's restart leaves it alone.
  EXPECT_EQ(store_->workflows().ReleaseInFlight().value_or(-1), 0);
  EXPECT_EQ(other_->ReleaseInFlight().value_or(-1), 1);
}

TEST_P(PgReplicaTest, ADueTimerGoesToOneReplicaUntilItsLeasePasses) {
  StepCommit step = Create("r1");
  step.set_timers = {{"r1", "expire", 500}};
  ASSERT_TRUE(store_->workflows().CommitStep(step));
  auto a = store_->workflows().DueTimers(1000, 10);
  ASSERT_TRUE(a);
  ASSERT_EQ(a->size(), 1u);
  EXPECT_TRUE(other_->DueTimers(1000, 10)->empty());
  // The leased timer wakes the loops again when the lease passes, not before.
  EXPECT_EQ(other_->NextTimerDue().value_or(std::nullopt), 1000 + 30000);
  auto b = other_->DueTimers(1000 + 30000, 10);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->size(), 1u);
}

TEST_P(PgReplicaTest, ARedeliveryOnTheOtherReplicaIsADuplicate) {
  postgres::PgInbox other_inbox(*other_db_, clock_);
  InboxItem item;
  item.source = "slack";
  item.dedupe_key = "Ev1";
  item.kind = "event_callback";
  item.body = "{}";
  auto first = store_->inbox().Append(item);
  auto second = other_inbox.Append(item);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(second->outcome, AppendOutcome::kDuplicate);
  EXPECT_EQ(second->id, first->id);
}

}  // namespace
}  // namespace contexten::store
