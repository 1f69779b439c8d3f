#include "workflows/correlation/entity.hpp"

#include <gtest/gtest.h>

#include <set>

namespace contexten::workflows::correlation {
namespace {

TEST(EntityKindTest, NamesRoundTrip) {
  for (auto kind :
       {EntityKind::kSlackThread, EntityKind::kLinearIssue, EntityKind::kGitHubPullRequest,
        EntityKind::kGitHubIssue, EntityKind::kGitHubWorkflowRun, EntityKind::kGitHubDeployment,
        EntityKind::kContextenRun}) {
    EXPECT_EQ(EntityKindFromString(ToString(kind)), kind) << ToString(kind);
  }
  EXPECT_EQ(ToString(EntityKind::kGitHubPullRequest), "github_pr");
  EXPECT_EQ(ToString(EntityKind::kGitHubWorkflowRun), "github_workflow_run");
  EXPECT_EQ(EntityKindFromString("pull_request"), std::nullopt);
  EXPECT_EQ(EntityKindFromString(""), std::nullopt);
}

TEST(LinkKindTest, NamesRoundTrip) {
  for (auto kind : {LinkKind::kCreatedFrom, LinkKind::kCloses, LinkKind::kReferences,
                    LinkKind::kMentions, LinkKind::kPostedIn}) {
    EXPECT_EQ(LinkKindFromString(ToString(kind)), kind) << ToString(kind);
  }
  EXPECT_EQ(ToString(LinkKind::kCreatedFrom), "created_from");
  EXPECT_EQ(LinkKindFromString("fixes"), std::nullopt);
}

TEST(EntityRefTest, FactoriesGiveCanonicalIds) {
  EXPECT_EQ(SlackThread("C123", "1700000000.000100").id, "C123/1700000000.000100");
  EXPECT_EQ(LinearIssue("eng-123").id, "ENG-123");
  EXPECT_EQ(PullRequest("Acme/Web", 12).id, "acme/web#12");
  EXPECT_EQ(PullRequest("Acme/Web", 12).kind, EntityKind::kGitHubPullRequest);
  EXPECT_EQ(GitHubIssue("acme/web", 7).kind, EntityKind::kGitHubIssue);
  EXPECT_EQ(WorkflowRun("acme/web", 9876543210).id, "acme/web/runs/9876543210");
  EXPECT_EQ(Deployment("acme/web", 45).id, "acme/web/deployments/45");
  EXPECT_EQ(ContextenRun("run-1").id, "run-1");
}

TEST(EntityRefTest, KeyRoundTrips) {
  EXPECT_EQ(LinearIssue("ENG-123").Key(), "linear_issue:ENG-123");
  EXPECT_EQ(PullRequest("acme/web", 12).Key(), "github_pr:acme/web#12");
  for (const auto& ref : {SlackThread("C1", "1.2"), LinearIssue("OPS-1"), PullRequest("a/b", 1),
                          GitHubIssue("a/b", 2), WorkflowRun("a/b", 3), Deployment("a/b", 4),
                          ContextenRun("r:with:colons")}) {
    EXPECT_EQ(EntityRef::FromKey(ref.Key()), ref) << ref.Key();
  }
}

TEST(EntityRefTest, FromKeyRejectsMalformedKeys) {
  EXPECT_EQ(EntityRef::FromKey(""), std::nullopt);
  EXPECT_EQ(EntityRef::FromKey("linear_issue"), std::nullopt);
  EXPECT_EQ(EntityRef::FromKey("linear_issue:"), std::nullopt);
  EXPECT_EQ(EntityRef::FromKey("jira_issue:ENG-1"), std::nullopt);
  EXPECT_EQ(EntityRef::FromKey(":ENG-1"), std::nullopt);
}

TEST(EntityRefTest, OrderedAndComparable) {
  EXPECT_EQ(PullRequest("acme/web", 1), PullRequest("ACME/web", 1));
  EXPECT_NE(PullRequest("acme/web", 1), GitHubIssue("acme/web", 1));
  std::set<EntityRef> refs = {LinearIssue("ENG-2"), LinearIssue("ENG-1"), LinearIssue("eng-1")};
  EXPECT_EQ(refs.size(), 2u);
}

}  // namespace
}  // namespace contexten::workflows::correlation
