#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "workflows/correlation/extract.hpp"

namespace contexten::workflows::correlation {
namespace {

using ::testing::IsEmpty;

const std::set<std::string> kTeams = {"ENG", "OPS"};

TEST(MentionsTest, IdentifiersAndLinearUrlsInFreeText) {
  const auto from = SlackThread("C1", "1700000000.000100");
  const auto links = ExtractMentions(
      from, "Is this ENG-1 again? Same as https://linear.app/acme/issue/OPS-2/slow and ENG-1.",
      "message", "slack:event:Ev1", kTeams);
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].from, from);
  EXPECT_EQ(links[0].to, LinearIssue("ENG-1"));
  EXPECT_EQ(links[0].kind, LinkKind::kMentions);
  EXPECT_EQ(links[0].evidence, (Evidence{"slack:event:Ev1", "message", "ENG-1"}));
  EXPECT_EQ(links[1].to, LinearIssue("OPS-2"));
  EXPECT_EQ(links[1].evidence.excerpt, "https://linear.app/acme/issue/OPS-2/slow");
}

TEST(MentionsTest, KeywordsDoNotUpgradeAMention) {
  // A commit message saying "Fixes ENG-3" is still a mention: closing happens through the PR.
  const auto links = ExtractMentions(PullRequest("acme/web", 1), "Fixes ENG-3", "commit",
                                     "github:push:d-2", kTeams);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].kind, LinkKind::kMentions);
}

TEST(MentionsTest, UnknownKeysGluedTokensAndLowerCaseProseLinkNothing) {
  EXPECT_THAT(ExtractMentions(ContextenRun("r1"), "UTF-8, SHA-256, xENG-1, ENG-2b, eng-3",
                              "comment", "e", kTeams),
              IsEmpty());
}

TEST(MentionsTest, AnIssueDoesNotMentionItself) {
  const auto links =
      ExtractMentions(LinearIssue("ENG-1"), "Dup of ENG-2, see ENG-1", "comment", "e", kTeams);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].to, LinearIssue("ENG-2"));
}

}  // namespace
}  // namespace contexten::workflows::correlation
