#include "intents/grammar.hpp"

#include <gtest/gtest.h>

namespace contexten::intents {
namespace {

using nlohmann::json;

Understanding Ok(std::string_view text) {
  Understanding u = ParseCommand(text);
  EXPECT_TRUE(u.error.empty()) << text << ": " << u.error;
  EXPECT_DOUBLE_EQ(u.confidence, 1.0) << text;
  return u;
}

bool Contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(GrammarTest, IssueVerbsTakeTypedArguments) {
  auto u = Ok("issue create eng Login fails priority:HIGH assignee:<@U1|al> labels:bug,UI");
  EXPECT_EQ(u.intent, "create_issue");
  EXPECT_EQ(u.entities, (json{{"team", "ENG"},
                              {"title", "Login fails"},
                              {"priority", "high"},
                              {"assignee", "U1"},
                              {"labels", {"bug", "ui"}}}));
  EXPECT_EQ(Ok("issue assign eng-7 <@U2>").entities,
            (json{{"issue", "ENG-7"}, {"assignee", "U2"}}));
  EXPECT_EQ(Ok("issue assign ENG-7 @dave").entities["assignee"], "dave");
  EXPECT_EQ(Ok("issue assign ENG-7 none").entities["assignee"], "none");
  EXPECT_EQ(Ok("issue close ENG-1").entities, (json{{"issue", "ENG-1"}}));
  EXPECT_EQ(Ok("issue close ENG-1 ENG-2").entities, (json{{"issues", {"ENG-1", "ENG-2"}}}));
  EXPECT_EQ(Ok("issue reopen ENG-1").intent, "reopen");
  EXPECT_EQ(Ok("issue state ENG-1 \"In Progress\"").entities["state"], "in progress");
  EXPECT_EQ(Ok("issue state ENG-1 in review").entities["state"], "in review");
  EXPECT_EQ(Ok("issue priority ENG-1 4").entities["priority"], "low");
  EXPECT_EQ(Ok("issue comment ENG-1 can't repro, users' data is fine").entities["body"],
            "can't repro, users' data is fine");
  EXPECT_EQ(Ok("issue link ENG-1 acme/web#34").entities,
            (json{{"issue", "ENG-1"}, {"pr", "acme/web#34"}}));
  EXPECT_EQ(Ok("issue link ENG-1 ENG-2").entities, (json{{"issues", {"ENG-1", "ENG-2"}}}));
}

TEST(GrammarTest, LinesAfterTheFirstAreTheBody) {
  auto u = Ok("issue create ENG Login fails\nSteps:\n1. open /login");
  EXPECT_EQ(u.entities["title"], "Login fails");
  EXPECT_EQ(u.entities["body"], "Steps:\n1. open /login");
}

TEST(GrammarTest, OtherNounsOfTheVocabulary) {
  EXPECT_EQ(Ok("trace ENG-1").entities, (json{{"issue", "ENG-1"}}));
  EXPECT_EQ(Ok("trace acme/web#12").entities, (json{{"pr", "acme/web#12"}}));
  EXPECT_EQ(Ok("trace <https://acme.slack.com/archives/C1/p17>").entities["url"],
            "https://acme.slack.com/archives/C1/p17");
  EXPECT_EQ(Ok("deploy acme/web Production v1.2").entities,
            (json{{"repo", "acme/web"}, {"environment", "production"}, {"ref", "v1.2"}}));
  EXPECT_EQ(Ok("rerun acme/web 123456").entities, (json{{"repo", "acme/web"}, {"run", "123456"}}));
  EXPECT_EQ(Ok("rerun acme/web \"integration tests\"").entities["workflow"], "integration tests");
  EXPECT_EQ(
      Ok("subscribe acme/web pulls, ci +label:bug").entities,
      (json{{"repo", "acme/web"}, {"features", {"pulls", "ci"}}, {"filters", {"label:bug"}}}));
  EXPECT_EQ(Ok("subscribe linear ops comments").entities,
            (json{{"team", "OPS"}, {"features", {"comments"}}}));
  EXPECT_EQ(Ok("unsubscribe acme/web ci").intent, "unsubscribe");
  EXPECT_EQ(Ok("subscriptions").intent, "subscriptions");
  EXPECT_EQ(Ok("report schedule digest 0 9 * * 1-5 tz:Europe/Berlin in <#C1|eng>").entities,
            (json{{"action", "schedule"},
                  {"kind", "digest"},
                  {"schedule", "0 9 * * 1-5"},
                  {"tz", "Europe/Berlin"},
                  {"channel", "C1"}}));
  EXPECT_EQ(Ok("report run stale-prs").entities, (json{{"action", "run"}, {"kind", "stale_prs"}}));
  EXPECT_EQ(Ok("report list").entities, (json{{"action", "list"}}));
}

TEST(GrammarTest, CommandsOutsideTheVocabularyKeepTheirNames) {
  EXPECT_EQ(Ok("ping").intent, "ping");
  EXPECT_EQ(Ok("STATUS").intent, "status");
  EXPECT_EQ(Ok("new").intent, "new_issue_form");
  EXPECT_EQ(Ok("retry 42").entities["effect_id"], "42");
  EXPECT_EQ(Ok("retry all").entities["effect_id"], "all");
  EXPECT_EQ(Ok("whoami github octocat").entities["github"], "octocat");
  EXPECT_EQ(Ok("audit 20").entities["count"], "20");
  EXPECT_EQ(Ok("").intent, "help");
  EXPECT_EQ(Ok("help issue").entities["topic"], "issue");
}

TEST(GrammarTest, ErrorsQuoteTheOffendingWordAndShowUsage) {
  auto u = ParseCommand("issue assign LOGIN me");
  EXPECT_TRUE(Contains(u.error, "`LOGIN` is not a Linear issue id")) << u.error;
  EXPECT_TRUE(Contains(u.error, "Usage: `issue assign")) << u.error;
  EXPECT_EQ(u.offending_word, "LOGIN");

  u = ParseCommand("issue priority ENG-1 asap");
  EXPECT_TRUE(Contains(u.error, "Unknown priority `asap`")) << u.error;
  EXPECT_EQ(u.offending_word, "asap");

  u = ParseCommand("deploy acme web");
  EXPECT_TRUE(Contains(u.error, "`acme` is not a repository")) << u.error;

  u = ParseCommand("subscribe acme/web pulls,tweets");
  EXPECT_TRUE(Contains(u.error, "Unknown feature `tweets`")) << u.error;

  u = ParseCommand("report schedule digest \"0 9 * *\"");
  EXPECT_TRUE(Contains(u.error, "not a cron line")) << u.error;

  u = ParseCommand("frobnicate now");
  EXPECT_EQ(u.intent, "none");
  EXPECT_EQ(u.offending_word, "frobnicate");
  EXPECT_TRUE(Contains(u.error, "Unknown command `frobnicate`")) << u.error;

  u = ParseCommand("issue create ENG \"Login fails");
  EXPECT_TRUE(Contains(u.error, "unmatched")) << u.error;
}

TEST(GrammarTest, MissingRequiredArgumentsAreNamedNotGuessed) {
  auto u = ParseCommand("issue create \"Login fails\"");
  EXPECT_EQ(u.intent, "create_issue");
  EXPECT_EQ(u.missing, std::vector<std::string>{"team"});
  EXPECT_FALSE(u.entities.contains("team"));
  EXPECT_TRUE(Contains(u.error, "Missing team")) << u.error;

  u = ParseCommand("deploy acme/web");
  EXPECT_EQ(u.missing, std::vector<std::string>{"environment"});
  EXPECT_EQ(u.entities["repo"], "acme/web");

  u = ParseCommand("issue close");
  EXPECT_EQ(u.missing, std::vector<std::string>{"issue"});
}

TEST(GrammarTest, TyposAreReadAsTheNearestCommandButMustBeConfirmed) {
  auto u = ParseCommand("isue create ENG Login fails");
  EXPECT_EQ(u.intent, "create_issue");
  EXPECT_EQ(u.suggestion, "issue create");
  EXPECT_EQ(u.offending_word, "isue");
  EXPECT_LT(u.confidence, kAskBelow);
  EXPECT_EQ(u.entities["title"], "Login fails");

  u = ParseCommand("issue craete ENG Login fails");
  EXPECT_EQ(u.suggestion, "issue create");
  EXPECT_EQ(u.offending_word, "craete");

  EXPECT_EQ(ParseCommand("depoly acme/web staging").suggestion, "deploy");
  EXPECT_EQ(ParseCommand("issue lnk ENG-1 acme/web#2").suggestion, "issue link");
  EXPECT_EQ(ParseCommand("unsubscirbe acme/web").suggestion, "unsubscribe");
  EXPECT_TRUE(Contains(ParseCommand("issue frob ENG-1").error, "Unknown `issue` command `frob`"));
}

TEST(GrammarTest, HelpHasUsageAndExamplesPerCommand) {
  const std::string all = HelpText("");
  for (const auto& doc : CommandDocs()) {
    EXPECT_TRUE(Contains(all, doc.usage)) << doc.usage;
    EXPECT_FALSE(doc.examples.empty()) << doc.usage;
    // Every example parses as the command it illustrates.
    for (const auto& example : doc.examples) {
      const auto u = ParseCommand(example);
      EXPECT_EQ(u.intent, doc.intent) << example;
      EXPECT_TRUE(u.error.empty()) << example << ": " << u.error;
    }
  }
  const std::string issue = HelpText("issue");
  EXPECT_TRUE(Contains(issue, "issue create <TEAM>")) << issue;
  EXPECT_TRUE(Contains(issue, "e.g. `issue close ENG-12`")) << issue;
  EXPECT_FALSE(Contains(issue, "deploy")) << issue;
  EXPECT_TRUE(Contains(HelpText("deploy"), "deploy acme/web staging"));
  EXPECT_TRUE(Contains(HelpText("issue create"), "priority:high"));
  EXPECT_TRUE(Contains(HelpText("zebra"), "No help for `zebra`"));
}

}  // namespace
}  // namespace contexten::intents
