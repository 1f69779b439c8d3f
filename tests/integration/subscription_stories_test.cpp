// Issue 10's channel stories as `contexten sandbox --script` transcripts (tests/scripts/), run
// through the real executable and checked on what the channel sees: (e) synced threads and
// (f) a filtered subscription.

#include <gtest/gtest.h>

#include <string>

#include "tests/support/sandbox_transcript.hpp"

namespace contexten {
namespace {

using testing::InOrder;
using testing::RunScript;
using testing::Transcript;

TEST(SubscriptionStoriesTest, LinearCommentsAndThreadRepliesSyncWithoutEcho) {
  const Transcript t = RunScript("synced_thread.txt");
  EXPECT_EQ(t.exit_code, 0) << t.output;
  InOrder(t)
      .Then("you> /ctx issue create ENG Login page crashes on Safari")
      .Then("*ENG-1*")
      .Then("you> linear comment ENG-1 Reproduced on Safari 17.2")
      .Then("Sandbox User commented on ENG-1")
      .Then("> Reproduced on Safari 17.2")
      .Then("you> reply I can take a look after lunch")
      .Then("you> linear comments ENG-1")
      .Then("ENG-1 has 2 comments")
      .Then("Sandbox User: Reproduced on Safari 17.2")
      .Then("I can take a look after lunch")
      .Then("_via Slack, by ");
  // The reply is in Linear, and its webhook did not come back into the thread.
  const auto reply = t.output.find("you> reply I can take a look after lunch");
  const auto listed = t.output.find("you> linear comments ENG-1");
  ASSERT_NE(reply, std::string::npos);
  ASSERT_NE(listed, std::string::npos);
  EXPECT_EQ(t.output.substr(reply, listed - reply).find("contexten"), std::string::npos)
      << t.output;
}

// Issue 10, "edits and deletions follow where the platform allows", both ways and without echo.
TEST(SubscriptionStoriesTest, EditsAndDeletionsFollowBothWaysWithoutEcho) {
  const Transcript t = RunScript("synced_thread.txt");
  EXPECT_EQ(t.exit_code, 0) << t.output;
  InOrder(t)
      .Then("you> linear edit-comment ENG-1 1 Reproduced on Safari 17.2 and 17.3")
      .Then("Sandbox User commented on ENG-1 (edited in Linear):")
      .Then("> Reproduced on Safari 17.2 and 17.3")
      .Then("you> edit-reply 1 I can take a look after lunch, pairing with Bob")
      .Then("you> linear comments ENG-1")
      .Then("ENG-1 has 2 comments")
      .Then("Sandbox User: Reproduced on Safari 17.2 and 17.3")
      .Then("I can take a look after lunch, pairing with Bob")
      .Then("you> delete-reply 1")
      .Then("you> linear comments ENG-1")
      .Then("ENG-1 has 1 comment\n")
      .Then("you> linear delete-comment ENG-1 1")
      .Then("Sandbox User's comment on ENG-1: comment deleted in Linear")
      .Then("you> linear comments ENG-1")
      .Then("ENG-1 has 0 comments");
  // A Slack edit or deletion goes to Linear only: nothing comes back into the thread (Linear's
  // webhooks for our own commentUpdate / commentDelete are not echoed), up to the listing.
  for (const char* step : {"you> edit-reply 1", "you> delete-reply 1"}) {
    const auto from = t.output.find(step);
    const auto to = t.output.find("you> linear comments", from);
    ASSERT_NE(from, std::string::npos) << t.output;
    EXPECT_EQ(t.output.substr(from, to - from).find("contexten"), std::string::npos) << step << "\n"
                                                                                     << t.output;
  }
  // The bot's own chat.update of the mirror edited in Linear (a bot's message_changed) did not
  // become a Linear update of the Slack reply's comment, which reads as the person wrote it.
  EXPECT_NE(t.output.find("I can take a look after lunch, pairing with Bob\n\n_via Slack, by "),
            std::string::npos)
      << t.output;
}

TEST(SubscriptionStoriesTest, FilteredSubscriptionPostsTheFailureOnly) {
  const Transcript t = RunScript("subscription_filters.txt");
  EXPECT_EQ(t.exit_code, 0) << t.output;
  InOrder(t)
      .Then(
          "Subscribed this channel to contexten/sandbox: pulls, ci · "
          "-author:dependabot[bot] ci:failures")
      .Then("you> gh pr open contexten/sandbox \"Bump lodash")
      .Then("you> gh ci pass contexten/sandbox")
      .Then("you> gh ci fail contexten/sandbox")
      .Then(":x: CI on contexten/sandbox@main failed")
      .Then("you> gh pr open contexten/sandbox \"Fix the login redirect\"")
      .Then("contexten/sandbox#2 Fix the login redirect")
      .Then("you> gh ci pass contexten/sandbox")
      .Then("recovered, passed");
  // The dependabot PR and the first, passing run post nothing.
  EXPECT_EQ(After(t, "you> gh pr open contexten/sandbox \"Bump lodash").find("contexten:"),
            std::string::npos)
      << t.output;
  EXPECT_EQ(After(t, "you> gh ci pass contexten/sandbox\n").find("contexten:"), std::string::npos)
      << t.output;
}

}  // namespace
}  // namespace contexten
