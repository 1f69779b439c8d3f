// FileIssueWorkflow with the pull requests that name its issue (github.pr, github.review,
// github.checks): linking, the card, and completing the issue on a merge with a closing word.

#include <gtest/gtest.h>

#include <optional>

#include "workflows/builtin/file_issue.hpp"
#include "workflows/builtin/github_events.hpp"
#include "workflows/builtin/pull_request_links.hpp"
#include "workflows/outbox/effect_kinds.hpp"

namespace contexten::workflows::builtin {
namespace {

using engine::Decision;
using engine::Event;
using nlohmann::json;

class PullRequestLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Step({"start",
          {{"team_key", "ENG"}, {"title", "Login crash"}, {"channel", "C1"}, {"reporter", "U1"}},
          "start"});
    Done("card", {{"channel", "C1"}, {"ts", "100.1"}});
    Done("create", {{"id", "uuid-1"},
                    {"identifier", "ENG-1"},
                    {"title", "Login crash"},
                    {"url", "https://linear.app/x/issue/ENG-1"},
                    {"team_key", "ENG"},
                    {"state", {{"name", "Todo"}, {"type", "unstarted"}}},
                    {"assignee", nullptr}});
  }
  Decision Step(const Event& event) {
    Decision d = workflow_.Decide({"file_issue:env-1", now_ms_++}, state_, event);
    state_ = d.state;
    return d;
  }
  Decision Done(const std::string& step, json result) {
    return Step(
        {engine::kEffectDone, {{"step", step}, {"result", std::move(result)}}, "e:" + step});
  }
  static json Pr(const std::string& relation, bool merged = false, std::string state = "open") {
    return {{"repo", "acme/web"},
            {"number", 12},
            {"title", "Fix the login crash"},
            {"url", "https://github.com/acme/web/pull/12"},
            {"action", merged ? "closed" : "opened"},
            {"state", merged ? "closed" : state},
            {"merged", merged},
            {"draft", false},
            {"author", "octocat"},
            {"identifier", "ENG-1"},
            {"relation", relation},
            {"evidence", {{"event", "github:1"}, {"field", "body"}, {"excerpt", "Fixes ENG-1"}}}};
  }
  static std::vector<engine::EffectRow> Rows(const Decision& d, const std::string& kind) {
    std::vector<engine::EffectRow> rows;
    for (const auto& e : d.effects) {
      if (auto row = engine::ToRow(e.action); row.kind == kind) rows.push_back(row);
    }
    return rows;
  }

  FileIssueWorkflow workflow_;
  json state_;
  std::int64_t now_ms_ = 1'700'000'000'000;
};

TEST_F(PullRequestLifecycleTest, APrNamingTheIssueIsAttachedToldInTheThreadAndOnTheCard) {
  auto d = Step({kGitHubPrEvent, Pr("closes"), "github:1"});
  auto attach = Rows(d, outbox::kLinearLinkPullRequest);
  ASSERT_EQ(attach.size(), 1u);
  EXPECT_EQ(attach[0].args["issue_id"], "uuid-1");
  EXPECT_EQ(attach[0].args["url"], "https://github.com/acme/web/pull/12");
  auto replies = Rows(d, outbox::kSlackPostMessage);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].args["thread_ts"], "100.1");
  EXPECT_NE(replies[0].args["text"].get<std::string>().find("closes *ENG-1* when merged"),
            std::string::npos);
  auto card = Rows(d, outbox::kSlackUpdateMessage);
  ASSERT_EQ(card.size(), 1u);
  EXPECT_NE(card[0].args["blocks"].dump().find("acme/web#12"), std::string::npos);
  EXPECT_EQ(d.wait_for, std::vector<std::string>{GitHubPrKey("acme/web", 12)});
  ASSERT_EQ(d.links.size(), 1u);
  EXPECT_EQ(d.links[0].from_key, GitHubPrKey("acme/web", 12));
  EXPECT_EQ(d.links[0].to_key, "linear_issue:ENG-1");
  EXPECT_EQ(d.links[0].kind, "closes");
  // The same PR edited: no second attachment or link reply.
  auto edited = Step({kGitHubPrEvent, Pr("closes"), "github:2"});
  EXPECT_TRUE(Rows(edited, outbox::kLinearLinkPullRequest).empty());
  EXPECT_TRUE(Rows(edited, outbox::kSlackPostMessage).empty());
}

TEST_F(PullRequestLifecycleTest, MergingWithAClosingWordMovesTheIssueToTheCompletedType) {
  Step({kGitHubPrEvent, Pr("closes"), "github:1"});
  auto merged = Step({kGitHubPrEvent, Pr("closes", true), "github:2"});
  auto update = Rows(merged, outbox::kLinearUpdateIssue);
  ASSERT_EQ(update.size(), 1u);
  EXPECT_EQ(update[0].args["state_type"], "completed");
  EXPECT_FALSE(update[0].args.contains("state_name"));
  EXPECT_EQ(update[0].args["team_key"], "ENG");
  // Linear's answer: the thread says which PR closed it.
  auto done = Done("pr-close:acme/web#12", {{"id", "uuid-1"},
                                            {"identifier", "ENG-1"},
                                            {"state", {{"name", "Done"}, {"type", "completed"}}}});
  auto replies = Rows(done, outbox::kSlackPostMessage);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_NE(replies[0].args["text"].get<std::string>().find("closed by acme/web#12"),
            std::string::npos);
}

TEST_F(PullRequestLifecycleTest, MergingWithAReferenceWordOnlyLinks) {
  Step({kGitHubPrEvent, Pr("references"), "github:1"});
  auto merged = Step({kGitHubPrEvent, Pr("references", true), "github:2"});
  EXPECT_TRUE(Rows(merged, outbox::kLinearUpdateIssue).empty());
  EXPECT_EQ(Rows(merged, outbox::kSlackPostMessage).size(), 1u);  // "was merged"
}

TEST_F(PullRequestLifecycleTest, ReviewsAndChecksUpdateTheCardInPlace) {
  Step({kGitHubPrEvent, Pr("closes"), "github:1"});
  auto reviewed = Step({kGitHubReviewEvent,
                        {{"repo", "acme/web"},
                         {"number", 12},
                         {"state", "changes_requested"},
                         {"reviewer", "hubot"}},
                        "github:2"});
  auto card = Rows(reviewed, outbox::kSlackUpdateMessage);
  ASSERT_EQ(card.size(), 1u);
  EXPECT_NE(card[0].args["blocks"].dump().find("changes requested"), std::string::npos);
  const json checks = {{"repo", "acme/web"},
                       {"number", 12},
                       {"name", "CI"},
                       {"status", "completed"},
                       {"conclusion", "success"},
                       {"url", "https://github.com/acme/web/actions/runs/1"}};
  auto passed = Step({kGitHubChecksEvent, checks, "github:3"});
  card = Rows(passed, outbox::kSlackUpdateMessage);
  ASSERT_EQ(card.size(), 1u);
  EXPECT_NE(card[0].args["blocks"].dump().find("checks passing"), std::string::npos);
  // The same result from another event (check suite and run): said once.
  EXPECT_TRUE(Step({kGitHubChecksEvent, checks, "github:4"}).effects.empty());
}

TEST_F(PullRequestLifecycleTest, EventsForAnotherIssueOrAnUnknownPrChangeNothing) {
  json other = Pr("closes");
  other["identifier"] = "ENG-2";
  EXPECT_TRUE(Step({kGitHubPrEvent, other, "github:1"}).effects.empty());
  EXPECT_TRUE(Step({kGitHubReviewEvent,
                    {{"repo", "acme/web"}, {"number", 99}, {"state", "approved"}},
                    "github:2"})
                  .effects.empty());
}

TEST_F(PullRequestLifecycleTest, APrLinkedByHandIsReadFromGitHubThenLinkedAndFollowedByItsKey) {
  auto asked = Step({kSlackLinkRequestEvent,
                     {{"user", "U7"}, {"repo", "acme/web"}, {"number", 34}},
                     "slack:E1:link"});
  auto reads = Rows(asked, outbox::kGitHubGetPullRequest);
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].args["repo"], "acme/web");
  EXPECT_EQ(reads[0].args["number"], 34);
  EXPECT_TRUE(Rows(asked, outbox::kLinearLinkPullRequest).empty());  // not before GitHub answers
  const std::string step = asked.effects[0].step;
  auto read = Done(step, {{"repo", "acme/web"},
                          {"number", 34},
                          {"title", "Speed up search"},
                          {"url", "https://github.com/acme/web/pull/34"},
                          {"state", "open"},
                          {"merged", false},
                          {"draft", false},
                          {"author", "hubot"},
                          {"branch", "faster-search"}});
  auto attach = Rows(read, outbox::kLinearLinkPullRequest);
  ASSERT_EQ(attach.size(), 1u);
  EXPECT_EQ(attach[0].args["url"], "https://github.com/acme/web/pull/34");
  auto replies = Rows(read, outbox::kSlackPostMessage);
  ASSERT_EQ(replies.size(), 1u);
  const std::string said = replies[0].args["text"];
  EXPECT_NE(said.find("(linked to *ENG-1* by <@U7>)"), std::string::npos) << said;
  EXPECT_EQ(read.wait_for, std::vector<std::string>{GitHubPrKey("acme/web", 34)});
  ASSERT_EQ(read.links.size(), 1u);
  EXPECT_EQ(read.links[0].kind, "links");

  // Its later news arrives by the PR's key, naming no issue: merged, it is told but does not
  // close the issue (a link is not a closing word).
  json merged = {{"repo", "acme/web"},
                 {"number", 34},
                 {"title", "Speed up search"},
                 {"url", "https://github.com/acme/web/pull/34"},
                 {"action", "closed"},
                 {"state", "closed"},
                 {"merged", true},
                 {"draft", false},
                 {"author", "hubot"}};
  auto closed = Step({kGitHubPrEvent, merged, "github:9"});
  EXPECT_TRUE(Rows(closed, outbox::kLinearUpdateIssue).empty());
  ASSERT_EQ(Rows(closed, outbox::kSlackPostMessage).size(), 1u);  // "was merged"
  // A PR that names no issue and was never linked here is not ours.
  merged["number"] = 35;
  EXPECT_TRUE(Step({kGitHubPrEvent, merged, "github:10"}).effects.empty());
  // Asking again for a linked PR only answers the person.
  auto again = Step({kSlackLinkRequestEvent,
                     {{"user", "U7"}, {"repo", "acme/web"}, {"number", 34}},
                     "slack:E2:link"});
  EXPECT_TRUE(Rows(again, outbox::kGitHubGetPullRequest).empty());
  EXPECT_EQ(Rows(again, outbox::kSlackPostEphemeral).size(), 1u);
}

TEST_F(PullRequestLifecycleTest, APrThatCannotBeReadIsNotLinkedAndThePersonIsTold) {
  auto asked = Step({kSlackLinkRequestEvent,
                     {{"user", "U7"}, {"repo", "acme/web"}, {"number", 404}},
                     "slack:E1:link"});
  ASSERT_EQ(asked.effects.size(), 1u);
  auto dead = Step({engine::kEffectDead,
                    {{"step", asked.effects[0].step}, {"error", "GitHub: Not Found"}},
                    "dead:1"});
  EXPECT_TRUE(Rows(dead, outbox::kLinearLinkPullRequest).empty());
  auto told = Rows(dead, outbox::kSlackPostEphemeral);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_NE(told[0].args["text"].get<std::string>().find("could not read acme/web#404"),
            std::string::npos);
}

TEST(PullRequestLinksTest, ARelationOnlyStrengthensAndAMergeIsSeenOnce) {
  json prs = json::object();
  json data = {{"repo", "a/b"}, {"number", 1}, {"state", "open"}, {"relation", "mentions"}};
  EXPECT_TRUE(ApplyPullRequestEvent(prs, data).is_new);
  data["relation"] = "closes";
  EXPECT_TRUE(ApplyPullRequestEvent(prs, data).relation_upgraded);
  data["relation"] = "references";
  EXPECT_FALSE(ApplyPullRequestEvent(prs, data).any);
  EXPECT_EQ(prs["a/b#1"]["relation"], "closes");
  data["merged"] = true;
  data["state"] = "closed";
  EXPECT_TRUE(ApplyPullRequestEvent(prs, data).merged);
  EXPECT_FALSE(ApplyPullRequestEvent(prs, data).merged);
  ASSERT_EQ(LinkedPullRequests(prs).size(), 1u);
  EXPECT_EQ(LinkedPullRequests(prs)[0].state, "merged");
}

}  // namespace
}  // namespace contexten::workflows::builtin
