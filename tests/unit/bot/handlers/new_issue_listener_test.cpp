// `/ctx new` through the built-in listeners against a recording Slack API: modal opened before
// the ack, field errors on a bad title, confirmation after a good one, "Assign to me" updates the
// message and replies in its thread.

#include <gtest/gtest.h>

#include "bot/handlers/command_handler.hpp"
#include "bot/handlers/new_issue.hpp"
#include "bot/handlers/register_handlers.hpp"
#include "core/clock.hpp"
#include "tests/support/fakes/recording_slack_api.hpp"

namespace contexten::bot::handlers {
namespace {

using integrations::slack::Envelope;
using integrations::slack::Interaction;
using integrations::slack::listeners::DispatchOutcome;
using integrations::slack::listeners::ListenerContext;
using integrations::slack::listeners::ListenerRegistry;
using nlohmann::json;

Interaction Parse(std::string type, json payload) {
  Envelope e;
  e.envelope_id = "E1";
  e.type = std::move(type);
  e.payload = std::move(payload);
  auto i = integrations::slack::ParseInteraction(e);
  EXPECT_TRUE(i) << i.error().message;
  return *i;
}

class NewIssueListenerTest : public ::testing::Test {
 protected:
  NewIssueListenerTest() : commands_(slack_, clock_) {
    RegisterHandlers(registry_, commands_, "/ctx");
  }

  core::Status Run(const Interaction& interaction) {
    ListenerContext context(
        interaction, slack_,
        [this](const json* p) {
          order_.push_back("ack");
          acks_.push_back(p ? *p : json());
          return true;
        },
        "U0BOT");
    auto result = registry_.Dispatch(context);
    EXPECT_EQ(result.outcome, DispatchOutcome::kHandled);
    return result.status;
  }

  Interaction Submit(const std::string& title, std::string metadata = R"({"channel":"C9"})") {
    json values = {{kNewIssueTitleBlock,
                    {{kNewIssueTitleAction, {{"type", "plain_text_input"}, {"value", title}}}}},
                   {kNewIssuePriorityBlock,
                    {{kNewIssuePriorityAction,
                      {{"type", "static_select"},
                       {"selected_option", {{"value", "2"}, {"text", {{"text", "High"}}}}}}}}}};
    return Parse("interactive", {{"type", "view_submission"},
                                 {"user", {{"id", "U7"}}},
                                 {"view",
                                  {{"id", "V1"},
                                   {"callback_id", kNewIssueCallbackId},
                                   {"private_metadata", metadata},
                                   {"state", {{"values", values}}}}}});
  }

  testing::RecordingSlackApi slack_;
  core::FakeClock clock_;
  CommandHandler commands_;
  ListenerRegistry registry_;
  std::vector<json> acks_;
  std::vector<std::string> order_;
};

TEST_F(NewIssueListenerTest, SlashNewOpensTheModalThenAcksEmpty) {
  ASSERT_TRUE(Run(Parse("slash_commands", {{"command", "/ctx"},
                                           {"text", "new"},
                                           {"user_id", "U7"},
                                           {"channel_id", "C9"},
                                           {"trigger_id", "trig.1"}})));
  auto opened = slack_.CallsTo("views.open");
  ASSERT_EQ(opened.size(), 1u);
  EXPECT_EQ(opened[0].args["trigger_id"], "trig.1");
  const json& view = opened[0].args["view"];
  EXPECT_EQ(view["title"]["text"], "New issue");
  EXPECT_EQ(view["callback_id"], kNewIssueCallbackId);
  EXPECT_EQ(json::parse(view["private_metadata"].get<std::string>())["channel"], "C9");
  std::vector<std::string> inputs;
  for (const auto& b : view["blocks"]) inputs.push_back(b["element"]["type"]);
  EXPECT_EQ(inputs,
            (std::vector<std::string>{"plain_text_input", "plain_text_input", "static_select"}));
  EXPECT_FALSE(view["blocks"][0].value("optional", false));  // title required
  EXPECT_TRUE(view["blocks"][1]["element"]["multiline"]);
  ASSERT_EQ(acks_.size(), 1u);
  EXPECT_TRUE(acks_[0].is_null());
}

TEST_F(NewIssueListenerTest, AModalThatCannotOpenIsExplainedInTheAck) {
  slack_.open_view_ok = false;
  EXPECT_FALSE(Run(Parse(
      "slash_commands",
      {{"command", "/ctx"}, {"text", "new"}, {"channel_id", "C9"}, {"trigger_id", "trig.1"}})));
  ASSERT_EQ(acks_.size(), 1u);
  EXPECT_NE(acks_[0].value("text", "").find("expired_trigger_id"), std::string::npos);
}

TEST_F(NewIssueListenerTest, BlankOrOverlongTitlesGetErrorsOnTheTitleField) {
  for (const std::string& title : {std::string(""), std::string("   \n "), std::string(256, 'x'),
                                   // 256 characters of 2 bytes each: counted as characters.
                                   [] {
                                     std::string s;
                                     for (int i = 0; i < 256; ++i) s += "\xc3\xa9";
                                     return s;
                                   }()}) {
    acks_.clear();
    ASSERT_TRUE(Run(Submit(title)));
    ASSERT_EQ(acks_.size(), 1u);
    EXPECT_EQ(acks_[0]["response_action"], "errors");
    EXPECT_TRUE(acks_[0]["errors"].contains(kNewIssueTitleBlock)) << acks_[0].dump();
  }
  EXPECT_TRUE(slack_.CallsTo("chat.postMessage").empty());
}

TEST_F(NewIssueListenerTest, AGoodSubmissionClosesTheModalAndPostsAConfirmation) {
  std::string title;
  for (int i = 0; i < 255; ++i) title += "\xc3\xa9";  // exactly at the limit
  ASSERT_TRUE(Run(Submit(title)));
  ASSERT_EQ(acks_.size(), 1u);
  EXPECT_TRUE(acks_[0].is_null());
  auto posts = slack_.CallsTo("chat.postMessage");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].args["channel"], "C9");
  const std::string blocks = posts[0].args["blocks"].dump();
  EXPECT_NE(blocks.find("Assign to me"), std::string::npos);
  EXPECT_NE(blocks.find(kNewIssueAssignAction), std::string::npos);
  EXPECT_NE(blocks.find("High"), std::string::npos);
  EXPECT_NE(blocks.find("<@U7>"), std::string::npos);
}

TEST_F(NewIssueListenerTest, TitlesCannotInjectMentionsOrLinks) {
  ASSERT_TRUE(Run(Submit("<!channel> look <https://evil|here>")));
  auto posts = slack_.CallsTo("chat.postMessage");
  ASSERT_EQ(posts.size(), 1u);
  const std::string section = posts[0].args["blocks"][0]["text"]["text"];
  EXPECT_EQ(section.find("<!channel>"), std::string::npos) << section;
  EXPECT_NE(section.find("&lt;!channel&gt;"), std::string::npos) << section;
}

TEST_F(NewIssueListenerTest, WithoutAChannelTheConfirmationGoesToTheReporter) {
  ASSERT_TRUE(Run(Submit("Crash on login", "")));
  auto posts = slack_.CallsTo("chat.postMessage");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].args["channel"], "U7");
}

TEST_F(NewIssueListenerTest, AssignToMeUpdatesTheMessageAndRepliesInItsThread) {
  ASSERT_TRUE(Run(Submit("Crash on login")));
  const json posted = slack_.CallsTo("chat.postMessage")[0].args;
  const json button = posted["blocks"].back()["elements"][0];
  acks_.clear();
  ASSERT_TRUE(
      Run(Parse("interactive",
                {{"type", "block_actions"},
                 {"user", {{"id", "U8"}}},
                 {"channel", {{"id", "C9"}}},
                 {"container", {{"type", "message"}, {"message_ts", "77.1"}, {"channel_id", "C9"}}},
                 {"actions", json::array({{{"action_id", button["action_id"]},
                                           {"type", "button"},
                                           {"value", button["value"]}}})}})));
  ASSERT_EQ(acks_.size(), 1u);
  auto updates = slack_.CallsTo("chat.update");
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_EQ(updates[0].args["channel"], "C9");
  EXPECT_EQ(updates[0].args["ts"], "77.1");
  const std::string blocks = updates[0].args["blocks"].dump();
  EXPECT_NE(blocks.find("Crash on login"), std::string::npos);
  EXPECT_NE(blocks.find("assigned to <@U8>"), std::string::npos);
  EXPECT_EQ(blocks.find("Assign to me"), std::string::npos);  // the button is gone
  auto posts = slack_.CallsTo("chat.postMessage");
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(posts[1].args["thread_ts"], "77.1");
  EXPECT_NE(posts[1].args["text"].get<std::string>().find("<@U8>"), std::string::npos);
}

TEST_F(NewIssueListenerTest, HelpAndPingStillAnswerInTheAck) {
  ASSERT_TRUE(Run(Parse("slash_commands", {{"command", "/ctx"}, {"text", "help"}})));
  ASSERT_TRUE(Run(Parse("slash_commands", {{"command", "/ctx"}, {"text", "ping"}})));
  ASSERT_EQ(acks_.size(), 2u);
  EXPECT_NE(acks_[0].dump().find("ctx new"), std::string::npos);
  EXPECT_EQ(acks_[1]["text"].get<std::string>().rfind("pong", 0), 0u);
}

TEST_F(NewIssueListenerTest, AMentionIsAnsweredInItsThread) {
  ASSERT_TRUE(Run(Parse("events_api", {{"type", "event_callback"},
                                       {"event",
                                        {{"type", "app_mention"},
                                         {"user", "U7"},
                                         {"channel", "C9"},
                                         {"ts", "50.5"},
                                         {"text", "<@U0BOT> help"}}}})));
  auto posts = slack_.CallsTo("chat.postMessage");
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].args["thread_ts"], "50.5");
  EXPECT_NE(posts[0].args["text"].get<std::string>().find("Contexten commands"), std::string::npos);
}

}  // namespace
}  // namespace contexten::bot::handlers
