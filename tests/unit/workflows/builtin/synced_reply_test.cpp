// Synced threads, edits and deletions (issue 10): FileIssueWorkflow's decisions when a Linear
// comment mirrored in the issue's thread is edited or removed in Linear, and when a Slack reply
// synced to Linear is edited or deleted in Slack. Pure: events in, effects out; the run's state
// is JSON, so "after a restart" is the same state given to a fresh workflow.

#include "workflows/builtin/synced_reply.hpp"

#include <gtest/gtest.h>

#include <optional>

#include "workflows/builtin/file_issue.hpp"
#include "workflows/outbox/effect_kinds.hpp"

namespace contexten::workflows::builtin {
namespace {

using engine::Decision;
using engine::Event;
using nlohmann::json;

class SyncedEditsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Step({"start",
          {{"team_key", "ENG"},
           {"title", "Login crash"},
           {"priority", 2},
           {"channel", "C1"},
           {"reporter", "U1"}},
          "start"});
    Done("card", {{"channel", "C1"}, {"ts", "100.1"}});
    Done("create", {{"id", "uuid-1"},
                    {"identifier", "ENG-1"},
                    {"title", "Login crash"},
                    {"url", "https://linear.app/x/issue/ENG-1"},
                    {"priority", 2},
                    {"state", {{"name", "Todo"}, {"type", "unstarted"}}},
                    {"assignee", nullptr}});
  }

  Decision Step(const Event& event) {
    // A fresh workflow each step, on the state as stored: nothing lives outside the state.
    FileIssueWorkflow workflow;
    Decision d = workflow.Decide({"file_issue:env-1", now_ms_}, json::parse(state_.dump()), event);
    state_ = d.state;
    return d;
  }
  Decision Done(const std::string& step, json result) {
    return Step(
        {engine::kEffectDone, {{"step", step}, {"result", std::move(result)}}, "e:" + step});
  }
  Decision LinearComment(const std::string& action, const std::string& id,
                         const std::string& body) {
    return Step({kLinearCommentEvent,
                 {{"comment", {{"id", id}, {"body", body}, {"user", "Bob"}}}, {"action", action}},
                 "inbox:" + std::to_string(++deliveries_)});
  }

  struct Row {
    std::string step, order_key, lane, kind;
    json args;
  };
  static std::optional<Row> Find(const Decision& d, const std::string& kind) {
    for (const auto& e : d.effects) {
      auto row = engine::ToRow(e.action);
      if (row.kind == kind) return Row{e.step, e.order_key, row.lane, row.kind, row.args};
    }
    return std::nullopt;
  }

  // Bob's comment c-1 shown in the thread as reply 100.7.
  void MirrorComment() {
    auto d = LinearComment("create", "c-1", "Repro on 17.2");
    const auto post = Find(d, outbox::kSlackPostMessage);
    ASSERT_TRUE(post);
    EXPECT_EQ(post->args["thread_ts"], "100.1");
    Done(post->step, {{"channel", "C1"}, {"ts", "100.7"}});
  }

  // Ann's reply 100.5 synced to Linear; returns the comment's id.
  std::string SyncReply() {
    auto asked = Step({kSlackReplyEvent,
                       {{"user", "U2"}, {"text", "On it"}, {"ts", "100.5"}},
                       "slack-reply:C1/100.5"});
    const auto who = Find(asked, outbox::kSlackUserInfo);
    EXPECT_TRUE(who);
    if (!who) return "";
    auto named = Done(who->step, {{"id", "U2"}, {"display_name", "Ann"}});
    const auto comment = Find(named, outbox::kLinearCreateComment);
    EXPECT_TRUE(comment);
    return comment ? comment->args.value("id", "") : "";
  }

  Decision SlackEdit(const std::string& ts, const std::string& text) {
    return Step({kSlackReplyEditEvent,
                 {{"user", "U2"}, {"text", text}, {"ts", ts}},
                 "slack-reply-edit:C1/" + ts + "@" + std::to_string(++deliveries_)});
  }
  Decision SlackDelete(const std::string& ts) {
    return Step({kSlackReplyDeleteEvent, {{"ts", ts}}, "slack-reply-delete:C1/" + ts});
  }

  json state_;
  std::int64_t now_ms_ = 1'700'000'000'000;
  int deliveries_ = 0;
};

TEST_F(SyncedEditsTest, ALinearCommentIsAReplyOfItsOwnSoItCanBeEditedLater) {
  auto d = LinearComment("create", "c-1", "Repro on 17.2");
  const auto post = Find(d, outbox::kSlackPostMessage);
  ASSERT_TRUE(post);
  EXPECT_NE(post->args.dump().find("Bob commented on *ENG-1*"), std::string::npos);
  EXPECT_TRUE(d.timers.empty());  // not held by the coalescer
  // Linear redelivers the create: the thread shows it once.
  EXPECT_TRUE(LinearComment("create", "c-1", "Repro on 17.2").effects.empty());
}

TEST_F(SyncedEditsTest, ACommentEditedInLinearUpdatesItsReplyInPlace) {
  MirrorComment();
  auto d = LinearComment("update", "c-1", "Repro on 17.2 and 17.3");
  ASSERT_EQ(d.effects.size(), 1u);
  const auto update = Find(d, outbox::kSlackUpdateMessage);
  ASSERT_TRUE(update);
  EXPECT_EQ(update->args["channel"], "C1");
  EXPECT_EQ(update->args["ts"], "100.7");
  EXPECT_EQ(update->args["text"],
            LinearCommentLine("Bob", "ENG-1", "Repro on 17.2 and 17.3", /*edited=*/true));
  EXPECT_NE(update->args["text"].get<std::string>().find("(edited in Linear)"), std::string::npos);
  // The same update again (a redelivery with a new delivery id): nothing more.
  EXPECT_TRUE(LinearComment("update", "c-1", "Repro on 17.2 and 17.3").effects.empty());
}

TEST_F(SyncedEditsTest, AnOlderEditDeliveredLateDoesNotTurnTheReplyBack) {
  MirrorComment();
  const auto edit = [&](const std::string& body, const std::string& at) {
    return Step({kLinearCommentEvent,
                 {{"comment", {{"id", "c-1"}, {"body", body}, {"user", "Bob"}, {"updated_at", at}}},
                  {"action", "update"}},
                 "inbox:" + std::to_string(++deliveries_)});
  };
  EXPECT_TRUE(Find(edit("second", "2026-11-28T10:00:09.000Z"), outbox::kSlackUpdateMessage));
  auto stale = edit("first", "2026-11-28T10:00:05.000Z");
  EXPECT_TRUE(stale.effects.empty());
  EXPECT_EQ(state_["linear_replies"]["c-1"]["body"], "second");
}

TEST_F(SyncedEditsTest, ACommentRemovedInLinearLeavesATombstoneAndLaterEditsAreIgnored) {
  MirrorComment();
  auto d = LinearComment("remove", "c-1", "Repro on 17.2");
  const auto update = Find(d, outbox::kSlackUpdateMessage);
  ASSERT_TRUE(update);
  EXPECT_EQ(update->args["ts"], "100.7");
  EXPECT_EQ(update->args["text"], LinearCommentTombstone("Bob", "ENG-1"));
  EXPECT_NE(update->args["text"].get<std::string>().find("comment deleted in Linear"),
            std::string::npos);
  EXPECT_FALSE(Find(d, "slack.delete_message"));  // chat.update, not chat.delete (see the code)
  EXPECT_TRUE(LinearComment("update", "c-1", "ghost").effects.empty());
  EXPECT_TRUE(LinearComment("remove", "c-1", "ghost").effects.empty());
}

TEST_F(SyncedEditsTest, AnEditBeforeTheReplyIsPostedIsAppliedOnceItIs) {
  auto d = LinearComment("create", "c-1", "Repro on 17.2");
  const auto post = Find(d, outbox::kSlackPostMessage);
  ASSERT_TRUE(post);
  EXPECT_TRUE(LinearComment("update", "c-1", "Repro everywhere").effects.empty());
  auto posted = Done(post->step, {{"channel", "C1"}, {"ts", "100.7"}});
  const auto update = Find(posted, outbox::kSlackUpdateMessage);
  ASSERT_TRUE(update);
  EXPECT_EQ(update->args["ts"], "100.7");
  EXPECT_NE(update->args["text"].get<std::string>().find("Repro everywhere"), std::string::npos);
}

TEST_F(SyncedEditsTest, AnEditOfACommentTheThreadNeverShowedIsIgnored) {
  auto d = LinearComment("update", "c-unknown", "edited");
  EXPECT_TRUE(d.effects.empty());
  EXPECT_NE(d.note.find("ignored"), std::string::npos) << d.note;
}

TEST_F(SyncedEditsTest, AReplyEditedInSlackUpdatesItsLinearCommentWithoutEcho) {
  const std::string id = SyncReply();
  ASSERT_FALSE(id.empty());
  auto d = SlackEdit("100.5", "On it, with Bob");
  const auto update = Find(d, outbox::kLinearUpdateComment);
  ASSERT_TRUE(update);
  EXPECT_EQ(update->lane, outbox::kLinearLane);
  EXPECT_EQ(update->args["id"], id);
  EXPECT_EQ(update->args["body"], SyncedReplyBody("On it, with Bob", "Ann"));
  EXPECT_EQ(update->args["body"], "On it, with Bob\n\n_via Slack, by Ann_");
  // Linear's webhook for our own commentUpdate: nothing in the thread.
  auto echo = LinearComment("update", id, "On it, with Bob\n\n_via Slack, by Ann_");
  EXPECT_TRUE(echo.effects.empty());
  // Slack's message_changed with the same text (an unfurl, a metadata change): nothing to send.
  EXPECT_TRUE(SlackEdit("100.5", "On it, with Bob").effects.empty());
  // The result: done; a comment deleted in Linear meanwhile is done too, never retried.
  EXPECT_TRUE(
      Done(update->step, {{"id", id}, {"updated", false}, {"missing", true}}).effects.empty());
}

TEST_F(SyncedEditsTest, AReplyDeletedInSlackDeletesItsLinearCommentOnce) {
  const std::string id = SyncReply();
  ASSERT_FALSE(id.empty());
  auto d = SlackDelete("100.5");
  const auto del = Find(d, outbox::kLinearDeleteComment);
  ASSERT_TRUE(del);
  EXPECT_EQ(del->args, (json{{"id", id}}));
  EXPECT_EQ(del->order_key, "linear:file_issue:env-1");  // after the create, in order
  // Linear's remove webhook for it: our own, not echoed.
  EXPECT_TRUE(LinearComment("remove", id, "On it").effects.empty());
  // A second deletion event, and a late edit: nothing more.
  EXPECT_TRUE(SlackDelete("100.5").effects.empty());
  EXPECT_TRUE(SlackEdit("100.5", "too late").effects.empty());
}

TEST_F(SyncedEditsTest, AnEditOfAReplyNeverSyncedIsIgnored) {
  auto d = SlackEdit("100.9", "a command, edited");
  EXPECT_TRUE(d.effects.empty());
  EXPECT_NE(d.note.find("never synced"), std::string::npos) << d.note;
  EXPECT_TRUE(SlackDelete("100.9").effects.empty());
}

TEST_F(SyncedEditsTest, AReplyChangedBeforeItsCommentIsFiledIsFiledAsItIsNow) {
  auto asked = Step({kSlackReplyEvent,
                     {{"user", "U2"}, {"text", "On it"}, {"ts", "100.5"}},
                     "slack-reply:C1/100.5"});
  const auto who = Find(asked, outbox::kSlackUserInfo);
  ASSERT_TRUE(who);
  EXPECT_TRUE(SlackEdit("100.5", "On it tomorrow").effects.empty());
  auto named = Done(who->step, {{"id", "U2"}, {"display_name", "Ann"}});
  const auto comment = Find(named, outbox::kLinearCreateComment);
  ASSERT_TRUE(comment);
  EXPECT_EQ(comment->args["body"], "On it tomorrow\n\n_via Slack, by Ann_");

  // Deleted before its author's name came back: never filed.
  auto second = Step({kSlackReplyEvent,
                      {{"user", "U2"}, {"text", "oops"}, {"ts", "100.6"}},
                      "slack-reply:C1/100.6"});
  const auto who2 = Find(second, outbox::kSlackUserInfo);
  ASSERT_TRUE(who2);
  EXPECT_TRUE(SlackDelete("100.6").effects.empty());
  EXPECT_FALSE(Find(Done(who2->step, {{"id", "U2"}, {"display_name", "Ann"}}),
                    outbox::kLinearCreateComment));
}

}  // namespace
}  // namespace contexten::workflows::builtin
