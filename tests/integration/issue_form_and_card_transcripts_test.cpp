// The create-issue form's Linear fields and the card's state select, each a transcript of
// tests/scripts/ run through the real executable (`contexten sandbox --script`).

#include <gtest/gtest.h>

#include <string>

#include "tests/support/sandbox_transcript.hpp"

namespace contexten {
namespace {

using testing::InOrder;
using testing::RunScript;
using testing::Transcript;

TEST(IssueFormTranscriptsTest, TheFormOffersLinearsTeamsPeopleAndLabelsAndFilesWithThem) {
  const Transcript t = RunScript("new_issue_linear_fields.txt");
  EXPECT_EQ(t.exit_code, 0) << t.output;
  InOrder(t)
      .Then("you> /ctx new")
      .Then("contexten opened a form:")
      .Then("Team: [ENG]")
      .Then("Loading teams, people and labels from Linear")
      .Then("contexten updated the form:")
      .Then("Team: [ENG · Engineering v]")
      .Then("Assignee (optional): [Unassigned v]")
      .Then("Labels (optional): [Choose labels v]")
      .Then("you> submit")
      .Then("Filing Login page crashes in ENG")
      .Then("you> linear show ENG-1")
      .Then(
          "linear: ENG-1 \"Login page crashes\" in ENG, Backlog, assignee Ada Lovelace, labels "
          "Bug, "
          "Improvement");
}

TEST(IssueCardTranscriptsTest, TheCardsStateSelectMovesTheIssueAndTheCardFollowsLinear) {
  const Transcript t = RunScript("card_state_select.txt");
  EXPECT_EQ(t.exit_code, 0) << t.output;
  InOrder(t)
      .Then("you> /ctx issue create ENG Login page crashes")
      .Then("[Assign to me] [Close] [Open in Linear] [Backlog v]")
      .Then("you> click In Progress")
      // The card's edit (its status and the select) and the thread's reply, in either order.
      .ThenAll({"Status In Progress", "[In Progress v]", "moved to In Progress by @U0SANDBOXUSER"})
      .Then("you> linear show ENG-1")
      .Then("linear: ENG-1 \"Login page crashes\" in ENG, In Progress");
}

}  // namespace
}  // namespace contexten
