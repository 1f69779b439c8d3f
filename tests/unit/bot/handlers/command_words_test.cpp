// CommandWords (bot/handlers/command_words.hpp): an intent said in prose as its slash command's
// words, so that a mention runs the command's own handler.

#include "bot/handlers/command_words.hpp"

#include <gtest/gtest.h>

namespace contexten::bot::handlers {
namespace {

using nlohmann::json;

TEST(CommandWordsTest, SubscriptionsNameTheRepoOrTheLinearTeamWithTheirFeatures) {
  EXPECT_EQ(CommandWords("subscribe", {{"repo", "acme/web"}, {"features", {"pulls", "ci"}}}),
            "subscribe acme/web pulls,ci");
  EXPECT_EQ(CommandWords("unsubscribe", {{"repo", "acme/web"}}), "unsubscribe acme/web");
  EXPECT_EQ(CommandWords("subscribe", {{"team", "ENG"}}), "subscribe linear ENG");
  EXPECT_EQ(CommandWords("subscribe", json::object()), "");
}

TEST(CommandWordsTest, ReportsListRunOrScheduleWithTheCronQuoted) {
  EXPECT_EQ(CommandWords("report", {{"action", "list"}}), "report list");
  EXPECT_EQ(CommandWords("report", {{"action", "run"}, {"kind", "stale_prs"}}),
            "report run stale_prs");
  EXPECT_EQ(CommandWords("report", {{"action", "schedule"},
                                    {"kind", "digest"},
                                    {"schedule", "0 9 * * 1-5"},
                                    {"tz", "Europe/Berlin"},
                                    {"channel", "<#C1|eng>"}}),
            "report schedule digest \"0 9 * * 1-5\" tz:Europe/Berlin in <#C1|eng>");
  EXPECT_EQ(CommandWords("report", {{"action", "schedule"}, {"kind", "digest"}}), "");
  EXPECT_EQ(CommandWords("report", {{"action", "run"}}), "");
}

TEST(CommandWordsTest, DeploysNameRepoEnvironmentAndOptionalRef) {
  EXPECT_EQ(CommandWords("deploy", {{"repo", "acme/web"}, {"environment", "staging"}}),
            "deploy acme/web staging");
  EXPECT_EQ(CommandWords("deploy",
                         {{"repo", "acme/web"}, {"environment", "production"}, {"ref", "v1.2"}}),
            "deploy acme/web production v1.2");
  EXPECT_EQ(CommandWords("deploy", {{"repo", "acme/web"}}), "");
}

TEST(CommandWordsTest, ReRunsNameTheRepoAndOptionallyTheRunOrTheWorkflow) {
  EXPECT_EQ(CommandWords("rerun", {{"repo", "acme/web"}}), "rerun acme/web");
  EXPECT_EQ(CommandWords("rerun", {{"repo", "acme/web"}, {"run", "123456"}}),
            "rerun acme/web 123456");
  EXPECT_EQ(CommandWords("rerun", {{"repo", "acme/web"}, {"workflow", "Deploy Prod"}}),
            "rerun acme/web Deploy Prod");
  EXPECT_EQ(CommandWords("rerun", {{"pr", "acme/web#12"}}), "");  // a PR's checks: not this
}

TEST(CommandWordsTest, WordsThatWouldSplitOrQuoteAndOtherIntentsGiveNothing) {
  // An entity with a space or a quote would become other words of the command.
  EXPECT_EQ(CommandWords("deploy", {{"repo", "acme/web"}, {"environment", "stag ing"}}), "");
  EXPECT_EQ(
      CommandWords("report",
                   {{"action", "schedule"}, {"kind", "digest"}, {"schedule", "0 9 \" * * *"}}),
      "");
  EXPECT_EQ(CommandWords("close", {{"issue", "ENG-1"}}), "");
  EXPECT_EQ(CommandWords("subscribe", json::array()), "");
}

}  // namespace
}  // namespace contexten::bot::handlers
