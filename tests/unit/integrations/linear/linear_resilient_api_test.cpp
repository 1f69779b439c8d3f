// ResilientLinearApi: retries through core/resilience without duplicating creates.
#include <gtest/gtest.h>

#include <deque>
#include <map>

#include "core/clock.hpp"
#include "core/resilience/circuit_breaker.hpp"
#include "core/resilience/events.hpp"
#include "core/resilience/retry.hpp"
#include "integrations/linear/resilient_linear_api.hpp"

namespace contexten::integrations::linear {
namespace {

using core::ErrorKind;

// A Linear that stores what it is asked to create and then fails in scripted ways, so the
// ambiguous case (applied, but the caller saw an error) can be produced at will.
class FakeLinear final : public LinearApi {
 public:
  std::deque<core::Error> create_failures_after_apply;
  std::deque<core::Error> failures_before_apply;
  std::map<std::string, Issue> issues;
  std::vector<std::string> create_ids_seen;
  std::map<std::string, Comment> comments;
  int reads = 0;

  core::Result<Issue> CreateIssue(const IssueCreateRequest& r) override {
    create_ids_seen.push_back(r.id);
    if (!failures_before_apply.empty()) return Pop(failures_before_apply);
    if (issues.count(r.id) != 0) {
      return core::Unexpected(core::MakeError(ErrorKind::kConflict, "already exists"));
    }
    issues[r.id] = Issue{
        .id = r.id, .identifier = "ENG-" + std::to_string(issues.size() + 1), .title = r.title};
    if (!create_failures_after_apply.empty()) return Pop(create_failures_after_apply);
    return issues[r.id];
  }
  core::Result<Comment> CreateComment(const CommentCreateRequest& r) override {
    if (comments.count(r.id) != 0) {
      return core::Unexpected(core::MakeError(ErrorKind::kConflict, "already exists"));
    }
    comments[r.id] = Comment{.id = r.id, .body = r.body, .issue_id = r.issue_id};
    if (!create_failures_after_apply.empty()) return Pop(create_failures_after_apply);
    return comments[r.id];
  }
  core::Result<Issue> IssueByIdentifier(const std::string& id) override {
    ++reads;
    if (!failures_before_apply.empty()) return Pop(failures_before_apply);
    auto it = issues.find(id);
    if (it == issues.end()) return core::Unexpected(core::MakeError(ErrorKind::kNotFound, id));
    return it->second;
  }
  core::Result<Issue> UpdateIssue(const std::string&, const IssueUpdateRequest&) override {
    return Unsupported<Issue>();
  }
  core::Result<Comment> UpdateComment(const CommentUpdateRequest&) override {
    return Unsupported<Comment>();
  }
  core::Status DeleteComment(const std::string&) override {
    return core::Unexpected(core::MakeError(ErrorKind::kInternal, "unsupported"));
  }
  core::Result<Attachment> LinkUrl(const AttachmentLinkRequest&) override {
    return Unsupported<Attachment>();
  }
  core::Result<Attachment> LinkGitHubPullRequest(const AttachmentLinkRequest&) override {
    return Unsupported<Attachment>();
  }
  core::Result<std::vector<Issue>> SearchIssues(const IssueSearchQuery&) override {
    return Unsupported<std::vector<Issue>>();
  }
  core::Result<std::optional<Issue>> IssueByBranch(const std::string&) override {
    return Unsupported<std::optional<Issue>>();
  }
  core::Result<std::vector<Team>> Teams() override {
    ++reads;
    if (!failures_before_apply.empty()) return Pop(failures_before_apply);
    return std::vector<Team>{{"t", "ENG", "Engineering"}};
  }
  core::Result<std::vector<WorkflowState>> WorkflowStates(const std::string&) override {
    return Unsupported<std::vector<WorkflowState>>();
  }
  core::Result<std::vector<User>> Users() override { return Unsupported<std::vector<User>>(); }
  core::Result<std::vector<Label>> Labels() override { return Unsupported<std::vector<Label>>(); }

 private:
  static core::Error Pop(std::deque<core::Error>& q) {
    core::Error e = q.front();
    q.pop_front();
    return e;
  }
  template <class T>
  static core::Result<T> Unsupported() {
    return core::Unexpected(core::MakeError(ErrorKind::kInternal, "not scripted"));
  }
};

class ResilientLinearApiTest : public ::testing::Test {
 protected:
  ResilientLinearApiTest()
      : retry_("linear", RetryConfig(), clock_, /*seed=*/7),
        api_(fake_, LinearResilience{.retry = &retry_}, clock_) {}

  static core::resilience::RetryConfig RetryConfig() {
    core::resilience::RetryConfig c;
    c.max_attempts = 4;
    c.initial_backoff = std::chrono::milliseconds(100);
    return c;
  }

  core::FakeClock clock_;
  FakeLinear fake_;
  core::resilience::Retry retry_;
  ResilientLinearApi api_;
};

TEST_F(ResilientLinearApiTest, AmbiguousCreateFailureYieldsTheOneIssueMade) {
  // First attempt lands but the caller sees a timeout; the retry hits "already exists".
  fake_.create_failures_after_apply.push_back(core::MakeError(ErrorKind::kTimeout, "timed out"));
  auto issue = api_.CreateIssue({.team_id = "t", .title = "Login crash"});
  ASSERT_TRUE(issue.has_value()) << issue.error().Describe();
  EXPECT_EQ(fake_.issues.size(), 1u);
  EXPECT_EQ(issue->title, "Login crash");
  ASSERT_EQ(fake_.create_ids_seen.size(), 2u);
  EXPECT_FALSE(fake_.create_ids_seen[0].empty());
  EXPECT_EQ(fake_.create_ids_seen[0], fake_.create_ids_seen[1]);  // one id for all attempts
  EXPECT_EQ(issue->id, fake_.create_ids_seen[0]);
}

TEST_F(ResilientLinearApiTest, CallerChosenIdIsKeptAndReplayIsIdempotent) {
  IssueCreateRequest req{
      .id = "11111111-2222-4333-8444-555555555555", .team_id = "t", .title = "x"};
  auto first = api_.CreateIssue(req);
  auto replay = api_.CreateIssue(req);  // e.g. a workflow step re-run after a crash
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(replay.has_value()) << replay.error().Describe();
  EXPECT_EQ(first->id, req.id);
  EXPECT_EQ(replay->identifier, first->identifier);
  EXPECT_EQ(fake_.issues.size(), 1u);
}

TEST_F(ResilientLinearApiTest, RateLimitWaitsExactlyTheResetThenSucceeds) {
  fake_.failures_before_apply.push_back(
      core::MakeError(ErrorKind::kRateLimited, "ratelimited", std::chrono::milliseconds(1500)));
  auto teams = api_.Teams();
  ASSERT_TRUE(teams.has_value()) << teams.error().Describe();
  EXPECT_EQ(fake_.reads, 2);
  EXPECT_EQ(clock_.slept(), std::chrono::milliseconds(1500));
}

TEST_F(ResilientLinearApiTest, CallerFaultsAreNotRetried) {
  fake_.failures_before_apply.push_back(core::MakeError(ErrorKind::kInvalidInput, "bad"));
  auto teams = api_.Teams();
  ASSERT_FALSE(teams.has_value());
  EXPECT_EQ(teams.error().kind, ErrorKind::kInvalidInput);
  EXPECT_EQ(fake_.reads, 1);
}

TEST_F(ResilientLinearApiTest, AmbiguousCommentFailureMakesOneComment) {
  fake_.create_failures_after_apply.push_back(core::MakeError(ErrorKind::kTransient, "502"));
  auto comment = api_.CreateComment({.issue_id = "ENG-1", .body = "hello"});
  ASSERT_TRUE(comment.has_value()) << comment.error().Describe();
  EXPECT_EQ(fake_.comments.size(), 1u);
  EXPECT_EQ(comment->id, fake_.comments.begin()->first);
  EXPECT_EQ(comment->body, "hello");
}

TEST_F(ResilientLinearApiTest, OpenBreakerRejectsWithoutCallingLinear) {
  core::resilience::CircuitBreakerConfig config;
  config.sliding_window_size = 2;
  config.minimum_number_of_calls = 2;
  core::resilience::CircuitBreaker breaker("linear", config, clock_);
  ResilientLinearApi guarded(fake_, LinearResilience{.breaker = &breaker}, clock_);
  for (int i = 0; i < 2; ++i) {
    fake_.failures_before_apply.push_back(core::MakeError(ErrorKind::kTransient, "503"));
    EXPECT_FALSE(guarded.Teams().has_value());
  }
  const int reads = fake_.reads;
  auto rejected = guarded.Teams();
  ASSERT_FALSE(rejected.has_value());
  EXPECT_EQ(rejected.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(fake_.reads, reads);
}

TEST_F(ResilientLinearApiTest, OwnedPartsOpenTheBreakerAndPublishOnTheBus) {
  auto events = std::make_shared<core::resilience::EventBus>();
  std::vector<core::resilience::ResilienceEvent> transitions;
  events->Subscribe([&](const core::resilience::ResilienceEvent& event) {
    if (event.kind == core::resilience::ResilienceEventKind::kStateTransition) {
      transitions.push_back(event);
    }
  });
  ResilientLinearOptions options;
  options.retry.max_attempts = 1;
  options.breaker.sliding_window_size = 2;
  options.breaker.minimum_number_of_calls = 2;
  ResilientLinearApi owning(fake_, clock_, events, options);
  ASSERT_NE(owning.breaker(), nullptr);
  for (int i = 0; i < 2; ++i) {
    fake_.failures_before_apply.push_back(core::MakeError(ErrorKind::kTransient, "503"));
    EXPECT_FALSE(owning.Teams().has_value());
  }
  EXPECT_EQ(owning.breaker()->state(), core::resilience::CircuitState::kOpen);
  ASSERT_EQ(transitions.size(), 1u);
  EXPECT_EQ(transitions[0].component, "linear");
  const int reads = fake_.reads;
  EXPECT_EQ(owning.Teams().error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(fake_.reads, reads);
}

}  // namespace
}  // namespace contexten::integrations::linear
