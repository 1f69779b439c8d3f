#include "intents/intent.hpp"

#include <gtest/gtest.h>

namespace contexten::intents {
namespace {

Intent Parse(std::string_view text) {
  auto intent = ParseSlashCommand(text);
  EXPECT_TRUE(intent) << text << ": " << intent.error().message;
  return intent ? *intent : Intent{UnknownIntent{"<parse failed>", ""}};
}

CreateIssueIntent Create(std::string_view text) {
  const Intent intent = Parse(text);
  EXPECT_TRUE(std::holds_alternative<CreateIssueIntent>(intent))
      << text << " gave " << IntentName(intent);
  const auto* create = std::get_if<CreateIssueIntent>(&intent);
  return create ? *create : CreateIssueIntent{};
}

std::string ErrorOf(std::string_view text) {
  auto intent = ParseSlashCommand(text);
  EXPECT_FALSE(intent) << text << " parsed as " << (intent ? IntentName(*intent) : "");
  if (intent) return "";
  EXPECT_EQ(intent.error().kind, core::ErrorKind::kInvalidInput);
  return intent.error().message;
}

bool Contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(IntentNameTest, EveryAlternativeHasAName) {
  EXPECT_EQ(IntentName(HelpIntent{}), "help");
  EXPECT_EQ(IntentName(PingIntent{}), "ping");
  EXPECT_EQ(IntentName(NewIssueFormIntent{}), "new_issue_form");
  EXPECT_EQ(IntentName(CreateIssueIntent{}), "create_issue");
  EXPECT_EQ(IntentName(StatusIntent{}), "status");
  EXPECT_EQ(IntentName(RetryIntent{}), "retry");
  EXPECT_EQ(IntentName(UnknownIntent{}), "unknown");
}

TEST(ParseSlashCommandTest, StatusAndRetryNameWhatTheyTake) {
  EXPECT_EQ(Parse("status"), Intent{StatusIntent{}});
  EXPECT_EQ(Parse("retry all"), Intent{RetryIntent{}});
  EXPECT_EQ(Parse("retry ALL"), Intent{RetryIntent{}});
  EXPECT_EQ(Parse("retry 42"), Intent{RetryIntent{42}});
  EXPECT_TRUE(Contains(ErrorOf("retry"), "retry all"));
  EXPECT_TRUE(Contains(ErrorOf("retry -3"), "retry <effect id>"));
  EXPECT_TRUE(Contains(ErrorOf("retry 99999999999999999999"), "retry <effect id>"));
}

TEST(ParseSlashCommandTest, EmptyTextMeansHelp) {
  EXPECT_EQ(Parse(""), Intent{HelpIntent{}});
  EXPECT_EQ(Parse("   "), Intent{HelpIntent{}});
}

TEST(ParseSlashCommandTest, HelpPingAndNewKeepWorkingInAnyCase) {
  EXPECT_EQ(Parse("help"), Intent{HelpIntent{}});
  EXPECT_EQ(Parse("HELP Issue"), Intent{HelpIntent{"issue"}});
  EXPECT_EQ(Parse("PING now"), Intent{PingIntent{}});
  EXPECT_EQ(Parse("new"), Intent{NewIssueFormIntent{}});
  EXPECT_EQ(Parse(" New "), Intent{NewIssueFormIntent{}});
}

TEST(ParseSlashCommandTest, UnknownWordSuggestsTheClosestCommand) {
  EXPECT_EQ(Parse("pnig"), Intent{(UnknownIntent{"pnig", "ping"})});
  EXPECT_EQ(Parse("deploy-the-moon now"), Intent{(UnknownIntent{"deploy-the-moon", ""})});
  EXPECT_EQ(UnknownCommandMessage({"pnig", "ping"}),
            "Unknown command `pnig`. Did you mean `ping`? Try `help` for the list.");
  EXPECT_FALSE(Contains(UnknownCommandMessage({"xyz", ""}), "Did you mean"));
}

TEST(ParseSlashCommandTest, CreateIssueTakesTeamAndTitle) {
  const auto create = Create("issue create ENG Login fails on Safari");
  EXPECT_EQ(create.team_key, "ENG");
  EXPECT_EQ(create.title, "Login fails on Safari");
  EXPECT_EQ(create.priority, 0);
  EXPECT_EQ(create.description, "");
}

TEST(ParseSlashCommandTest, CreateIssueIsCaseInsensitiveAndUpperCasesTheTeam) {
  const auto create = Create("Issue CREATE eng2   Login   fails");
  EXPECT_EQ(create.team_key, "ENG2");
  EXPECT_EQ(create.title, "Login fails");
  EXPECT_EQ(Create("issue new OPS Disk full").team_key, "OPS");
}

TEST(ParseSlashCommandTest, PriorityWordsAndNumbers) {
  const std::vector<std::pair<std::string, int>> cases = {
      {"urgent", 1}, {"high", 2}, {"medium", 3}, {"low", 4}, {"none", 0},
      {"1", 1},      {"2", 2},    {"3", 3},      {"4", 4},   {"HIGH", 2}};
  for (const auto& [word, priority] : cases) {
    const auto create = Create("issue create ENG Login fails priority:" + word);
    EXPECT_EQ(create.priority, priority) << word;
    EXPECT_EQ(create.title, "Login fails") << word;
  }
  EXPECT_EQ(Create("issue create ENG Priority:Urgent Login fails").priority, 1);
  EXPECT_EQ(Create("issue create ENG Login fails priority: low").priority, 4);
}

TEST(ParseSlashCommandTest, UnknownPriorityIsAnError) {
  const auto message = ErrorOf("issue create ENG Login fails priority:asap");
  EXPECT_TRUE(Contains(message, "Unknown priority `asap`")) << message;
  EXPECT_TRUE(Contains(message, "urgent, high, medium, low")) << message;
  EXPECT_TRUE(Contains(ErrorOf("issue create ENG Login priority:5"), "`5`"));
  EXPECT_TRUE(Contains(ErrorOf("issue create ENG Login priority:"), "Unknown priority"));
}

TEST(ParseSlashCommandTest, QuotedTitleAndApostrophes) {
  EXPECT_EQ(Create("issue create ENG \"Login: can't sign in\"").title, "Login: can't sign in");
  EXPECT_EQ(Create("issue create ENG Can't log in, users' sessions expire").title,
            "Can't log in, users' sessions expire");
  EXPECT_EQ(Create("issue create ENG \u201cSmart quotes work\u201d priority:low").title,
            "Smart quotes work");
  // In quotes, "priority:high" is part of the title.
  const auto create = Create("issue create ENG 'Document priority:high flag'");
  EXPECT_EQ(create.title, "Document priority:high flag");
  EXPECT_EQ(create.priority, 0);
}

TEST(ParseSlashCommandTest, LinesAfterTheFirstAreTheDescription) {
  const auto create =
      Create("issue create ENG Login fails priority:high\nSteps:\n1. open /login\n\n");
  EXPECT_EQ(create.title, "Login fails");
  EXPECT_EQ(create.priority, 2);
  EXPECT_EQ(create.description, "Steps:\n1. open /login");
}

TEST(ParseSlashCommandTest, MissingTeamAndTitleAreNamedWithAnExample) {
  auto message = ErrorOf("issue create");
  EXPECT_TRUE(Contains(message, "Missing team and title")) << message;
  EXPECT_TRUE(Contains(message, "issue create ENG")) << message;

  message = ErrorOf("issue create ENG");
  EXPECT_TRUE(Contains(message, "Missing title")) << message;
  EXPECT_TRUE(Contains(message, "issue create ENG")) << message;

  message = ErrorOf("issue create ENG priority:high");
  EXPECT_TRUE(Contains(message, "Missing title")) << message;

  message = ErrorOf("issue create \"Login fails\"");
  EXPECT_TRUE(Contains(message, "Missing team")) << message;
  EXPECT_TRUE(Contains(message, "Example:")) << message;

  message = ErrorOf("issue create login-page fails");
  EXPECT_TRUE(Contains(message, "Missing team")) << message;
  EXPECT_TRUE(Contains(ErrorOf("issue create TOOLONGTEAMKEY x"), "Missing team"));
}

TEST(ParseSlashCommandTest, IssueNeedsASubcommand) {
  EXPECT_TRUE(Contains(ErrorOf("issue"), "issue create"));
  EXPECT_TRUE(Contains(ErrorOf("issue close ENG-1"), "Unknown `issue` command `close`"));
}

TEST(ParseSlashCommandTest, UnmatchedQuoteIsAnError) {
  EXPECT_TRUE(Contains(ErrorOf("issue create ENG \"Login fails"), "unmatched"));
}

}  // namespace
}  // namespace contexten::intents
