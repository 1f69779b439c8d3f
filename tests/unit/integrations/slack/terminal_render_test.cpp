#include "integrations/slack/block_kit/terminal_render.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "integrations/slack/block_kit/blocks.hpp"
#include "integrations/slack/block_kit/message.hpp"
#include "integrations/slack/block_kit/modal.hpp"

namespace contexten::integrations::slack::blocks {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(StripMrkdwnTest, DropsFormattingMarkersButKeepsIntraWordUnderscores) {
  EXPECT_EQ(StripMrkdwn("*bold* _italic_ ~gone~ snake_case 2 * 3"),
            "bold italic gone snake_case 2 * 3");
}

TEST(StripMrkdwnTest, RendersLinksMentionsAndEntities) {
  EXPECT_EQ(StripMrkdwn("<https://x.dev/pr/1|PR #1> by <@U123> in <#C9|eng> <!here>"),
            "PR #1 (https://x.dev/pr/1) by @U123 in #eng @here");
  EXPECT_EQ(StripMrkdwn("a &lt;b&gt; &amp; c"), "a <b> & c");
}

TEST(TerminalRenderTest, RendersMessageBlocks) {
  auto built = Message()
                   .Text("fallback")
                   .Add(Header("ENG-123: Login crash"))
                   .Add(Section::Markdown("*Crash* on login")
                            .AddField(Mrkdwn("*Status*"))
                            .AddField(PlainText("Todo"))
                            .AddField(Mrkdwn("*Priority*"))
                            .AddField(PlainText("P1")))
                   .Add(Context().AddText(Mrkdwn("filed by <@U1>")))
                   .Add(Divider())
                   .Add(Actions()
                            .Add(Button("Assign to me", "assign"))
                            .Add(StaticSelect("Priority", "p").AddOption(Option("Urgent", "1"))))
                   .Build();
  ASSERT_TRUE(built.has_value()) << built.error().message;
  const std::string out = RenderForTerminal(built.value(), {.ansi = false, .width = 20});
  EXPECT_EQ(out,
            "== ENG-123: Login crash ==\n"
            "Crash on login\n"
            "Status    Todo\n"
            "Priority  P1\n"
            "(filed by @U1)\n"
            "--------------------\n"
            "[Assign to me] [Priority v]\n");
}

TEST(TerminalRenderTest, RendersModalWithInputsAndFooter) {
  auto built = Modal("Create issue")
                   .Submit("Create")
                   .Close("Cancel")
                   .Add(Input("Title", PlainTextInput("t")))
                   .Add(Input("Due", DatePicker("d").InitialDate("2024-05-01"))
                            .Optional()
                            .Hint("Leave empty for none"))
                   .Build();
  ASSERT_TRUE(built.has_value()) << built.error().message;
  const std::string out = RenderForTerminal(built.value(), {.ansi = false, .width = 10});
  EXPECT_EQ(out,
            "==========\n"
            "Create issue\n"
            "==========\n"
            "Title: ______\n"
            "Due (optional): [2024-05-01 v]\n"
            "  (Leave empty for none)\n"
            "----------\n"
            "[Cancel] [Create]\n");
}

TEST(TerminalRenderTest, RendersPlainTextMessageAndRichText) {
  EXPECT_EQ(RenderForTerminal(json{{"text", "hello *world*"}}), "hello world\n");
  const json rich = json::parse(R"([{"type": "rich_text", "elements": [
    {"type": "rich_text_section", "elements": [
      {"type": "user", "user_id": "U222"}, {"type": "text", "text": " test"}]}]}])");
  EXPECT_EQ(RenderForTerminal(rich), "@U222 test\n");
}

TEST(TerminalRenderTest, AnsiIsOptIn) {
  const json blocks = json::array({Header("Title").ToJson()});
  EXPECT_THAT(RenderForTerminal(blocks), Not(HasSubstr("\x1b[")));
  EXPECT_THAT(RenderForTerminal(blocks, {.ansi = true}), HasSubstr("\x1b[1m== Title ==\x1b[0m"));
}

TEST(TerminalRenderTest, UnknownBlockIsNamed) {
  EXPECT_EQ(RenderForTerminal(json::array({json{{"type", "video"}}})), "[video block]\n");
}

}  // namespace
}  // namespace contexten::integrations::slack::blocks
