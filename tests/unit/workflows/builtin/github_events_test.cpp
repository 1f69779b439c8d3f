// RouteGitHubEvent: which runs a GitHub delivery is for (pure: typed event in, routes out).

#include "workflows/builtin/github_events.hpp"

#include <gtest/gtest.h>

#include "workflows/builtin/ci_alert.hpp"

namespace contexten::workflows::builtin {
namespace {

namespace github = integrations::github;

GitHubRouteSettings Settings() {
  GitHubRouteSettings s;
  s.team_keys = {"ENG"};
  s.alerts_channel = "C0ALERTS";
  s.linear_team = "ENG";
  return s;
}

github::PullRequestEvent Pr(std::string body, std::string action = "opened") {
  github::PullRequestEvent pr;
  pr.action = std::move(action);
  pr.repository = "acme/web";
  pr.number = 12;
  pr.title = "Fix the login crash";
  pr.body = std::move(body);
  pr.state = "open";
  pr.head_ref = "fix-login";
  pr.html_url = "https://github.com/acme/web/pull/12";
  pr.author = "octocat";
  return pr;
}

github::WorkflowRunEvent RunEvent(std::string branch, std::string conclusion,
                                  std::string event = "push") {
  github::WorkflowRunEvent run;
  run.action = "completed";
  run.repository = "acme/web";
  run.default_branch = "main";
  run.id = 77;
  run.name = "CI";
  run.head_branch = std::move(branch);
  run.head_sha = "abc";
  run.status = "completed";
  run.conclusion = std::move(conclusion);
  run.run_attempt = 1;
  run.event = std::move(event);
  run.path = ".github/workflows/ci.yml";
  return run;
}

TEST(GitHubEventsTest, AClosingWordSendsThePrToTheIssuesRunsWithItsRelation) {
  auto routes = RouteGitHubEvent(Pr("Fixes ENG-1, part of ENG-2"), "github:5", Settings());
  ASSERT_EQ(routes.deliveries.size(), 3u);
  EXPECT_EQ(routes.deliveries[0].wait_key, "linear_issue:ENG-1");
  EXPECT_EQ(routes.deliveries[0].event.type, kGitHubPrEvent);
  EXPECT_EQ(routes.deliveries[0].event.key, "github:5");
  EXPECT_EQ(routes.deliveries[0].event.data["relation"], "closes");
  EXPECT_EQ(routes.deliveries[1].wait_key, "linear_issue:ENG-2");
  EXPECT_EQ(routes.deliveries[1].event.data["relation"], "references");
  // Last, to the runs following the PR itself (one linked by hand): without an issue or a
  // relation, after the issues' copies, so a run waiting on both takes the one with the relation.
  EXPECT_EQ(routes.deliveries[2].wait_key, GitHubPrKey("acme/web", 12));
  EXPECT_FALSE(routes.deliveries[2].event.data.contains("identifier"));
  EXPECT_EQ(routes.deliveries[2].event.key, "github:5");
  EXPECT_FALSE(routes.start);
}

TEST(GitHubEventsTest, APrNamingNoKnownTeamGoesOnlyToThePrsOwnRuns) {
  auto routes = RouteGitHubEvent(Pr("Bumps UTF-8 handling, see SHA-256"), "github:5", Settings());
  ASSERT_EQ(routes.deliveries.size(), 1u);
  EXPECT_EQ(routes.deliveries[0].wait_key, GitHubPrKey("acme/web", 12));
}

TEST(GitHubEventsTest, ReviewsGoToThePrsRunsInTheWebhooksLowerCase) {
  github::PullRequestReviewEvent review;
  review.action = "submitted";
  review.repository = "acme/web";
  review.pr_number = 12;
  review.state = "APPROVED";
  review.reviewer = "hubot";
  auto routes = RouteGitHubEvent(review, "github:6", Settings());
  ASSERT_EQ(routes.deliveries.size(), 1u);
  EXPECT_EQ(routes.deliveries[0].wait_key, GitHubPrKey("acme/web", 12));
  EXPECT_EQ(routes.deliveries[0].event.data["state"], "approved");
  review.state = "commented";
  EXPECT_TRUE(RouteGitHubEvent(review, "github:7", Settings()).deliveries.empty());
}

TEST(GitHubEventsTest, AFailureOnTheDefaultBranchStartsAnAlertUnlessOneWaits) {
  auto routes = RouteGitHubEvent(RunEvent("main", "failure"), "github:8", Settings());
  ASSERT_TRUE(routes.start);
  EXPECT_EQ(routes.start->wait_key, CiAlertKey("acme/web", "CI", "main"));
  EXPECT_EQ(routes.start->workflow_type, kCiAlertType);
  EXPECT_EQ(routes.start->run_id, "ci_alert:acme/web/77/1");
  EXPECT_EQ(routes.start->start.data["channel"], "C0ALERTS");
  EXPECT_EQ(routes.start->start.data["linear_team"], "ENG");
  // The re-run follower of the same run hears about it too.
  ASSERT_EQ(routes.deliveries.size(), 1u);
  EXPECT_EQ(routes.deliveries[0].wait_key, GitHubRunKey("acme/web", 77));
}

TEST(GitHubEventsTest, APassOnTheDefaultBranchGoesToTheOpenAlert) {
  auto routes = RouteGitHubEvent(RunEvent("main", "success"), "github:9", Settings());
  EXPECT_FALSE(routes.start);
  ASSERT_EQ(routes.deliveries.size(), 2u);
  EXPECT_EQ(routes.deliveries[1].wait_key, CiAlertKey("acme/web", "CI", "main"));
}

TEST(GitHubEventsTest, AFailureOnABranchIsAPrCheckNotAnAlert) {
  auto run = RunEvent("fix-login", "failure");
  run.pull_requests = {12};
  auto routes = RouteGitHubEvent(run, "github:10", Settings());
  EXPECT_FALSE(routes.start);
  ASSERT_EQ(routes.deliveries.size(), 2u);
  EXPECT_EQ(routes.deliveries[1].wait_key, GitHubPrKey("acme/web", 12));
  EXPECT_EQ(routes.deliveries[1].event.type, kGitHubChecksEvent);
  EXPECT_EQ(routes.deliveries[1].event.data["conclusion"], "failure");
}

TEST(GitHubEventsTest, NoAlertsChannelNoAlert) {
  auto settings = Settings();
  settings.alerts_channel.clear();
  EXPECT_FALSE(RouteGitHubEvent(RunEvent("main", "failure"), "github:11", settings).start);
}

TEST(GitHubEventsTest, ADispatchedRunGoesToItsDeployNotToAnAlert) {
  auto run = RunEvent("main", "failure", "workflow_dispatch");
  run.path = ".github/workflows/deploy.yml";
  auto routes = RouteGitHubEvent(run, "github:12", Settings());
  EXPECT_FALSE(routes.start);
  ASSERT_EQ(routes.deliveries.size(), 2u);
  EXPECT_EQ(routes.deliveries[1].wait_key, GitHubDispatchKey("acme/web", "deploy.yml", "main"));
}

TEST(GitHubEventsTest, DeploymentStatusesGoToTheEnvironmentsDeploy) {
  github::DeploymentStatusEvent status;
  status.repository = "acme/web";
  status.environment = "staging";
  status.state = "success";
  auto routes = RouteGitHubEvent(status, "github:13", Settings());
  ASSERT_EQ(routes.deliveries.size(), 1u);
  EXPECT_EQ(routes.deliveries[0].wait_key, GitHubDeployKey("acme/web", "staging"));
  EXPECT_EQ(routes.deliveries[0].event.data["state"], "success");
}

}  // namespace
}  // namespace contexten::workflows::builtin
