#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "integrations/slack/block_kit/blocks.hpp"
#include "integrations/slack/block_kit/elements.hpp"
#include "integrations/slack/block_kit/limits.hpp"
#include "integrations/slack/block_kit/message.hpp"
#include "integrations/slack/block_kit/modal.hpp"

namespace contexten::integrations::slack::blocks {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// `n` characters, each a 4-byte emoji, so that byte-counting bugs would show.
std::string Emoji(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += "\U0001F680";
  return out;
}

std::string Chars(std::size_t n) { return std::string(n, 'x'); }

void ExpectRefused(const core::Result<json>& built, const std::string& message_part) {
  ASSERT_FALSE(built.has_value()) << built.value().dump();
  EXPECT_EQ(built.error().kind, core::ErrorKind::kInvalidInput);
  EXPECT_THAT(built.error().message, HasSubstr(message_part));
}

core::Result<json> MessageWith(Block block) {
  return Message().Text("fallback").Add(block).Build();
}

TEST(BlockKitBuildersTest, MessageHasSlackWireShape) {
  auto built = Message()
                   .Text("ENG-123 filed")
                   .Add(Header("ENG-123: Login crash"))
                   .Add(Section::Markdown("*Login crash* in _auth_")
                            .AddField(Mrkdwn("*Status*\nTodo"))
                            .AddField(PlainText("P1"))
                            .Accessory(Button("Open", "open_issue").Url("https://linear.app/x")))
                   .Add(Divider())
                   .Add(Context().AddText(Mrkdwn("filed by <@U1>")))
                   .Add(Actions()
                            .Add(Button("Assign to me", "assign")
                                     .Value("ENG-123")
                                     .Style(ButtonStyle::kPrimary))
                            .Add(StaticSelect("Priority", "priority")
                                     .AddOption(Option("Urgent", "1"))
                                     .AddOption(Option("Low", "4")))
                            .Add(Overflow("more")
                                     .AddOption(Option("Close", "close"))
                                     .AddOption(Option("Open in Linear", "web").Url("https://x")))
                            .Add(DatePicker("due").InitialDate("2024-02-29")))
                   .Build();
  ASSERT_TRUE(built.has_value()) << built.error().message;
  const json& m = built.value();
  EXPECT_EQ(m["text"], "ENG-123 filed");
  ASSERT_EQ(m["blocks"].size(), 5u);
  EXPECT_EQ(m["blocks"][0],
            (json{{"type", "header"},
                  {"text",
                   {{"type", "plain_text"}, {"text", "ENG-123: Login crash"}, {"emoji", true}}}}));
  EXPECT_EQ(m["blocks"][1]["text"],
            (json{{"type", "mrkdwn"}, {"text", "*Login crash* in _auth_"}}));
  EXPECT_EQ(m["blocks"][1]["fields"].size(), 2u);
  EXPECT_EQ(m["blocks"][1]["accessory"]["type"], "button");
  EXPECT_EQ(m["blocks"][1]["accessory"]["url"], "https://linear.app/x");
  EXPECT_EQ(m["blocks"][2], (json{{"type", "divider"}}));
  EXPECT_EQ(m["blocks"][3]["elements"][0]["type"], "mrkdwn");
  const json& actions = m["blocks"][4]["elements"];
  EXPECT_EQ(actions[0],
            (json{{"type", "button"},
                  {"text", {{"type", "plain_text"}, {"text", "Assign to me"}, {"emoji", true}}},
                  {"action_id", "assign"},
                  {"value", "ENG-123"},
                  {"style", "primary"}}));
  EXPECT_EQ(actions[1]["type"], "static_select");
  EXPECT_EQ(actions[1]["options"][1]["value"], "4");
  EXPECT_EQ(actions[2]["options"][1]["url"], "https://x");
  EXPECT_EQ(actions[3]["initial_date"], "2024-02-29");
}

TEST(BlockKitBuildersTest, ModalHasSlackWireShape) {
  auto built =
      Modal("Create issue")
          .Submit("Create")
          .Close("Cancel")
          .CallbackId("create_issue")
          .PrivateMetadata(R"({"channel":"C1"})")
          .Add(Input("Title", PlainTextInput("title").Placeholder("Short summary").MaxLength(255))
                   .BlockId("title_block")
                   .Hint("Keep it short"))
          .Add(Input("Description", PlainTextInput("desc").Multiline()).Optional())
          .Build();
  ASSERT_TRUE(built.has_value()) << built.error().message;
  const json& v = built.value();
  EXPECT_EQ(v["type"], "modal");
  EXPECT_EQ(v["title"]["text"], "Create issue");
  EXPECT_EQ(v["submit"]["type"], "plain_text");
  EXPECT_EQ(v["callback_id"], "create_issue");
  EXPECT_EQ(v["blocks"][0]["block_id"], "title_block");
  EXPECT_EQ(v["blocks"][0]["element"]["max_length"], 255);
  EXPECT_EQ(v["blocks"][0]["hint"]["text"], "Keep it short");
  EXPECT_EQ(v["blocks"][1]["optional"], true);
  EXPECT_EQ(v["blocks"][1]["element"]["multiline"], true);
}

TEST(BlockKitBuildersTest, MessageBlockCount) {
  Message ok;
  for (std::size_t i = 0; i < limits::kMessageBlocks; ++i) ok.Add(Divider());
  EXPECT_TRUE(ok.Build().has_value());
  ok.Add(Divider());
  ExpectRefused(ok.Build(), "blocks has 51 blocks; Slack allows 50 in a message");
}

TEST(BlockKitBuildersTest, ModalAndHomeBlockCount) {
  Modal modal("Title");
  HomeView home;
  for (std::size_t i = 0; i < limits::kModalBlocks; ++i) {
    modal.Add(Divider());
    home.Add(Divider());
  }
  EXPECT_TRUE(modal.Build().has_value());
  EXPECT_TRUE(home.Build().has_value());
  modal.Add(Divider());
  home.Add(Divider());
  ExpectRefused(modal.Build(), "blocks has 101 blocks; Slack allows 100 in a modal");
  ExpectRefused(home.Build(), "blocks has 101 blocks; Slack allows 100 in a home tab");
}

TEST(BlockKitBuildersTest, SectionTextCountsCharactersNotBytes) {
  EXPECT_TRUE(MessageWith(Section(PlainText(Emoji(3000)))).has_value());
  ExpectRefused(MessageWith(Section(PlainText(Emoji(3001)))),
                "blocks[0].text.text is 3001 characters; Slack allows 3000");
}

TEST(BlockKitBuildersTest, ErrorNamesTheBlockIndex) {
  Message m;
  m.Text("t").Add(Divider()).Add(Divider()).Add(Divider()).Add(Section::Markdown(Chars(3012)));
  ExpectRefused(m.Build(), "blocks[3].text.text is 3012 characters; Slack allows 3000");
}

TEST(BlockKitBuildersTest, SectionFields) {
  Section ten = Section::Markdown("t");
  for (int i = 0; i < 10; ++i) ten.AddField(Mrkdwn(Chars(2000)));
  EXPECT_TRUE(MessageWith(ten).has_value());
  Section eleven = ten;
  eleven.AddField(Mrkdwn("x"));
  ExpectRefused(MessageWith(eleven), "blocks[0].fields has 11 fields; Slack allows 10");
  ExpectRefused(MessageWith(Section().AddField(Mrkdwn(Chars(2001)))),
                "blocks[0].fields[0].text is 2001 characters; Slack allows 2000");
}

TEST(BlockKitBuildersTest, HeaderText) {
  EXPECT_TRUE(MessageWith(Header(Chars(150))).has_value());
  ExpectRefused(MessageWith(Header(Chars(151))), "blocks[0].text.text is 151 characters");
}

TEST(BlockKitBuildersTest, ContextElements) {
  Context ten;
  for (int i = 0; i < 10; ++i) ten.AddText(PlainText("x"));
  EXPECT_TRUE(MessageWith(ten).has_value());
  ten.AddImage("https://x/y.png", "alt");
  ExpectRefused(MessageWith(ten), "blocks[0].elements has 11 elements; Slack allows 10");
}

TEST(BlockKitBuildersTest, ActionsElements) {
  Actions many;
  for (int i = 0; i < 25; ++i) many.Add(Button("b", "a" + std::to_string(i)));
  EXPECT_TRUE(MessageWith(many).has_value());
  many.Add(Button("b", "last"));
  ExpectRefused(MessageWith(many), "blocks[0].elements has 26 elements; Slack allows 25");
  ExpectRefused(MessageWith(Actions()), "blocks[0].elements has 0 elements");
}

TEST(BlockKitBuildersTest, ButtonLimits) {
  const auto in_actions = [](Button b) { return MessageWith(Actions().Add(b)); };
  EXPECT_TRUE(in_actions(Button(Chars(75), "a").Value(Chars(2000)).Url(Chars(3000))).has_value());
  ExpectRefused(in_actions(Button(Chars(76), "a")),
                "blocks[0].elements[0].text.text is 76 characters; Slack allows 75");
  ExpectRefused(in_actions(Button("b", "a").Value(Chars(2001))),
                "blocks[0].elements[0].value is 2001 characters; Slack allows 2000");
  ExpectRefused(in_actions(Button("b", "a").Url(Chars(3001))),
                "blocks[0].elements[0].url is 3001 characters; Slack allows 3000");
  EXPECT_TRUE(in_actions(Button("b", Chars(255))).has_value());
  ExpectRefused(in_actions(Button("b", Chars(256))),
                "blocks[0].elements[0].action_id is 256 characters; Slack allows 255");
}

TEST(BlockKitBuildersTest, BlockId) {
  EXPECT_TRUE(MessageWith(Divider().BlockId(Chars(255))).has_value());
  ExpectRefused(MessageWith(Divider().BlockId(Chars(256))),
                "blocks[0].block_id is 256 characters; Slack allows 255");
}

TEST(BlockKitBuildersTest, StaticSelectLimits) {
  StaticSelect hundred("Pick", "pick");
  for (int i = 0; i < 100; ++i) hundred.AddOption(Option(Chars(75), Chars(150)));
  EXPECT_TRUE(MessageWith(Actions().Add(hundred)).has_value());
  StaticSelect too_many = hundred;
  too_many.AddOption(Option("x", "y"));
  ExpectRefused(MessageWith(Actions().Add(too_many)),
                "blocks[0].elements[0].options has 101 options; Slack allows 100");
  ExpectRefused(
      MessageWith(Actions().Add(StaticSelect("Pick", "p").AddOption(Option(Chars(76), "v")))),
      "blocks[0].elements[0].options[0].text.text is 76 characters; Slack allows 75");
  ExpectRefused(
      MessageWith(Actions().Add(StaticSelect("Pick", "p").AddOption(Option("t", Chars(151))))),
      "blocks[0].elements[0].options[0].value is 151 characters; Slack allows 150");
  EXPECT_TRUE(MessageWith(Actions().Add(StaticSelect(Chars(150), "p").AddOption(Option("t", "v"))))
                  .has_value());
  ExpectRefused(
      MessageWith(Actions().Add(StaticSelect(Chars(151), "p").AddOption(Option("t", "v")))),
      "blocks[0].elements[0].placeholder.text is 151 characters; Slack allows 150");
}

TEST(BlockKitBuildersTest, OverflowNeedsTwoToFiveOptions) {
  const auto overflow = [](int n) {
    Overflow o("more");
    for (int i = 0; i < n; ++i) o.AddOption(Option("o", std::to_string(i)));
    return MessageWith(Section::Markdown("t").Accessory(o));
  };
  ExpectRefused(overflow(1), "blocks[0].accessory.options has 1 option; Slack requires at least 2");
  EXPECT_TRUE(overflow(2).has_value());
  EXPECT_TRUE(overflow(5).has_value());
  ExpectRefused(overflow(6), "blocks[0].accessory.options has 6 options; Slack allows 5");
}

TEST(BlockKitBuildersTest, PlainTextInputLimits) {
  const auto modal = [](PlainTextInput input) {
    return Modal("T").Submit("OK").Add(Input("Label", input)).Build();
  };
  EXPECT_TRUE(modal(PlainTextInput("a")
                        .Placeholder(Chars(150))
                        .InitialValue(Emoji(3000))
                        .MinLength(3000)
                        .MaxLength(3000))
                  .has_value());
  ExpectRefused(modal(PlainTextInput("a").Placeholder(Chars(151))),
                "blocks[0].element.placeholder.text is 151 characters; Slack allows 150");
  ExpectRefused(modal(PlainTextInput("a").InitialValue(Chars(3001))),
                "blocks[0].element.initial_value is 3001 characters; Slack allows 3000");
  ExpectRefused(modal(PlainTextInput("a").MaxLength(3001)),
                "blocks[0].element.max_length is 3001; Slack allows 1 to 3000");
  ExpectRefused(modal(PlainTextInput("a").MinLength(3001)),
                "blocks[0].element.min_length is 3001; Slack allows 0 to 3000");
  ExpectRefused(modal(PlainTextInput("a").MinLength(10).MaxLength(5)),
                "blocks[0].element.min_length is 10; it must not exceed max_length 5");
}

TEST(BlockKitBuildersTest, InputLabelAndHint) {
  const auto modal = [](Input input) { return Modal("T").Submit("OK").Add(input).Build(); };
  EXPECT_TRUE(modal(Input(Chars(2000), PlainTextInput("a")).Hint(Chars(2000))).has_value());
  ExpectRefused(modal(Input(Chars(2001), PlainTextInput("a"))),
                "blocks[0].label.text is 2001 characters; Slack allows 2000");
  ExpectRefused(modal(Input("L", PlainTextInput("a")).Hint(Chars(2001))),
                "blocks[0].hint.text is 2001 characters; Slack allows 2000");
}

TEST(BlockKitBuildersTest, DatePickerNeedsIsoDate) {
  const auto with_date = [](std::string date) {
    return MessageWith(Actions().Add(DatePicker("d").InitialDate(std::move(date))));
  };
  EXPECT_TRUE(with_date("2024-02-29").has_value());
  ExpectRefused(with_date("2023-02-29"), "blocks[0].elements[0].initial_date is \"2023-02-29\"");
  ExpectRefused(with_date("2024-13-01"), "Slack requires a YYYY-MM-DD date");
  ExpectRefused(with_date("29/02/2024"), "Slack requires a YYYY-MM-DD date");
}

TEST(BlockKitBuildersTest, ModalTitleSubmitCloseAndMetadata) {
  EXPECT_TRUE(Modal(Chars(24)).Submit(Chars(24)).Close(Chars(24)).Build().has_value());
  ExpectRefused(Modal(Chars(25)).Build(), "title.text is 25 characters; Slack allows 24");
  ExpectRefused(Modal("T").Submit(Chars(25)).Build(), "submit.text is 25 characters");
  ExpectRefused(Modal("T").Close(Chars(25)).Build(), "close.text is 25 characters");
  EXPECT_TRUE(Modal("T").PrivateMetadata(Chars(3000)).CallbackId(Chars(255)).Build().has_value());
  ExpectRefused(Modal("T").PrivateMetadata(Chars(3001)).Build(),
                "private_metadata is 3001 characters; Slack allows 3000");
  ExpectRefused(Modal("T").CallbackId(Chars(256)).Build(),
                "callback_id is 256 characters; Slack allows 255");
}

TEST(BlockKitBuildersTest, ModalWithInputNeedsSubmit) {
  ExpectRefused(Modal("T").Add(Input("L", PlainTextInput("a"))).Build(), "submit is missing");
}

TEST(BlockKitBuildersTest, MessageTextLimit) {
  EXPECT_TRUE(Message().Text(Emoji(40000)).Build().has_value());
  ExpectRefused(Message().Text(Chars(40001)).Build(),
                "text is 40001 characters; Slack allows 40000");
}

TEST(BlockKitBuildersTest, ConfirmDialogLimits) {
  const auto with_confirm = [](ConfirmDialog c) {
    return MessageWith(Actions().Add(Button("Deploy", "deploy").Confirm(c)));
  };
  EXPECT_TRUE(with_confirm(ConfirmDialog(Chars(100), PlainText(Chars(300)), Chars(30), Chars(30))
                               .Style(ButtonStyle::kDanger))
                  .has_value());
  ExpectRefused(with_confirm(ConfirmDialog(Chars(101), PlainText("t"), "y", "n")),
                "blocks[0].elements[0].confirm.title.text is 101 characters; Slack allows 100");
  ExpectRefused(with_confirm(ConfirmDialog("t", PlainText(Chars(301)), "y", "n")),
                "blocks[0].elements[0].confirm.text.text is 301 characters; Slack allows 300");
  ExpectRefused(with_confirm(ConfirmDialog("t", PlainText("t"), Chars(31), "n")),
                "confirm.confirm.text is 31 characters; Slack allows 30");
}

TEST(BlockKitBuildersTest, EmptyTextIsRefused) {
  ExpectRefused(MessageWith(Header("")),
                "blocks[0].text.text is empty; Slack requires at least 1 character");
}

}  // namespace
}  // namespace contexten::integrations::slack::blocks
