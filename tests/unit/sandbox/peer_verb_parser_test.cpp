// The sandbox console's peer-verb grammar: word splitting with quotes and options, each verb's
// fields, and errors that say what is wrong and show the usage.
#include "sandbox/script/peer_verb_parser.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sandbox/script/peer_verbs.hpp"

namespace contexten::sandbox {
namespace {

using ::testing::HasSubstr;

template <typename T>
T Parsed(std::string_view line) {
  auto verb = ParsePeerVerb(line);
  EXPECT_TRUE(verb.has_value()) << line << ": " << verb.error().message;
  if (!verb) return T{};
  EXPECT_TRUE(std::holds_alternative<T>(*verb)) << line;
  return std::holds_alternative<T>(*verb) ? std::get<T>(*verb) : T{};
}

std::string ErrorOf(std::string_view line) {
  auto verb = ParsePeerVerb(line);
  EXPECT_FALSE(verb.has_value()) << line;
  if (verb) return "";
  EXPECT_EQ(verb.error().kind, core::ErrorKind::kInvalidInput);
  return verb.error().message;
}

TEST(SplitPeerVerbLineTest, QuotesGroupWordsAndOptionsTakeQuotedValues) {
  auto words = SplitPeerVerbLine(
      R"(gh  pr open a/b "Fix \"login\" crash" branch=fix-1 body="Fixes ENG-1 now" 'it''s')");
  ASSERT_TRUE(words.has_value());
  ASSERT_EQ(words->size(), 8u);
  EXPECT_EQ((*words)[4].text, R"(Fix "login" crash)");
  EXPECT_TRUE((*words)[4].key.empty());
  EXPECT_EQ((*words)[5].key, "branch");
  EXPECT_EQ((*words)[5].text, "fix-1");
  EXPECT_EQ((*words)[6].key, "body");
  EXPECT_EQ((*words)[6].text, "Fixes ENG-1 now");
  EXPECT_EQ((*words)[7].text, "its");  // adjacent quoted parts join into one word
}

TEST(SplitPeerVerbLineTest, QuotedEqualsSignIsNotAnOption) {
  auto words = SplitPeerVerbLine(R"("a=b" c="d=e" =x)");
  ASSERT_TRUE(words.has_value());
  ASSERT_EQ(words->size(), 3u);
  EXPECT_TRUE((*words)[0].key.empty());
  EXPECT_EQ((*words)[0].text, "a=b");
  EXPECT_EQ((*words)[1].key, "c");
  EXPECT_EQ((*words)[1].text, "d=e");
  EXPECT_EQ((*words)[1].Plain(), "c=d=e");
  EXPECT_TRUE((*words)[2].key.empty());  // no key before '='
  EXPECT_EQ((*words)[2].text, "=x");
}

TEST(SplitPeerVerbLineTest, UnterminatedQuoteIsAnErrorNamingTheColumn) {
  auto words = SplitPeerVerbLine(R"(gh pr open a/b "Fix crash)");
  ASSERT_FALSE(words.has_value());
  EXPECT_EQ(words.error().kind, core::ErrorKind::kInvalidInput);
  EXPECT_THAT(words.error().message, HasSubstr("unterminated double quote at column 16"));
  EXPECT_FALSE(SplitPeerVerbLine("body='x").has_value());
}

TEST(ParsePeerVerbTest, LinearStateJoinsTheStateNameWords) {
  auto state = Parsed<LinearStateVerb>("linear state ENG-1 In Progress");
  EXPECT_EQ(state.issue, "ENG-1");
  EXPECT_EQ(state.state, "In Progress");
  EXPECT_EQ(Parsed<LinearStateVerb>(R"(linear state eng-2 "in   review")").state, "in   review");
}

TEST(ParsePeerVerbTest, LinearCommentKeepsEqualsSignsInTheText) {
  auto comment = Parsed<LinearCommentVerb>(R"(linear comment ENG-3 set retries=3 "for now")");
  EXPECT_EQ(comment.issue, "ENG-3");
  EXPECT_EQ(comment.text, "set retries=3 for now");
}

TEST(ParsePeerVerbTest, LinearEditAndDeleteCommentNameTheCommentByItsPlace) {
  auto edit = Parsed<LinearEditCommentVerb>("linear edit-comment ENG-1 2 Repro on 17.3 too");
  EXPECT_EQ(edit.issue, "ENG-1");
  EXPECT_EQ(edit.number, 2);
  EXPECT_EQ(edit.text, "Repro on 17.3 too");
  EXPECT_FALSE(edit.remove);
  auto remove = Parsed<LinearEditCommentVerb>("linear delete-comment ENG-1 1");
  EXPECT_EQ(remove.number, 1);
  EXPECT_TRUE(remove.remove);
  EXPECT_THAT(ErrorOf("linear edit-comment ENG-1 2"), HasSubstr("missing the text"));
  EXPECT_THAT(ErrorOf("linear edit-comment ENG-1 two words"),
              HasSubstr("\"two\" is not a comment number"));
  EXPECT_THAT(ErrorOf("linear delete-comment ENG-1"), HasSubstr(kLinearDeleteCommentUsage));
  EXPECT_THAT(ErrorOf("linear delete-comment ENG-1 1 extra"), HasSubstr("unexpected"));
  EXPECT_THAT(PeerVerbs::Help(), HasSubstr(kLinearEditCommentUsage));
  EXPECT_THAT(PeerVerbs::Help(), HasSubstr(kLinearDeleteCommentUsage));
}

TEST(ParsePeerVerbTest, PrOpenWithOptionsAndDerivedBranch) {
  auto open = Parsed<GitHubPrOpenVerb>(
      R"(gh pr open contexten/sandbox "ENG-1 Fix login crash!" body="Fixes ENG-1")");
  EXPECT_EQ(open.repo, "contexten/sandbox");
  EXPECT_EQ(open.title, "ENG-1 Fix login crash!");
  EXPECT_EQ(open.branch, "eng-1-fix-login-crash");
  EXPECT_EQ(open.body, "Fixes ENG-1");

  auto explicit_branch =
      Parsed<GitHubPrOpenVerb>("gh pr open o/r branch=feature/x Unquoted title words");
  EXPECT_EQ(explicit_branch.branch, "feature/x");
  EXPECT_EQ(explicit_branch.title, "Unquoted title words");
  EXPECT_TRUE(explicit_branch.body.empty());
}

TEST(ParsePeerVerbTest, PrMergeAcceptsHashAndSpaceForms) {
  auto merge = Parsed<GitHubPrMergeVerb>("gh pr merge contexten/sandbox#12");
  EXPECT_EQ(merge.repo, "contexten/sandbox");
  EXPECT_EQ(merge.number, 12);
  EXPECT_EQ(Parsed<GitHubPrMergeVerb>("gh pr merge o/r 7").number, 7);
  EXPECT_EQ(Parsed<GitHubPrMergeVerb>("gh pr merge o/r #8").number, 8);
}

TEST(ParsePeerVerbTest, CiFailAndPass) {
  auto fail = Parsed<GitHubCiVerb>("gh ci fail contexten/sandbox branch=eng-1-fix");
  EXPECT_FALSE(fail.pass);
  EXPECT_EQ(fail.repo, "contexten/sandbox");
  EXPECT_EQ(fail.branch, "eng-1-fix");
  auto pass = Parsed<GitHubCiVerb>("gh ci pass o/r");
  EXPECT_TRUE(pass.pass);
  EXPECT_TRUE(pass.branch.empty());
}

TEST(ParsePeerVerbTest, ErrorsSayWhatIsWrongAndShowTheUsage) {
  EXPECT_THAT(ErrorOf("linear state ENG-1"), HasSubstr("missing the state name"));
  EXPECT_THAT(ErrorOf("linear state ENG-1"), HasSubstr(kLinearStateUsage));
  EXPECT_THAT(ErrorOf("linear comment ENG-1"), HasSubstr("missing the text"));
  EXPECT_THAT(ErrorOf("linear move ENG-1 Done"), HasSubstr("unknown verb \"move\""));
  EXPECT_THAT(ErrorOf("linear"), HasSubstr(kLinearCommentUsage));
  EXPECT_THAT(ErrorOf("gh pr open contexten/sandbox"), HasSubstr("missing the title"));
  EXPECT_THAT(ErrorOf("gh pr open sandbox \"T\""), HasSubstr("\"sandbox\" is not owner/repo"));
  EXPECT_THAT(ErrorOf("gh pr open o/r T draft=yes"), HasSubstr("unknown option \"draft=\""));
  EXPECT_THAT(ErrorOf("gh pr open o/r T branch=\"a b\""), HasSubstr("is not a branch name"));
  EXPECT_THAT(ErrorOf("gh pr merge o/r"), HasSubstr("missing the pull request number"));
  EXPECT_THAT(ErrorOf("gh pr merge o/r#x"), HasSubstr("\"x\" is not a pull request number"));
  EXPECT_THAT(ErrorOf("gh pr merge o/r#0"), HasSubstr(kGitHubPrMergeUsage));
  EXPECT_THAT(ErrorOf("gh pr close o/r#1"), HasSubstr("unknown verb \"close\""));
  EXPECT_THAT(ErrorOf("gh ci flaky o/r"), HasSubstr("neither fail nor pass"));
  EXPECT_THAT(ErrorOf("gh ci fail"), HasSubstr("missing the repository"));
  EXPECT_THAT(ErrorOf("gh ci fail o/r extra"), HasSubstr("unexpected \"extra\""));
  EXPECT_THAT(ErrorOf("gh release o/r"), HasSubstr(kGitHubCiUsage));
  EXPECT_THAT(ErrorOf("deploy now"), HasSubstr("not a peer verb"));
  EXPECT_THAT(ErrorOf("linear comment ENG-1 \"oops"), HasSubstr("unterminated"));
}

TEST(BranchFromTitleTest, SlugsTitlesAsPeopleNameBranches) {
  EXPECT_EQ(BranchFromTitle("ENG-12 Fix login crash!"), "eng-12-fix-login-crash");
  EXPECT_EQ(BranchFromTitle("  --Ünïcode?? ok "), "n-code-ok");
  EXPECT_EQ(BranchFromTitle("!!!"), "sandbox-change");
  EXPECT_EQ(BranchFromTitle(std::string(100, 'a')).size(), 60u);
}

TEST(PeerVerbsTest, IsPeerVerbLooksAtTheFirstWordOnly) {
  EXPECT_TRUE(PeerVerbs::IsPeerVerb("linear state ENG-1 Done"));
  EXPECT_TRUE(PeerVerbs::IsPeerVerb("  gh ci pass o/r"));
  EXPECT_TRUE(PeerVerbs::IsPeerVerb("gh"));
  EXPECT_FALSE(PeerVerbs::IsPeerVerb("/ctx new"));
  EXPECT_FALSE(PeerVerbs::IsPeerVerb("linearly speaking"));
  EXPECT_FALSE(PeerVerbs::IsPeerVerb("@contexten gh pr open"));
  EXPECT_FALSE(PeerVerbs::IsPeerVerb(""));
}

TEST(PeerVerbsTest, WithoutStandInsVerbsAreUnavailableAndHelpListsEveryVerb) {
  PeerVerbs verbs(nullptr, nullptr);
  auto linear = verbs.Run("linear state ENG-1 Done");
  ASSERT_FALSE(linear.has_value());
  EXPECT_EQ(linear.error().kind, core::ErrorKind::kUnavailable);
  auto gh = verbs.Run("gh ci pass contexten/sandbox");
  ASSERT_FALSE(gh.has_value());
  EXPECT_EQ(gh.error().kind, core::ErrorKind::kUnavailable);
  auto bad = verbs.Run("gh pr merge nope");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().kind, core::ErrorKind::kInvalidInput);  // parsed before anything runs

  EXPECT_EQ(verbs.Run("gh help").value_or(""), PeerVerbs::Help());
  EXPECT_EQ(verbs.Run("linear help").value_or(""), PeerVerbs::Help());

  const std::string help = PeerVerbs::Help();
  for (const char* usage : {kLinearStateUsage, kLinearCommentUsage, kGitHubPrOpenUsage,
                            kGitHubPrMergeUsage, kGitHubCiUsage}) {
    EXPECT_THAT(help, HasSubstr(usage));
  }
  EXPECT_THAT(help, HasSubstr("e.g. gh pr merge contexten/sandbox#1"));
}

TEST(ParsePeerVerbTest, LinearOutageTakesSecondsAndAnOptionalStatus) {
  auto outage = Parsed<LinearOutageVerb>("linear outage 120");
  EXPECT_EQ(outage.seconds, 120);
  EXPECT_EQ(outage.status, 503);
  EXPECT_EQ(Parsed<LinearOutageVerb>("linear outage 5 status=500").status, 500);
  EXPECT_THAT(ErrorOf("linear outage"), HasSubstr("how many seconds"));
  EXPECT_THAT(ErrorOf("linear outage soon"), HasSubstr("not a number of seconds"));
  EXPECT_THAT(ErrorOf("linear outage 5 status=200"), HasSubstr(kLinearOutageUsage));
}

}  // namespace
}  // namespace contexten::sandbox
