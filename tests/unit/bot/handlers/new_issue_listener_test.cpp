// `/ctx new`, `/ctx issue create` and the issue card's button through the registered handlers,
// against a recording Slack API and a real durable engine: modal opened before the ack, field
// errors on a bad title or team, a good submission closes the modal and starts one file_issue
// run (the card is the workflow's, posted through the outbox), "Assign to me" is an event of
// that run.

#include <gtest/gtest.h>

#include "bot/handlers/command_handler.hpp"
#include "bot/handlers/new_issue.hpp"
#include "bot/handlers/register_handlers.hpp"
#include "core/clock.hpp"
#include "tests/support/fakes/recording_slack_api.hpp"
#include "tests/support/slack_interactions.hpp"
#include "tests/support/workflow_fixture.hpp"
#include "workflows/builtin/file_issue.hpp"
#include "workflows/outbox/effect_kinds.hpp"
#include "workflows/present/issue_card.hpp"

namespace contexten::bot::handlers {
namespace {

using integrations::slack::Interaction;
using integrations::slack::listeners::DispatchOutcome;
using integrations::slack::listeners::ListenerContext;
using integrations::slack::listeners::ListenerRegistry;
using nlohmann::json;

class NewIssueListenerTest : public ::testing::Test {
 protected:
  NewIssueListenerTest()
      : commands_(slack_, clock_),
        conversation_(
            {*f_.engine, *f_.workflows, nullptr, access_, {true, "ENG"}, {}, intents::Understand}) {
    f_.engine->Register(std::make_unique<workflows::builtin::FileIssueWorkflow>());
    RegisterHandlers(registry_, commands_, conversation_, "/ctx",
                     {*f_.engine, *f_.workflows, nullptr, nullptr, {true, "ENG"}});
  }

  // The start request of the one file_issue run, and the effects it asked for.
  json OnlyRunRequest() {
    auto runs = f_.workflows->CountRuns(std::nullopt, "file_issue");
    EXPECT_TRUE(runs && *runs == 1) << (runs ? *runs : -1);
    auto effects = f_.workflows->Effects(std::nullopt, "", 10);
    EXPECT_TRUE(effects && !effects->empty());
    auto run = f_.workflows->LoadRun(effects->front().run_id);
    EXPECT_TRUE(run && *run);
    return json::parse((*run)->state_json)["request"];
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

  Interaction Submit(const std::string& title, std::string metadata = R"({"channel":"C9"})",
                     const std::string& team = "eng") {
    json values = {{kNewIssueTitleBlock,
                    {{kNewIssueTitleAction, {{"type", "plain_text_input"}, {"value", title}}}}},
                   {kNewIssueTeamBlock,
                    {{kNewIssueTeamAction, {{"type", "plain_text_input"}, {"value", team}}}}},
                   {kNewIssuePriorityBlock,
                    {{kNewIssuePriorityAction,
                      {{"type", "static_select"},
                       {"selected_option", {{"value", "2"}, {"text", {{"text", "High"}}}}}}}}}};
    return testing::ParseTestInteraction("interactive", {{"type", "view_submission"},
                                                         {"user", {{"id", "U7"}}},
                                                         {"view",
                                                          {{"id", "V1"},
                                                           {"callback_id", kNewIssueCallbackId},
                                                           {"private_metadata", metadata},
                                                           {"state", {{"values", values}}}}}});
  }

  testing::WorkflowFixture f_;
  testing::RecordingSlackApi slack_;
  core::FakeClock clock_;
  CommandHandler commands_;
  AccessControl access_;
  ConversationHandler conversation_;
  ListenerRegistry registry_;
  std::vector<json> acks_;
  std::vector<std::string> order_;
};

TEST_F(NewIssueListenerTest, SlashNewOpensTheModalThenAcksEmpty) {
  ASSERT_TRUE(Run(testing::ParseTestInteraction("slash_commands", {{"command", "/ctx"},
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
  EXPECT_EQ(inputs, (std::vector<std::string>{"plain_text_input", "plain_text_input",
                                              "plain_text_input", "static_select"}));
  EXPECT_FALSE(view["blocks"][0].value("optional", false));  // title required
  EXPECT_EQ(view["blocks"][1]["block_id"], kNewIssueTeamBlock);
  EXPECT_EQ(view["blocks"][1]["element"]["initial_value"], "ENG");  // linear.default_team
  EXPECT_TRUE(view["blocks"][2]["element"]["multiline"]);
  ASSERT_EQ(acks_.size(), 1u);
  EXPECT_TRUE(acks_[0].is_null());
}

TEST_F(NewIssueListenerTest, AModalThatCannotOpenIsExplainedInTheAck) {
  slack_.open_view_ok = false;
  EXPECT_FALSE(Run(testing::ParseTestInteraction(
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

TEST_F(NewIssueListenerTest, ABadTeamKeyIsAnErrorOnTheTeamField) {
  ASSERT_TRUE(Run(Submit("Crash on login", R"({"channel":"C9"})", "not a key")));
  ASSERT_EQ(acks_.size(), 1u);
  EXPECT_EQ(acks_[0]["response_action"], "errors");
  EXPECT_TRUE(acks_[0]["errors"].contains(kNewIssueTeamBlock)) << acks_[0].dump();
  auto runs = f_.workflows->CountRuns(std::nullopt, "");
  ASSERT_TRUE(runs);
  EXPECT_EQ(*runs, 0);
}

TEST_F(NewIssueListenerTest, AGoodSubmissionClosesTheModalAndStartsOneFilingRun) {
  std::string title;
  for (int i = 0; i < 255; ++i) title += "\xc3\xa9";  // exactly at the limit
  ASSERT_TRUE(Run(Submit(title)));
  ASSERT_EQ(acks_.size(), 1u);
  EXPECT_TRUE(acks_[0].is_null());
  // Nothing is posted inline: the card and the Linear issue are the outbox's to do.
  EXPECT_TRUE(slack_.CallsTo("chat.postMessage").empty());
  const json request = OnlyRunRequest();
  EXPECT_EQ(request["team_key"], "ENG");
  EXPECT_EQ(request["title"], title);
  EXPECT_EQ(request["priority"], 2);
  EXPECT_EQ(request["channel"], "C9");
  EXPECT_EQ(request["reporter"], "U7");
  auto effects = f_.workflows->Effects(store::EffectStatus::kPending, "", 10);
  ASSERT_TRUE(effects);
  ASSERT_EQ(effects->size(), 2u);
  EXPECT_EQ((*effects)[0].kind, workflows::outbox::kSlackPostMessage);
  EXPECT_EQ((*effects)[1].kind, workflows::outbox::kLinearCreateIssue);

  // Slack redelivers the submission (the ack was lost): still one run.
  ASSERT_TRUE(Run(Submit(title)));
  auto runs = f_.workflows->CountRuns(std::nullopt, "file_issue");
  ASSERT_TRUE(runs);
  EXPECT_EQ(*runs, 1);
}

TEST_F(NewIssueListenerTest, WithoutAChannelTheCardGoesToTheReporter) {
  ASSERT_TRUE(Run(Submit("Crash on login", "")));
  EXPECT_EQ(OnlyRunRequest()["channel"], "U7");
}

TEST_F(NewIssueListenerTest, TheSlashCommandStartsTheSameWorkflowAndAcksAtOnce) {
  ASSERT_TRUE(Run(testing::ParseTestInteraction(
      "slash_commands", {{"command", "/ctx"},
                         {"text", "issue create ENG Login crash priority:high"},
                         {"channel_id", "C9"},
                         {"user_id", "U7"}})));
  ASSERT_EQ(acks_.size(), 1u);
  EXPECT_TRUE(acks_[0].is_null()) << acks_[0].dump();
  const json request = OnlyRunRequest();
  EXPECT_EQ(request["team_key"], "ENG");
  EXPECT_EQ(request["title"], "Login crash");
  EXPECT_EQ(request["priority"], 2);
}

TEST_F(NewIssueListenerTest, WithoutLinearTheUserIsToldAndNothingStarts) {
  ListenerRegistry registry;
  ConversationHandler conversation(
      {*f_.engine, *f_.workflows, nullptr, access_, {false, ""}, {}, intents::Understand});
  RegisterHandlers(registry, commands_, conversation, "/ctx",
                   {*f_.engine, *f_.workflows, nullptr, nullptr, {false, ""}});
  Interaction command =
      testing::ParseTestInteraction("slash_commands", {{"command", "/ctx"},
                                                       {"text", "issue create ENG Login crash"},
                                                       {"channel_id", "C9"},
                                                       {"user_id", "U7"}});
  ListenerContext context(
      command, slack_,
      [this](const json* p) {
        acks_.push_back(p ? *p : json());
        return true;
      },
      "U0BOT");
  registry.Dispatch(context);
  ASSERT_EQ(acks_.size(), 1u);
  EXPECT_EQ(acks_[0]["response_type"], "ephemeral");
  EXPECT_NE(acks_[0]["text"].get<std::string>().find("Linear is not configured"),
            std::string::npos);
  auto runs = f_.workflows->CountRuns(std::nullopt, "");
  ASSERT_TRUE(runs);
  EXPECT_EQ(*runs, 0);
}

TEST_F(NewIssueListenerTest, AssignToMeIsAnEventOfTheCardsRun) {
  ASSERT_TRUE(Run(Submit("Crash on login")));
  auto effects = f_.workflows->Effects(std::nullopt, "", 10);
  ASSERT_TRUE(effects && !effects->empty());
  const std::string run_id = effects->front().run_id;
  acks_.clear();
  ASSERT_TRUE(Run(testing::ParseTestInteraction(
      "interactive",
      {{"type", "block_actions"},
       {"user", {{"id", "U8"}}},
       {"channel", {{"id", "C9"}}},
       {"container", {{"type", "message"}, {"message_ts", "77.1"}, {"channel_id", "C9"}}},
       {"actions", json::array({{{"action_id", workflows::present::kIssueCardAssignAction},
                                 {"type", "button"},
                                 {"value", run_id}}})}})));
  ASSERT_EQ(acks_.size(), 1u);
  auto history = f_.workflows->History(run_id);
  ASSERT_TRUE(history);
  bool clicked = false;
  for (const auto& h : *history) clicked |= h.detail_json.find("slack.assign") != std::string::npos;
  EXPECT_TRUE(clicked);
}

TEST_F(NewIssueListenerTest, AClickForARunThatIsGoneIsToldToTheClicker) {
  EXPECT_FALSE(Run(testing::ParseTestInteraction(
      "interactive",
      {{"type", "block_actions"},
       {"user", {{"id", "U8"}}},
       {"channel", {{"id", "C9"}}},
       {"container", {{"type", "message"}, {"message_ts", "77.1"}, {"channel_id", "C9"}}},
       {"actions", json::array({{{"action_id", workflows::present::kIssueCardAssignAction},
                                 {"type", "button"},
                                 {"value", "file_issue:slack:gone"}}})}})));
  auto ephemerals = slack_.CallsTo("chat.postEphemeral");
  ASSERT_EQ(ephemerals.size(), 1u);
  EXPECT_EQ(ephemerals[0].args["user"], "U8");
}

TEST_F(NewIssueListenerTest, HelpAndPingStillAnswerInTheAck) {
  ASSERT_TRUE(Run(
      testing::ParseTestInteraction("slash_commands", {{"command", "/ctx"}, {"text", "help"}})));
  ASSERT_TRUE(Run(
      testing::ParseTestInteraction("slash_commands", {{"command", "/ctx"}, {"text", "ping"}})));
  ASSERT_EQ(acks_.size(), 2u);
  EXPECT_NE(acks_[0].dump().find("ctx new"), std::string::npos);
  EXPECT_EQ(acks_[1]["text"].get<std::string>().rfind("pong", 0), 0u);
}

TEST_F(NewIssueListenerTest, AMentionIsAnsweredInItsThread) {
  ASSERT_TRUE(Run(testing::ParseTestInteraction("events_api", {{"type", "event_callback"},
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
