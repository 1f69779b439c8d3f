#include "integrations/linear/linking.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace contexten::integrations::linear {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(ExtractLinearIdentifiersTest, FindsIdentifiersInTitles) {
  EXPECT_THAT(ExtractLinearIdentifiers("ENG-123 Fix login crash"), ElementsAre("ENG-123"));
  EXPECT_THAT(ExtractLinearIdentifiers("[ENG-1] and (OPS2-45), see ENG-1 again."),
              ElementsAre("ENG-1", "OPS2-45"));
  EXPECT_THAT(ExtractLinearIdentifiers("A-1 ABCDEFGHIJ-9"), ElementsAre("A-1", "ABCDEFGHIJ-9"));
}

TEST(ExtractLinearIdentifiersTest, RejectsMalformedAndGluedTokens) {
  EXPECT_THAT(ExtractLinearIdentifiers("ENG-0 ENG-012 ENG- -12 1ENG-2 2-3"), IsEmpty());
  EXPECT_THAT(ExtractLinearIdentifiers("ENG-12abc xENG-1 eng-5 Eng-6"), IsEmpty());
  // Key longer than ten characters.
  EXPECT_THAT(ExtractLinearIdentifiers("ABCDEFGHIJK-1"), IsEmpty());
  // Number too long to be an issue number.
  EXPECT_THAT(ExtractLinearIdentifiers("SHA-1234567890"), IsEmpty());
  EXPECT_THAT(ExtractLinearIdentifiers(""), IsEmpty());
}

TEST(ExtractLinearIdentifiersTest, TokenBoundariesIncludePunctuation) {
  // '_' separates like any non-alphanumeric ("ENG-7_fix" is a common branch style).
  EXPECT_THAT(ExtractLinearIdentifiers("feature/ENG-7_fix,ENG-8.ENG-9-x"),
              ElementsAre("ENG-7", "ENG-8", "ENG-9"));
  EXPECT_THAT(ExtractLinearIdentifiers("x-ENG-7"), ElementsAre("ENG-7"));
}

TEST(ExtractLinearIdentifiersTest, CaseInsensitiveForBranchNamesAndUpperCasesResults) {
  EXPECT_THAT(ExtractLinearIdentifiers("alice/eng-123-fix-login"), IsEmpty());
  EXPECT_THAT(ExtractLinearIdentifiers("alice/eng-123-fix-login", {.case_insensitive = true}),
              ElementsAre("ENG-123"));
  EXPECT_THAT(ExtractLinearIdentifiers("Eng-4 ENG-4", {.case_insensitive = true}),
              ElementsAre("ENG-4"));
}

TEST(ParseLinkingKeywordsTest, ClosingKeywordsAnyCase) {
  const auto links = ParseLinkingKeywords(
      "Fixes ENG-1\ncloses ENG-2\nRESOLVES ENG-3\nResolved: ENG-4\nCompletes ENG-5\nfixed ENG-6");
  EXPECT_THAT(links.closes, ElementsAre("ENG-1", "ENG-2", "ENG-3", "ENG-4", "ENG-5", "ENG-6"));
  EXPECT_THAT(links.refs, IsEmpty());
}

TEST(ParseLinkingKeywordsTest, ReferenceKeywordsOnlyLink) {
  const auto links = ParseLinkingKeywords(
      "Ref ENG-1. Part of ENG-2; related to eng-3\nRefs: ENG-4\nContributes to ENG-5 "
      "towards ENG-6, references ENG-7");
  EXPECT_THAT(links.closes, IsEmpty());
  EXPECT_THAT(links.refs,
              ElementsAre("ENG-1", "ENG-2", "ENG-3", "ENG-4", "ENG-5", "ENG-6", "ENG-7"));
}

TEST(ParseLinkingKeywordsTest, KeywordTakesAList) {
  const auto links = ParseLinkingKeywords("Fixes ENG-1, ENG-2 and ENG-3 & OPS-4 in one go");
  EXPECT_THAT(links.closes, ElementsAre("ENG-1", "ENG-2", "ENG-3", "OPS-4"));
}

TEST(ParseLinkingKeywordsTest, BareMentionsAndNonKeywordsDoNotCount) {
  const auto links = ParseLinkingKeywords(
      "This touches ENG-1.\nprefix ENG-2, fixture ENG-3, unfixed ENG-4, fix-ENG-5, "
      "part ENG-6, related ENG-7, fix2 ENG-8, refactor ENG-9");
  EXPECT_THAT(links.closes, IsEmpty());
  EXPECT_THAT(links.refs, IsEmpty());
}

TEST(ParseLinkingKeywordsTest, KeywordWithoutIdentifierIsIgnored) {
  const auto links = ParseLinkingKeywords("Fixes the login crash reported in ENG-1");
  EXPECT_THAT(links.closes, IsEmpty());
}

TEST(ParseLinkingKeywordsTest, ListEndsAtLineBreakButKeywordMayEndLine) {
  const auto links = ParseLinkingKeywords("Fixes:\nENG-1\nENG-2 is unrelated");
  EXPECT_THAT(links.closes, ElementsAre("ENG-1"));
}

TEST(ParseLinkingKeywordsTest, AcceptsLinearUrlsAndMarkdownLinks) {
  const auto links = ParseLinkingKeywords(
      "Closes https://linear.app/acme/issue/ENG-42/fix-the-login\n"
      "Part of [OPS-7](https://linear.app/acme/issue/OPS-7/x) and ENG-8\n"
      "Fixes https://example.com/not-linear");
  EXPECT_THAT(links.closes, ElementsAre("ENG-42"));
  EXPECT_THAT(links.refs, ElementsAre("OPS-7", "ENG-8"));
}

TEST(ParseLinkingKeywordsTest, ClosingWinsOverReferenceAndDuplicatesCollapse) {
  const auto links = ParseLinkingKeywords("Ref ENG-1 and ENG-2\nFixes ENG-1\nfixes eng-1");
  EXPECT_THAT(links.closes, ElementsAre("ENG-1"));
  EXPECT_THAT(links.refs, ElementsAre("ENG-2"));
}

TEST(ParseLinkingKeywordsTest, EmptyAndKeywordAtEnd) {
  EXPECT_THAT(ParseLinkingKeywords("").closes, IsEmpty());
  EXPECT_THAT(ParseLinkingKeywords("fixes").closes, IsEmpty());
  EXPECT_THAT(ParseLinkingKeywords("part of").refs, IsEmpty());
  EXPECT_THAT(ParseLinkingKeywords("Fixes ENG-1 and").closes, ElementsAre("ENG-1"));
}

TEST(ParseLinkingKeywordsTest, ImplementAndRelatesToForms) {
  const auto links = ParseLinkingKeywords("Implements ENG-1, implemented ENG-2\nRelates to ENG-3");
  EXPECT_THAT(links.closes, ElementsAre("ENG-1", "ENG-2"));
  EXPECT_THAT(links.refs, ElementsAre("ENG-3"));
}

TEST(FindLinearIdentifiersTest, ReportsEveryOccurrenceWithItsSpan) {
  const std::string text = "ENG-1 then ENG-1 and ops-2";
  const auto matches = FindLinearIdentifiers(text, {.case_insensitive = true});
  ASSERT_EQ(matches.size(), 3u);
  EXPECT_EQ(matches[1].identifier, "ENG-1");
  EXPECT_EQ(text.substr(matches[1].begin, matches[1].end - matches[1].begin), "ENG-1");
  EXPECT_EQ(matches[2].identifier, "OPS-2");
  EXPECT_EQ(text.substr(matches[2].begin, matches[2].end - matches[2].begin), "ops-2");
}

TEST(FindLinearIdentifiersTest, LinearUrlIsOneMatchInAnyCase) {
  const std::string url = "https://linear.app/acme/issue/eng-5/fix-utf-8-in-SHA-256";
  const std::string text = "see " + url + ", or https://example.com/issue/eng-6";
  const auto matches = FindLinearIdentifiers(text);
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].identifier, "ENG-5");
  EXPECT_EQ(text.substr(matches[0].begin, matches[0].end - matches[0].begin), url);
  EXPECT_THAT(ExtractLinearIdentifiers(text), ElementsAre("ENG-5"));
}

TEST(FindLinkingKeywordsTest, SpanRunsFromKeywordToItem) {
  const std::string text = "Intro. Fixes ENG-1, ENG-2\nPart of OPS-3";
  const auto matches = FindLinkingKeywords(text);
  ASSERT_EQ(matches.size(), 3u);
  auto span = [&](const KeywordMatch& m) { return text.substr(m.begin, m.end - m.begin); };
  EXPECT_TRUE(matches[0].closes);
  EXPECT_EQ(span(matches[0]), "Fixes ENG-1");
  EXPECT_EQ(span(matches[1]), "Fixes ENG-1, ENG-2");
  EXPECT_FALSE(matches[2].closes);
  EXPECT_EQ(matches[2].identifier, "OPS-3");
  EXPECT_EQ(span(matches[2]), "Part of OPS-3");
}

}  // namespace
}  // namespace contexten::integrations::linear
