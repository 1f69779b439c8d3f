// The shared fakes keep the contracts of their ports (the behaviour tests above the ports rely
// on): ids and conflicts, lookups by id or identifier, scripted failures applied or not, the
// inbox's dedupe and statuses.

#include <gtest/gtest.h>

#include "tests/support/fakes/fake_github_api.hpp"
#include "tests/support/fakes/fake_linear_api.hpp"
#include "tests/support/fakes/memory_inbox.hpp"

namespace contexten::testing {
namespace {

using core::ErrorKind;
namespace linear = integrations::linear;
namespace github = integrations::github;

linear::IssueCreateRequest NewIssue(const std::string& id, const std::string& title) {
  linear::IssueCreateRequest request;
  request.id = id;
  request.team_id = "team-eng";
  request.title = title;
  return request;
}

TEST(FakeLinearApiTest, IssuesGetIdentifiersAndAreFoundByIdOrIdentifier) {
  FakeLinearApi api;
  auto first = api.CreateIssue(NewIssue("id-1", "One"));
  auto second = api.CreateIssue(NewIssue("", "Two"));
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->identifier, "ENG-1");
  EXPECT_EQ(second->identifier, "ENG-2");
  EXPECT_FALSE(second->id.empty());
  EXPECT_EQ(api.IssueByIdentifier("id-1")->identifier, "ENG-1");
  EXPECT_EQ(api.IssueByIdentifier("ENG-2")->id, second->id);
  auto missing = api.IssueByIdentifier("ENG-3");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kNotFound);
}

TEST(FakeLinearApiTest, ASecondCreateWithAnIdInUseIsAConflict) {
  FakeLinearApi api;
  ASSERT_TRUE(api.CreateIssue(NewIssue("id-1", "One")));
  auto again = api.CreateIssue(NewIssue("id-1", "One"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(api.issues().size(), 1u);
  EXPECT_EQ(api.Calls("CreateIssue"), 2);
}

TEST(FakeLinearApiTest, ScriptedFailuresAreAppliedOnlyWhenTheOutcomeIsUnknown) {
  FakeLinearApi api;
  api.FailNext(1, core::MakeError(ErrorKind::kUnavailable, "503"), "CreateIssue");
  EXPECT_FALSE(api.CreateIssue(NewIssue("id-1", "One")));
  EXPECT_TRUE(api.issues().empty());
  api.FailNext(1, core::MakeOutcomeUnknown(ErrorKind::kTimeout, "lost"), "CreateIssue");
  auto lost = api.CreateIssue(NewIssue("id-1", "One"));
  ASSERT_FALSE(lost);
  EXPECT_TRUE(lost.error().outcome_unknown);
  EXPECT_EQ(api.issues().size(), 1u);
  api.FailNext(1, core::MakeOutcomeUnknown(ErrorKind::kTimeout, "lost"), "CreateIssue",
               /*applied=*/false);
  EXPECT_FALSE(api.CreateIssue(NewIssue("id-2", "Two")));
  EXPECT_EQ(api.issues().size(), 1u);
  EXPECT_TRUE(api.CreateIssue(NewIssue("id-2", "Two")));  // failures are used up
}

TEST(FakeLinearApiTest, AFailureForOneMethodLeavesTheOthersAlone) {
  FakeLinearApi api;
  api.FailNext(2, core::MakeError(ErrorKind::kRateLimited, "slow down"), "Users");
  EXPECT_TRUE(api.Teams());
  EXPECT_FALSE(api.Users());
  EXPECT_FALSE(api.Users());
  EXPECT_TRUE(api.Users());
}

TEST(FakeLinearApiTest, UpdatesCommentsAndSearches) {
  FakeLinearApi api;
  ASSERT_TRUE(api.CreateIssue(NewIssue("id-1", "Login crash")));
  linear::IssueUpdateRequest update;
  update.state_id = "eng-completed";
  update.assignee_id = "user-bob";
  auto updated = api.UpdateIssue("ENG-1", update);
  ASSERT_TRUE(updated) << updated.error().Describe();
  EXPECT_EQ(updated->state.name, "Done");
  update.state_id = "no-such-state";
  EXPECT_EQ(api.UpdateIssue("ENG-1", update).error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(api.UpdateIssue("ENG-9", {}).error().kind, ErrorKind::kNotFound);

  auto comment = api.CreateComment({"c-1", "ENG-1", "hello"});
  ASSERT_TRUE(comment);
  EXPECT_EQ(comment->issue_id, "id-1");
  EXPECT_EQ(api.CreateComment({"c-1", "ENG-1", "hello"}).error().kind, ErrorKind::kConflict);

  linear::IssueSearchQuery query;
  query.text = "login";
  query.state_type = "completed";
  EXPECT_EQ(api.SearchIssues(query)->size(), 1u);
  query.assignee_email = "alice@example.com";
  EXPECT_TRUE(api.SearchIssues(query)->empty());
  EXPECT_TRUE(api.IssueByBranch("ENG-1").value().has_value());
  EXPECT_FALSE(api.IssueByBranch("eng-2").value().has_value());
}

TEST(FakeGitHubApiTest, IssuesAndPullRequestsShareNumbersAndCommentsCarryTheMarker) {
  FakeGitHubApi api;
  const github::RepoRef repo{"acme", "app"};
  github::PullRequest pr;
  pr.title = "Fix ENG-1";
  pr.head_ref = "eng-1-fix";
  pr.base_ref = "main";
  EXPECT_EQ(api.AddPullRequest(repo, pr).number, 1);
  auto issue = api.CreateIssue(repo, {"Bug", "body", {}, {}, "run/step"});
  ASSERT_TRUE(issue);
  EXPECT_EQ(issue->number, 2);
  EXPECT_NE(issue->body.find(github::IdempotencyMarker("run/step")), std::string::npos);
  auto listed = api.ListIssues(repo, {});
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].number, 2);  // newest first
  EXPECT_TRUE((*listed)[1].is_pull_request);

  ASSERT_TRUE(api.CreateComment(repo, 1, {"LGTM", "k1"}));
  auto found = github::FindCommentContaining(api, repo, 1, github::IdempotencyMarker("k1"));
  ASSERT_TRUE(found);
  EXPECT_TRUE(found->has_value());
  EXPECT_EQ(api.CreateComment(repo, 9, {"x", ""}).error().kind, ErrorKind::kNotFound);

  github::PullRequestQuery query;
  query.head = "acme:eng-1-fix";
  EXPECT_EQ(api.ListPullRequests(repo, query)->size(), 1u);
  query.head = "acme:other";
  EXPECT_TRUE(api.ListPullRequests(repo, query)->empty());
}

TEST(FakeGitHubApiTest, AnAppliedFailureCreatesTheIssueAndFailsTheCall) {
  FakeGitHubApi api;
  const github::RepoRef repo{"acme", "app"};
  api.FailNext(1, core::MakeOutcomeUnknown(ErrorKind::kTimeout, "lost"), "CreateIssue");
  EXPECT_FALSE(api.CreateIssue(repo, {"Bug", "", {}, {}, "k"}));
  EXPECT_EQ(api.issues(repo).size(), 1u);
  api.FailNext(1, core::MakeError(ErrorKind::kUnavailable, "502"));
  EXPECT_FALSE(api.CreateIssue(repo, {"Bug", "", {}, {}, "k2"}));
  EXPECT_EQ(api.issues(repo).size(), 1u);
  EXPECT_EQ(api.Calls("CreateIssue"), 2);
}

TEST(FakeGitHubApiTest, CombinedStatusIsTheWorstLatestPerContext) {
  FakeGitHubApi api;
  const github::RepoRef repo{"acme", "app"};
  EXPECT_EQ(api.GetCombinedStatus(repo, "abc")->state, "pending");
  ASSERT_TRUE(api.CreateCommitStatus(repo, {"abc", "failure", "", "", "ci"}));
  ASSERT_TRUE(api.CreateCommitStatus(repo, {"abc", "success", "", "", "lint"}));
  EXPECT_EQ(api.GetCombinedStatus(repo, "abc")->state, "failure");
  ASSERT_TRUE(api.CreateCommitStatus(repo, {"abc", "success", "", "", "ci"}));
  auto combined = api.GetCombinedStatus(repo, "abc");
  EXPECT_EQ(combined->state, "success");
  EXPECT_EQ(combined->total_count, 2);
  EXPECT_EQ(api.CreateCommitStatus(repo, {"abc", "great", "", "", "ci"}).error().kind,
            ErrorKind::kInvalidInput);
}

TEST(FakeGitHubApiTest, RerunsAndDispatchesAreRecorded) {
  FakeGitHubApi api;
  const github::RepoRef repo{"acme", "app"};
  github::WorkflowRun run;
  run.id = 77;
  run.status = "completed";
  run.conclusion = "failure";
  api.AddWorkflowRun(repo, run);
  github::WorkflowRunQuery failed;
  failed.status = "failure";
  EXPECT_EQ(api.ListWorkflowRuns(repo, failed)->total_count, 1);
  ASSERT_TRUE(api.RerunFailedJobs(repo, 77));
  EXPECT_EQ(api.RerunFailedJobs(repo, 78).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(api.reruns(), std::vector<std::int64_t>{77});
  EXPECT_EQ(api.ListWorkflowRuns(repo, failed)->total_count, 0);
  ASSERT_TRUE(api.DispatchWorkflow(repo, {"ci.yml", "main", {}}));
  ASSERT_EQ(api.workflow_dispatches().size(), 1u);
  EXPECT_EQ(api.workflow_dispatches()[0].workflow.ref, "main");
}

store::InboxItem Item(const std::string& source, const std::string& key) {
  store::InboxItem item;
  item.source = source;
  item.dedupe_key = key;
  item.kind = "event_callback";
  item.body = "{}";
  return item;
}

TEST(MemoryInboxTest, ADuplicateAnswersTheExistingRow) {
  MemoryInbox inbox;
  auto first = inbox.Append(Item("slack", "e1"));
  auto again = inbox.Append(Item("slack", "e1"));
  auto other = inbox.Append(Item("github", "e1"));
  ASSERT_TRUE(first && again && other);
  EXPECT_EQ(first->outcome, store::AppendOutcome::kInserted);
  EXPECT_EQ(again->outcome, store::AppendOutcome::kDuplicate);
  EXPECT_EQ(again->id, first->id);
  EXPECT_EQ(other->outcome, store::AppendOutcome::kInserted);
  EXPECT_EQ(*inbox.Count("slack"), 1);
  EXPECT_EQ(inbox.Append(Item("slack", "")).error().kind, ErrorKind::kInvalidInput);
}

TEST(MemoryInboxTest, StatusesPendingAndFailures) {
  MemoryInbox inbox;
  const auto a = inbox.Append(Item("slack", "a"))->id;
  const auto b = inbox.Append(Item("slack", "b"))->id;
  auto skipped = Item("slack", "c");
  skipped.status = store::InboxStatus::kSkipped;
  ASSERT_TRUE(inbox.Append(skipped));
  auto pending = inbox.Pending(10);
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].id, a);  // oldest first

  ASSERT_TRUE(inbox.MarkFailed(a, "boom"));
  auto row = inbox.Find("slack", "a").value();
  EXPECT_EQ(row->status, store::InboxStatus::kPending);  // a failed attempt, still pending
  EXPECT_EQ(row->attempts, 1);
  EXPECT_EQ(row->last_error, "boom");
  EXPECT_EQ(inbox.MarkDone(a, store::InboxStatus::kPending).error().kind, ErrorKind::kInvalidInput);
  ASSERT_TRUE(inbox.MarkDone(a));
  EXPECT_EQ(inbox.MarkDone(99).error().kind, ErrorKind::kNotFound);

  bool called = false;
  inbox.MarkDoneAsync(b, store::InboxStatus::kFailed, "gave up", [&](core::Status s) {
    called = true;
    EXPECT_TRUE(s);
  });
  EXPECT_TRUE(called);
  row = inbox.Find("slack", "b").value();
  EXPECT_EQ(row->status, store::InboxStatus::kFailed);
  EXPECT_EQ(row->last_error, "gave up");
  EXPECT_TRUE(inbox.Pending(10)->empty());
}

TEST(MemoryInboxTest, AScriptedWriteFailureChangesNothing) {
  MemoryInbox inbox;
  inbox.FailNextWrites(1, core::MakeError(ErrorKind::kUnavailable, "disk"));
  EXPECT_FALSE(inbox.Append(Item("slack", "a")));
  EXPECT_EQ(*inbox.Count("slack"), 0);
  EXPECT_TRUE(inbox.Append(Item("slack", "a")));
}

}  // namespace
}  // namespace contexten::testing
