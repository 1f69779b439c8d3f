#include "intents/slash_command.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace contexten::intents {
namespace {

using ::testing::ElementsAre;

TEST(TokenizeTest, QuotesGroupWords) {
  auto words = Tokenize("PING now 'two words' \"three more words\"");
  ASSERT_TRUE(words);
  EXPECT_THAT(*words, ElementsAre("PING", "now", "two words", "three more words"));
}

TEST(TokenizeTest, TypographicQuotesGroupWords) {
  auto words = Tokenize("\u201cLogin fails\u201d \u2018on Safari\u2019");
  ASSERT_TRUE(words);
  EXPECT_THAT(*words, ElementsAre("Login fails", "on Safari"));
}

TEST(TokenizeTest, ApostrophesInProseAreText) {
  auto words = Tokenize("can't log in, users' sessions 'tis odd don\u2019t");
  ASSERT_TRUE(words);
  EXPECT_THAT(*words, ElementsAre("can't", "log", "in,", "users'", "sessions", "'tis", "odd",
                                  "don\u2019t"));
}

TEST(TokenizeTest, QuoteClosesOnlyAtTheEndOfAWord) {
  auto words = Tokenize("'it's broken' now");
  ASSERT_TRUE(words);
  EXPECT_THAT(*words, ElementsAre("it's broken", "now"));
}

TEST(TokenizeTest, UnmatchedDoubleQuoteIsAnError) {
  auto words = Tokenize("ping \"oops");
  ASSERT_FALSE(words);
  EXPECT_EQ(words.error().kind, core::ErrorKind::kInvalidInput);
  EXPECT_FALSE(Tokenize("ping \u201coops"));
}

TEST(SplitWordsTest, MarksQuotedWords) {
  auto words = SplitWords("a \"b c\"");
  ASSERT_TRUE(words);
  ASSERT_EQ(words->size(), 2u);
  EXPECT_FALSE((*words)[0].quoted);
  EXPECT_TRUE((*words)[1].quoted);
}

TEST(SuggestCommandsTest, ClosestFirstAndPrefixes) {
  EXPECT_THAT(SuggestCommands("pnig"), ElementsAre("ping"));
  EXPECT_THAT(SuggestCommands("iss"), ElementsAre("issue"));
  EXPECT_TRUE(SuggestCommands("deploy-the-moon").empty());
}

TEST(CommandsTest, HelpListsEveryCommand) {
  std::vector<std::string> names;
  for (const auto& c : Commands()) {
    EXPECT_FALSE(c.summary.empty()) << c.name;
    EXPECT_TRUE(c.usage.starts_with(c.name)) << c.name;
    names.push_back(c.name);
  }
  EXPECT_THAT(names, ElementsAre("help", "ping", "new", "issue", "status", "retry"));
}

}  // namespace
}  // namespace contexten::intents
