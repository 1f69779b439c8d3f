#include "intents/slash_command.hpp"

#include <gtest/gtest.h>

namespace contexten::intents {
namespace {

TEST(SlashCommandTest, EmptyTextMeansHelp) {
  auto intent = ParseSlashCommand("   ");
  ASSERT_TRUE(intent);
  EXPECT_EQ(intent->name, "help");
}

TEST(SlashCommandTest, CommandsAreCaseInsensitiveAndKeepArgs) {
  auto intent = ParseSlashCommand("PING now 'two words'");
  ASSERT_TRUE(intent);
  EXPECT_EQ(intent->name, "ping");
  ASSERT_EQ(intent->args.size(), 2u);
  EXPECT_EQ(intent->args[1], "two words");
}

TEST(SlashCommandTest, UnknownCommandSuggestsTheClosest) {
  auto intent = ParseSlashCommand("pnig");
  ASSERT_FALSE(intent);
  EXPECT_EQ(intent.error().kind, core::ErrorKind::kInvalidInput);
  EXPECT_NE(intent.error().message.find("Did you mean `ping`"), std::string::npos)
      << intent.error().message;
}

TEST(SlashCommandTest, FarOffWordGetsNoSuggestion) {
  auto intent = ParseSlashCommand("deploy-the-moon");
  ASSERT_FALSE(intent);
  EXPECT_EQ(intent.error().message.find("Did you mean"), std::string::npos);
}

TEST(SlashCommandTest, UnmatchedQuoteIsAnError) {
  EXPECT_FALSE(Tokenize("ping \"oops"));
}

TEST(SlashCommandTest, HelpListsEveryCommand) {
  EXPECT_GE(Commands().size(), 2u);
  for (const auto& c : Commands()) EXPECT_FALSE(c.summary.empty()) << c.name;
}

}  // namespace
}  // namespace contexten::intents
