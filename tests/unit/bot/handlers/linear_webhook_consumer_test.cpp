// LinearWebhookConsumer's two paths over the real store and engine: the fast path (OnArrival)
// that stores a delivery together with the step of the one run waiting for it, and the usual
// path it leaves to (several runs waiting, a body it cannot read).

#include "bot/handlers/linear_webhook_consumer.hpp"

#include <gtest/gtest.h>

#include "store/sqlite_subscription_store.hpp"
#include "tests/support/scripted_workflow.hpp"
#include "tests/support/workflow_fixture.hpp"
#include "workflows/builtin/file_issue_events.hpp"

namespace contexten::bot::handlers {
namespace {

using nlohmann::json;

class LinearWebhookConsumerTest : public ::testing::Test {
 protected:
  LinearWebhookConsumerTest() {
    f_.engine->Register(std::make_unique<testing::ScriptedWorkflow>());
  }

  void Waiting(const std::string& run_id, const std::string& issue_uuid) {
    auto started = f_.engine->Start(
        "scripted", run_id,
        {"start", {{"wait_for", {workflows::builtin::LinearIssueKey(issue_uuid)}}}, ""});
    ASSERT_TRUE(started) << started.error().Describe();
  }

  static store::InboxItem Delivery(const std::string& key, const std::string& issue_uuid) {
    store::InboxItem item;
    item.source = "linear";
    item.dedupe_key = key;
    item.kind = "Issue:update";
    item.body = json{{"action", "update"},
                     {"type", "Issue"},
                     {"createdAt", "2026-11-27T10:00:00.000Z"},
                     {"data",
                      {{"id", issue_uuid},
                       {"identifier", "ENG-1"},
                       {"title", "Login crash"},
                       {"state", {{"id", "s2"}, {"name", "In Progress"}, {"type", "started"}}}}},
                     {"updatedFrom", {{"stateId", "s1"}}},
                     {"webhookTimestamp", 1796000000000}}
                    .dump();
    return item;
  }

  std::size_t Seen(const std::string& run_id) {
    auto run = f_.workflows->LoadRun(run_id);
    EXPECT_TRUE(run && *run);
    return json::parse((*run)->state_json)["seen"].size();
  }

  std::string Status(const std::string& key) {
    auto found = f_.inbox->Find("linear", key);
    return found && *found ? std::string(store::ToString((*found)->status)) : "missing";
  }

  testing::WorkflowFixture f_;
  LinearWebhookConsumer consumer_{*f_.inbox, *f_.engine};
};

TEST_F(LinearWebhookConsumerTest, TheOneWaitingRunTakesTheDeliveryAsItIsStored) {
  Waiting("run-1", "uuid-1");
  auto taken = consumer_.OnArrival(Delivery("l-1", "uuid-1"));
  ASSERT_TRUE(taken.has_value());
  ASSERT_TRUE(*taken) << taken->error().Describe();
  EXPECT_EQ((*taken)->outcome, store::AppendOutcome::kInserted);
  EXPECT_EQ(Status("l-1"), "done");
  EXPECT_EQ(Seen("run-1"), 2u);

  auto again = consumer_.OnArrival(Delivery("l-1", "uuid-1"));
  ASSERT_TRUE(again.has_value() && *again);
  EXPECT_EQ((*again)->outcome, store::AppendOutcome::kDuplicate);
  EXPECT_EQ(Seen("run-1"), 2u);
}

TEST_F(LinearWebhookConsumerTest, ADeliveryNobodyWaitsForIsStoredFinished) {
  auto taken = consumer_.OnArrival(Delivery("l-2", "uuid-unknown"));
  ASSERT_TRUE(taken.has_value() && *taken);
  EXPECT_EQ((*taken)->outcome, store::AppendOutcome::kInserted);
  EXPECT_EQ(Status("l-2"), "done");
}

TEST_F(LinearWebhookConsumerTest, SeveralWaitingRunsAreLeftToTheUsualPath) {
  Waiting("run-1", "uuid-1");
  Waiting("run-2", "uuid-1");
  EXPECT_FALSE(consumer_.OnArrival(Delivery("l-3", "uuid-1")).has_value());
  EXPECT_EQ(Status("l-3"), "missing");  // the ingress stores it pending next

  auto stored = f_.inbox->Append(Delivery("l-3", "uuid-1"));
  ASSERT_TRUE(stored);
  consumer_.OnAccepted(stored->id, Delivery("l-3", "uuid-1").body);
  EXPECT_EQ(Status("l-3"), "done");
  EXPECT_EQ(Seen("run-1"), 2u);
  EXPECT_EQ(Seen("run-2"), 2u);
}

TEST_F(LinearWebhookConsumerTest, ADeliveryASubscriptionWantsIsLeftToTheUsualPath) {
  Waiting("run-1", "uuid-1");
  store::SqliteSubscriptionStore subscriptions(*f_.database);
  SubscriptionRouter router(subscriptions, *f_.engine);
  consumer_.set_router(&router);
  // No subscription to ENG yet: the fast path takes it.
  auto taken = consumer_.OnArrival(Delivery("l-5", "uuid-1"));
  ASSERT_TRUE(taken.has_value() && *taken);
  // A channel subscribes to ENG: the router routes by the row's id, so the row must be stored
  // pending for it (and the runs) to see.
  store::SubscriptionRecord sub;
  sub.channel = "C1";
  sub.platform = "linear";
  sub.target = "ENG";
  ASSERT_TRUE(subscriptions.Upsert(sub));
  EXPECT_FALSE(consumer_.OnArrival(Delivery("l-6", "uuid-1")).has_value());
  EXPECT_EQ(Status("l-6"), "missing");
}

TEST_F(LinearWebhookConsumerTest, ABodyItCannotReadIsLeftToTheIngress) {
  store::InboxItem broken = Delivery("l-4", "uuid-1");
  broken.body = "{\"type\":\"Issue\"}";
  EXPECT_FALSE(consumer_.OnArrival(broken).has_value());
  EXPECT_EQ(Status("l-4"), "missing");
}

}  // namespace
}  // namespace contexten::bot::handlers
