// IncidentWorkflow decides alone (no store, no clock): grouping delay, one root edited in place,
// evidence and reminders in the thread, acknowledge / silence, on-call escalation, recovery, and
// a recovery that arrives while the root is still on its way (Slack itself down).

#include <gtest/gtest.h>

#include <variant>

#include "workflows/health/incident.hpp"

namespace contexten::workflows::health {
namespace {

using nlohmann::json;
namespace effects = engine::effects;

constexpr std::int64_t kT0 = 1'800'000'000'000;

class IncidentWorkflowTest : public ::testing::Test {
 protected:
  IncidentWorkflowTest() : workflow_(Options()) {}

  static IncidentOptions Options() {
    IncidentOptions o;
    o.ops_channel = "C0OPS";
    o.oncall_group = "S0ONCALL";
    o.oncall_after = std::chrono::minutes(30);
    return o;
  }

  engine::Decision Feed(std::int64_t at_ms, engine::Event event) {
    engine::DecideContext context{run_, at_ms};
    auto decision = workflow_.Decide(context, state_, event);
    state_ = decision.state;
    return decision;
  }
  engine::Decision Sample(std::int64_t at_ms, const std::string& status,
                          const std::string& detail = "503 from Linear", int queued = 0) {
    return Feed(at_ms, {kHealthSampleEvent,
                        {{"integration", "linear"},
                         {"check", "calls"},
                         {"status", status},
                         {"detail", detail},
                         {"errors", 4},
                         {"last_error", "transient: HTTP 503"},
                         {"queued", queued}},
                        ""});
  }
  engine::Decision Timer(std::int64_t at_ms, const std::string& name) {
    return Feed(at_ms, {engine::kTimerFired, {{"name", name}}, ""});
  }
  engine::Decision RootPosted(std::int64_t at_ms, const std::string& step) {
    return Feed(at_ms, {engine::kEffectDone,
                        {{"step", step}, {"result", {{"channel", "C0OPS"}, {"ts", "1800.1"}}}},
                        ""});
  }

  static std::vector<effects::SlackPostMessage> Posts(const engine::Decision& d) {
    std::vector<effects::SlackPostMessage> out;
    for (const auto& e : d.effects) {
      if (auto* p = std::get_if<effects::SlackPostMessage>(&e.action)) out.push_back(*p);
    }
    return out;
  }
  static std::vector<effects::SlackUpdateMessage> Updates(const engine::Decision& d) {
    std::vector<effects::SlackUpdateMessage> out;
    for (const auto& e : d.effects) {
      if (auto* p = std::get_if<effects::SlackUpdateMessage>(&e.action)) out.push_back(*p);
    }
    return out;
  }
  static bool SetsTimer(const engine::Decision& d, const std::string& name, std::int64_t at) {
    for (const auto& t : d.timers) {
      if (t.name == name && t.due_at_ms == at) return true;
    }
    return false;
  }

  // Open long enough to be posted, root ts known.
  void Posted() {
    Sample(kT0, kStatusOpen);
    auto posted = Timer(kT0 + 30'000, "group");
    ASSERT_EQ(Posts(posted).size(), 1u);
    RootPosted(kT0 + 31'000, posted.effects[0].step);
  }

  std::string run_ = IncidentRunId("linear", "calls");
  IncidentWorkflow workflow_;
  json state_;
};

TEST_F(IncidentWorkflowTest, ABlipThatHealsWithinTheGroupingDelayPostsNothing) {
  auto first = Sample(kT0, kStatusOpen);
  EXPECT_TRUE(first.effects.empty());
  EXPECT_TRUE(SetsTimer(first, "group", kT0 + 30'000));
  auto healed = Sample(kT0 + 10'000, kStatusOk);
  EXPECT_TRUE(healed.effects.empty());
  EXPECT_NE(std::find(healed.cancel_timers.begin(), healed.cancel_timers.end(), "group"),
            healed.cancel_timers.end());
  // A late timer (already due when cancelled) finds nothing to post.
  EXPECT_TRUE(Timer(kT0 + 30'000, "group").effects.empty());
  EXPECT_EQ(state_["phase"], "idle");
}

TEST_F(IncidentWorkflowTest, OneRootInTheOpsChannelEditedInPlaceThroughRecovery) {
  Sample(kT0, kStatusDegraded, "1 call failed");
  // Worse within the grouping delay: still nothing posted, still one pending incident.
  EXPECT_TRUE(Sample(kT0 + 5'000, kStatusOpen, "3 calls in a row failed", 2).effects.empty());
  auto posted = Timer(kT0 + 30'000, "group");
  auto roots = Posts(posted);
  ASSERT_EQ(roots.size(), 1u);
  EXPECT_EQ(roots[0].channel, "C0OPS");
  EXPECT_TRUE(roots[0].thread_ts.empty());
  EXPECT_NE(roots[0].text.find("linear"), std::string::npos);
  EXPECT_NE(roots[0].text.find("open"), std::string::npos);
  const std::string blocks = roots[0].blocks.dump();
  EXPECT_NE(blocks.find(kIncidentAckAction), std::string::npos);
  EXPECT_NE(blocks.find(kIncidentSilenceHourAction), std::string::npos);
  EXPECT_NE(blocks.find(kIncidentSilenceRecoveredAction), std::string::npos);
  EXPECT_TRUE(SetsTimer(posted, "remind", kT0 + 30'000 + 4 * 3'600'000));

  // The evidence reply waits for the root's ts, then goes into its thread.
  auto root_done = RootPosted(kT0 + 31'000, posted.effects[0].step);
  auto evidence = Posts(root_done);
  ASSERT_EQ(evidence.size(), 1u);
  EXPECT_EQ(evidence[0].thread_ts, "1800.1");
  EXPECT_NE(evidence[0].text.find("transient: HTTP 503"), std::string::npos);
  EXPECT_NE(evidence[0].text.find("Errors: 4"), std::string::npos);

  // Half-open: the root is edited, the thread says so; no new root.
  auto half = Sample(kT0 + 90'000, kStatusHalfOpen, "trying again", 2);
  EXPECT_EQ(Updates(half).size(), 1u);
  EXPECT_EQ(Updates(half)[0].ts, "1800.1");
  EXPECT_NE(Updates(half)[0].text.find("half-open"), std::string::npos);
  ASSERT_EQ(Posts(half).size(), 1u);
  EXPECT_EQ(Posts(half)[0].thread_ts, "1800.1");

  // The same status again (only the queue moved): nothing to say.
  EXPECT_TRUE(Sample(kT0 + 95'000, kStatusHalfOpen, "trying again", 3).effects.empty());

  auto recovered = Sample(kT0 + 150'000, kStatusOk, "fine");
  auto edits = Updates(recovered);
  ASSERT_EQ(edits.size(), 1u);
  EXPECT_NE(edits[0].text.find("recovered"), std::string::npos);
  EXPECT_NE(edits[0].blocks.dump().find(":large_green_circle:"), std::string::npos);
  EXPECT_EQ(edits[0].blocks.dump().find(kIncidentAckAction), std::string::npos);  // no buttons
  auto replies = Posts(recovered);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].thread_ts, "1800.1");
  EXPECT_NE(replies[0].text.find("Recovered after 2m 30s"), std::string::npos);
  EXPECT_NE(replies[0].text.find("3 queued effect(s) waited for it"), std::string::npos);
  EXPECT_EQ(state_["phase"], "idle");

  // The next problem is a new episode with a new root.
  Sample(kT0 + 200'000, kStatusOpen);
  auto again = Timer(kT0 + 230'000, "group");
  ASSERT_EQ(Posts(again).size(), 1u);
  EXPECT_TRUE(Posts(again)[0].thread_ts.empty());
  EXPECT_NE(again.effects[0].step, posted.effects[0].step);
}

TEST_F(IncidentWorkflowTest, RemindersGoToTheThreadOnlyAndSilenceStopsThem) {
  Posted();
  const std::int64_t remind_at = kT0 + 30'000 + 4 * 3'600'000;
  auto reminder = Timer(remind_at, "remind");
  auto posts = Posts(reminder);
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].thread_ts, "1800.1");
  EXPECT_NE(posts[0].text.find("Still *open*"), std::string::npos);
  EXPECT_TRUE(Updates(reminder).empty());
  EXPECT_TRUE(SetsTimer(reminder, "remind", remind_at + 4 * 3'600'000));

  auto silenced =
      Feed(remind_at + 1000, {kIncidentSilenceEvent, {{"user", "U1"}, {"until", "recovered"}}, ""});
  ASSERT_EQ(Updates(silenced).size(), 1u);
  EXPECT_NE(Updates(silenced)[0].blocks.dump().find("Silenced until recovered"), std::string::npos);
  auto quiet = Timer(remind_at + 4 * 3'600'000, "remind");
  EXPECT_TRUE(Posts(quiet).empty());
  EXPECT_FALSE(quiet.timers.empty());  // still scheduled, in case the silence ends
}

TEST_F(IncidentWorkflowTest, SilenceForAnHourEndsOnItsOwn) {
  Posted();
  Feed(kT0 + 60'000, {kIncidentSilenceEvent, {{"user", "U1"}, {"until", "1h"}}, ""});
  EXPECT_TRUE(Posts(Timer(kT0 + 60'000 + 30 * 60'000, "escalate")).empty());
  // An hour later it is no longer silenced: the reminder speaks.
  EXPECT_EQ(Posts(Timer(kT0 + 30'000 + 4 * 3'600'000, "remind")).size(), 1u);
}

TEST_F(IncidentWorkflowTest, OnCallIsMentionedOnlyWhileUnacknowledged) {
  Sample(kT0, kStatusOpen);
  auto posted = Timer(kT0 + 30'000, "group");
  EXPECT_TRUE(SetsTimer(posted, "escalate", kT0 + 30 * 60'000));
  RootPosted(kT0 + 31'000, posted.effects[0].step);
  auto escalated = Timer(kT0 + 30 * 60'000, "escalate");
  ASSERT_EQ(Posts(escalated).size(), 1u);
  EXPECT_NE(Posts(escalated)[0].text.find("<!subteam^S0ONCALL>"), std::string::npos);
  EXPECT_EQ(Posts(escalated)[0].thread_ts, "1800.1");
  EXPECT_TRUE(Posts(Timer(kT0 + 31 * 60'000, "escalate")).empty());  // once
}

TEST_F(IncidentWorkflowTest, AcknowledgeEditsTheRootAndCancelsTheMention) {
  Posted();
  auto acked = Feed(kT0 + 60'000, {kIncidentAckEvent, {{"user", "U0ALICE"}, {"episode", 1}}, ""});
  ASSERT_EQ(Updates(acked).size(), 1u);
  EXPECT_NE(Updates(acked)[0].blocks.dump().find("Acknowledged by <@U0ALICE>"), std::string::npos);
  EXPECT_EQ(Updates(acked)[0].blocks.dump().find(kIncidentAckAction), std::string::npos);
  EXPECT_NE(std::find(acked.cancel_timers.begin(), acked.cancel_timers.end(), "escalate"),
            acked.cancel_timers.end());
  EXPECT_TRUE(Posts(Timer(kT0 + 30 * 60'000, "escalate")).empty());
  // A second click says nothing more.
  EXPECT_TRUE(Feed(kT0 + 70'000, {kIncidentAckEvent, {{"user", "U0BOB"}}, ""}).effects.empty());
}

TEST_F(IncidentWorkflowTest, AClickOnAnEarlierEpisodesRootIsIgnored) {
  Posted();
  EXPECT_TRUE(Feed(kT0 + 60'000, {kIncidentAckEvent, {{"user", "U0ALICE"}, {"episode", 7}}, ""})
                  .effects.empty());
  EXPECT_FALSE(state_.contains("acked_by"));
}

TEST_F(IncidentWorkflowTest, ARecoveryBeforeTheRootLandsIsShownOnceTheRootExists) {
  // Slack itself was down: the root post waited in the outbox while the problem healed.
  Sample(kT0, kStatusOpen);
  auto posted = Timer(kT0 + 30'000, "group");
  auto healed = Sample(kT0 + 60'000, kStatusOk);
  EXPECT_TRUE(healed.effects.empty());  // nothing to edit yet
  EXPECT_EQ(state_["phase"], "closing");
  auto landed = RootPosted(kT0 + 120'000, posted.effects[0].step);
  auto edits = Updates(landed);
  ASSERT_EQ(edits.size(), 1u);
  EXPECT_NE(edits[0].text.find("recovered"), std::string::npos);
  auto replies = Posts(landed);
  ASSERT_EQ(replies.size(), 2u);  // the evidence, then the recovery, in order
  EXPECT_NE(replies[0].text.find("Evidence"), std::string::npos);
  EXPECT_NE(replies[1].text.find("Recovered after 1m."), std::string::npos);
  EXPECT_EQ(state_["phase"], "idle");
}

TEST_F(IncidentWorkflowTest, WithoutAnOpsChannelIncidentsAreTrackedButNotPosted) {
  IncidentOptions options;
  IncidentWorkflow quiet(options);
  engine::DecideContext context{run_, kT0};
  auto first = quiet.Decide(
      context, json(), {kHealthSampleEvent, {{"status", kStatusOpen}, {"integration", "x"}}, ""});
  context.now_ms += 30'000;
  auto grouped = quiet.Decide(context, first.state, {engine::kTimerFired, {{"name", "group"}}, ""});
  EXPECT_TRUE(grouped.effects.empty());
  EXPECT_EQ(grouped.state["phase"], "posted");
}

TEST(HumanDurationTest, ReadsLikeAPerson) {
  EXPECT_EQ(HumanDuration(12'000), "12s");
  EXPECT_EQ(HumanDuration(90'000), "1m 30s");
  EXPECT_EQ(HumanDuration(2 * 3'600'000 + 5 * 60'000 + 7'000), "2h 5m");
  EXPECT_EQ(HumanDuration(15 * 60'000), "15m");  // a zero smaller unit is left out
  EXPECT_EQ(HumanDuration(3 * 3'600'000 + 20'000), "3h");
  EXPECT_EQ(HumanDuration(-5), "0s");
}

}  // namespace
}  // namespace contexten::workflows::health
