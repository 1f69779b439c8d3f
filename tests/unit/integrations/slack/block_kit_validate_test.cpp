#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "integrations/slack/block_kit/validate.hpp"

namespace contexten::integrations::slack::blocks {
namespace {

using nlohmann::json;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;

json LoadFixture(const std::string& name) {
  const std::filesystem::path path =
      std::filesystem::path(CONTEXTEN_SHARED_DIR) / "contracts/slack/fixtures" / name;
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  return json::parse(in);
}

void ExpectValid(const json& payload, Surface surface) {
  const auto violations = FindViolations(payload, surface);
  for (const auto& v : violations) ADD_FAILURE() << v.message;
  EXPECT_TRUE(Validate(payload, surface).has_value());
}

TEST(BlockKitValidateTest, AcceptsViewsFromSlackFixtures) {
  ExpectValid(LoadFixture("payload_view_submission__bolt-python.json")["view"], Surface::kModal);
  ExpectValid(LoadFixture("payload_view_closed__bolt-python.json")["view"], Surface::kModal);
  // 10 option groups of 30 options whose text and value are exactly 75 characters.
  ExpectValid(
      LoadFixture(
          "sm_interactive_block_actions_large_modal_select__python-sdk.json")["payload"]["view"],
      Surface::kModal);
  ExpectValid(
      LoadFixture("docs_ack_view_submission_response_action_update.json")["payload"]["view"],
      Surface::kModal);
}

TEST(BlockKitValidateTest, AcceptsMessagesFromSlackFixtures) {
  ExpectValid(LoadFixture("docs_ack_slash_command_with_payload.json")["payload"],
              Surface::kMessage);
  ExpectValid(
      LoadFixture("sm_interactive_block_actions_message__java-sdk.json")["payload"]["message"],
      Surface::kMessage);
  // rich_text blocks (what users' messages carry) are accepted as-is.
  ExpectValid(LoadFixture("payload_event_callback_message__bolt-python.json")["event"]["blocks"],
              Surface::kMessage);
  ExpectValid(LoadFixture("payload_message_action__bolt-python.json")["message"]["blocks"],
              Surface::kMessage);
  ExpectValid(
      LoadFixture("sm_events_api_app_mention__python-sdk.json")["payload"]["event"]["blocks"],
      Surface::kMessage);
}

TEST(BlockKitValidateTest, FixtureMadeInvalidIsRefusedWithPath) {
  json view = LoadFixture(
      "sm_interactive_block_actions_large_modal_select__python-sdk.json")["payload"]["view"];
  view["blocks"][0]["elements"][0]["option_groups"][2]["options"][7]["value"] =
      std::string(151, 'a');
  const auto status = Validate(view, Surface::kModal);
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().kind, core::ErrorKind::kInvalidInput);
  EXPECT_EQ(status.error().message,
            "blocks[0].elements[0].option_groups[2].options[7].value is 151 characters; Slack "
            "allows 150");
}

TEST(BlockKitValidateTest, ReportsJsonPointerAndEveryViolation) {
  const json blocks = json::parse(R"([
    {"type": "header", "text": {"type": "mrkdwn", "text": "not plain"}},
    {"type": "section"},
    {"type": "actions", "elements": [{"type": "button", "action_id": "a"}]}
  ])");
  const auto violations = FindViolations(blocks, Surface::kMessage);
  ASSERT_EQ(violations.size(), 3u);
  EXPECT_EQ(violations[0].path, "blocks[0].text.type");
  EXPECT_EQ(violations[0].pointer, "/blocks/0/text/type");
  EXPECT_THAT(violations[0].message, HasSubstr("Slack requires plain_text"));
  EXPECT_EQ(violations[1].message, "blocks[1] needs text or fields");
  EXPECT_EQ(violations[2].message, "blocks[2].elements[0].text is missing");
  const auto status = Validate(blocks, Surface::kMessage);
  ASSERT_FALSE(status.has_value());
  EXPECT_THAT(status.error().message, HasSubstr("(and 2 more)"));
}

TEST(BlockKitValidateTest, BlockCountDependsOnSurface) {
  const json blocks(json::array_t(51, json{{"type", "divider"}}));
  EXPECT_FALSE(Validate(blocks, Surface::kMessage).has_value());
  EXPECT_TRUE(Validate(blocks, Surface::kModal).has_value());
  const json hundred_one(json::array_t(101, json{{"type", "divider"}}));
  EXPECT_FALSE(Validate(hundred_one, Surface::kHome).has_value());
}

TEST(BlockKitValidateTest, ViewTypeMustMatchSurface) {
  const json home = {{"type", "home"}, {"blocks", json::array()}};
  EXPECT_TRUE(Validate(home, Surface::kHome).has_value());
  const auto status = Validate(home, Surface::kModal);
  ASSERT_FALSE(status.has_value());
  EXPECT_THAT(status.error().message, HasSubstr("type is 'home'; expected 'modal'"));
}

TEST(BlockKitValidateTest, MessageNeedsTextOrBlocks) {
  EXPECT_FALSE(Validate(json::object(), Surface::kMessage).has_value());
  EXPECT_TRUE(Validate(json{{"text", "hi"}}, Surface::kMessage).has_value());
}

TEST(BlockKitValidateTest, SelectNeedsExactlyOneOfOptionsOrGroups) {
  const json select = json::parse(R"([{"type": "actions", "elements": [
    {"type": "static_select", "action_id": "s",
     "placeholder": {"type": "plain_text", "text": "Pick"}}]}])");
  const auto status = Validate(select, Surface::kMessage);
  ASSERT_FALSE(status.has_value());
  EXPECT_THAT(status.error().message,
              HasSubstr("blocks[0].elements[0] needs exactly one of options or option_groups"));
}

TEST(BlockKitValidateTest, UnknownBlocksOnlyHaveBlockIdChecked) {
  json video = {{"type", "video"}, {"block_id", std::string(256, 'b')}};
  const auto status = Validate(json::array({video}), Surface::kMessage);
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().message, "blocks[0].block_id is 256 characters; Slack allows 255");
  video["block_id"] = "v";
  EXPECT_TRUE(Validate(json::array({video}), Surface::kMessage).has_value());
}

// Found by fuzz/block_kit_validate_fuzzer (its input is in fuzz/regressions/): a modal without
// "submit" whose block "type" is an object made the submit check throw instead of report.
TEST(BlockKitValidateTest, ModalBlockTypeThatIsNotAStringIsReportedNotThrown) {
  json view = json::parse(R"({"type": "modal", "title": {"type": "plain_text", "text": "T"},
    "blocks": [{"type": {"type": "plain_text", "text": "x"}}]})");
  std::vector<Violation> violations;
  ASSERT_NO_THROW(violations = FindViolations(view, Surface::kModal));
  ASSERT_FALSE(violations.empty());
  EXPECT_THAT(violations.front().message, HasSubstr("blocks[0]"));
  // The check it broke still holds for the well-formed input block after it.
  view["blocks"].push_back(json::parse(R"({"type": "input", "block_id": "b",
    "label": {"type": "plain_text", "text": "L"},
    "element": {"type": "plain_text_input", "action_id": "a"}})"));
  ASSERT_NO_THROW(violations = FindViolations(view, Surface::kModal));
  EXPECT_THAT(violations, Contains(Field(&Violation::message, HasSubstr("submit is missing"))));
}

TEST(BlockKitValidateTest, RejectsNonJsonShapes) {
  EXPECT_FALSE(Validate(json("blocks"), Surface::kMessage).has_value());
  EXPECT_FALSE(Validate(json::array({42}), Surface::kMessage).has_value());
}

}  // namespace
}  // namespace contexten::integrations::slack::blocks
