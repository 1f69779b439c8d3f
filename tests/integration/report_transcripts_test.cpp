// `/ctx report run daily` in a sandbox script (issue 12): the preview is answered at once, and
// the digest the report run gathers from the Linear and GitHub stand-ins through the outbox
// follows, for the asker only.

#include <gtest/gtest.h>

#include "tests/support/sandbox_transcript.hpp"

namespace contexten {
namespace {

using testing::InOrder;
using testing::RunScript;
using testing::Transcript;

TEST(ReportTranscriptsTest, RunDailyShowsTheDigestFromLinearAndGitHub) {
  const Transcript t = RunScript("report_digest.txt");
  EXPECT_EQ(t.exit_code, 0) << t.output;
  InOrder(t)
      .Then("you> /ctx report run daily repos:contexten/sandbox")
      .Then("Gathering the digest from Linear and GitHub")
      .Then("== Daily digest ==")
      .Then("In Progress (1): unassigned 1")
      .Then("Awaiting first review (1)")
      .Then("contexten/sandbox#1")
      .Then("Reviewed, awaiting action (1)")
      .Then("contexten/sandbox#2")
      .Then("Failed CI on default branches (1)")
      .Then("Integration health");
}

}  // namespace
}  // namespace contexten
