// FileIssueWorkflow's decisions, step by step (pure: events in, effects out).

#include <gtest/gtest.h>

#include <optional>

#include "workflows/builtin/file_issue.hpp"
#include "workflows/outbox/effect_kinds.hpp"

namespace contexten::workflows::builtin {
namespace {

using engine::Decision;
using engine::Event;
using nlohmann::json;

class FileIssueWorkflowTest : public ::testing::Test {
 protected:
  Decision Step(const Event& event) {
    Decision d = workflow_.Decide({"file_issue:env-1", now_ms_}, state_, event);
    state_ = d.state;
    return d;
  }
  Decision Start() {
    return Step({"start",
                 {{"team_key", "ENG"},
                  {"title", "Login crash on Safari"},
                  {"priority", 2},
                  {"channel", "C1"},
                  {"reporter", "U1"}},
                 "start"});
  }
  Decision Done(const std::string& step, json result) {
    return Step(
        {engine::kEffectDone, {{"step", step}, {"result", std::move(result)}}, "e:" + step});
  }
  static json Issue(const std::string& state_name = "Todo") {
    return {{"id", "uuid-1"},
            {"identifier", "ENG-1"},
            {"title", "Login crash on Safari"},
            {"url", "https://linear.app/x/issue/ENG-1"},
            {"priority", 2},
            {"state", {{"name", state_name}, {"type", "unstarted"}}},
            {"assignee", nullptr}};
  }
  // An effect in its outbox row form, as the executors will read it.
  struct Row {
    std::string step, order_key, lane, kind;
    json args;
  };
  static Row RowOf(const engine::Effect& e) {
    auto row = engine::ToRow(e.action);
    return {e.step, e.order_key, row.lane, row.kind, row.args};
  }
  static std::optional<Row> Find(const Decision& d, const std::string& kind) {
    for (const auto& e : d.effects) {
      if (auto row = RowOf(e); row.kind == kind) return row;
    }
    return std::nullopt;
  }
  static std::string Text(const Row& e) { return e.args.value("text", ""); }

  FileIssueWorkflow workflow_;
  json state_;
  std::int64_t now_ms_ = 1'700'000'000'000;
};

TEST_F(FileIssueWorkflowTest, StartPostsACardAndCreatesTheIssueWithAStableId) {
  auto d = Start();
  ASSERT_EQ(d.effects.size(), 2u);
  const auto card = Find(d, outbox::kSlackPostMessage);
  const auto create = Find(d, outbox::kLinearCreateIssue);
  ASSERT_TRUE(card && create);
  EXPECT_EQ(card->lane, outbox::kSlackLane);
  EXPECT_EQ(card->args["channel"], "C1");
  EXPECT_EQ(create->lane, outbox::kLinearLane);
  EXPECT_EQ(create->args["team_key"], "ENG");
  EXPECT_EQ(create->args["priority"], 2);
  EXPECT_EQ(create->args["id"], IssueUuidFor("file_issue:env-1"));
  EXPECT_EQ(IssueUuidFor("file_issue:env-1"), IssueUuidFor("file_issue:env-1"));
  EXPECT_NE(IssueUuidFor("file_issue:env-1"), IssueUuidFor("file_issue:env-2"));
  EXPECT_EQ(IssueUuidFor("x").size(), 36u);
  EXPECT_EQ(d.outcome, Decision::Outcome::kContinue);
}

TEST_F(FileIssueWorkflowTest, TheCardShowsTheIdentifierOnceFiledAndTheRunWaitsForTheIssue) {
  Start();
  Done("card", {{"channel", "C1"}, {"ts", "100.1"}});
  auto d = Done("create", Issue());
  const auto update = Find(d, outbox::kSlackUpdateMessage);
  ASSERT_TRUE(update);
  EXPECT_EQ(update->args["ts"], "100.1");
  EXPECT_NE(update->args.dump().find("ENG-1"), std::string::npos);
  EXPECT_EQ(d.wait_for, (std::vector<std::string>{"linear_issue:uuid-1", "linear_issue:ENG-1"}));
  bool linked = false;
  for (const auto& l : d.links) {
    linked |= l.from_key == "linear_issue:ENG-1" && l.to_key == "slack_thread:C1/100.1" &&
              l.kind == "created_from";
  }
  EXPECT_TRUE(linked);
}

TEST_F(FileIssueWorkflowTest, AnIssueFiledBeforeTheCardIsPostedUpdatesTheCardWhenItArrives) {
  Start();
  auto filed = Done("create", Issue());
  EXPECT_FALSE(Find(filed, outbox::kSlackUpdateMessage));  // no card yet
  auto card = Done("card", {{"channel", "C1"}, {"ts", "100.1"}});
  const auto update = Find(card, outbox::kSlackUpdateMessage);
  ASSERT_TRUE(update);
  EXPECT_NE(update->args.dump().find("ENG-1"), std::string::npos);
}

TEST_F(FileIssueWorkflowTest, AStateChangeUpdatesTheCardAndRepliesInItsThread) {
  Start();
  Done("card", {{"channel", "C1"}, {"ts", "100.1"}});
  Done("create", Issue());
  json data = {{"issue", Issue("In Progress")}, {"actor", "Alice"}};
  auto d = Step({kLinearIssueEvent, data, "inbox:9"});
  const auto update = Find(d, outbox::kSlackUpdateMessage);
  const auto reply = Find(d, outbox::kSlackPostMessage);
  ASSERT_TRUE(update && reply);
  EXPECT_NE(update->args.dump().find("In Progress"), std::string::npos);
  EXPECT_EQ(reply->args["thread_ts"], "100.1");
  EXPECT_NE(reply->args.dump().find("In Progress"), std::string::npos);
  EXPECT_NE(reply->args.dump().find("Alice"), std::string::npos);
  // A reply must not wait behind a card edit (chat.update is paced far tighter than posts).
  EXPECT_NE(update->order_key, reply->order_key);

  // The same state again (our own echo, a redelivery) says nothing.
  auto again = Step({kLinearIssueEvent, data, "inbox:10"});
  EXPECT_TRUE(again.effects.empty());
}

TEST_F(FileIssueWorkflowTest, ADeliveryOlderThanTheCardDoesNotMoveItBack) {
  Start();
  Done("card", {{"channel", "C1"}, {"ts", "100.1"}});
  Done("create", Issue());
  json moved = Issue("In Progress");
  moved["updated_at"] = "2026-11-27T10:00:05.000Z";
  Step({kLinearIssueEvent, {{"issue", moved}, {"actor", "Alice"}}, "inbox:9"});
  // The create's webhook, retried by Linear after the move's.
  json stale = Issue("Todo");
  stale["updated_at"] = "2026-11-27T10:00:01.000Z";
  auto d = Step({kLinearIssueEvent, {{"issue", stale}, {"actor", "Contexten"}}, "inbox:10"});
  EXPECT_TRUE(d.effects.empty());
  EXPECT_EQ(state_["issue"]["state"]["name"], "In Progress");
  // A newer one still moves it.
  json done = Issue("Done");
  done["updated_at"] = "2026-11-27T10:00:09.000Z";
  auto later = Step({kLinearIssueEvent, {{"issue", done}, {"actor", "Alice"}}, "inbox:11"});
  EXPECT_TRUE(Find(later, outbox::kSlackUpdateMessage).has_value());
  EXPECT_EQ(state_["issue"]["state"]["name"], "Done");
}

TEST_F(FileIssueWorkflowTest, ACommentIsQuotedInTheThread) {
  Start();
  Done("card", {{"channel", "C1"}, {"ts", "100.1"}});
  Done("create", Issue());
  auto d = Step({kLinearCommentEvent,
                 {{"comment", {{"body", "Repro on 17.2"}, {"user", "Bob"}}}},
                 "inbox:11"});
  const auto reply = Find(d, outbox::kSlackPostMessage);
  ASSERT_TRUE(reply);
  EXPECT_NE(reply->args.dump().find("Bob"), std::string::npos);
  EXPECT_NE(reply->args.dump().find("Repro on 17.2"), std::string::npos);
}

TEST_F(FileIssueWorkflowTest, AThreadReplyBecomesALinearCommentWhoseEchoIsDropped) {
  Start();
  Done("card", {{"channel", "C1"}, {"ts", "100.1"}});
  Done("create", Issue());
  auto asked = Step({kSlackReplyEvent,
                     {{"user", "U2"}, {"text", "On it after lunch"}, {"ts", "100.5"}},
                     "slack-reply:C1/100.5"});
  const auto who = Find(asked, outbox::kSlackUserInfo);
  ASSERT_TRUE(who);
  EXPECT_EQ(who->args["user"], "U2");
  auto named = Done(who->step, {{"id", "U2"}, {"name", "ann"}, {"display_name", "Ann"}});
  const auto comment = Find(named, outbox::kLinearCreateComment);
  ASSERT_TRUE(comment);
  EXPECT_EQ(comment->lane, outbox::kLinearLane);
  EXPECT_EQ(comment->args["issue_id"], "uuid-1");
  EXPECT_EQ(comment->args["body"], "On it after lunch\n\n_via Slack, by Ann_");
  const std::string id = comment->args["id"];
  EXPECT_EQ(id.size(), 36u);  // client-chosen: a retry cannot file it twice
  // Linear's webhook for that comment: not posted back into the thread.
  auto echo = Step({kLinearCommentEvent,
                    {{"comment", {{"id", id}, {"body", "On it after lunch"}, {"user", "Bot"}}}},
                    "inbox:12"});
  EXPECT_TRUE(echo.effects.empty());
  EXPECT_TRUE(echo.timers.empty());
  // Someone else's comment still is.
  auto other = Step({kLinearCommentEvent,
                     {{"comment", {{"id", "c-9"}, {"body", "Thanks"}, {"user", "Bob"}}}},
                     "inbox:13"});
  EXPECT_TRUE(Find(other, outbox::kSlackPostMessage) || !other.timers.empty());
}

TEST_F(FileIssueWorkflowTest, AReplyBeforeTheIssueIsFiledIsNotSynced) {
  Start();
  auto d = Step({kSlackReplyEvent, {{"user", "U2"}, {"text", "hi"}, {"ts", "100.5"}}, "r1"});
  EXPECT_TRUE(d.effects.empty());
}

TEST_F(FileIssueWorkflowTest, AssignToMeGoesFromSlackEmailToLinearUserToTheIssue) {
  Start();
  Done("card", {{"channel", "C1"}, {"ts", "100.1"}});
  Done("create", Issue());
  auto clicked = Step({kSlackAssignEvent, {{"user", "U2"}}, "click-1"});
  const auto info = Find(clicked, outbox::kSlackUserInfo);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->args["user"], "U2");
  // A second click while it is under way starts nothing more.
  EXPECT_TRUE(Step({kSlackAssignEvent, {{"user", "U2"}}, "click-2"}).effects.empty());

  auto email = Done(info->step, {{"id", "U2"}, {"email", "ana@example.com"}});
  const auto lookup = Find(email, outbox::kLinearUserByEmail);
  ASSERT_TRUE(lookup);
  EXPECT_EQ(lookup->args["email"], "ana@example.com");

  auto user =
      Done(lookup->step, {{"found", true}, {"user", {{"id", "lin-user-7"}, {"name", "Ana"}}}});
  const auto assign = Find(user, outbox::kLinearUpdateIssue);
  ASSERT_TRUE(assign);
  EXPECT_EQ(assign->args["issue_id"], "uuid-1");
  EXPECT_EQ(assign->args["assignee_id"], "lin-user-7");

  json assigned = Issue();
  assigned["assignee"] = {{"id", "lin-user-7"}, {"name", "Ana"}};
  auto done = Done(assign->step, assigned);
  const auto card = Find(done, outbox::kSlackUpdateMessage);
  const auto reply = Find(done, outbox::kSlackPostMessage);
  ASSERT_TRUE(card && reply);
  EXPECT_NE(card->args.dump().find("<@U2>"), std::string::npos);  // the Slack id, once known
  EXPECT_NE(reply->args.dump().find("<@U2>"), std::string::npos);
  // Linear's webhook for our own change is not news.
  EXPECT_TRUE(Step({kLinearIssueEvent, {{"issue", assigned}}, "inbox:12"}).effects.empty());
}

TEST_F(FileIssueWorkflowTest, NoLinearUserWithTheEmailAsksTheClickerOnly) {
  Start();
  Done("card", {{"channel", "C1"}, {"ts", "100.1"}});
  Done("create", Issue());
  auto clicked = Step({kSlackAssignEvent, {{"user", "U2"}}, "click-1"});
  auto email = Done(clicked.effects[0].step, {{"email", "ana@example.com"}});
  auto none = Done(email.effects[0].step, {{"found", false}});
  ASSERT_EQ(none.effects.size(), 1u);
  EXPECT_EQ(RowOf(none.effects[0]).kind, outbox::kSlackPostEphemeral);
  EXPECT_EQ(RowOf(none.effects[0]).args["user"], "U2");
  EXPECT_NE(Text(RowOf(none.effects[0])).find("ana@example.com"), std::string::npos);
}

TEST_F(FileIssueWorkflowTest, ACreateThatDeadLettersFailsTheRunAndSaysSoOnTheCard) {
  Start();
  Done("card", {{"channel", "C1"}, {"ts", "100.1"}});
  auto d =
      Step({engine::kEffectDead, {{"step", "create"}, {"error", "not_found: no team ENG"}}, "x"});
  const auto card = Find(d, outbox::kSlackUpdateMessage);
  ASSERT_TRUE(card);
  EXPECT_NE(card->args.dump().find("no team ENG"), std::string::npos);
  EXPECT_EQ(d.outcome, Decision::Outcome::kFailed);
}

TEST_F(FileIssueWorkflowTest, AFlushTimerWithNothingPendingPostsNothing) {
  Start();
  Done("card", {{"channel", "C1"}, {"ts", "100.1"}});
  Done("create", Issue());
  auto flushed = Step({engine::kTimerFired, {{"name", "flush"}}, "t1"});
  EXPECT_TRUE(flushed.effects.empty());
}

TEST_F(FileIssueWorkflowTest, UnexpectedEventsChangeNothing) {
  Start();
  const json before = state_;
  auto d = Step({"something.else", json::object(), "z"});
  EXPECT_TRUE(d.effects.empty());
  EXPECT_EQ(state_, before);
}

// Degraded mode: the relay says the create waits (Linear failing); the card says queued, the
// thread says so once (held until the card exists when Linear answered first), and "done" when
// the issue is filed.
TEST_F(FileIssueWorkflowTest, ADeferredCreateIsQueuedToldOnceAndDoneWhenFiled) {
  Start();
  auto deferred = Step({engine::kEffectDeferred,
                        {{"step", "create"}, {"kind", "linear.create_issue"}, {"error", "503"}},
                        "deferred:2"});
  EXPECT_FALSE(Find(deferred, outbox::kSlackPostMessage));  // no card yet: the line waits
  EXPECT_EQ(state_["queued"], true);
  auto card = Done("card", {{"channel", "C1"}, {"ts", "1.1"}});
  const auto update = Find(card, outbox::kSlackUpdateMessage);
  ASSERT_TRUE(update);
  EXPECT_NE(update->args["blocks"].dump().find("queued"), std::string::npos);
  const auto told = Find(card, outbox::kSlackPostMessage);
  ASSERT_TRUE(told);
  EXPECT_EQ(told->args["thread_ts"], "1.1");
  EXPECT_NE(Text(*told).find("this request is queued"), std::string::npos);
  // A second notice for the same create (another attempt) says nothing new.
  EXPECT_TRUE(Step({engine::kEffectDeferred, {{"step", "create"}}, "deferred:3"}).effects.empty());

  auto filed = Done("create", Issue());
  bool done_told = false;
  for (const auto& e : filed.effects) {
    const auto row = RowOf(e);
    if (row.kind == outbox::kSlackPostMessage &&
        Text(row).find("Done: Linear is back and this is filed as *ENG-1*") != std::string::npos) {
      done_told = true;
    }
  }
  EXPECT_TRUE(done_told);
  EXPECT_FALSE(state_.contains("queued"));
}

TEST_F(FileIssueWorkflowTest, ACreateThatWorksFirstTimeSaysNothingAboutQueues) {
  Start();
  Done("card", {{"channel", "C1"}, {"ts", "1.1"}});
  auto filed = Done("create", Issue());
  for (const auto& e : filed.effects) {
    EXPECT_EQ(Text(RowOf(e)).find("Done: Linear is back"), std::string::npos);
  }
}

TEST_F(FileIssueWorkflowTest, OnceFiledTheTeamsStatesAreReadAndTheCardOffersThem) {
  Start();
  Done("card", {{"channel", "C1"}, {"ts", "100.1"}});
  auto filed = Done("create", Issue());
  const auto read = Find(filed, outbox::kLinearListStates);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->lane, outbox::kLinearLane);
  EXPECT_EQ(read->args["team_key"], "ENG");
  auto d = Done("states", {{"states",
                            {{{"name", "Todo"}, {"type", "unstarted"}},
                             {{"name", "In Progress"}, {"type", "started"}},
                             {{"name", "Done"}, {"type", "completed"}}}}});
  const auto update = Find(d, outbox::kSlackUpdateMessage);
  ASSERT_TRUE(update);
  json select;
  for (const auto& block : update->args["blocks"]) {
    for (const auto& e : block.value("elements", json::array())) {
      if (e.value("action_id", "") == "issue_card_state") select = e;
    }
  }
  ASSERT_TRUE(select.is_object()) << update->args.dump();
  EXPECT_EQ(select["type"], "static_select");
  ASSERT_EQ(select["options"].size(), 3u);
  EXPECT_EQ(select["options"][1]["value"], "In Progress");
  EXPECT_EQ(select["initial_option"]["value"], "Todo");
}

TEST_F(FileIssueWorkflowTest, AMoveAskedForInSlackIsToldAsThePersonsNotTheApiKeys) {
  Start();
  Done("card", {{"channel", "C1"}, {"ts", "100.1"}});
  Done("create", Issue());
  Step({kSlackStateRequestEvent, {{"user", "U7"}, {"state_type", "completed"}}, "slack:E1"});
  json done = Issue("Done");
  done["state"]["type"] = "completed";
  auto d = Step({kLinearIssueEvent, {{"issue", done}, {"actor", "Contexten"}}, "inbox:9"});
  const auto reply = Find(d, outbox::kSlackPostMessage);
  ASSERT_TRUE(reply);
  EXPECT_NE(reply->args.dump().find("moved to *Done* by <@U7>"), std::string::npos)
      << reply->args.dump();
  EXPECT_EQ(reply->args.dump().find("Contexten"), std::string::npos);

  // Used once: the next move, made in Linear, is its actor's.
  now_ms_ += 60'000;  // past the thread's coalescing window
  auto later =
      Step({kLinearIssueEvent, {{"issue", Issue("In Progress")}, {"actor", "Alice"}}, "inbox:10"});
  const auto second = Find(later, outbox::kSlackPostMessage);
  ASSERT_TRUE(second);
  EXPECT_NE(second->args.dump().find("by Alice"), std::string::npos) << second->args.dump();
}

TEST_F(FileIssueWorkflowTest, AnAssignmentOrPriorityAskedForInSlackNamesThePerson) {
  Start();
  Done("card", {{"channel", "C1"}, {"ts", "100.1"}});
  Done("create", Issue());
  Step({kSlackStateRequestEvent, {{"user", "U7"}, {"change", "assignee"}}, "slack:E1"});
  json assigned = Issue();
  assigned["assignee"] = {{"id", "lin-ada"}, {"name", "Ada"}};
  auto d = Step({kLinearIssueEvent, {{"issue", assigned}, {"actor", "Contexten"}}, "inbox:9"});
  auto reply = Find(d, outbox::kSlackPostMessage);
  ASSERT_TRUE(reply);
  EXPECT_NE(reply->args.dump().find("assigned to Ada by <@U7>"), std::string::npos)
      << reply->args.dump();

  now_ms_ += 60'000;  // past the thread's coalescing window
  Step({kSlackStateRequestEvent, {{"user", "U8"}, {"change", "priority"}}, "slack:E2"});
  json urgent = assigned;
  urgent["priority"] = 1;
  d = Step({kLinearIssueEvent, {{"issue", urgent}, {"actor", "Contexten"}}, "inbox:10"});
  reply = Find(d, outbox::kSlackPostMessage);
  ASSERT_TRUE(reply);
  EXPECT_NE(reply->args.dump().find("(set by <@U8>)"), std::string::npos) << reply->args.dump();

  // Used once: a later change made in Linear is its actor's.
  now_ms_ += 60'000;
  json unassigned = urgent;
  unassigned["assignee"] = nullptr;
  d = Step({kLinearIssueEvent, {{"issue", unassigned}, {"actor", "Alice"}}, "inbox:11"});
  reply = Find(d, outbox::kSlackPostMessage);
  ASSERT_TRUE(reply);
  EXPECT_NE(reply->args.dump().find("unassigned by Alice"), std::string::npos)
      << reply->args.dump();
}

TEST_F(FileIssueWorkflowTest, ARequestForAnotherStateOrAStaleOneNamesTheWebhooksActor) {
  Start();
  Done("card", {{"channel", "C1"}, {"ts", "100.1"}});
  Done("create", Issue());
  Step({kSlackStateRequestEvent, {{"user", "U7"}, {"state_name", "in review"}}, "slack:E1"});
  auto other =
      Step({kLinearIssueEvent, {{"issue", Issue("In Progress")}, {"actor", "Alice"}}, "inbox:9"});
  ASSERT_TRUE(Find(other, outbox::kSlackPostMessage));
  EXPECT_NE(Find(other, outbox::kSlackPostMessage)->args.dump().find("by Alice"),
            std::string::npos);

  now_ms_ += 11 * 60 * 1000;  // past the request's ten minutes
  auto stale =
      Step({kLinearIssueEvent, {{"issue", Issue("In Review")}, {"actor", "Bob"}}, "inbox:10"});
  ASSERT_TRUE(Find(stale, outbox::kSlackPostMessage));
  EXPECT_NE(Find(stale, outbox::kSlackPostMessage)->args.dump().find("by Bob"), std::string::npos);
}

}  // namespace
}  // namespace contexten::workflows::builtin
