#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "workflows/correlation/extract.hpp"

namespace contexten::workflows::correlation {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::set<std::string> kTeams = {"ENG", "OPS", "WEB2"};

PullRequestText Pr(std::string branch, std::string title, std::string body) {
  PullRequestText pr;
  pr.repo = "acme/web";
  pr.number = 12;
  pr.branch = std::move(branch);
  pr.title = std::move(title);
  pr.body = std::move(body);
  pr.event = "github:pull_request.opened:d-1";
  return pr;
}

// "ENG-1=closes" for each link, to compare whole results compactly.
std::vector<std::string> Summary(const std::vector<Link>& links) {
  std::vector<std::string> out;
  for (const auto& link : links) {
    out.push_back(link.to.id + "=" + std::string(ToString(link.kind)));
  }
  return out;
}

TEST(PullRequestLinksTest, BranchNameLinksInAnyCase) {
  const auto links =
      ExtractPullRequestLinks(Pr("alice/eng-123-fix-login", "Fix login", ""), kTeams);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].from, PullRequest("acme/web", 12));
  EXPECT_EQ(links[0].to, LinearIssue("ENG-123"));
  EXPECT_EQ(links[0].kind, LinkKind::kReferences);
  EXPECT_EQ(links[0].evidence.event, "github:pull_request.opened:d-1");
  EXPECT_EQ(links[0].evidence.field, "branch");
  EXPECT_EQ(links[0].evidence.excerpt, "eng-123");
  EXPECT_THAT(Summary(ExtractPullRequestLinks(Pr("ENG-7_fix", "", ""), kTeams)),
              ElementsAre("ENG-7=references"));
  EXPECT_THAT(Summary(ExtractPullRequestLinks(Pr("feature/Ops-4-retry", "", ""), kTeams)),
              ElementsAre("OPS-4=references"));
}

TEST(PullRequestLinksTest, TitleLinks) {
  const auto links = ExtractPullRequestLinks(Pr("main-fix", "[ENG-9] Fix the crash", ""), kTeams);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].kind, LinkKind::kReferences);
  EXPECT_EQ(links[0].evidence.field, "title");
  EXPECT_EQ(links[0].evidence.excerpt, "ENG-9");
}

TEST(PullRequestLinksTest, TitleAndProseAreMatchedInUpperCaseOnly) {
  // Prose is full of hyphenated words; only the branch is read case-insensitively.
  EXPECT_THAT(ExtractPullRequestLinks(Pr("", "fix eng-9 crash", "see ops-3"), kTeams), IsEmpty());
}

TEST(PullRequestLinksTest, EveryClosingWordFormCloses) {
  for (const std::string word :
       {"close",       "closes",       "closed",    "closing",    "fix",       "fixes",
        "fixed",       "fixing",       "resolve",   "resolves",   "resolved",  "resolving",
        "complete",    "completes",    "completed", "completing", "implement", "implements",
        "implemented", "implementing", "Fixes",     "FIXES",      "Closes:"}) {
    const auto links = ExtractPullRequestLinks(Pr("", "", word + " ENG-1"), kTeams);
    ASSERT_EQ(links.size(), 1u) << word;
    EXPECT_EQ(links[0].kind, LinkKind::kCloses) << word;
    EXPECT_EQ(links[0].evidence.field, "body");
    EXPECT_EQ(links[0].evidence.excerpt, word + " ENG-1");
  }
}

TEST(PullRequestLinksTest, EveryReferenceWordFormOnlyReferences) {
  for (const std::string words :
       {"ref", "Ref", "refs", "references", "part of", "Part of", "related to", "Related to",
        "relates to", "contributes to", "toward", "towards", "Refs:"}) {
    const auto links = ExtractPullRequestLinks(Pr("", "", words + " ENG-2"), kTeams);
    ASSERT_EQ(links.size(), 1u) << words;
    EXPECT_EQ(links[0].kind, LinkKind::kReferences) << words;
    EXPECT_EQ(links[0].evidence.excerpt, words + " ENG-2");
  }
}

TEST(PullRequestLinksTest, KeywordListsLinkEveryItem) {
  const auto links = ExtractPullRequestLinks(
      Pr("", "", "Fixes ENG-1, ENG-2 and ENG-3 & OPS-4\nPart of ENG-5"), kTeams);
  EXPECT_THAT(Summary(links), ElementsAre("ENG-1=closes", "ENG-2=closes", "ENG-3=closes",
                                          "OPS-4=closes", "ENG-5=references"));
  EXPECT_EQ(links[2].evidence.excerpt, "Fixes ENG-1, ENG-2 and ENG-3");
}

TEST(PullRequestLinksTest, KeywordIdentifiersMayBeLowerCase) {
  EXPECT_THAT(Summary(ExtractPullRequestLinks(Pr("", "", "fixes eng-8"), kTeams)),
              ElementsAre("ENG-8=closes"));
}

TEST(PullRequestLinksTest, BareIdentifierInBodyMentions) {
  const auto links = ExtractPullRequestLinks(Pr("", "", "This touches ENG-1 a little."), kTeams);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].kind, LinkKind::kMentions);
  EXPECT_EQ(links[0].evidence.excerpt, "ENG-1");
}

TEST(PullRequestLinksTest, LinearUrls) {
  const auto links =
      ExtractPullRequestLinks(Pr("", "",
                                 "Closes https://linear.app/acme/issue/ENG-42/fix-utf-8-login\n"
                                 "Background: https://linear.app/acme/issue/eng-43/notes and "
                                 "https://example.com/issue/ENG-44/not-linear"),
                              kTeams);
  EXPECT_THAT(Summary(links), ElementsAre("ENG-42=closes", "ENG-43=mentions", "ENG-44=mentions"));
  EXPECT_EQ(links[0].evidence.excerpt,
            "Closes https://linear.app/acme/issue/ENG-42/fix-utf-8-login");
  EXPECT_EQ(links[1].evidence.excerpt, "https://linear.app/acme/issue/eng-43/notes");
  // ENG-44 is an ordinary identifier inside some other URL, not a Linear URL.
  EXPECT_EQ(links[2].evidence.excerpt, "ENG-44");
}

TEST(PullRequestLinksTest, UnknownTeamKeyLinksNothing) {
  EXPECT_THAT(
      ExtractPullRequestLinks(Pr("bob/abc-12-x", "XYZ-1 title", "Fixes QA-3, see QA-4"), kTeams),
      IsEmpty());
  // A known key in the same list still links.
  EXPECT_THAT(Summary(ExtractPullRequestLinks(Pr("", "", "Fixes QA-3, ENG-4"), kTeams)),
              ElementsAre("ENG-4=closes"));
}

TEST(PullRequestLinksTest, EncodingAndHashNamesLinkNothing) {
  const std::set<std::string> teams = {"ENG"};
  EXPECT_THAT(ExtractPullRequestLinks(Pr("fix/utf-8-decoding", "Use SHA-256 and UTF-8",
                                         "Fixes UTF-8 handling, SHA-256"),
                                      teams),
              IsEmpty());
}

TEST(PullRequestLinksTest, IdentifierGluedToLettersOrDigitsDoesNotMatch) {
  EXPECT_THAT(ExtractPullRequestLinks(
                  Pr("xeng-1-fix", "preENG-2 ENG-3abc", "Fixes ENG-4x, AENG-5 and 9ENG-6"), kTeams),
              IsEmpty());
}

TEST(PullRequestLinksTest, NumbersAndKeysMustBeWellFormed) {
  EXPECT_THAT(ExtractPullRequestLinks(Pr("eng-0", "ENG-012", "ENG- and -12"), kTeams), IsEmpty());
  EXPECT_THAT(Summary(ExtractPullRequestLinks(Pr("", "WEB2-5 done", ""), kTeams)),
              ElementsAre("WEB2-5=references"));
}

TEST(PullRequestLinksTest, StrongestKindWinsWithItsOwnEvidence) {
  const auto links = ExtractPullRequestLinks(
      Pr("alice/eng-1-login", "ENG-2 and ENG-1", "See ENG-3.\nRefs ENG-3\nRef ENG-2\nFixes ENG-1"),
      kTeams);
  EXPECT_THAT(Summary(links), ElementsAre("ENG-1=closes", "ENG-2=references", "ENG-3=references"));
  EXPECT_EQ(links[0].evidence.field, "body");
  EXPECT_EQ(links[0].evidence.excerpt, "Fixes ENG-1");
  // Equal strength: the first place it was found (the title, before the body's "Ref ENG-2").
  EXPECT_EQ(links[1].evidence.field, "title");
  EXPECT_EQ(links[1].evidence.excerpt, "ENG-2");
  EXPECT_EQ(links[2].evidence.excerpt, "Refs ENG-3");
}

TEST(PullRequestLinksTest, OneLinkPerIssueInOrderOfFirstAppearance) {
  const auto links = ExtractPullRequestLinks(
      Pr("ops-9-retry", "ENG-5: retry", "Mentions ENG-7 and ENG-5.\nCloses ENG-6, OPS-9"), kTeams);
  EXPECT_THAT(Summary(links),
              ElementsAre("OPS-9=closes", "ENG-5=references", "ENG-7=mentions", "ENG-6=closes"));
}

TEST(PullRequestLinksTest, KeywordWithoutIdentifierAndNonKeywordsDoNotClose) {
  EXPECT_THAT(Summary(ExtractPullRequestLinks(
                  Pr("", "", "Fixes the crash from ENG-1. prefix ENG-2, unfixed ENG-3"), kTeams)),
              ElementsAre("ENG-1=mentions", "ENG-2=mentions", "ENG-3=mentions"));
}

TEST(PullRequestLinksTest, ExcerptIsOneShortLine) {
  const std::string url = "https://linear.app/acme/issue/ENG-1/" + std::string(300, 'a');
  const auto links = ExtractPullRequestLinks(Pr("", "", "Fixes:\n  " + url), kTeams);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].kind, LinkKind::kCloses);
  EXPECT_TRUE(links[0].evidence.excerpt.starts_with("Fixes: https://linear.app/acme/issue/ENG-1/"))
      << links[0].evidence.excerpt;
  EXPECT_LE(links[0].evidence.excerpt.size(), kMaxExcerptChars + 2);  // + the UTF-8 ellipsis
  EXPECT_TRUE(links[0].evidence.excerpt.ends_with("\u2026"));
}

TEST(PullRequestLinksTest, EmptyPullRequestLinksNothing) {
  EXPECT_THAT(ExtractPullRequestLinks(Pr("", "", ""), kTeams), IsEmpty());
  EXPECT_THAT(ExtractPullRequestLinks(Pr("eng-1", "ENG-1", "Fixes ENG-1"), {}), IsEmpty());
}

}  // namespace
}  // namespace contexten::workflows::correlation
