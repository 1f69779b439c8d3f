// Issue 10's channel stories as `contexten sandbox --script` transcripts (tests/scripts/), run
// through the real executable and checked on what the channel sees: (e) synced threads and
// (f) a filtered subscription.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace contexten {
namespace {

struct Transcript {
  int exit_code = -1;
  std::string output;
};

Transcript RunScript(const std::string& name) {
  const std::string scripts = std::string(CONTEXTEN_SOURCE_DIR) + "/tests/scripts/";
  const std::string command = "env -u SLACK_APP_TOKEN -u SLACK_BOT_TOKEN " +
                              std::string(CONTEXTEN_BINARY_DIR) + "/contexten sandbox --script " +
                              scripts + name + " </dev/null 2>&1";
  Transcript run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buf{};
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), pipe)) {
    run.output.append(buf.data(), n);
  }
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// The transcript between the line that starts with `from` and the next "you> " line.
std::string After(const Transcript& t, const std::string& from) {
  const auto start = t.output.find(from);
  if (start == std::string::npos) return "<missing " + from + ">";
  const auto end = t.output.find("\nyou> ", start + from.size());
  return t.output.substr(start + from.size(),
                         end == std::string::npos ? std::string::npos : end - start - from.size());
}

// Finds `needle` at or after the previous match; the transcript is printed when it is missing.
class InOrder {
 public:
  explicit InOrder(const Transcript& t) : t_(t) {}
  InOrder& Then(const std::string& needle) {
    const auto pos = t_.output.find(needle, at_);
    EXPECT_NE(pos, std::string::npos)
        << "missing '" << needle << "' after offset " << at_ << " in:\n"
        << t_.output;
    if (pos != std::string::npos) at_ = pos + needle.size();
    return *this;
  }

 private:
  const Transcript& t_;
  std::size_t at_ = 0;
};

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
