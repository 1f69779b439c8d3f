// ResilientGitHubApi against a scripted fake GitHubApi: which failures re-send a create, which
// look first, and which give up with "outcome unknown".

#include <gtest/gtest.h>

#include <deque>

#include "core/clock.hpp"
#include "integrations/github/resilient_github_api.hpp"

namespace contexten::integrations::github {
namespace {

using core::ErrorKind;
using core::MakeError;

const RepoRef kRepo{"o", "r"};

core::Error Http(int status) {
  return MakeError(status >= 500 ? ErrorKind::kTransient : ErrorKind::kInvalidInput,
                   "POST /x: HTTP " + std::to_string(status) + ": boom");
}

// Answers each call with the next scripted error, then succeeds; remembers what landed.
class FakeGitHub final : public GitHubApi {
 public:
  std::deque<core::Error> create_errors;  // consumed by creates, in order
  // When set, the next create fails with this error but its effect lands.
  std::optional<core::Error> lands_then_fails;
  std::vector<Issue> issues;
  std::vector<Comment> comments;
  std::vector<CommitStatus> statuses;
  int create_calls = 0;
  int lookups = 0;
  int dispatches = 0;

  template <class T, class Apply>
  core::Result<T> Create(Apply apply) {
    ++create_calls;
    if (lands_then_fails) {
      auto error = *lands_then_fails;
      lands_then_fails.reset();
      apply();
      return core::Unexpected(error);
    }
    if (!create_errors.empty()) {
      auto error = create_errors.front();
      create_errors.pop_front();
      return core::Unexpected(error);
    }
    return apply();
  }

  core::Result<Issue> CreateIssue(const RepoRef&, const NewIssue& issue) override {
    return Create<Issue>([&] {
      Issue created;
      created.id = static_cast<std::int64_t>(issues.size() + 1);
      created.number = static_cast<int>(issues.size() + 1);
      created.title = issue.title;
      created.body = issue.body + "\n" + IdempotencyMarker(issue.idempotency_key);
      issues.push_back(created);
      return created;
    });
  }
  core::Result<std::vector<Issue>> ListIssues(const RepoRef&, const IssueQuery&) override {
    ++lookups;
    return issues;
  }
  core::Result<Comment> CreateComment(const RepoRef&, int, const NewComment& c) override {
    return Create<Comment>([&] {
      Comment created;
      created.id = static_cast<std::int64_t>(comments.size() + 1);
      created.body = c.body + "\n" + IdempotencyMarker(c.idempotency_key);
      comments.push_back(created);
      return created;
    });
  }
  core::Result<std::vector<Comment>> ListComments(const RepoRef&, int) override {
    ++lookups;
    return comments;
  }
  core::Result<PullRequest> GetPullRequest(const RepoRef&, int) override { return PullRequest{}; }
  core::Result<std::vector<PullRequest>> ListPullRequests(const RepoRef&,
                                                          const PullRequestQuery&) override {
    return std::vector<PullRequest>{};
  }
  core::Result<std::vector<PullRequestFile>> ListPullRequestFiles(const RepoRef&, int) override {
    return std::vector<PullRequestFile>{};
  }
  core::Result<std::vector<Review>> ListReviews(const RepoRef&, int) override {
    return std::vector<Review>{};
  }
  core::Result<PullRequest> RequestReviewers(const RepoRef&, int, const ReviewerRequest&) override {
    return PullRequest{};
  }
  core::Status DispatchWorkflow(const RepoRef&, const WorkflowDispatch&) override {
    auto r = Create<bool>([&] {
      ++dispatches;
      return true;
    });
    if (!r) return core::Unexpected(r.error());
    return core::Ok();
  }
  core::Status RerunFailedJobs(const RepoRef&, std::int64_t) override { return core::Ok(); }
  core::Result<WorkflowRunList> ListWorkflowRuns(const RepoRef&, const WorkflowRunQuery&) override {
    return WorkflowRunList{};
  }
  core::Result<std::vector<CheckRun>> ListCheckRuns(const RepoRef&, const std::string&) override {
    return std::vector<CheckRun>{};
  }
  core::Result<CommitStatus> CreateCommitStatus(const RepoRef&, const NewCommitStatus& s) override {
    return Create<CommitStatus>([&] {
      CommitStatus created{static_cast<std::int64_t>(statuses.size() + 1), s.state, s.context,
                           s.description, s.target_url};
      statuses.push_back(created);
      return created;
    });
  }
  core::Result<CombinedStatus> GetCombinedStatus(const RepoRef&, const std::string&) override {
    ++lookups;
    CombinedStatus combined;
    combined.statuses = statuses;
    return combined;
  }
  core::Status DispatchRepository(const RepoRef&, const RepositoryDispatch&) override {
    return core::Ok();
  }
};

class ResilientGitHubApiTest : public ::testing::Test {
 protected:
  ResilientGitHubApiTest() {
    ResilientGitHubOptions options;
    options.retry.max_attempts = 4;
    api_ = std::make_unique<ResilientGitHubApi>(fake_, clock_, nullptr, options);
  }
  core::FakeClock clock_;
  FakeGitHub fake_;
  std::unique_ptr<ResilientGitHubApi> api_;
};

TEST_F(ResilientGitHubApiTest, ResendsCreateOnlyWhenGitHubSurelyDidNotProcessIt) {
  fake_.create_errors = {Http(502), Http(503),
                         MakeError(ErrorKind::kRateLimited, "429", std::chrono::seconds(2))};
  auto issue = api_->CreateIssue(kRepo, {"t", "b", {}, {}, "k"});
  ASSERT_TRUE(issue.has_value()) << issue.error().Describe();
  EXPECT_EQ(fake_.create_calls, 4);
  EXPECT_EQ(fake_.lookups, 0) << "nothing to look for when GitHub did not process it";
  EXPECT_EQ(fake_.issues.size(), 1u);
  EXPECT_GE(clock_.slept(), std::chrono::seconds(2));
}

TEST_F(ResilientGitHubApiTest, LooksBeforeResendingAfterA500AndFindsTheLandedIssue) {
  fake_.lands_then_fails = Http(500);
  auto issue = api_->CreateIssue(kRepo, {"t", "b", {}, {}, ""});  // key generated
  ASSERT_TRUE(issue.has_value()) << issue.error().Describe();
  EXPECT_EQ(fake_.create_calls, 1);
  EXPECT_EQ(fake_.lookups, 1);
  EXPECT_EQ(fake_.issues.size(), 1u);
  EXPECT_EQ(issue->id, fake_.issues[0].id);
}

TEST_F(ResilientGitHubApiTest, LooksThenResendsWhenTheTimedOutCommentDidNotLand) {
  fake_.create_errors = {MakeError(ErrorKind::kTimeout, "timed out")};
  auto comment = api_->CreateComment(kRepo, 1, {"hi", "c-1"});
  ASSERT_TRUE(comment.has_value());
  EXPECT_EQ(fake_.create_calls, 2);
  EXPECT_EQ(fake_.lookups, 1);
  EXPECT_EQ(fake_.comments.size(), 1u);
}

TEST_F(ResilientGitHubApiTest, IdenticalStatusAlreadyShownCountsAsDone) {
  fake_.lands_then_fails = MakeError(ErrorKind::kTimeout, "timed out");
  auto status = api_->CreateCommitStatus(kRepo, {"abc", "success", "u", "d", "ci"});
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(fake_.create_calls, 1);
  EXPECT_EQ(fake_.statuses.size(), 1u);
}

TEST_F(ResilientGitHubApiTest, DispatchWithUnknownOutcomeIsNotResent) {
  fake_.lands_then_fails = Http(504);
  auto dispatched = api_->DispatchWorkflow(kRepo, {"ci.yml", "main", {}});
  ASSERT_FALSE(dispatched.has_value());
  EXPECT_NE(dispatched.error().message.find("outcome unknown"), std::string::npos);
  EXPECT_EQ(fake_.create_calls, 1);
  EXPECT_EQ(fake_.dispatches, 1);

  fake_.create_errors = {Http(503)};
  ASSERT_TRUE(api_->DispatchWorkflow(kRepo, {"ci.yml", "main", {}}).has_value());
  EXPECT_EQ(fake_.dispatches, 2);
}

TEST_F(ResilientGitHubApiTest, CallerErrorsAreReturnedAtOnce) {
  fake_.create_errors = {Http(422)};
  auto issue = api_->CreateIssue(kRepo, {"", "", {}, {}, ""});
  ASSERT_FALSE(issue.has_value());
  EXPECT_EQ(issue.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(fake_.create_calls, 1);
  EXPECT_EQ(fake_.lookups, 0);
}

}  // namespace
}  // namespace contexten::integrations::github
