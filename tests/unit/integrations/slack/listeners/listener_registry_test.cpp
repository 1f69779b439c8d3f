#include "integrations/slack/listeners/listener_registry.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "tests/support/fakes/recording_slack_api.hpp"
#include "tests/support/slack_interactions.hpp"

namespace contexten::integrations::slack::listeners {
namespace {

using integrations::slack::Interaction;
using integrations::slack::InteractionKind;
using nlohmann::json;

Interaction Slash(std::string command, std::string text = "") {
  return testing::ParseTestInteraction("slash_commands",
                                       {{"command", command},
                                        {"text", text},
                                        {"user_id", "U1"},
                                        {"channel_id", "C1"},
                                        {"trigger_id", "T.1"},
                                        {"response_url", "https://hooks.example/r/1"}});
}

Interaction Click(std::string action_id) {
  return testing::ParseTestInteraction(
      "interactive", {{"type", "block_actions"},
                      {"user", {{"id", "U1"}}},
                      {"channel", {{"id", "C1"}}},
                      {"container", {{"type", "message"}, {"message_ts", "10.1"}}},
                      {"actions", json::array({{{"action_id", action_id}, {"value", "v"}}})}});
}

Interaction Submission(std::string callback_id) {
  return testing::ParseTestInteraction("interactive",
                                       {{"type", "view_submission"},
                                        {"user", {{"id", "U1"}}},
                                        {"view", {{"id", "V1"}, {"callback_id", callback_id}}}});
}

Interaction Message(json event) {
  event["type"] = event.value("type", "message");
  if (!event.contains("channel")) event["channel"] = "C1";
  if (!event.contains("ts")) event["ts"] = "20.1";
  return testing::ParseTestInteraction("events_api",
                                       {{"type", "event_callback"}, {"event", event}});
}

struct Acks {
  std::vector<json> payloads;  // null for an empty ack
  bool socket_up = true;
  integrations::slack::AckFn fn() {
    return [this](const json* p) {
      payloads.push_back(p ? *p : json());
      return socket_up;
    };
  }
};

class ListenerRegistryTest : public ::testing::Test {
 protected:
  DispatchResult Run(const Interaction& interaction) {
    ListenerContext context(interaction, slack_, acks_.fn(), "U0BOT");
    auto result = registry_.Dispatch(context);
    last_acked_ = context.acked();
    return result;
  }
  Listener Record(std::string label) {
    return [this, label](ListenerContext&) {
      ran_.push_back(label);
      return core::Ok();
    };
  }

  ListenerRegistry registry_;
  testing::RecordingSlackApi slack_;
  Acks acks_;
  std::vector<std::string> ran_;
  bool last_acked_ = false;
};

TEST_F(ListenerRegistryTest, EachKindRoutesByItsKey) {
  registry_.Command("/ctx", Record("ctx"))
      .Command("/other", Record("other"))
      .Action("approve", Record("approve"))
      .ViewSubmission("form", Record("form submitted"))
      .ViewClosed("form", Record("form closed"))
      .Shortcut("file_it", Record("shortcut"))
      .Event("app_mention", Record("mention"))
      .Event("message", Record("message"));

  EXPECT_EQ(Run(Slash("/ctx")).outcome, DispatchOutcome::kHandled);
  EXPECT_EQ(Run(Click("approve")).outcome, DispatchOutcome::kHandled);
  EXPECT_EQ(Run(Submission("form")).outcome, DispatchOutcome::kHandled);
  EXPECT_EQ(Run(testing::ParseTestInteraction(
                    "interactive", {{"type", "view_closed"}, {"view", {{"callback_id", "form"}}}}))
                .outcome,
            DispatchOutcome::kHandled);
  EXPECT_EQ(Run(testing::ParseTestInteraction("interactive",
                                              {{"type", "shortcut"}, {"callback_id", "file_it"}}))
                .outcome,
            DispatchOutcome::kHandled);
  EXPECT_EQ(Run(testing::ParseTestInteraction("interactive", {{"type", "message_action"},
                                                              {"callback_id", "file_it"},
                                                              {"message_ts", "1.1"}}))
                .outcome,
            DispatchOutcome::kHandled);
  EXPECT_EQ(
      Run(Message({{"type", "app_mention"}, {"user", "U1"}, {"text", "<@U0BOT> hi"}})).outcome,
      DispatchOutcome::kHandled);
  EXPECT_EQ(Run(Message({{"user", "U1"}, {"text", "hi"}})).outcome, DispatchOutcome::kHandled);
  EXPECT_EQ(ran_, (std::vector<std::string>{"ctx", "approve", "form submitted", "form closed",
                                            "shortcut", "shortcut", "mention", "message"}));
}

TEST_F(ListenerRegistryTest, UnmatchedIsReportedAndNothingRuns) {
  registry_.Command("/ctx", Record("ctx")).Action("approve", Record("approve"));
  EXPECT_EQ(Run(Slash("/nope")).outcome, DispatchOutcome::kUnmatched);
  EXPECT_EQ(Run(Click("reject")).outcome, DispatchOutcome::kUnmatched);
  EXPECT_EQ(Run(Submission("approve")).outcome, DispatchOutcome::kUnmatched);
  EXPECT_TRUE(ran_.empty());
}

TEST_F(ListenerRegistryTest, ActionPatternsMatchTheWholeId) {
  registry_.Action(std::regex("assign_[0-9]+"), Record("assign"));
  EXPECT_EQ(Run(Click("assign_42")).outcome, DispatchOutcome::kHandled);
  EXPECT_EQ(Run(Click("assign_42x")).outcome, DispatchOutcome::kUnmatched);
  EXPECT_EQ(Run(Click("reassign_42")).outcome, DispatchOutcome::kUnmatched);
  EXPECT_EQ(ran_.size(), 1u);
}

TEST_F(ListenerRegistryTest, OwnBotAndEditedMessagesAreIgnored) {
  registry_.Event("message", Record("message")).Event("app_mention", Record("mention"));
  EXPECT_EQ(Run(Message({{"user", "U0BOT"}, {"text", "I said this"}})).outcome,
            DispatchOutcome::kIgnored);
  EXPECT_EQ(Run(Message({{"bot_id", "B9"}, {"user", "U9"}, {"text", "other bot"}})).outcome,
            DispatchOutcome::kIgnored);
  EXPECT_EQ(Run(Message({{"subtype", "message_changed"}, {"message", {{"text", "x"}}}})).outcome,
            DispatchOutcome::kIgnored);
  EXPECT_EQ(Run(Message({{"subtype", "message_deleted"}})).outcome, DispatchOutcome::kIgnored);
  EXPECT_EQ(Run(Message({{"subtype", "channel_join"}, {"user", "U1"}})).outcome,
            DispatchOutcome::kIgnored);
  EXPECT_EQ(Run(Message({{"type", "app_mention"}, {"bot_id", "B9"}, {"text", "<@U0BOT>"}})).outcome,
            DispatchOutcome::kIgnored);
  EXPECT_TRUE(ran_.empty());
  // People writing, also in threads, broadcasts and DMs, are delivered.
  EXPECT_EQ(Run(Message({{"user", "U1"}, {"text", "hi"}, {"thread_ts", "1.0"}})).outcome,
            DispatchOutcome::kHandled);
  EXPECT_EQ(
      Run(Message({{"user", "U1"}, {"subtype", "thread_broadcast"}, {"thread_ts", "1.0"}})).outcome,
      DispatchOutcome::kHandled);
  EXPECT_EQ(Run(Message({{"user", "U1"}, {"channel", "D1"}, {"channel_type", "im"}})).outcome,
            DispatchOutcome::kHandled);
  EXPECT_EQ(ran_.size(), 3u);
}

// Synced threads (issue 10): a person's edit or deletion reaches MessageEdits listeners only,
// described by the message it is about (Slack's `message` / `previous_message`); a bot's edit,
// our own chat.update included, never does (no echo).
TEST_F(ListenerRegistryTest, PeoplesEditsAndDeletionsReachOnlyMessageEditListeners) {
  std::vector<integrations::slack::EventPayload> seen;
  registry_.Event("message", Record("message")).MessageEdits([&](ListenerContext& context) {
    seen.push_back(*context.interaction().event);
    return core::Ok();
  });
  const json edited = {{"subtype", "message_changed"},
                       {"hidden", true},
                       {"ts", "30.1"},
                       {"message",
                        {{"type", "message"},
                         {"user", "U1"},
                         {"text", "new words"},
                         {"ts", "20.5"},
                         {"thread_ts", "20.1"},
                         {"edited", {{"user", "U1"}, {"ts", "30.1"}}}}},
                       {"previous_message", {{"user", "U1"}, {"text", "old"}, {"ts", "20.5"}}}};
  EXPECT_EQ(Run(Message(edited)).outcome, DispatchOutcome::kHandled);
  const json deleted = {
      {"subtype", "message_deleted"},
      {"hidden", true},
      {"ts", "31.1"},
      {"deleted_ts", "20.5"},
      {"previous_message",
       {{"user", "U1"}, {"text", "new words"}, {"ts", "20.5"}, {"thread_ts", "20.1"}}}};
  EXPECT_EQ(Run(Message(deleted)).outcome, DispatchOutcome::kHandled);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].subtype, "message_changed");
  EXPECT_EQ(seen[0].user, "U1");
  EXPECT_EQ(seen[0].text, "new words");
  EXPECT_EQ(seen[0].edited_ts, "20.5");
  EXPECT_EQ(seen[0].thread_ts, "20.1");
  EXPECT_EQ(seen[0].ts, "30.1");
  EXPECT_EQ(seen[1].subtype, "message_deleted");
  EXPECT_EQ(seen[1].edited_ts, "20.5");
  EXPECT_EQ(seen[1].thread_ts, "20.1");
  EXPECT_EQ(seen[1].user, "U1");
  EXPECT_TRUE(ran_.empty());  // the plain `message` listener saw neither

  // The bot's own chat.update (its bot_id on the message), another bot's, or our user's: ignored.
  json ours = edited;
  ours["message"]["bot_id"] = "B0BOT";
  ours["message"]["user"] = "U0BOT";
  EXPECT_EQ(Run(Message(ours)).outcome, DispatchOutcome::kIgnored);
  json by_user = edited;
  by_user["message"]["user"] = "U0BOT";
  EXPECT_EQ(Run(Message(by_user)).outcome, DispatchOutcome::kIgnored);
  json bot_deleted = deleted;
  bot_deleted["previous_message"]["bot_id"] = "B9";
  EXPECT_EQ(Run(Message(bot_deleted)).outcome, DispatchOutcome::kIgnored);
  EXPECT_EQ(seen.size(), 2u);
  // A new message still goes to the `message` listener only.
  EXPECT_EQ(Run(Message({{"user", "U1"}, {"text", "hi"}})).outcome, DispatchOutcome::kHandled);
  EXPECT_EQ(ran_, (std::vector<std::string>{"message"}));
  EXPECT_EQ(seen.size(), 2u);
}

TEST_F(ListenerRegistryTest, EveryMatchingListenerRunsInOrderAndTheFirstFailureIsReported) {
  registry_.Event("message", Record("first"))
      .Event("message",
             [](ListenerContext&) -> core::Status {
               return core::Unexpected(core::MakeError(core::ErrorKind::kTransient, "boom"));
             })
      .Event("message", [](ListenerContext&) -> core::Status { throw std::runtime_error("bad"); })
      .Event("message", Record("last"));
  auto result = Run(Message({{"user", "U1"}, {"text", "hi"}}));
  EXPECT_EQ(result.outcome, DispatchOutcome::kHandled);
  EXPECT_EQ(result.listeners_run, 4);
  ASSERT_FALSE(result.status);
  EXPECT_EQ(result.status.error().message, "boom");
  EXPECT_EQ(ran_, (std::vector<std::string>{"first", "last"}));
}

TEST_F(ListenerRegistryTest, AThrowingListenerIsAFailureNotACrash) {
  registry_.Command(
      "/ctx", [](ListenerContext&) -> core::Status { throw std::runtime_error("listener bug"); });
  auto result = Run(Slash("/ctx"));
  ASSERT_FALSE(result.status);
  EXPECT_EQ(result.status.error().kind, core::ErrorKind::kInternal);
  EXPECT_NE(result.status.error().message.find("listener bug"), std::string::npos);
}

TEST_F(ListenerRegistryTest, AckIsSingleUseAndCarriesOnlyPayloadsSlackReads) {
  registry_.Command("/ctx", [](ListenerContext& c) {
    EXPECT_TRUE(c.Ack(json{{"text", "hello"}}));
    auto again = c.Ack();
    EXPECT_FALSE(again);
    EXPECT_EQ(again.error().kind, core::ErrorKind::kConflict);
    return core::Ok();
  });
  registry_.Action("approve", [](ListenerContext& c) {
    auto refused = c.Ack(json{{"text", "Slack ignores this"}});
    EXPECT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, core::ErrorKind::kInvalidInput);
    EXPECT_FALSE(c.acked());  // nothing was sent: the listener can still ack properly
    return c.Ack();
  });
  Run(Slash("/ctx"));
  Run(Click("approve"));
  ASSERT_EQ(acks_.payloads.size(), 2u);
  EXPECT_EQ(acks_.payloads[0]["text"], "hello");
  EXPECT_TRUE(acks_.payloads[1].is_null());
}

TEST_F(ListenerRegistryTest, ViewSubmissionAckPayloads) {
  registry_.ViewSubmission("errors", [](ListenerContext& c) {
    return c.AckWithErrors({{"title_block", "Too long"}});
  });
  registry_.ViewSubmission("update", [](ListenerContext& c) {
    return c.AckUpdate(json{{"type", "modal"}, {"title", {{"type", "plain_text"}, {"text", "x"}}}});
  });
  registry_.ViewSubmission("push", [](ListenerContext& c) {
    return c.AckPush(json{{"type", "modal"}});
  });
  registry_.ViewSubmission("clear", [](ListenerContext& c) { return c.AckClear(); });
  registry_.ViewSubmission("bad", [](ListenerContext& c) {
    EXPECT_FALSE(c.Ack(json{{"response_action", "errors"}, {"errors", json::object()}}));
    EXPECT_FALSE(c.Ack(json{{"response_action", "update"}}));
    EXPECT_FALSE(c.Ack(json{{"response_action", "explode"}}));
    EXPECT_FALSE(c.Ack(json{{"text", "a message is no view_submission answer"}}));
    return core::Ok();
  });
  for (const char* id : {"errors", "update", "push", "clear", "bad"}) {
    EXPECT_TRUE(Run(Submission(id)).status) << id;
  }
  ASSERT_EQ(acks_.payloads.size(), 4u);
  EXPECT_EQ(acks_.payloads[0],
            (json{{"response_action", "errors"}, {"errors", {{"title_block", "Too long"}}}}));
  EXPECT_EQ(acks_.payloads[1]["response_action"], "update");
  EXPECT_EQ(acks_.payloads[1]["view"]["type"], "modal");
  EXPECT_EQ(acks_.payloads[2]["response_action"], "push");
  EXPECT_EQ(acks_.payloads[3], (json{{"response_action", "clear"}}));
}

TEST_F(ListenerRegistryTest, ASlashReplyWithoutASocketGoesToTheResponseUrl) {
  acks_.socket_up = false;
  registry_.Command("/ctx", [](ListenerContext& c) { return c.Ack(json{{"text", "late"}}); });
  EXPECT_TRUE(Run(Slash("/ctx")).status);
  auto responded = slack_.CallsTo("response_url");
  ASSERT_EQ(responded.size(), 1u);
  EXPECT_EQ(responded[0].args["url"], "https://hooks.example/r/1");
  EXPECT_EQ(responded[0].args["body"]["text"], "late");
}

TEST_F(ListenerRegistryTest, SayPostsInTheChannelOrTheThreadAndReplyInThreadStartsOne) {
  registry_.Event("message", [](ListenerContext& c) {
    EXPECT_TRUE(c.Say("in place"));
    EXPECT_TRUE(c.ReplyInThread("threaded", nullptr, /*broadcast=*/true));
    return core::Ok();
  });
  registry_.Action("approve", [](ListenerContext& c) {
    EXPECT_FALSE(c.Respond(json{{"text", "this click came without a response_url"}}));
    EXPECT_TRUE(c.ReplyInThread("on the clicked message"));
    return core::Ok();
  });
  Run(Message({{"user", "U1"}, {"text", "top level"}, {"ts", "30.1"}}));
  Run(Message({{"user", "U1"}, {"text", "in thread"}, {"ts", "31.1"}, {"thread_ts", "30.1"}}));
  Run(Click("approve"));
  auto posts = slack_.CallsTo("chat.postMessage");
  ASSERT_EQ(posts.size(), 5u);
  EXPECT_EQ(posts[0].args["thread_ts"], "");      // say, top level
  EXPECT_EQ(posts[1].args["thread_ts"], "30.1");  // reply starts a thread under the message
  EXPECT_EQ(posts[1].args["reply_broadcast"], true);
  EXPECT_EQ(posts[2].args["thread_ts"], "30.1");  // say inside a thread stays in it
  EXPECT_EQ(posts[3].args["thread_ts"], "30.1");
  EXPECT_EQ(posts[4].args["thread_ts"], "10.1");  // the clicked message
  EXPECT_EQ(posts[4].args["channel"], "C1");
}

}  // namespace
}  // namespace contexten::integrations::slack::listeners
