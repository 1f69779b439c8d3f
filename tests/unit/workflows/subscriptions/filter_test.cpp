// One test per subscription filter (issue 10, acceptance 2), including the label added after
// the PR opened.

#include "workflows/subscriptions/filter.hpp"

#include <gtest/gtest.h>

namespace contexten::workflows::subscriptions {
namespace {

Subscription Sub(const std::vector<std::string>& words) {
  auto parsed = ParseSubscribe(words, "C1");
  EXPECT_TRUE(parsed.has_value()) << (parsed ? "" : parsed.error().message);
  return parsed ? *parsed : Subscription{};
}

FeedEvent Pr(std::string action = "opened", std::vector<std::string> labels = {}) {
  FeedEvent e;
  e.platform = kGitHub;
  e.target = "acme/web";
  e.feature = "pulls";
  e.entity_key = "github_pr:acme/web#1";
  e.action = std::move(action);
  e.author = "alice";
  e.labels = std::move(labels);
  e.branch = "main";
  e.opens = e.action == "opened";
  return e;
}

FeedEvent Ci(std::string conclusion, std::string branch = "main") {
  FeedEvent e;
  e.platform = kGitHub;
  e.target = "acme/web";
  e.feature = "ci";
  e.entity_key = "github_ci:acme/web/CI@" + branch;
  e.author = "alice";
  e.branch = std::move(branch);
  e.conclusion = std::move(conclusion);
  return e;
}

TEST(SubscriptionFilterTest, PostsASubscribedFeatureOfItsTargetOnly) {
  const auto s = Sub({"acme/web", "pulls"});
  EXPECT_TRUE(Match(s, Pr(), {}).post);
  auto other = Pr();
  other.target = "acme/api";
  EXPECT_FALSE(Match(s, other, {}).post);
  EXPECT_FALSE(Match(s, Ci("failure"), {}).post);  // ci not subscribed
}

TEST(SubscriptionFilterTest, EveryRequiredLabelMustBeOnTheEntity) {
  const auto s = Sub({"acme/web", "pulls", "+label:ui", "+label:bug"});
  EXPECT_FALSE(Match(s, Pr("opened", {"ui"}), {}).post);
  EXPECT_TRUE(Match(s, Pr("opened", {"bug", "UI"}), {}).post);  // any case, any order
}

TEST(SubscriptionFilterTest, AnExcludedLabelKeepsTheEntityOut) {
  const auto s = Sub({"acme/web", "pulls", "-label:wip"});
  EXPECT_FALSE(Match(s, Pr("opened", {"ui", "wip"}), {}).post);
  EXPECT_TRUE(Match(s, Pr("opened", {"ui"}), {}).post);
}

TEST(SubscriptionFilterTest, AnExcludedAuthorIsNotPosted) {
  const auto s = Sub({"acme/web", "pulls", "-author:renovate-me"});
  auto pr = Pr();
  pr.author = "Renovate-Me";
  EXPECT_FALSE(Match(s, pr, {}).post);
  pr.author = "alice";
  EXPECT_TRUE(Match(s, pr, {}).post);
}

TEST(SubscriptionFilterTest, BotAuthorsAreLeftOutUnlessBotsAreIncluded) {
  auto pr = Pr();
  pr.author = "dependabot[bot]";
  pr.author_is_bot = true;
  EXPECT_FALSE(Match(Sub({"acme/web", "pulls"}), pr, {}).post);
  EXPECT_TRUE(Match(Sub({"acme/web", "pulls", "+bots"}), pr, {}).post);
  // +bots and a named bot excluded: that one stays out.
  EXPECT_FALSE(Match(Sub({"acme/web", "pulls", "+bots", "-author:dependabot[bot]"}), pr, {}).post);
}

TEST(SubscriptionFilterTest, BranchGlobAppliesToPullBasesAndCiBranches) {
  const auto s = Sub({"acme/web", "pulls,ci", "branch:release/*"});
  auto pr = Pr();
  EXPECT_FALSE(Match(s, pr, {}).post);
  pr.branch = "release/1.2";
  EXPECT_TRUE(Match(s, pr, {}).post);
  EXPECT_FALSE(Match(s, Ci("failure", "main"), {}).post);
  EXPECT_TRUE(Match(s, Ci("failure", "release/2.0"), {}).post);
  EXPECT_TRUE(GlobMatch("users/*/fix-?", "users/al/fix-1"));
  EXPECT_FALSE(GlobMatch("users/*/fix-?", "users/al/fix-12"));
}

TEST(SubscriptionFilterTest, DraftsOffWaitsForReadyForReview) {
  const auto s = Sub({"acme/web", "pulls", "drafts:off"});
  auto draft = Pr();
  draft.draft = true;
  EXPECT_FALSE(Match(s, draft, {}).post);
  auto ready = Pr("ready_for_review");
  EXPECT_TRUE(Match(s, ready, {}).post);
  EXPECT_TRUE(Match(s, ready, {}).as_new);
  // A draft closed before anyone saw it is not news here.
  auto closed = Pr("closed");
  closed.draft = true;
  EXPECT_FALSE(Match(s, closed, {}).post);
  // With drafts on (the default) a draft is posted.
  EXPECT_TRUE(Match(Sub({"acme/web", "pulls"}), draft, {}).post);
}

TEST(SubscriptionFilterTest, CiFailuresPostsFailuresAndRecoveriesOnly) {
  const auto s = Sub({"acme/web", "ci", "ci:failures"});
  EXPECT_FALSE(Match(s, Ci("success"), {}).post);
  EXPECT_TRUE(Match(s, Ci("failure"), {}).post);
  EXPECT_TRUE(Match(s, Ci("timed_out"), {}).post);
  EntityMemory failed{true, "failure"};
  EXPECT_TRUE(Match(s, Ci("success"), failed).post);  // the recovery
  EntityMemory passed{true, "success"};
  EXPECT_FALSE(Match(s, Ci("success"), passed).post);
  EXPECT_FALSE(Match(s, Ci("cancelled"), passed).post);
  // Without ci:failures every completed run is posted.
  EXPECT_TRUE(Match(Sub({"acme/web", "ci"}), Ci("success"), {}).post);
}

TEST(SubscriptionFilterTest, ALabelAddedAfterThePrOpenedBringsItInOnce) {
  const auto s = Sub({"acme/web", "pulls", "+label:frontend"});
  // Opened without the label (an Action labels it a moment later): not posted...
  EXPECT_FALSE(Match(s, Pr("opened", {}), {}).post);
  // ...then labeled: the filter is evaluated again and the PR enters the channel now.
  const auto labeled = Match(s, Pr("labeled", {"frontend"}), {});
  EXPECT_TRUE(labeled.post);
  EXPECT_TRUE(labeled.as_new);
  // Once in, another label is an update in its thread, not a second entry.
  const auto again = Match(s, Pr("labeled", {"frontend", "ui"}), {true, ""});
  EXPECT_TRUE(again.post);
  EXPECT_FALSE(again.as_new);
}

TEST(SubscriptionFilterTest, OncePostedTheEntitysUpdatesFollowInItsThread) {
  const auto s = Sub({"acme/web", "pulls", "+label:frontend"});
  // The label was removed, then the PR merged: the thread still hears it.
  const auto merged = Match(s, Pr("merged", {}), {true, ""});
  EXPECT_TRUE(merged.post);
  EXPECT_FALSE(merged.as_new);
  EXPECT_FALSE(Match(s, Pr("merged", {}), {}).post);  // never shown here: not news
}

TEST(SubscriptionFilterTest, LinearPriorityFilterKeepsLowerPrioritiesOut) {
  const auto s = Sub({"linear", "ENG", "created", "priority>=high"});
  FeedEvent e;
  e.platform = kLinear;
  e.target = "ENG";
  e.feature = "created";
  e.entity_key = "linear_issue:ENG-1";
  e.priority = 3;  // medium
  EXPECT_FALSE(Match(s, e, {}).post);
  e.priority = 0;  // none
  EXPECT_FALSE(Match(s, e, {}).post);
  e.priority = 1;  // urgent
  EXPECT_TRUE(Match(s, e, {}).post);
  e.priority = 2;  // high
  EXPECT_TRUE(Match(s, e, {}).post);
}

}  // namespace
}  // namespace contexten::workflows::subscriptions
