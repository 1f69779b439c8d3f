// Issue filing as a newcomer tries it in `contexten sandbox`, line by line through the console:
// the slash command and the form each file exactly one Linear issue in the stand-in, whose card
// shows the identifier; the other side moving the issue in Linear updates that card in place and
// replies in its thread.

#include <gtest/gtest.h>

#include <sstream>

#include "bot/console.hpp"
#include "tests/integration/sandbox_app_support.hpp"

namespace contexten {
namespace {

using testing::SandboxApp;

class SandboxStoryTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_.app().WaitConnected(std::chrono::seconds(10))); }

  bool Run(const std::string& line) { return console_.RunLine(line, std::chrono::seconds(20)); }

  std::vector<integrations::linear::Issue> IssuesTitled(const std::string& title) {
    std::vector<integrations::linear::Issue> out;
    for (auto& issue : env_.linear().Issues()) {
      if (issue.title == title) out.push_back(issue);
    }
    return out;
  }
  std::vector<sandbox::SandboxMessage> Cards(const std::string& title) {
    std::vector<sandbox::SandboxMessage> out;
    for (auto& m : env_.slack().Messages()) {
      if (m.from_bot && m.thread_ts.empty() && !m.ephemeral &&
          m.text.find(title) != std::string::npos) {
        out.push_back(m);
      }
    }
    return out;
  }
  std::vector<sandbox::SandboxMessage> Replies(const std::string& ts) {
    std::vector<sandbox::SandboxMessage> out;
    for (auto& m : env_.slack().Messages()) {
      if (m.from_bot && m.thread_ts == ts) out.push_back(m);
    }
    return out;
  }

  SandboxApp env_;
  std::ostringstream out_;
  bot::Console console_{env_.mode(), out_};
};

TEST_F(SandboxStoryTest, IssueCreateFilesOneIssueAndLinearStateUpdatesItsCardAndThread) {
  ASSERT_TRUE(Run("/ctx issue create ENG Login crash on Safari priority:high")) << out_.str();
  auto issues = IssuesTitled("Login crash on Safari");
  ASSERT_EQ(issues.size(), 1u) << out_.str();
  EXPECT_EQ(issues[0].priority, 2);
  const std::string id = issues[0].identifier;
  auto cards = Cards("Login crash on Safari");
  ASSERT_EQ(cards.size(), 1u);
  EXPECT_NE(cards[0].blocks.dump().find(id), std::string::npos);

  ASSERT_TRUE(Run("linear state " + id + " In Progress")) << out_.str();
  auto after = Cards("Login crash on Safari");
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].ts, cards[0].ts);  // in place
  EXPECT_NE(after[0].blocks.dump().find("In Progress"), std::string::npos);
  auto replies = Replies(cards[0].ts);
  ASSERT_EQ(replies.size(), 1u) << out_.str();
  EXPECT_NE(replies[0].text.find("In Progress"), std::string::npos);
  EXPECT_EQ(IssuesTitled("Login crash on Safari").size(), 1u);
  EXPECT_NE(out_.str().find("(updated its message)"), std::string::npos);
}

TEST_F(SandboxStoryTest, TheFormFilesOneIssueToo) {
  ASSERT_TRUE(Run("/ctx new")) << out_.str();
  ASSERT_TRUE(Run("submit title=Checkout times out priority=2")) << out_.str();
  auto issues = IssuesTitled("Checkout times out");
  ASSERT_EQ(issues.size(), 1u) << out_.str();
  EXPECT_EQ(issues[0].team_key, "ENG");  // the form's team field starts with the stand-in's team
  auto cards = Cards("Checkout times out");
  ASSERT_EQ(cards.size(), 1u);
  EXPECT_NE(cards[0].blocks.dump().find(issues[0].identifier), std::string::npos);
  ASSERT_TRUE(Run("linear comment " + issues[0].identifier + " Seen on 2.3 too")) << out_.str();
  auto replies = Replies(cards[0].ts);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_NE(replies[0].text.find("Seen on 2.3 too"), std::string::npos);
}

TEST_F(SandboxStoryTest, AnUnknownTeamIsToldOnTheCardAndNothingIsFiled) {
  ASSERT_TRUE(Run("/ctx issue create NOPE Something broke")) << out_.str();
  EXPECT_TRUE(IssuesTitled("Something broke").empty());
  auto cards = Cards("Something broke");
  ASSERT_EQ(cards.size(), 1u);
  EXPECT_NE(cards[0].blocks.dump().find("NOPE"), std::string::npos) << cards[0].blocks.dump();
}

}  // namespace
}  // namespace contexten
