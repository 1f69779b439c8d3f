// `/ctx status` shows dead letters with their reason, and `/ctx retry` puts them back in the
// outbox (DESIGN.md §3: a dead letter is visible and retryable).

#include "bot/handlers/status_handler.hpp"

#include <gtest/gtest.h>

#include "tests/support/scripted_workflow.hpp"
#include "tests/support/workflow_fixture.hpp"

namespace contexten::bot::handlers {
namespace {

using nlohmann::json;

class StatusHandlerTest : public ::testing::Test {
 protected:
  StatusHandlerTest() {
    f_.engine->Register(std::make_unique<testing::ScriptedWorkflow>());
    auto started = f_.engine->Start(
        "scripted", "run-1",
        {"start",
         {{"effects", {{{"step", "create"}, {"lane", "linear"}, {"kind", "linear.create_issue"}},
                       {{"step", "post"}, {"lane", "slack"}, {"kind", "slack.post_message"}}}}},
         ""});
    EXPECT_TRUE(started);
  }

  // The relay gave up on the create: dead, and the run told.
  std::int64_t DeadLetterTheCreate() {
    auto claimed = f_.workflows->ClaimDue("linear", f_.NowMs(), 1);
    EXPECT_TRUE(claimed && claimed->size() == 1);
    const auto id = claimed->front().id;
    store::EffectOutcome dead{id, store::EffectStatus::kDead, "", "unavailable: Linear 503"};
    EXPECT_TRUE(f_.engine->Deliver("run-1", {"effect.dead", json::object(), "e"}, std::nullopt, dead));
    return id;
  }

  static std::string Text(const json& reply) { return reply.dump(); }

  testing::WorkflowFixture f_;
};

TEST_F(StatusHandlerTest, AQuietOutboxSaysSo) {
  const json reply = StatusReply(*f_.workflows, nullptr, f_.NowMs());
  EXPECT_EQ(reply["response_type"], "ephemeral");
  EXPECT_NE(Text(reply).find("2 queued"), std::string::npos) << Text(reply);
  EXPECT_NE(Text(reply).find("0 dead"), std::string::npos);
  EXPECT_EQ(Text(reply).find("Dead letters"), std::string::npos);
}

TEST_F(StatusHandlerTest, DeadLettersAreListedWithTheirIdAndReason) {
  const auto id = DeadLetterTheCreate();
  const std::string text = Text(StatusReply(*f_.workflows, nullptr, f_.NowMs()));
  EXPECT_NE(text.find("1 dead"), std::string::npos) << text;
  EXPECT_NE(text.find("Dead letters"), std::string::npos);
  EXPECT_NE(text.find("`" + std::to_string(id) + "`"), std::string::npos);
  EXPECT_NE(text.find("linear.create_issue"), std::string::npos);
  EXPECT_NE(text.find("Linear 503"), std::string::npos);
}

TEST_F(StatusHandlerTest, RetryPutsTheDeadLetterBackAndWakesTheOutbox) {
  const auto id = DeadLetterTheCreate();
  int woken = 0;
  const json missing = RetryReply(*f_.workflows, {id + 100}, [&] { ++woken; });
  EXPECT_NE(Text(missing).find("No dead letter"), std::string::npos);
  EXPECT_EQ(woken, 0);
  const json retried = RetryReply(*f_.workflows, {id}, [&] { ++woken; });
  EXPECT_NE(Text(retried).find("Sent 1"), std::string::npos) << Text(retried);
  EXPECT_EQ(woken, 1);
  auto counts = f_.workflows->CountEffects();
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->dead, 0);
  EXPECT_EQ(counts->pending, 2);
  EXPECT_NE(Text(RetryReply(*f_.workflows, {}, [&] { ++woken; })).find("Nothing"),
            std::string::npos);
}

}  // namespace
}  // namespace contexten::bot::handlers
