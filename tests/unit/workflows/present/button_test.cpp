#include "workflows/present/button.hpp"

#include <gtest/gtest.h>

#include <string>

#include "integrations/slack/block_kit/truncate.hpp"

namespace contexten::workflows::present {
namespace {

TEST(ButtonJsonTest, HasSlacksButtonShape) {
  const auto b = ButtonJson("Close ENG-1", "intent_yes", "run-1", ButtonStyle::kDanger);
  EXPECT_EQ(b["type"], "button");
  EXPECT_EQ(b["text"]["type"], "plain_text");
  EXPECT_EQ(b["text"]["text"], "Close ENG-1");
  EXPECT_EQ(b["action_id"], "intent_yes");
  EXPECT_EQ(b["value"], "run-1");
  EXPECT_EQ(b["style"], "danger");
}

TEST(ButtonJsonTest, DefaultStyleSendsNoStyle) {
  EXPECT_FALSE(ButtonJson("Cancel", "no", "run-1").contains("style"));
  EXPECT_EQ(ButtonJson("Go", "go", "r", ButtonStyle::kPrimary)["style"], "primary");
}

TEST(ButtonJsonTest, CutsLabelAndValueToSlacksLimitsOnCharacterBoundaries) {
  std::string label;
  for (int i = 0; i < 80; ++i) label += "é";  // two bytes each: a byte cut would split one
  const auto b = ButtonJson(label, "a", std::string(2500, 'v'));
  const std::string text = b["text"]["text"];
  EXPECT_LE(integrations::slack::blocks::CountChars(text), 75u);
  EXPECT_TRUE(nlohmann::json::accept(nlohmann::json(text).dump()));
  EXPECT_EQ(b["value"].get<std::string>().size(), 2000u);
}

}  // namespace
}  // namespace contexten::workflows::present
