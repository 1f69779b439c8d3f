#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "integrations/slack/interaction.hpp"

namespace contexten::integrations::slack {
namespace {

using nlohmann::json;

json Fixture(const std::string& name) {
  std::ifstream in(std::string(CONTEXTEN_SHARED_DIR) + "/contracts/slack/fixtures/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

// Socket Mode fixtures are whole envelopes.
Envelope FromEnvelope(const std::string& name) {
  const json j = Fixture(name);
  Envelope e;
  e.envelope_id = j.at("envelope_id");
  e.type = j.at("type");
  e.payload = j.at("payload");
  return e;
}

// Bolt's fixtures are bare payloads (what HTTP mode posts); Socket Mode wraps them.
Envelope Wrap(std::string type, json payload) {
  Envelope e;
  e.envelope_id = "env-1";
  e.type = std::move(type);
  e.payload = std::move(payload);
  return e;
}

TEST(InteractionModelTest, SlashCommand) {
  auto i = ParseInteraction(FromEnvelope("sm_slash_commands__python-sdk.json"));
  ASSERT_TRUE(i) << i.error().message;
  EXPECT_EQ(i->kind, InteractionKind::kSlashCommand);
  EXPECT_EQ(i->envelope_id, "1d3c79ab-0ffb-41f3-a080-d19e85f53649");
  EXPECT_EQ(i->command, "/hello-socket-mode");
  EXPECT_EQ(i->text, "");
  EXPECT_EQ(i->user_id, "U111");
  EXPECT_EQ(i->user_name, "testxyz");
  EXPECT_EQ(i->channel_id, "C111");
  EXPECT_EQ(i->team_id, "T111");
  EXPECT_EQ(i->trigger_id, "111.222.xxx");
  EXPECT_EQ(i->response_url, "https://hooks.slack.com/commands/T111/111/xxx");
}

TEST(InteractionModelTest, BlockActionOnAMessage) {
  auto i = ParseInteraction(FromEnvelope("sm_interactive_block_actions_message__java-sdk.json"));
  ASSERT_TRUE(i) << i.error().message;
  EXPECT_EQ(i->kind, InteractionKind::kBlockAction);
  ASSERT_NE(i->action(), nullptr);
  EXPECT_EQ(i->action()->action_id, "a");
  EXPECT_EQ(i->action()->block_id, "b");
  EXPECT_EQ(i->action()->type, "button");
  EXPECT_EQ(i->action()->value, "underlying");
  EXPECT_EQ(i->action()->text, "Click Me!");
  EXPECT_EQ(i->user_id, "U111");
  EXPECT_EQ(i->channel_id, "C111");
  EXPECT_EQ(i->message_ts, "1605853634.000400");
  EXPECT_EQ(i->message_text, "This content can't be displayed.");
  EXPECT_FALSE(i->message_is_ephemeral);
  EXPECT_EQ(i->trigger_id, "111.222.xxx");
  EXPECT_EQ(i->response_url, "https://hooks.slack.com/actions/T111/111/xxx");
  EXPECT_FALSE(i->view.has_value());
}

TEST(InteractionModelTest, BlockActionInsideAModalCarriesTheViewAndTheSelectedOption) {
  auto i = ParseInteraction(
      FromEnvelope("sm_interactive_block_actions_large_modal_select__python-sdk.json"));
  ASSERT_TRUE(i) << i.error().message;
  EXPECT_EQ(i->kind, InteractionKind::kBlockAction);
  ASSERT_TRUE(i->view.has_value());
  EXPECT_EQ(i->view->id, "V1234567890");
  EXPECT_TRUE(i->message_ts.empty());
  ASSERT_NE(i->action(), nullptr);
  EXPECT_EQ(i->action()->action_id, "a");
  EXPECT_EQ(i->action()->type, "static_select");
  EXPECT_FALSE(i->action()->value.empty());  // the selected option's value
  EXPECT_EQ(i->user_id, "U12345678");
}

TEST(InteractionModelTest, ViewSubmissionFlattensStateByActionId) {
  auto i =
      ParseInteraction(Wrap("interactive", Fixture("payload_view_submission__bolt-python.json")));
  ASSERT_TRUE(i) << i.error().message;
  EXPECT_EQ(i->kind, InteractionKind::kViewSubmission);
  ASSERT_TRUE(i->view.has_value());
  EXPECT_EQ(i->view->id, "V111");
  EXPECT_EQ(i->view->callback_id, "view-id");
  EXPECT_EQ(i->callback_id, "view-id");
  EXPECT_EQ(i->view->private_metadata, "This is for you!");
  EXPECT_EQ(i->view->hash, "1596530361.3wRYuk3R");
  EXPECT_EQ(i->view->root_view_id, "V111");
  EXPECT_EQ(i->view->values.at("maBWU"), "test");
  EXPECT_EQ(i->view->block_ids.at("maBWU"), "hspI");
  EXPECT_EQ(i->user_id, "W111");
  EXPECT_EQ(i->trigger_id, "111.222.valid");
}

TEST(InteractionModelTest, ViewClosed) {
  auto i = ParseInteraction(Wrap("interactive", Fixture("payload_view_closed__bolt-python.json")));
  ASSERT_TRUE(i) << i.error().message;
  EXPECT_EQ(i->kind, InteractionKind::kViewClosed);
  EXPECT_EQ(i->callback_id, "view-id");
  EXPECT_TRUE(i->view->values.empty());
  EXPECT_FALSE(i->is_cleared);
}

TEST(InteractionModelTest, GlobalAndMessageShortcuts) {
  auto global = ParseInteraction(FromEnvelope("sm_interactive_shortcut__python-sdk.json"));
  ASSERT_TRUE(global);
  EXPECT_EQ(global->kind, InteractionKind::kGlobalShortcut);
  EXPECT_EQ(global->callback_id, "do-something");
  EXPECT_EQ(global->trigger_id, "111.222.xxx");
  EXPECT_TRUE(global->channel_id.empty());

  auto message =
      ParseInteraction(Wrap("interactive", Fixture("payload_message_action__bolt-python.json")));
  ASSERT_TRUE(message);
  EXPECT_EQ(message->kind, InteractionKind::kMessageShortcut);
  EXPECT_EQ(message->callback_id, "test-shortcut");
  EXPECT_EQ(message->channel_id, "C111");
  EXPECT_EQ(message->message_ts, "1583636382.000300");
  EXPECT_EQ(message->message_text, "<@W222> test");
  EXPECT_EQ(message->response_url, "https://hooks.slack.com/app/T111/111/xxx");
}

TEST(InteractionModelTest, Events) {
  auto mention = ParseInteraction(FromEnvelope("sm_events_api_app_mention__python-sdk.json"));
  ASSERT_TRUE(mention);
  EXPECT_EQ(mention->kind, InteractionKind::kEvent);
  EXPECT_EQ(mention->event->type, "app_mention");
  EXPECT_EQ(mention->event->text, "<@U111>");
  EXPECT_EQ(mention->event->ts, "1610241741.000200");
  EXPECT_EQ(mention->event->event_id, "Ev111");
  EXPECT_EQ(mention->user_id, "U222");
  EXPECT_EQ(mention->channel_id, "C111");
  EXPECT_TRUE(mention->thread_ts().empty());

  auto broadcast = ParseInteraction(
      Wrap("events_api", Fixture("payload_event_callback_thread_broadcast__bolt-python.json")));
  ASSERT_TRUE(broadcast);
  EXPECT_EQ(broadcast->event->subtype, "thread_broadcast");
  EXPECT_EQ(broadcast->thread_ts(), "1633663824.000500");

  json im = {{"type", "event_callback"},
             {"event_id", "Ev9"},
             {"event", Fixture("event_message_im_inner__java-sdk.json")}};
  auto dm = ParseInteraction(Wrap("events_api", im));
  ASSERT_TRUE(dm);
  EXPECT_EQ(dm->event->channel_type, "im");
  EXPECT_EQ(dm->channel_id, "D024BE91L");
}

TEST(InteractionModelTest, ABotMessageKeepsItsBotIdAndSubtype) {
  json payload = {{"type", "event_callback"},
                  {"event",
                   {{"type", "message"},
                    {"subtype", "bot_message"},
                    {"bot_id", "B1"},
                    {"text", "hi"},
                    {"channel", "C1"},
                    {"ts", "1.2"}}}};
  auto i = ParseInteraction(Wrap("events_api", payload));
  ASSERT_TRUE(i);
  EXPECT_EQ(i->event->bot_id, "B1");
  EXPECT_EQ(i->event->subtype, "bot_message");
}

TEST(InteractionModelTest, UnusableInputIsInvalidInputWithAReason) {
  struct Case {
    std::string type;
    json payload;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"interactive", nullptr, "no payload object"},
      {"interactive", json::array(), "no payload object"},
      {"slash_commands", {{"text", "x"}}, "no command"},
      {"interactive", {{"user", {{"id", "U1"}}}}, "no type"},
      {"interactive", {{"type", "dialog_submission"}}, "dialog_submission"},
      {"interactive", {{"type", "block_actions"}, {"actions", json::array()}}, "no actions"},
      {"interactive", {{"type", "block_actions"}, {"actions", "nope"}}, "no actions"},
      {"interactive", {{"type", "view_submission"}}, "no view"},
      {"interactive", {{"type", "shortcut"}}, "no callback_id"},
      {"events_api", {{"type", "url_verification"}}, "not event_callback"},
      {"events_api", {{"type", "event_callback"}, {"event", 7}}, "no event type"},
      {"hello", json::object(), "not one the bot handles"},
  };
  for (const auto& c : cases) {
    auto i = ParseInteraction(Wrap(c.type, c.payload));
    ASSERT_FALSE(i) << c.payload.dump();
    EXPECT_EQ(i.error().kind, core::ErrorKind::kInvalidInput);
    EXPECT_NE(i.error().message.find(c.reason), std::string::npos) << i.error().message;
  }
}

TEST(InteractionModelTest, FieldsOfTheWrongTypeAreTreatedAsAbsent) {
  json payload = {{"type", "block_actions"},
                  {"user", "not-an-object"},
                  {"channel", 5},
                  {"trigger_id", 12},
                  {"actions", json::array({{{"action_id", 3}, {"value", true}}, 9})}};
  auto i = ParseInteraction(Wrap("interactive", payload));
  ASSERT_TRUE(i);
  EXPECT_EQ(i->user_id, "not-an-object");
  EXPECT_TRUE(i->channel_id.empty());
  EXPECT_TRUE(i->trigger_id.empty());
  ASSERT_EQ(i->actions.size(), 1u);
  EXPECT_TRUE(i->action()->action_id.empty());
  EXPECT_TRUE(i->action()->value.empty());
}

TEST(InteractionModelTest, StateValuesOfEveryInputKind) {
  json values = {
      {"b1", {{"title", {{"type", "plain_text_input"}, {"value", "Crash"}}}}},
      {"b2",
       {{"prio",
         {{"type", "static_select"},
          {"selected_option",
           {{"text", {{"type", "plain_text"}, {"text", "High"}}}, {"value", "2"}}}}}}},
      {"b3", {{"due", {{"type", "datepicker"}, {"selected_date", "2026-01-31"}}}}},
      {"b4",
       {{"tags",
         {{"type", "multi_static_select"},
          {"selected_options", json::array({{{"value", "a"}}, {{"value", "b"}}})}}}}},
      {"b5", {{"who", {{"type", "multi_users_select"}, {"selected_users", {"U1", "U2"}}}}}},
      {"b6", {{"empty", {{"type", "plain_text_input"}, {"value", nullptr}}}}},
  };
  json payload = {{"type", "view_submission"},
                  {"view", {{"id", "V1"}, {"callback_id", "cb"}, {"state", {{"values", values}}}}}};
  auto i = ParseInteraction(Wrap("interactive", payload));
  ASSERT_TRUE(i);
  const auto& v = i->view->values;
  EXPECT_EQ(v.at("title"), "Crash");
  EXPECT_EQ(v.at("prio"), "2");
  EXPECT_EQ(v.at("due"), "2026-01-31");
  EXPECT_EQ(v.at("tags"), "a,b");
  EXPECT_EQ(v.at("who"), "U1,U2");
  EXPECT_FALSE(v.count("empty"));
  EXPECT_EQ(i->view->block_ids.at("empty"), "b6");
}

}  // namespace
}  // namespace contexten::integrations::slack
