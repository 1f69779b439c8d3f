#include "workflows/present/coalescer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "integrations/slack/block_kit/validate.hpp"

namespace contexten::workflows::present {
namespace {

using nlohmann::json;
namespace blocks = integrations::slack::blocks;

ThreadEvent Push(std::int64_t at_ms, int n) {
  return {at_ms, "Alice pushed commit " + std::to_string(n) + " to acme/web#12", "push:acme/web#12",
          "{n} pushes to acme/web#12"};
}

ThreadEvent Now(std::int64_t at_ms, std::string text) { return {at_ms, std::move(text), "", ""}; }

std::vector<std::string> Texts(const std::vector<ThreadEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.text);
  return out;
}

std::string ReplyText(const json& reply) {
  std::string out;
  for (const auto& block : reply.value("blocks", json::array())) {
    if (block["type"] == "section") out += block["text"]["text"].get<std::string>() + "\n";
  }
  return out;
}

TEST(CoalescerTest, EventWithoutKeyIsPostedNow) {
  CoalescerState state;
  const auto decision = Coalesce(state, Now(1000, "*ENG-1* moved to *Done*"), 1000);
  EXPECT_THAT(Texts(decision.post_now), ::testing::ElementsAre("*ENG-1* moved to *Done*"));
  EXPECT_FALSE(decision.set_timer_ms);
  EXPECT_TRUE(state.pending.empty());
  EXPECT_FALSE(state.flush_due_ms);
}

TEST(CoalescerTest, FirstKeyedEventIsHeldAndAsksForATimer) {
  CoalescerState state;
  const auto decision = Coalesce(state, Push(5000, 1), 5000);
  EXPECT_TRUE(decision.post_now.empty());
  EXPECT_EQ(decision.set_timer_ms, 15000);
  EXPECT_EQ(state.flush_due_ms, 15000);
  EXPECT_EQ(state.pending.size(), 1u);
}

TEST(CoalescerTest, FivePushesInTenSecondsMakeOneReply) {
  CoalescerState state;
  int timers = 0;
  for (int i = 0; i < 5; ++i) {
    const std::int64_t t = 1000 + i * 2000;  // 1 s .. 9 s
    const auto decision = Coalesce(state, Push(t, i + 1), t);
    EXPECT_TRUE(decision.post_now.empty()) << i;
    if (decision.set_timer_ms) ++timers;
  }
  EXPECT_EQ(timers, 1) << "one durable timer per burst";
  EXPECT_TRUE(Flush(state, 10999).empty()) << "not due yet";
  EXPECT_EQ(state.pending.size(), 5u);

  const auto due = Flush(state, 11000);
  ASSERT_EQ(due.size(), 5u);
  EXPECT_TRUE(state.pending.empty());
  EXPECT_FALSE(state.flush_due_ms);

  const json reply = RenderThreadReply(due);
  EXPECT_TRUE(blocks::Validate(reply, blocks::Surface::kMessage));
  EXPECT_EQ(reply["text"], "5 pushes to acme/web#12");
  EXPECT_EQ(ReplyText(reply), "5 pushes to acme/web#12\n");
}

TEST(CoalescerTest, UnkeyedEventTakesPendingAlongInOrder) {
  CoalescerState state;
  (void)Coalesce(state, Push(1000, 1), 1000);
  (void)Coalesce(state, Push(2000, 2), 2000);
  const auto decision = Coalesce(state, Now(3000, "PR merged"), 3000);
  EXPECT_THAT(Texts(decision.post_now),
              ::testing::ElementsAre("Alice pushed commit 1 to acme/web#12",
                                     "Alice pushed commit 2 to acme/web#12", "PR merged"));
  EXPECT_TRUE(state.pending.empty());
  EXPECT_FALSE(state.flush_due_ms);
  // The timer set for the burst still fires; by then there is nothing to post.
  EXPECT_TRUE(Flush(state, 11000).empty());
  EXPECT_EQ(ReplyText(RenderThreadReply(decision.post_now)),
            "2 pushes to acme/web#12\nPR merged\n");
}

TEST(CoalescerTest, NextBurstAfterFlushStartsANewWindow) {
  CoalescerState state;
  (void)Coalesce(state, Push(0, 1), 0);
  ASSERT_EQ(Flush(state, 10000).size(), 1u);
  const auto decision = Coalesce(state, Push(12000, 2), 12000);
  EXPECT_EQ(decision.set_timer_ms, 22000);
}

TEST(CoalescerTest, WindowIsConfigurable) {
  CoalescerState state;
  EXPECT_EQ(Coalesce(state, Push(100, 1), 100, 500).set_timer_ms, 600);
}

TEST(CoalescerTest, LateHeldEventAlreadyDueIsPostedNow) {
  // Delivered long after it happened (e.g. after a restart): waiting longer helps nobody.
  CoalescerState state;
  const auto decision = Coalesce(state, Push(1000, 1), 60000);
  EXPECT_EQ(decision.post_now.size(), 1u);
  EXPECT_FALSE(decision.set_timer_ms);
  EXPECT_TRUE(state.pending.empty());
}

TEST(CoalescerTest, SingleHeldEventKeepsItsOwnLine) {
  const json reply = RenderThreadReply({Push(0, 1)});
  EXPECT_EQ(ReplyText(reply), "Alice pushed commit 1 to acme/web#12\n");
}

TEST(CoalescerTest, GroupsWithoutTemplateListTheirLinesWhereTheGroupBegan) {
  const std::vector<ThreadEvent> events = {
      {0, "review by Bob", "review:12", ""},
      {1, "*ENG-1* moved to *In Progress*", "", ""},
      {2, "review by Carol", "review:12", ""},
      {3, "Alice pushed", "push:12", "{n} pushes"},
      {4, "Alice pushed again", "push:12", "{n} pushes ({n} total)"},
  };
  EXPECT_EQ(ReplyText(RenderThreadReply(events)),
            "review by Bob\nreview by Carol\n*ENG-1* moved to *In Progress*\n"
            "2 pushes (2 total)\n");
  EXPECT_EQ(RenderThreadReply(events)["text"], "review by Bob (+3 more)");
}

TEST(CoalescerTest, HugeReplyStaysWithinSlackLimits) {
  std::vector<ThreadEvent> events;
  for (int i = 0; i < 400; ++i) {
    events.push_back(Now(i, std::string(1000, 'x') + std::to_string(i)));
  }
  events.push_back(Now(500, std::string(5000, 'y')));
  events.push_back(Now(501, ""));
  const json reply = RenderThreadReply(events);
  const auto status = blocks::Validate(reply, blocks::Surface::kMessage);
  EXPECT_TRUE(status) << status.error().message;
  EXPECT_LE(reply["blocks"].size(), 50u);
  EXPECT_NE(reply["blocks"].back().dump().find("more updates"), std::string::npos);
}

TEST(CoalescerTest, NothingToRenderGivesNoBlocks) {
  const json reply = RenderThreadReply({});
  EXPECT_FALSE(reply.contains("blocks"));
}

TEST(CoalescerStateTest, RoundTripsThroughJson) {
  CoalescerState state;
  (void)Coalesce(state, Push(1000, 1), 1000);
  (void)Coalesce(state, Push(2000, 2), 2000);
  const json stored = json::parse(state.ToJson().dump());
  EXPECT_EQ(CoalescerState::FromJson(stored), state);
  EXPECT_EQ(stored["flush_due_ms"], 11000);

  CoalescerState empty;
  EXPECT_TRUE(empty.ToJson()["flush_due_ms"].is_null());
  EXPECT_EQ(CoalescerState::FromJson(empty.ToJson()), empty);
}

TEST(CoalescerStateTest, FromJsonToleratesDamage) {
  EXPECT_EQ(CoalescerState::FromJson(json()), CoalescerState{});
  EXPECT_EQ(CoalescerState::FromJson(json::array()), CoalescerState{});
  const auto state = CoalescerState::FromJson(
      json{{"pending", json::array({json{{"text", "x"}, {"at_ms", "soon"}}, 7})},
           {"flush_due_ms", "later"}});
  ASSERT_EQ(state.pending.size(), 1u);
  EXPECT_EQ(state.pending[0].text, "x");
  EXPECT_EQ(state.pending[0].at_ms, 0);
  // Held events without a due time are due at once rather than never.
  EXPECT_EQ(state.flush_due_ms, 0);
  CoalescerState copy = state;
  EXPECT_EQ(Flush(copy, 1).size(), 1u);
}

}  // namespace
}  // namespace contexten::workflows::present
