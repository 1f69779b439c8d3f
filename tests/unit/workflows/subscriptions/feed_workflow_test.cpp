// The feed's posting decisions: one home thread per entity with its root edited in place,
// replies queued until the root exists, broadcast only when asked, flat posts with threads off.

#include "workflows/subscriptions/feed_workflow.hpp"

#include <gtest/gtest.h>

#include "workflows/builtin/file_issue_events.hpp"

namespace contexten::workflows::subscriptions {
namespace {

using nlohmann::json;
namespace effects = engine::effects;

Subscription Sub(const std::vector<std::string>& words) {
  auto parsed = ParseSubscribe(words, "C1");
  EXPECT_TRUE(parsed.has_value());
  Subscription s = parsed ? *parsed : Subscription{};
  s.id = 7;
  return s;
}

FeedEvent Pr(std::string action, std::string line) {
  FeedEvent e;
  e.platform = kGitHub;
  e.target = "acme/web";
  e.feature = "pulls";
  e.entity_key = "github_pr:acme/web#1";
  e.action = std::move(action);
  e.author = "alice";
  e.title = "acme/web#1 Fix login";
  e.url = "https://github.com/acme/web/pull/1";
  e.line = std::move(line);
  e.state_change = e.action == "merged" || e.action == "closed";
  return e;
}

class FeedWorkflowTest : public ::testing::Test {
 protected:
  engine::Decision Feed(const Subscription& s, const FeedEvent& e, const std::string& key) {
    auto d = workflow_.Decide({run_, 1000}, state_, MakeFeedEvent(s, e, key));
    state_ = d.state;
    return d;
  }
  engine::Decision RootPosted() {
    engine::Event done{engine::kEffectDone,
                       {{"step", "root"}, {"result", {{"channel", "C1"}, {"ts", "100.1"}}}},
                       "effect:1"};
    auto d = workflow_.Decide({run_, 1000}, state_, done);
    state_ = d.state;
    return d;
  }

  FeedWorkflow workflow_;
  std::string run_ = FeedRunId(7, "github_pr:acme/web#1");
  json state_;
};

TEST_F(FeedWorkflowTest, OneHomeThreadWhoseRootFollowsTheLatestState) {
  const auto s = Sub({"acme/web", "pulls,reviews"});
  auto first = Feed(s, Pr("opened", "opened by alice"), "d1");
  ASSERT_EQ(first.effects.size(), 1u);
  const auto& root = std::get<effects::SlackPostMessage>(first.effects[0].action);
  EXPECT_EQ(first.effects[0].step, "root");
  EXPECT_EQ(root.channel, "C1");
  EXPECT_TRUE(root.thread_ts.empty());
  EXPECT_NE(root.text.find("opened by alice"), std::string::npos);

  // An approval before the root's ts is known waits for it.
  auto early = Feed(s, Pr("approved", "approved by bob"), "d2");
  EXPECT_TRUE(early.effects.empty());

  auto posted = RootPosted();
  ASSERT_EQ(posted.effects.size(), 2u);
  const auto& edit = std::get<effects::SlackUpdateMessage>(posted.effects[0].action);
  EXPECT_EQ(edit.ts, "100.1");
  EXPECT_NE(edit.text.find("approved by bob"), std::string::npos);
  const auto& reply = std::get<effects::SlackPostMessage>(posted.effects[1].action);
  EXPECT_EQ(reply.thread_ts, "100.1");
  EXPECT_NE(reply.text.find("approved by bob"), std::string::npos);
  ASSERT_EQ(posted.links.size(), 2u);
  EXPECT_EQ(posted.links[0].from_key, "github_pr:acme/web#1");
  EXPECT_EQ(posted.links[0].to_key, "slack_thread:C1/100.1");
  // The thread leads to this run, where replies in it go (bot/handlers/thread_sync.hpp).
  EXPECT_EQ(posted.links[1].from_key, "slack_thread:C1/100.1");
  EXPECT_EQ(posted.links[1].to_key, "contexten_run:" + run_);

  // Merged: a thread reply, not broadcast (the subscription did not ask for it).
  auto merged = Feed(s, Pr("merged", "merged by alice"), "d3");
  ASSERT_EQ(merged.effects.size(), 2u);
  const auto& merged_reply = std::get<effects::SlackPostMessage>(merged.effects[1].action);
  EXPECT_EQ(merged_reply.thread_ts, "100.1");
  EXPECT_FALSE(merged_reply.broadcast);
}

TEST_F(FeedWorkflowTest, StateChangesAreBroadcastOnlyWhenAskedFor) {
  const auto s = Sub({"acme/web", "pulls", "broadcast:states"});
  Feed(s, Pr("opened", "opened by alice"), "d1");
  RootPosted();
  auto labeled = Feed(s, Pr("labeled", "labeled ui"), "d2");
  // A label on a PR already shown edits its root only.
  ASSERT_EQ(labeled.effects.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<effects::SlackUpdateMessage>(labeled.effects[0].action));
  auto merged = Feed(s, Pr("merged", "merged by alice"), "d3");
  ASSERT_EQ(merged.effects.size(), 2u);
  EXPECT_TRUE(std::get<effects::SlackPostMessage>(merged.effects[1].action).broadcast);
}

TEST_F(FeedWorkflowTest, ThreadsOffPostsEveryEventFlat) {
  const auto s = Sub({"acme/web", "pulls,reviews", "threads:off"});
  auto opened = Feed(s, Pr("opened", "opened by alice"), "d1");
  auto approved = Feed(s, Pr("approved", "approved by bob"), "d2");
  ASSERT_EQ(opened.effects.size(), 1u);
  ASSERT_EQ(approved.effects.size(), 1u);
  const auto& post = std::get<effects::SlackPostMessage>(approved.effects[0].action);
  EXPECT_TRUE(post.thread_ts.empty());
  EXPECT_NE(post.text.find("acme/web#1"), std::string::npos);  // names its PR
  EXPECT_NE(opened.effects[0].step, approved.effects[0].step);
}

TEST_F(FeedWorkflowTest, AFilteredEventPostsNothingButCiRemembersItsOutcome) {
  const auto s = Sub({"acme/web", "ci", "ci:failures"});
  FeedEvent ci;
  ci.platform = kGitHub;
  ci.target = "acme/web";
  ci.feature = "ci";
  ci.entity_key = "github_ci:acme/web/CI@main";
  ci.branch = "main";
  ci.conclusion = "failure";
  ci.title = "CI on acme/web@main";
  ci.line = "failed";
  run_ = FeedRunId(7, ci.entity_key);
  EXPECT_EQ(Feed(s, ci, "d1").effects.size(), 1u);
  RootPosted();
  ci.conclusion = "success";
  ci.line = "passed";
  auto recovered = Feed(s, ci, "d2");
  ASSERT_EQ(recovered.effects.size(), 2u);
  EXPECT_NE(std::get<effects::SlackPostMessage>(recovered.effects[1].action).text.find("recovered"),
            std::string::npos);
  EXPECT_TRUE(Feed(s, ci, "d3").effects.empty());  // passing again: not news
}

FeedEvent LinearIssue(std::string feature, std::string action, std::string line) {
  FeedEvent e;
  e.platform = kLinear;
  e.target = "ENG";
  e.feature = std::move(feature);
  e.entity_key = "linear_issue:ENG-1";
  e.action = std::move(action);
  e.author = "Ada";
  e.title = "ENG-1 Login fails";
  e.url = "https://linear.app/sandbox/issue/ENG-1";
  e.line = std::move(line);
  e.opens = e.action == "created";
  return e;
}

class FeedThreadSyncTest : public FeedWorkflowTest {
 protected:
  FeedThreadSyncTest() { run_ = FeedRunId(7, "linear_issue:ENG-1"); }
  engine::Decision Reply(const std::string& text, const std::string& ts) {
    auto d = workflow_.Decide(
        {run_, 1000}, state_,
        {builtin::kSlackReplyEvent, {{"user", "U1"}, {"text", text}, {"ts", ts}}, "reply:" + ts});
    state_ = d.state;
    return d;
  }
  engine::Decision UserKnown(const std::string& step, const std::string& name) {
    engine::Event done{engine::kEffectDone,
                       {{"step", step}, {"result", {{"display_name", name}}}},
                       "effect:" + step};
    auto d = workflow_.Decide({run_, 1000}, state_, done);
    state_ = d.state;
    return d;
  }
};

TEST_F(FeedThreadSyncTest, AReplyInALinearIssuesHomeThreadBecomesACommentThatDoesNotEchoBack) {
  const auto s = Sub({"linear", "ENG", "created,comments"});
  Feed(s, LinearIssue("created", "created", "created by Ada"), "d1");
  RootPosted();

  auto asked = Reply("I can take this", "200.1");
  ASSERT_EQ(asked.effects.size(), 1u);
  const auto& who = std::get<effects::SlackUserInfo>(asked.effects[0].action);
  EXPECT_EQ(who.user, "U1");

  auto synced = UserKnown(asked.effects[0].step, "Grace");
  ASSERT_EQ(synced.effects.size(), 1u);
  const auto& comment = std::get<effects::LinearCreateComment>(synced.effects[0].action);
  EXPECT_EQ(comment.issue_id, "ENG-1");
  EXPECT_EQ(comment.body, "I can take this\n\n_via Slack, by Grace_");
  EXPECT_FALSE(comment.id.empty());

  // The same result delivered again files nothing more.
  json before = state_;
  auto again =
      workflow_.Decide({run_, 1000}, before,
                       {engine::kEffectDone,
                        {{"step", asked.effects[0].step}, {"result", {{"display_name", "Grace"}}}},
                        "effect:x"});
  EXPECT_TRUE(again.effects.empty());  // that step was settled already

  // Linear's webhook for our own comment: not posted back into the thread.
  FeedEvent own = LinearIssue("comments", "commented", "Grace commented: I can take this");
  own.comment_id = comment.id;
  EXPECT_TRUE(Feed(s, own, "d2").effects.empty());

  // Someone else's comment is.
  FeedEvent other = LinearIssue("comments", "commented", "Ada commented: thanks");
  other.comment_id = "another-comment";
  auto shown = Feed(s, other, "d3");
  ASSERT_EQ(shown.effects.size(), 2u);
  EXPECT_EQ(std::get<effects::SlackPostMessage>(shown.effects[1].action).thread_ts, "100.1");
}

TEST_F(FeedWorkflowTest, AReplyInAGitHubEntitysThreadStaysInSlack) {
  const auto s = Sub({"acme/web", "pulls"});
  Feed(s, Pr("opened", "opened by alice"), "d1");
  RootPosted();
  auto reply = workflow_.Decide(
      {run_, 1000}, state_,
      {builtin::kSlackReplyEvent, {{"user", "U1"}, {"text", "lgtm"}, {"ts", "200.1"}}, "r"});
  EXPECT_TRUE(reply.effects.empty());
  EXPECT_NE(reply.note.find("not synced"), std::string::npos);
}

}  // namespace
}  // namespace contexten::workflows::subscriptions
