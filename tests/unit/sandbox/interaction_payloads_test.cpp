#include "sandbox/slack/interaction_payloads.hpp"

#include <gtest/gtest.h>

namespace contexten::sandbox {
namespace {

using nlohmann::json;

json Text(const std::string& t) { return {{"type", "plain_text"}, {"text", t}}; }

json MessageBlocks() {
  return json::array(
      {{{"type", "section"},
        {"block_id", "sec"},
        {"text", {{"type", "mrkdwn"}, {"text", "Issue ENG-1"}}},
        {"accessory",
         {{"type", "overflow"},
          {"action_id", "more"},
          {"options", json::array({{{"text", Text("Snooze")}, {"value", "snooze"}},
                                   {{"text", Text("Close")}, {"value", "close"}}})}}}},
       {{"type", "actions"},
        {"block_id", "act"},
        {"elements",
         json::array({{{"type", "button"},
                       {"action_id", "assign_me"},
                       {"text", Text("Assign to me")},
                       {"value", "ENG-1"},
                       {"style", "primary"}},
                      {{"type", "static_select"},
                       {"action_id", "priority"},
                       {"placeholder", Text("Priority")},
                       {"options", json::array({{{"text", Text("High")}, {"value", "1"}},
                                                {{"text", Text("Low")}, {"value", "4"}}})}}})}}});
}

TEST(InteractionPayloadsTest, FindsAButtonByLabelOrActionId) {
  auto by_label = FindClickTarget(MessageBlocks(), "Assign to me", "1.2");
  ASSERT_TRUE(by_label);
  EXPECT_EQ(by_label->block_id, "act");
  EXPECT_EQ(by_label->action["type"], "button");
  EXPECT_EQ(by_label->action["action_id"], "assign_me");
  EXPECT_EQ(by_label->action["block_id"], "act");
  EXPECT_EQ(by_label->action["value"], "ENG-1");
  EXPECT_EQ(by_label->action["text"]["text"], "Assign to me");
  EXPECT_EQ(by_label->action["action_ts"], "1.2");
  auto by_id = FindClickTarget(MessageBlocks(), "assign_me", "1.2");
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->action["value"], "ENG-1");
}

TEST(InteractionPayloadsTest, FindsOverflowAndSelectOptionsByText) {
  auto overflow = FindClickTarget(MessageBlocks(), "Close", "1.2");
  ASSERT_TRUE(overflow);
  EXPECT_EQ(overflow->action["type"], "overflow");
  EXPECT_EQ(overflow->action["action_id"], "more");
  EXPECT_EQ(overflow->action["selected_option"]["value"], "close");
  auto select = FindClickTarget(MessageBlocks(), "Low", "1.2");
  ASSERT_TRUE(select);
  EXPECT_EQ(select->action["type"], "static_select");
  EXPECT_EQ(select->action["selected_option"]["value"], "4");
  EXPECT_FALSE(FindClickTarget(MessageBlocks(), "Nope", "1.2"));
  EXPECT_FALSE(FindClickTarget(json(), "Close", "1.2"));
}

json ModalView() {
  return {{"id", "V1"},
          {"blocks",
           json::array({{{"type", "input"},
                         {"block_id", "title_block"},
                         {"label", Text("Title")},
                         {"element", {{"type", "plain_text_input"}, {"action_id", "title"}}}},
                        {{"type", "input"},
                         {"block_id", "prio_block"},
                         {"label", Text("Priority")},
                         {"element",
                          {{"type", "static_select"},
                           {"action_id", "prio"},
                           {"options", json::array({{{"text", Text("High")}, {"value", "1"}},
                                                    {{"text", Text("Low")}, {"value", "4"}}})}}}},
                        {{"type", "input"},
                         {"block_id", "due_block"},
                         {"optional", true},
                         {"label", Text("Due")},
                         {"element", {{"type", "datepicker"}, {"action_id", "due"}}}}})}};
}

TEST(InteractionPayloadsTest, StateValuesTakeEachElementsShape) {
  auto state = BuildStateValues(
      ModalView(), {{"title", "Fix login"}, {"prio_block", "Low"}, {"due", "2026-12-01"}});
  ASSERT_TRUE(state) << state.error().message;
  EXPECT_EQ((*state)["title_block"]["title"],
            (json{{"type", "plain_text_input"}, {"value", "Fix login"}}));
  EXPECT_EQ((*state)["prio_block"]["prio"]["type"], "static_select");
  EXPECT_EQ((*state)["prio_block"]["prio"]["selected_option"]["value"], "4");
  EXPECT_EQ((*state)["due_block"]["due"],
            (json{{"type", "datepicker"}, {"selected_date", "2026-12-01"}}));
}

TEST(InteractionPayloadsTest, UnsetOptionalInputsAreNull) {
  auto state = BuildStateValues(ModalView(), {{"title", "x"}, {"prio", "1"}});
  ASSERT_TRUE(state) << state.error().message;
  EXPECT_TRUE((*state)["due_block"]["due"]["selected_date"].is_null());
}

TEST(InteractionPayloadsTest, RefusesWhatSlacksClientWouldNotSubmit) {
  auto missing = BuildStateValues(ModalView(), {{"title", "x"}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, core::ErrorKind::kInvalidInput);
  EXPECT_NE(missing.error().message.find("prio_block"), std::string::npos);
  auto bad_option = BuildStateValues(ModalView(), {{"title", "x"}, {"prio", "Medium"}});
  ASSERT_FALSE(bad_option);
  EXPECT_NE(bad_option.error().message.find("Medium"), std::string::npos);
  auto unknown = BuildStateValues(ModalView(), {{"title", "x"}, {"prio", "1"}, {"nope", "y"}});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, core::ErrorKind::kNotFound);
}

}  // namespace
}  // namespace contexten::sandbox
