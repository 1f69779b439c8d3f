#include "integrations/github/events.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

// Payloads are trimmed copies of the examples in GitHub's webhook docs and
// @octokit/webhooks-examples: enough of each shape to prove which field is read from where.

namespace contexten::integrations::github {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

template <typename T>
T ParseAs(std::string_view name, std::string_view body) {
  auto result = ParseGitHubEvent(name, body);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
  if (!result) return T{};
  EXPECT_TRUE(std::holds_alternative<T>(*result)) << "variant index " << result->index();
  if (!std::holds_alternative<T>(*result)) return T{};
  return std::get<T>(*std::move(result));
}

constexpr std::string_view kRepoAndSender =
    R"("repository":{"id":186853002,"full_name":"Codertocat/Hello-World"},
       "sender":{"login":"Codertocat","id":21031067},
       "installation":{"id":2311213})";

std::string Payload(std::string_view fields) {
  return "{" + std::string(fields) + "," + std::string(kRepoAndSender) + "}";
}

TEST(ParseGitHubEventTest, PullRequestOpened) {
  const auto e = ParseAs<PullRequestEvent>("pull_request", Payload(R"(
    "action":"opened","number":2,
    "pull_request":{"number":2,"state":"open","title":"ENG-123 Update the README",
      "body":"Fixes ENG-123","draft":false,"merged":false,
      "html_url":"https://github.com/Codertocat/Hello-World/pull/2",
      "user":{"login":"octocat"},
      "head":{"ref":"eng-123-readme","sha":"ec26c3e57ca3a959ca5aad62de7213c562f8c821"},
      "base":{"ref":"master","sha":"f95f852bd8fca8fcc58a9a2d6c842781e32a215e"}})"));
  EXPECT_EQ(e.action, "opened");
  EXPECT_EQ(e.repository, "Codertocat/Hello-World");
  EXPECT_EQ(e.sender, "Codertocat");
  EXPECT_EQ(e.installation_id, 2311213);
  EXPECT_EQ(e.number, 2);
  EXPECT_EQ(e.title, "ENG-123 Update the README");
  EXPECT_EQ(e.body, "Fixes ENG-123");
  EXPECT_EQ(e.state, "open");
  EXPECT_FALSE(e.merged);
  EXPECT_FALSE(e.draft);
  EXPECT_EQ(e.head_ref, "eng-123-readme");
  EXPECT_EQ(e.head_sha, "ec26c3e57ca3a959ca5aad62de7213c562f8c821");
  EXPECT_EQ(e.base_ref, "master");
  EXPECT_EQ(e.html_url, "https://github.com/Codertocat/Hello-World/pull/2");
  EXPECT_EQ(e.author, "octocat");
}

TEST(ParseGitHubEventTest, PullRequestClosedMergedDraftWithNullBody) {
  const auto e = ParseAs<PullRequestEvent>("pull_request", Payload(R"(
    "action":"closed","number":7,
    "pull_request":{"number":7,"state":"closed","title":"t","body":null,"draft":true,
                    "merged":true})"));
  EXPECT_EQ(e.action, "closed");
  EXPECT_TRUE(e.merged);
  EXPECT_TRUE(e.draft);
  EXPECT_EQ(e.body, "");
  EXPECT_EQ(e.head_sha, "");
}

TEST(ParseGitHubEventTest, MissingCommonFieldsAreEmpty) {
  const auto e = ParseAs<PullRequestEvent>("pull_request", R"({"pull_request":{"number":1}})");
  EXPECT_EQ(e.number, 1);
  EXPECT_EQ(e.action, "");
  EXPECT_EQ(e.repository, "");
  EXPECT_EQ(e.sender, "");
  EXPECT_EQ(e.installation_id, std::nullopt);
}

TEST(ParseGitHubEventTest, PullRequestReview) {
  const auto e = ParseAs<PullRequestReviewEvent>("pull_request_review", Payload(R"(
    "action":"submitted",
    "review":{"id":237895671,"user":{"login":"reviewer"},"body":"LGTM","state":"approved",
              "html_url":"https://github.com/Codertocat/Hello-World/pull/2#pullrequestreview-1"},
    "pull_request":{"number":2,"title":"Update the README",
                    "html_url":"https://github.com/Codertocat/Hello-World/pull/2"})"));
  EXPECT_EQ(e.action, "submitted");
  EXPECT_EQ(e.state, "approved");
  EXPECT_EQ(e.reviewer, "reviewer");
  EXPECT_EQ(e.body, "LGTM");
  EXPECT_EQ(e.pr_number, 2);
  EXPECT_EQ(e.pr_title, "Update the README");
  EXPECT_EQ(e.pr_html_url, "https://github.com/Codertocat/Hello-World/pull/2");
}

TEST(ParseGitHubEventTest, IssuesTellsIssuesFromPullRequests) {
  const auto issue = ParseAs<IssuesEvent>("issues", Payload(R"(
    "action":"opened",
    "issue":{"number":1,"title":"Spelling error in the README file","state":"open",
             "body":"It looks like you accidently spelled 'commit' with two 't's.",
             "html_url":"https://github.com/Codertocat/Hello-World/issues/1",
             "user":{"login":"Codertocat"}})"));
  EXPECT_EQ(issue.number, 1);
  EXPECT_EQ(issue.title, "Spelling error in the README file");
  EXPECT_EQ(issue.state, "open");
  EXPECT_EQ(issue.html_url, "https://github.com/Codertocat/Hello-World/issues/1");
  EXPECT_EQ(issue.author, "Codertocat");
  EXPECT_FALSE(issue.is_pull_request);

  const auto pr = ParseAs<IssuesEvent>("issues", Payload(R"(
    "action":"labeled","issue":{"number":3,"pull_request":{"url":"x"}})"));
  EXPECT_TRUE(pr.is_pull_request);
}

TEST(ParseGitHubEventTest, IssueCommentOnPullRequest) {
  const auto e = ParseAs<IssueCommentEvent>("issue_comment", Payload(R"(
    "action":"created",
    "issue":{"number":2,"title":"Update the README","pull_request":{"url":"x"}},
    "comment":{"id":492700400,"body":"/ctx link ENG-9","user":{"login":"octocat"},
               "html_url":"https://github.com/Codertocat/Hello-World/pull/2#issuecomment-1"})"));
  EXPECT_EQ(e.comment_id, 492700400);
  EXPECT_EQ(e.body, "/ctx link ENG-9");
  EXPECT_EQ(e.author, "octocat");
  EXPECT_EQ(e.issue_number, 2);
  EXPECT_EQ(e.issue_title, "Update the README");
  EXPECT_TRUE(e.is_pull_request);
}

TEST(ParseGitHubEventTest, PushWithCommits) {
  const auto e = ParseAs<PushEvent>("push", Payload(R"(
    "ref":"refs/heads/main","before":"aaa","after":"ccc","created":false,"deleted":false,
    "forced":true,
    "commits":[{"id":"bbb","message":"ENG-1 first"},{"id":"ccc","message":"second\n\nbody"}],
    "head_commit":{"id":"ccc","message":"second\n\nbody"})"));
  EXPECT_EQ(e.action, "");
  EXPECT_EQ(e.ref, "refs/heads/main");
  EXPECT_EQ(e.before, "aaa");
  EXPECT_EQ(e.after, "ccc");
  EXPECT_TRUE(e.forced);
  ASSERT_EQ(e.commits.size(), 2u);
  EXPECT_EQ(e.commits[0].id, "bbb");
  EXPECT_EQ(e.commits[0].message, "ENG-1 first");
  EXPECT_EQ(e.commits[1].message, "second\n\nbody");
  ASSERT_TRUE(e.head_commit.has_value());
  EXPECT_EQ(e.head_commit->id, "ccc");
}

TEST(ParseGitHubEventTest, PushDeletingBranchHasNoHeadCommit) {
  const auto e = ParseAs<PushEvent>("push", Payload(R"(
    "ref":"refs/heads/gone","before":"aaa","after":"0000000000000000000000000000000000000000",
    "deleted":true,"commits":[],"head_commit":null)"));
  EXPECT_TRUE(e.deleted);
  EXPECT_TRUE(e.commits.empty());
  EXPECT_FALSE(e.head_commit.has_value());
}

TEST(ParseGitHubEventTest, WorkflowRun) {
  const auto e = ParseAs<WorkflowRunEvent>("workflow_run", Payload(R"(
    "action":"completed",
    "workflow_run":{"id":1589141559,"name":"CI","workflow_id":16340987,"head_branch":"main",
      "head_sha":"5779607b","status":"completed","conclusion":"failure","run_attempt":2,
      "html_url":"https://github.com/octo-org/octo-repo/actions/runs/1589141559",
      "pull_requests":[{"number":5},{"number":6}]})"));
  EXPECT_EQ(e.id, 1589141559);
  EXPECT_EQ(e.name, "CI");
  EXPECT_EQ(e.workflow_id, 16340987);
  EXPECT_EQ(e.head_branch, "main");
  EXPECT_EQ(e.head_sha, "5779607b");
  EXPECT_EQ(e.status, "completed");
  EXPECT_EQ(e.conclusion, "failure");
  EXPECT_EQ(e.run_attempt, 2);
  EXPECT_EQ(e.html_url, "https://github.com/octo-org/octo-repo/actions/runs/1589141559");
  EXPECT_THAT(e.pull_requests, ElementsAre(5, 6));
}

TEST(ParseGitHubEventTest, WorkflowRunQueuedHasEmptyConclusion) {
  const auto e = ParseAs<WorkflowRunEvent>("workflow_run", Payload(R"("action":"requested",
        "workflow_run":{"id":1,"status":"queued","conclusion":null,"pull_requests":[]})"));
  EXPECT_EQ(e.status, "queued");
  EXPECT_EQ(e.conclusion, "");
  EXPECT_TRUE(e.pull_requests.empty());
}

TEST(ParseGitHubEventTest, WorkflowJobWithSteps) {
  const auto e = ParseAs<WorkflowJobEvent>("workflow_job", Payload(R"(
    "action":"completed",
    "workflow_job":{"id":2832853555,"run_id":940463255,"name":"linters","status":"completed",
      "conclusion":"failure","head_sha":"e3103f8e","html_url":"https://github.com/x/y/runs/1",
      "steps":[{"name":"Set up job","status":"completed","conclusion":"success","number":1},
               {"name":"Run lint","status":"completed","conclusion":"failure","number":2}]})"));
  EXPECT_EQ(e.id, 2832853555);
  EXPECT_EQ(e.run_id, 940463255);
  EXPECT_EQ(e.name, "linters");
  EXPECT_EQ(e.conclusion, "failure");
  ASSERT_EQ(e.steps.size(), 2u);
  EXPECT_EQ(e.steps[0].name, "Set up job");
  EXPECT_EQ(e.steps[1].name, "Run lint");
  EXPECT_EQ(e.steps[1].conclusion, "failure");
}

TEST(ParseGitHubEventTest, CheckRunAndCheckSuite) {
  const auto run = ParseAs<CheckRunEvent>("check_run", Payload(R"(
    "action":"completed",
    "check_run":{"id":128620228,"name":"Octocoders-linter","status":"completed",
      "conclusion":"success","head_sha":"ec26c3e5","html_url":"https://github.com/x/y/runs/2",
      "pull_requests":[{"number":2,"head":{"ref":"changes"}}]})"));
  EXPECT_EQ(run.id, 128620228);
  EXPECT_EQ(run.name, "Octocoders-linter");
  EXPECT_EQ(run.status, "completed");
  EXPECT_EQ(run.conclusion, "success");
  EXPECT_EQ(run.head_sha, "ec26c3e5");
  EXPECT_THAT(run.pull_requests, ElementsAre(2));

  const auto suite = ParseAs<CheckSuiteEvent>("check_suite", Payload(R"(
    "action":"completed",
    "check_suite":{"id":118578147,"status":"completed","conclusion":"neutral",
      "head_branch":"changes","head_sha":"ec26c3e5","pull_requests":[{"number":2}]})"));
  EXPECT_EQ(suite.id, 118578147);
  EXPECT_EQ(suite.status, "completed");
  EXPECT_EQ(suite.conclusion, "neutral");
  EXPECT_EQ(suite.head_branch, "changes");
  EXPECT_EQ(suite.head_sha, "ec26c3e5");
  EXPECT_THAT(suite.pull_requests, ElementsAre(2));
}

TEST(ParseGitHubEventTest, Status) {
  const auto e = ParseAs<StatusEvent>("status", Payload(R"(
    "id":6805126730,"sha":"6113728f27ae82c7b1a177c8d03f9e96e0adf246","state":"failure",
    "context":"ci/jenkins","description":"Build failed","target_url":"https://ci.example/1")"));
  EXPECT_EQ(e.sha, "6113728f27ae82c7b1a177c8d03f9e96e0adf246");
  EXPECT_EQ(e.state, "failure");
  EXPECT_EQ(e.context, "ci/jenkins");
  EXPECT_EQ(e.description, "Build failed");
  EXPECT_EQ(e.target_url, "https://ci.example/1");
}

TEST(ParseGitHubEventTest, DeploymentStatus) {
  const auto e = ParseAs<DeploymentStatusEvent>("deployment_status", Payload(R"(
    "action":"created",
    "deployment_status":{"id":1,"state":"success","environment":"production",
      "target_url":"https://deploy.example/1","description":"Deployed"},
    "deployment":{"id":145988746,"environment":"production"})"));
  EXPECT_EQ(e.state, "success");
  EXPECT_EQ(e.environment, "production");
  EXPECT_EQ(e.deployment_id, 145988746);
  EXPECT_EQ(e.target_url, "https://deploy.example/1");
  EXPECT_EQ(e.description, "Deployed");
}

TEST(ParseGitHubEventTest, DeploymentStatusFallsBackToEnvironmentUrl) {
  const auto e = ParseAs<DeploymentStatusEvent>("deployment_status", Payload(R"(
    "action":"created",
    "deployment_status":{"state":"in_progress","target_url":"",
      "environment_url":"https://staging.example"},
    "deployment":{"id":3,"environment":"staging"})"));
  EXPECT_EQ(e.environment, "staging");
  EXPECT_EQ(e.target_url, "https://staging.example");
}

TEST(ParseGitHubEventTest, Release) {
  const auto e = ParseAs<ReleaseEvent>("release", Payload(R"(
    "action":"published",
    "release":{"tag_name":"v1.2.0","name":null,"draft":false,"prerelease":true,
               "html_url":"https://github.com/x/y/releases/tag/v1.2.0"})"));
  EXPECT_EQ(e.action, "published");
  EXPECT_EQ(e.tag_name, "v1.2.0");
  EXPECT_EQ(e.name, "");
  EXPECT_FALSE(e.draft);
  EXPECT_TRUE(e.prerelease);
  EXPECT_EQ(e.html_url, "https://github.com/x/y/releases/tag/v1.2.0");
}

TEST(ParseGitHubEventTest, Ping) {
  const auto e = ParseAs<PingEvent>(
      "ping", R"({"zen":"Anything added dilutes everything else.","hook_id":109948940,
                  "hook":{"id":109948940,"type":"Repository"},"sender":{"login":"Codertocat"}})");
  EXPECT_EQ(e.zen, "Anything added dilutes everything else.");
  EXPECT_EQ(e.hook_id, 109948940);
  EXPECT_EQ(e.sender, "Codertocat");
  EXPECT_EQ(e.repository, "");

  const auto from_hook = ParseAs<PingEvent>("ping", R"({"zen":"z","hook":{"id":42}})");
  EXPECT_EQ(from_hook.hook_id, 42);
}

TEST(ParseGitHubEventTest, UnknownEventsAreUnhandledNotErrors) {
  auto result = ParseGitHubEvent("star", Payload(R"("action":"created","starred_at":"x")"));
  ASSERT_TRUE(result.has_value());
  ASSERT_TRUE(std::holds_alternative<UnhandledGitHubEvent>(*result));
  const auto& e = std::get<UnhandledGitHubEvent>(*result);
  EXPECT_EQ(e.name, "star");
  EXPECT_EQ(e.action, "created");
  EXPECT_EQ(Common(*result).repository, "Codertocat/Hello-World");
  // The event name is matched exactly.
  auto upper = ParseGitHubEvent("Pull_Request", R"({"pull_request":{}})");
  ASSERT_TRUE(upper.has_value());
  EXPECT_TRUE(std::holds_alternative<UnhandledGitHubEvent>(*upper));
}

TEST(ParseGitHubEventTest, CommonWorksForEveryAlternative) {
  auto result = ParseGitHubEvent("check_suite", Payload(R"("action":"requested",
                                                          "check_suite":{"id":1})"));
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(Common(*result).action, "requested");
  EXPECT_EQ(Common(*result).sender, "Codertocat");
  EXPECT_EQ(Common(*result).installation_id, 2311213);
}

TEST(ParseGitHubEventTest, RejectsInvalidBodies) {
  for (std::string_view body : {"", "not json", "[1,2,3]", "\"string\"", "42", "{\"a\":"}) {
    auto result = ParseGitHubEvent("push", body);
    ASSERT_FALSE(result.has_value()) << body;
    EXPECT_EQ(result.error().kind, core::ErrorKind::kInvalidInput) << body;
  }
}

TEST(ParseGitHubEventTest, RejectsKnownEventWithoutItsObject) {
  for (std::string_view name :
       {"pull_request", "pull_request_review", "issues", "issue_comment", "workflow_run",
        "workflow_job", "check_run", "check_suite", "deployment_status", "release"}) {
    auto result = ParseGitHubEvent(name, Payload(R"("action":"opened")"));
    ASSERT_FALSE(result.has_value()) << name;
    EXPECT_EQ(result.error().kind, core::ErrorKind::kInvalidInput);
    EXPECT_THAT(result.error().message, HasSubstr("missing object"));
  }
  // Not an object either.
  EXPECT_FALSE(ParseGitHubEvent("pull_request", R"({"pull_request":[1]})").has_value());
}

TEST(ParseGitHubEventTest, WrongFieldTypesDegradeToEmptyInsteadOfThrowing) {
  const auto e = ParseAs<PullRequestEvent>("pull_request", R"({
    "action":5,"repository":"not an object","sender":[],"installation":{"id":"12"},
    "number":"2",
    "pull_request":{"number":"2","title":7,"merged":"yes","head":"x","user":null}})");
  EXPECT_EQ(e.action, "");
  EXPECT_EQ(e.repository, "");
  EXPECT_EQ(e.sender, "");
  EXPECT_EQ(e.installation_id, std::nullopt);
  EXPECT_EQ(e.number, 0);
  EXPECT_EQ(e.title, "");
  EXPECT_FALSE(e.merged);
  EXPECT_EQ(e.head_ref, "");
  EXPECT_EQ(e.author, "");
}

}  // namespace
}  // namespace contexten::integrations::github
