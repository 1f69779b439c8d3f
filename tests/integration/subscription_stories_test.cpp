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
