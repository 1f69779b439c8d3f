// IntentActionWorkflow's decisions, pure: a confirmation names what will happen and waits; only
// the requester's answer counts; close and reopen go by state type, never a state's name; a
// cancel or a failure says so; intents without a workflow are answered honestly.

#include <gtest/gtest.h>

#include "workflows/builtin/intent_action.hpp"
#include "workflows/outbox/effect_kinds.hpp"

namespace contexten::workflows::builtin {
namespace {

// An effect in its outbox row form, as the executors read it.
engine::EffectRow Row(const engine::Decision& d, std::size_t i) {
  return engine::ToRow(d.effects.at(i).action);
}

using engine::Decision;
using engine::Event;
using nlohmann::json;

class IntentActionWorkflowTest : public ::testing::Test {
 protected:
  Decision Step(const Event& event) {
    Decision d = workflow_.Decide({"intent_action:slack:E1", 1700000000000}, state_, event);
    state_ = d.state;
    return d;
  }
  Decision Start(const std::string& intent, json entities, const std::string& ask) {
    return Step({"start",
                 {{"intent", intent},
                  {"entities", std::move(entities)},
                  {"requester", "U7"},
                  {"channel", "C9"},
                  {"thread_ts", "100.1"},
                  {"source", "thread_reply"},
                  {"ask", ask}},
                 ""});
  }
  Decision Done(const std::string& step, json result) {
    return Step({engine::kEffectDone, {{"step", step}, {"result", std::move(result)}}, ""});
  }
  Decision Choose(const std::string& user, const std::string& choice) {
    return Step({kSlackChoiceEvent, {{"user", user}, {"choice", choice}}, ""});
  }
  static json Issue(const std::string& state_name, const std::string& type) {
    return {{"id", "uuid-1"},      {"identifier", "ENG-1"},
            {"team_key", "ENG"},   {"priority", 0},
            {"assignee", nullptr}, {"state", {{"name", state_name}, {"type", type}}}};
  }

  IntentActionWorkflow workflow_;
  json state_;
};

TEST_F(IntentActionWorkflowTest, CloseConfirmsThenMovesTheIssueToTheCompletedType) {
  Decision d = Start("close", {{"issue", "ENG-1"}}, "confirm");
  ASSERT_EQ(d.effects.size(), 1u);
  EXPECT_EQ(Row(d, 0).kind, outbox::kSlackPostMessage);
  EXPECT_EQ(Row(d, 0).args["thread_ts"], "100.1");
  EXPECT_NE(Row(d, 0).args["text"].get<std::string>().find(
                "close *ENG-1*: it moves to its team's completed state"),
            std::string::npos);
  EXPECT_EQ(d.outcome, Decision::Outcome::kContinue);
  Done("prompt", {{"channel", "C9"}, {"ts", "300.3"}});

  d = Choose("U8", "yes");  // not the requester
  ASSERT_EQ(d.effects.size(), 1u);
  EXPECT_EQ(Row(d, 0).kind, outbox::kSlackPostEphemeral);
  EXPECT_EQ(Row(d, 0).args["user"], "U8");

  d = Choose("U7", "yes");
  ASSERT_EQ(d.effects.size(), 2u);
  EXPECT_EQ(Row(d, 0).kind, outbox::kSlackUpdateMessage);  // the prompt loses its buttons
  EXPECT_EQ(Row(d, 0).args["ts"], "300.3");
  EXPECT_EQ(Row(d, 1).kind, outbox::kLinearGetIssue);
  EXPECT_EQ(Row(d, 1).args["identifier"], "ENG-1");

  d = Done(d.effects[1].step, Issue("Backlog", "backlog"));
  ASSERT_EQ(d.effects.size(), 1u);
  EXPECT_EQ(Row(d, 0).kind, outbox::kLinearUpdateIssue);
  EXPECT_EQ(Row(d, 0).args["state_type"], "completed");
  EXPECT_FALSE(Row(d, 0).args.contains("state_name"));
  EXPECT_EQ(Row(d, 0).args["issue_id"], "uuid-1");
  EXPECT_EQ(Row(d, 0).args["team_key"], "ENG");

  d = Done(d.effects[0].step, Issue("Done", "completed"));
  ASSERT_EQ(d.effects.size(), 1u);
  EXPECT_EQ(Row(d, 0).args["text"], "<@U7> closed *ENG-1* (now Done).");
  EXPECT_EQ(d.outcome, Decision::Outcome::kCompleted);

  // A late click changes nothing.
  d = Choose("U7", "yes");
  EXPECT_TRUE(d.effects.empty());
}

TEST_F(IntentActionWorkflowTest, ReopenActsAtOnceByTheUnstartedType) {
  Decision d = Start("reopen", {{"issue", "ENG-1"}}, "none");
  ASSERT_EQ(d.effects.size(), 1u);
  EXPECT_EQ(Row(d, 0).kind, outbox::kLinearGetIssue);
  d = Done(d.effects[0].step, Issue("Done", "completed"));
  ASSERT_EQ(d.effects.size(), 1u);
  EXPECT_EQ(Row(d, 0).args["state_type"], "unstarted");
}

TEST_F(IntentActionWorkflowTest, CancelSaysSoAndDoesNothing) {
  Start("close", {{"issue", "ENG-1"}}, "confirm");
  Done("prompt", {{"channel", "C9"}, {"ts", "300.3"}});
  Decision d = Choose("U7", "no");
  ASSERT_EQ(d.effects.size(), 1u);
  EXPECT_EQ(Row(d, 0).kind, outbox::kSlackUpdateMessage);
  EXPECT_NE(Row(d, 0).args["text"].get<std::string>().find("Cancelled by <@U7>"),
            std::string::npos);
  EXPECT_EQ(d.outcome, Decision::Outcome::kCompleted);
}

TEST_F(IntentActionWorkflowTest, AnUnansweredQuestionExpiresAndNothingHappens) {
  Decision asked = Start("close", {{"issue", "ENG-1"}}, "confirm");
  ASSERT_EQ(asked.timers.size(), 1u);
  EXPECT_EQ(asked.timers[0].name, "expire");
  EXPECT_EQ(asked.timers[0].due_at_ms, 1700000000000 + 15 * 60 * 1000);  // the default
  Done("prompt", {{"channel", "C9"}, {"ts", "300.3"}});
  Decision expired = Step({engine::kTimerFired, {{"name", "expire"}}, "timer:expire"});
  ASSERT_EQ(expired.effects.size(), 1u);
  EXPECT_EQ(Row(expired, 0).kind, outbox::kSlackUpdateMessage);  // the buttons go
  EXPECT_EQ(Row(expired, 0).args["ts"], "300.3");
  const std::string text = Row(expired, 0).args["text"];
  EXPECT_NE(text.find("expired after 15m without"), std::string::npos) << text;
  EXPECT_NE(text.find("nothing was done"), std::string::npos) << text;
  EXPECT_EQ(expired.outcome, Decision::Outcome::kCompleted);
  EXPECT_EQ(state_["phase"], "expired");
}

TEST_F(IntentActionWorkflowTest, AnAnswerCancelsTheExpiryAndALateTimerChangesNothing) {
  Step({"start",
        {{"intent", "close"},
         {"entities", {{"issue", "ENG-1"}}},
         {"requester", "U7"},
         {"channel", "C9"},
         {"ask", "confirm"},
         {"question_ttl_ms", 120000}},
        ""});
  EXPECT_EQ(state_["question_ttl_ms"], 120000);
  Done("prompt", {{"channel", "C9"}, {"ts", "300.3"}});
  Decision yes = Choose("U7", "yes");
  EXPECT_EQ(yes.cancel_timers, std::vector<std::string>{"expire"});
  Decision late = Step({engine::kTimerFired, {{"name", "expire"}}, "timer:expire"});
  EXPECT_TRUE(late.effects.empty());
  EXPECT_EQ(state_["phase"], "performing");
}

TEST_F(IntentActionWorkflowTest, ASlashCommandsQuestionIsOnlyForItsAuthor) {
  Decision asked = Step({"start",
                         {{"intent", "create_issue"},
                          {"entities", {{"team", "ENG"}, {"title", "Login crash"}}},
                          {"requester", "U7"},
                          {"channel", "C9"},
                          {"source", "slash_command"},
                          {"ask", "clarify"}},
                         ""});
  ASSERT_EQ(asked.effects.size(), 1u);
  EXPECT_EQ(Row(asked, 0).kind, outbox::kSlackPostEphemeral);
  EXPECT_EQ(Row(asked, 0).args["user"], "U7");
  EXPECT_EQ(Row(asked, 0).args["blocks"][1]["type"], "actions");
  Done("prompt", {{"channel", "C9"}});
  // The click listener replaces an ephemeral prompt; the run must not try chat.update on it.
  Decision no = Choose("U7", "no");
  EXPECT_TRUE(no.effects.empty());
  EXPECT_EQ(state_["phase"], "cancelled");
}

TEST_F(IntentActionWorkflowTest, AssignMeGoesFromSlackEmailToTheLinearUser) {
  Decision d = Start("assign", {{"issue", "ENG-1"}, {"assignee", "me"}}, "none");
  d = Done(d.effects[0].step, Issue("Todo", "unstarted"));
  ASSERT_EQ(d.effects.size(), 1u);
  EXPECT_EQ(Row(d, 0).kind, outbox::kSlackUserInfo);
  EXPECT_EQ(Row(d, 0).args["user"], "U7");
  d = Done(d.effects[0].step, {{"email", "alice@example.com"}});
  ASSERT_EQ(d.effects.size(), 1u);
  EXPECT_EQ(Row(d, 0).kind, outbox::kLinearUserByEmail);
  d = Done(d.effects[0].step, {{"found", true}, {"user", {{"id", "user-alice"}}}});
  ASSERT_EQ(d.effects.size(), 1u);
  EXPECT_EQ(Row(d, 0).args["assignee_id"], "user-alice");
}

TEST_F(IntentActionWorkflowTest, ALinearFailureIsToldWhereItWasAsked) {
  Decision d = Start("change_state", {{"issue", "ENG-1"}, {"state", "shipped"}}, "none");
  d = Done(d.effects[0].step, Issue("Todo", "unstarted"));
  EXPECT_EQ(Row(d, 0).args["state_name"], "shipped");
  d = Step({engine::kEffectDead,
            {{"step", d.effects[0].step}, {"error", "team ENG has no workflow state 'shipped'"}},
            ""});
  ASSERT_EQ(d.effects.size(), 1u);
  EXPECT_NE(Row(d, 0).args["text"].get<std::string>().find("no workflow state 'shipped'"),
            std::string::npos);
  EXPECT_EQ(d.outcome, Decision::Outcome::kFailed);
}

TEST_F(IntentActionWorkflowTest, AConfirmedUnsubscribeIsHandedBackToItsCommand) {
  // Subscriptions, reports and deploys have their commands' own handlers
  // (bot/handlers/command_words.hpp): the run asks, and the handler runs it on "yes".
  Start("unsubscribe", {{"repo", "acme/web"}}, "confirm");
  Done("prompt", {{"channel", "C9"}, {"ts", "300.3"}});
  Decision d = Choose("U7", "yes");
  EXPECT_EQ(d.state["phase"], "handoff");
  EXPECT_EQ(d.outcome, Decision::Outcome::kCompleted);
  for (const auto& e : d.effects) {
    EXPECT_EQ(engine::ToRow(e.action).args.dump().find("not available"), std::string::npos);
  }
  for (const char* intent :
       {"create_issue", "subscribe", "unsubscribe", "report", "deploy", "rerun"}) {
    EXPECT_TRUE(HandsBack(intent)) << intent;
  }
  EXPECT_FALSE(HandsBack("close"));
}

TEST_F(IntentActionWorkflowTest, UserTextInTheQuestionIsEscaped) {
  Decision d = Start("create_issue", {{"team", "ENG"}, {"title", "<!channel> boom"}}, "clarify");
  const std::string text = Row(d, 0).args["text"];
  EXPECT_EQ(text.find("<!channel>"), std::string::npos) << text;
  EXPECT_NE(text.find("&lt;!channel&gt;"), std::string::npos) << text;
}

TEST_F(IntentActionWorkflowTest, AMoveTheCardsThreadWillSayIsNotSaidTwice) {
  // Confirmed in the issue's own thread, whose card run was told who asked (narrated).
  Start("close", {{"issue", "ENG-1"}}, "confirm");
  Done("prompt", {{"channel", "C9"}, {"ts", "300.3"}});
  Decision d =
      Step({kSlackChoiceEvent, {{"user", "U7"}, {"choice", "yes"}, {"narrated", true}}, ""});
  d = Done(d.effects[1].step, Issue("Backlog", "backlog"));
  d = Done(d.effects[0].step, Issue("Done", "completed"));
  EXPECT_TRUE(d.effects.empty());
  EXPECT_EQ(d.outcome, Decision::Outcome::kCompleted);

  // A move made at once (no question), likewise; a failure is still told here.
  state_ = json();
  d = Step({"start",
            {{"intent", "change_state"},
             {"entities", {{"issue", "ENG-1"}, {"state", "in progress"}}},
             {"requester", "U7"},
             {"channel", "C9"},
             {"thread_ts", "100.1"},
             {"narrated", true}},
            ""});
  d = Done(d.effects[0].step, Issue("Todo", "unstarted"));
  d = Step({engine::kEffectDead, {{"step", d.effects[0].step}, {"error", "no such state"}}, ""});
  ASSERT_EQ(d.effects.size(), 1u);
  EXPECT_NE(Row(d, 0).args["text"].get<std::string>().find("Linear did not take that"),
            std::string::npos);
}

TEST_F(IntentActionWorkflowTest, ASlashCommandsChangeTheCardTellsIsConfirmedToTheRequesterOnly) {
  Decision d = Step({"start",
                     {{"intent", "change_priority"},
                      {"entities", {{"issue", "ENG-1"}, {"priority", "urgent"}}},
                      {"requester", "U7"},
                      {"channel", "C9"},
                      {"source", "slash_command"},
                      {"card_tells", true}},
                     ""});
  d = Done(d.effects[0].step, Issue("Todo", "unstarted"));
  d = Done(d.effects[0].step, Issue("Todo", "unstarted"));
  ASSERT_EQ(d.effects.size(), 1u);
  EXPECT_EQ(Row(d, 0).kind, outbox::kSlackPostEphemeral);
  EXPECT_EQ(Row(d, 0).args["user"], "U7");
}

}  // namespace
}  // namespace contexten::workflows::builtin
