// The GitHub stories of issue 10 (DESIGN.md §1) as `contexten sandbox --script` transcripts in
// tests/scripts/, run through the real executable and checked on what the channel sees: the PR
// lifecycle and its trace, a PR linked by hand, a CI failure fixed by a re-run, a CI failure filed
// in Linear, and a confirmed deploy.

#include <gtest/gtest.h>

#include <string>

#include "tests/support/sandbox_transcript.hpp"

namespace contexten {
namespace {

using testing::Count;
using testing::InOrder;
using testing::RunScript;
using testing::Transcript;

TEST(GitHubStoryTranscriptsTest, APullRequestThatFixesAnIssueCompletesItOnMergeAndTracesInOrder) {
  const Transcript t = RunScript("pr_lifecycle.txt");
  EXPECT_EQ(t.exit_code, 0) << t.output;
  InOrder(t)
      .Then("you> /ctx issue create ENG Login page crashes")
      .Then("*ENG-1*")
      .Then("you> gh pr open contexten/sandbox")
      // Linked: a reply in the issue's thread, the card lists the PR (in either order).
      .ThenAll({"Fix the login crash by octocat (closes ENG-1 when merged)",
                "Fix the login crash — open"})
      .Then("you> gh pr review contexten/sandbox#1 approve")
      .ThenAll({"octocat approved contexten/sandbox#1", "open · approved"})
      .Then("you> gh ci pass contexten/sandbox")
      .ThenAll({"Checks passed on contexten/sandbox#1", ":white_check_mark: checks passing"})
      .Then("you> gh pr merge contexten/sandbox#1")
      .Then("contexten/sandbox#1 (https://github.com/contexten/sandbox/pull/1) was merged")
      // Acceptance 5: the trace lists the thread, the PR, the review, the checks and the merge
      // in order.
      .Then("you> /ctx trace ENG-1")
      .Then("Trace of Linear issue ENG-1")
      .Then("Slack thread #C0GENERAL")
      .Then("pull request contexten/sandbox#1")
      .Then("(closes)")
      .Then("Timeline")
      .Then("filed ENG-1")
      .Then("linked contexten/sandbox#1 (closes)")
      .Then("review approved by octocat on contexten/sandbox#1")
      .Then("checks passing on contexten/sandbox#1")
      .Then("contexten/sandbox#1 merged")
      .Then("ENG-1 completed by contexten/sandbox#1");
  // The team's completed state, by type, said in the thread and shown on the card (a reply and
  // a card edit go out in either order).
  InOrder(t).Then("you> gh pr merge contexten/sandbox#1").Then("ENG-1 moved to Done");
  InOrder(t).Then("you> gh pr merge contexten/sandbox#1").Then("Status Done").Then("[Reopen]");
  // One link reply, one merge reply: nothing said twice.
  EXPECT_EQ(Count(t.output, "(closes ENG-1 when merged)"), 1u) << t.output;
  EXPECT_EQ(Count(t.output, "was merged"), 1u) << t.output;
  EXPECT_EQ(Count(t.output, "moved to Done"), 1u) << t.output;
}

TEST(GitHubStoryTranscriptsTest, APrLinkedByHandIsFollowedButItsMergeDoesNotCompleteTheIssue) {
  const Transcript t = RunScript("pr_linked_by_hand.txt");
  EXPECT_EQ(t.exit_code, 0) << t.output;
  InOrder(t)
      .Then("you> /ctx issue link ENG-1 contexten/sandbox#1")
      .Then("Linking contexten/sandbox#1 to ENG-1")
      .ThenAll({"Speed up search by octocat (linked to ENG-1 by @", "Speed up search — open"})
      .Then("you> gh pr review contexten/sandbox#1 approve")
      .ThenAll({"octocat approved contexten/sandbox#1", "open · approved"})
      .Then("you> gh pr merge contexten/sandbox#1")
      .Then("contexten/sandbox#1 (https://github.com/contexten/sandbox/pull/1) was merged")
      .Then("you> /ctx issue link ENG-7 contexten/sandbox#1")
      .Then("No card in Slack follows ENG-7, so nothing was linked")
      .Then("you> /ctx trace ENG-1")
      .Then("pull request contexten/sandbox#1")
      .Then("(links)")
      .Then("linked contexten/sandbox#1 (links)")
      .Then("contexten/sandbox#1 merged");
  // A link is not a closing word: the issue stays where it was.
  EXPECT_EQ(Count(t.output, "moved to Done"), 0u) << t.output;
  EXPECT_EQ(Count(t.output, "(linked to ENG-1 by @"), 1u) << t.output;
}

TEST(GitHubStoryTranscriptsTest, ARedMainIsReRunByCommandAfterConfirmingAndOnlyWhenOneIsOpen) {
  const Transcript t = RunScript("ci_rerun_by_command.txt");
  EXPECT_EQ(t.exit_code, 0) << t.output;
  InOrder(t)
      .Then("you> /ctx rerun contexten/sandbox")
      .Then("please confirm: re-run the failed jobs of contexten/sandbox")
      .Then("you> click Re-run")
      .Then("No CI failure is open for contexten/sandbox, so nothing was re-run.")
      .Then("you> gh ci fail contexten/sandbox")
      .Then("[Re-run failed jobs] [Create Linear issue]")
      .Then("you> /ctx rerun contexten/sandbox CI")
      .Then("you> click Re-run")
      .Then("Re-running the failed jobs of 1 open CI alert of contexten/sandbox (CI)");
  InOrder(t)
      .Then("you> /ctx rerun contexten/sandbox CI")
      .Then("you> click Re-run")
      .Then("asked GitHub to re-run the failed jobs of run")
      .Then("passed after the re-run: CI is green again on `main`");
  EXPECT_EQ(Count(t.output, "asked GitHub to re-run"), 1u) << t.output;
}

TEST(GitHubStoryTranscriptsTest, ARedMainIsReRunFromTheAlertAndTheThreadSaysItPassed) {
  const Transcript t = RunScript("ci_rerun.txt");
  EXPECT_EQ(t.exit_code, 0) << t.output;
  // Replies and edits of the alert go out on their own order keys, so each is checked in its own
  // order after the line that caused it.
  InOrder(t)
      .Then("you> gh ci fail contexten/sandbox")
      .Then(":x: CI failed: CI on `main` of contexten/sandbox")
      .Then("[Re-run failed jobs] [Create Linear issue]")
      .Then("Failing jobs:")
      .Then("• build")
      .Then("you> click Re-run failed jobs")
      .Then("asked GitHub to re-run the failed jobs of run")
      .Then("attempt 2 (https://github.com/contexten/sandbox/actions/runs/")
      .Then("passed after the re-run: CI is green again on `main`");
  InOrder(t)
      .Then("you> click Re-run failed jobs")
      .Then(":repeat: Re-running the failed jobs")
      .Then(":white_check_mark: Recovered: CI on `main`");
  EXPECT_EQ(Count(t.output, "asked GitHub to re-run"), 1u) << t.output;
}

TEST(GitHubStoryTranscriptsTest, CreateLinearIssueFilesTheFailingJobsAndASecondFailureReplies) {
  const Transcript t = RunScript("ci_create_issue.txt");
  EXPECT_EQ(t.exit_code, 0) << t.output;
  InOrder(t)
      .Then(":x: CI failed: CI on `main` of contexten/sandbox")
      .Then("you> click Create Linear issue")
      .Then("filed *ENG-1*")
      // Its card, in the alert's thread.
      .Then("CI failing: CI on main (contexten/sandbox)")
      .Then("you> gh ci fail contexten/sandbox")
      // The second failure is a reply, not a second alert.
      .Then(":x: Failed again: run")
      .Then("you> /ctx trace ENG-1")
      .Then("workflow run contexten/sandbox/runs/")
      .Then("(created_from)")
      .Then("filed ENG-1")
      .Then("failed again");
  InOrder(t).Then("you> click Create Linear issue").Then("Tracked in *ENG-1*");
  // The sandbox prints its "(gh: ...)" line once GitHub's webhooks were answered, while the bot
  // handles them on its own threads: the alert's update can print before or after that line.
  // Only the causal order holds: the second failure, then the alert counts two.
  InOrder(t)
      .Then("you> click Create Linear issue")
      .Then("you> gh ci fail contexten/sandbox")
      .Then("(2 failures)");
  EXPECT_EQ(Count(t.output, "(gh: CI CI on contexten/sandbox@main -> failure"), 2u) << t.output;
  // One alert posted (the rest are its updates and replies), one issue filed.
  EXPECT_EQ(Count(t.output, "contexten:\n    :x: CI failed"), 1u) << t.output;
  EXPECT_EQ(Count(t.output, "filed *ENG-1*"), 1u) << t.output;
}

TEST(GitHubStoryTranscriptsTest, ADeployIsRefusedForOthersConfirmedByTheAllowedAndFollowed) {
  const Transcript t = RunScript("deploy.txt", "deploy.yaml");
  EXPECT_EQ(t.exit_code, 0) << t.output;
  InOrder(t)
      .Then("you> /ctx deploy contexten/sandbox staging")
      .Then(":rocket: Deploy contexten/sandbox to staging at `main` requested by @U0SANDBOXUSER")
      .Then("[Confirm deploy] [Cancel]")
      .Then("you> click Confirm deploy")
      .Then("(only visible to you)")
      .Then("You can't confirm this deploy.")
      .Then("you> as U0LEAD click Confirm deploy")
      .Then("Confirmed by @U0LEAD: dispatching deploy.yml.")
      .Then("Deploy run")
      .Then("started.");
  InOrder(t)
      .Then("you> as U0LEAD click Confirm deploy")
      .Then(":white_check_mark: Deployed contexten/sandbox to staging at `main`");
  InOrder(t).Then("you> as U0LEAD click Confirm deploy").Then("Deployment to staging: success");
  InOrder(t)
      .Then("you> as U0LEAD click Confirm deploy")
      .Then(":white_check_mark: Deployed contexten/sandbox to staging at main.");
  // Nothing was dispatched on the refused click.
  const auto refused = t.output.find("You can't confirm this deploy.");
  const auto confirmed = t.output.find("Confirmed by @U0LEAD");
  ASSERT_NE(refused, std::string::npos);
  EXPECT_LT(refused, confirmed) << t.output;
  EXPECT_EQ(Count(t.output, "Confirmed by"), 1u) << t.output;
}

}  // namespace
}  // namespace contexten
