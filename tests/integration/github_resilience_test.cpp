// ACCEPTANCE (issue 4.5): the GitHub client rides out a sandbox 429 with Retry-After, a 5xx
// burst (the breaker opens, then closes through half-open) and timeouts, with no request lost
// or sent twice: the sandbox's request log and state show each logical operation landed once.
// Resilience waits run on a FakeClock (instant); socket timeouts are small real durations.

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>

#include "core/clock.hpp"
#include "core/resilience/events.hpp"
#include "integrations/github/github_rest_client.hpp"
#include "integrations/github/resilient_github_api.hpp"
#include "sandbox/github/github_sandbox.hpp"

namespace contexten::integrations::github {
namespace {

using core::resilience::CircuitState;
using core::resilience::ResilienceEvent;
using core::resilience::ResilienceEventKind;
using sandbox::GitHubFault;

const RepoRef kRepo{"octo", "hello"};
const std::string kFullName = "octo/hello";

class GitHubResilienceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sandbox::GitHubSandboxOptions options;
    options.clock = &clock_;
    sandbox_ = std::make_unique<sandbox::GitHubSandbox>(io_, options);
    ASSERT_TRUE(sandbox_->Start().has_value());
    sandbox_->AddRepository("octo", "hello");

    GitHubClientConfig config;
    config.base_url = sandbox_->base_url();
    config.token = sandbox_->options().token;
    rest_ = std::make_unique<GitHubRestClient>(http_, config, clock_);

    bus_->Subscribe([this](const ResilienceEvent& e) {
      std::lock_guard lock(mu_);
      events_.push_back(e);
    });
    ResilientGitHubOptions resilient;
    resilient.breaker.sliding_window_size = 4;
    resilient.breaker.minimum_number_of_calls = 4;
    resilient.breaker.failure_rate_threshold = 50;
    resilient.breaker.wait_duration_in_open_state = std::chrono::seconds(10);
    resilient.breaker.permitted_calls_in_half_open = 2;
    resilient.retry.max_attempts = 8;
    resilient.retry.initial_backoff = std::chrono::milliseconds(100);
    resilient.retry.max_backoff = std::chrono::seconds(2);
    api_ = std::make_unique<ResilientGitHubApi>(*rest_, clock_, bus_, resilient);
  }

  static core::net::HttpClientOptions ClientOptions() {
    core::net::HttpClientOptions options;
    options.request_timeout = std::chrono::milliseconds(300);
    return options;
  }

  // A timeout or reset on a POST to `path_prefix`; `applied`: the sandbox performs the request
  // before failing it (the answer is lost), else it is lost before processing.
  void InjectPostFault(GitHubFault::Kind kind, std::string path_prefix, bool applied) {
    GitHubFault fault;
    fault.kind = kind;
    fault.method = "POST";
    fault.path_prefix = std::move(path_prefix);
    fault.apply_on_timeout = applied;
    sandbox_->InjectFault(fault);
  }

  int CountRequests(const std::string& method, const std::string& path, int status = -1) const {
    int n = 0;
    for (const auto& r : sandbox_->Requests()) {
      if (r.method == method && r.path == path && (status < 0 || r.status == status)) ++n;
    }
    return n;
  }

  std::vector<std::pair<CircuitState, CircuitState>> Transitions() const {
    std::lock_guard lock(mu_);
    std::vector<std::pair<CircuitState, CircuitState>> out;
    for (const auto& e : events_) {
      if (e.kind == ResilienceEventKind::kStateTransition)
        out.emplace_back(*e.from_state, *e.to_state);
    }
    return out;
  }

  int CountEvents(ResilienceEventKind kind) const {
    std::lock_guard lock(mu_);
    return static_cast<int>(std::count_if(
        events_.begin(), events_.end(), [&](const ResilienceEvent& e) { return e.kind == kind; }));
  }

  core::FakeClock clock_{std::chrono::system_clock::now()};
  core::net::IoRuntime io_{1};
  core::net::HttpClient http_{io_, ClientOptions()};
  std::shared_ptr<core::resilience::EventBus> bus_ = std::make_shared<core::resilience::EventBus>();
  std::unique_ptr<sandbox::GitHubSandbox> sandbox_;
  std::unique_ptr<GitHubRestClient> rest_;
  std::unique_ptr<ResilientGitHubApi> api_;
  mutable std::mutex mu_;
  std::vector<ResilienceEvent> events_;
};

TEST_F(GitHubResilienceTest, RidesOut429WithRetryAfterCreatingTheIssueOnce) {
  GitHubFault fault;
  fault.kind = GitHubFault::Kind::kRetryAfter;
  fault.method = "POST";
  fault.path_prefix = "/repos/octo/hello/issues";
  fault.retry_after = std::chrono::seconds(3);
  sandbox_->InjectFault(fault);

  auto issue = api_->CreateIssue(kRepo, {"Flaky login", "body", {}, {}, "wf-1.step-1"});
  ASSERT_TRUE(issue.has_value()) << issue.error().Describe();

  EXPECT_EQ(CountRequests("POST", "/repos/octo/hello/issues", 429), 1);
  EXPECT_EQ(CountRequests("POST", "/repos/octo/hello/issues", 201), 1);
  EXPECT_EQ(CountRequests("POST", "/repos/octo/hello/issues"), 2);
  ASSERT_EQ(sandbox_->Issues(kFullName).size(), 1u);
  EXPECT_GE(clock_.slept(), std::chrono::seconds(3)) << "waited the Retry-After";
  EXPECT_EQ(CountEvents(ResilienceEventKind::kRateLimiterPaused), 1);
  EXPECT_EQ(CountEvents(ResilienceEventKind::kRetry), 1);
}

TEST_F(GitHubResilienceTest, RidesOutPrimaryRateLimitUntilReset) {
  GitHubFault fault;
  fault.kind = GitHubFault::Kind::kPrimaryLimit;
  fault.path_prefix = "/repos/octo/hello/pulls";
  fault.retry_after = std::chrono::seconds(20);
  sandbox_->InjectFault(fault);
  sandbox::SandboxPullRequestSeed seed;
  seed.title = "x";
  seed.head_ref = "x";
  const int number = sandbox_->OpenPullRequest(kFullName, seed);

  auto pr = api_->GetPullRequest(kRepo, number);
  ASSERT_TRUE(pr.has_value()) << pr.error().Describe();
  EXPECT_EQ(CountRequests("GET", "/repos/octo/hello/pulls/1", 403), 1);
  EXPECT_EQ(CountRequests("GET", "/repos/octo/hello/pulls/1", 200), 1);
  EXPECT_GE(clock_.slept(), std::chrono::seconds(19));
}

TEST_F(GitHubResilienceTest, FiveHundredBurstOpensBreakerThenClosesThroughHalfOpen) {
  // Seeded through the control interface so the breaker's window starts empty.
  sandbox::SandboxPullRequestSeed seed;
  seed.title = "Parent";
  seed.head_ref = "parent";
  ASSERT_EQ(sandbox_->OpenPullRequest(kFullName, seed), 1);

  GitHubFault burst;
  burst.kind = GitHubFault::Kind::kServerError;
  burst.status = 502;
  burst.count = 4;
  burst.path_prefix = "/repos/octo/hello/issues/1/comments";
  sandbox_->InjectFault(burst);

  // 4 answers of 502 (GitHub did not process them, so a create may be re-sent), the breaker
  // opens on the 4th, the retry waits out the open state, and the half-open trial succeeds.
  auto comment = api_->CreateComment(kRepo, 1, {"CI is red", "wf-2.step-1"});
  ASSERT_TRUE(comment.has_value()) << comment.error().Describe();
  EXPECT_EQ(api_->breaker().state(), CircuitState::kHalfOpen);
  // The second trial call closes it.
  ASSERT_TRUE(api_->ListComments(kRepo, 1).has_value());
  EXPECT_EQ(api_->breaker().state(), CircuitState::kClosed);

  const std::vector<std::pair<CircuitState, CircuitState>> expected = {
      {CircuitState::kClosed, CircuitState::kOpen},
      {CircuitState::kOpen, CircuitState::kHalfOpen},
      {CircuitState::kHalfOpen, CircuitState::kClosed}};
  EXPECT_EQ(Transitions(), expected);
  EXPECT_GE(clock_.slept(), std::chrono::seconds(10)) << "waited out the open state";
  EXPECT_EQ(CountEvents(ResilienceEventKind::kCallNotPermitted), 1);

  EXPECT_EQ(CountRequests("POST", "/repos/octo/hello/issues/1/comments", 502), 4);
  EXPECT_EQ(CountRequests("POST", "/repos/octo/hello/issues/1/comments", 201), 1);
  ASSERT_EQ(sandbox_->Comments(kFullName, 1).size(), 1u) << "landed exactly once";
}

TEST_F(GitHubResilienceTest, TimedOutCreateThatLandedIsFoundNotRecreated) {
  // The issue is created, the answer is lost.
  InjectPostFault(GitHubFault::Kind::kTimeout, "/repos/octo/hello/issues", /*applied=*/true);

  auto issue = api_->CreateIssue(kRepo, {"Timeout", "body", {}, {}, "wf-3.step-1"});
  ASSERT_TRUE(issue.has_value()) << issue.error().Describe();
  EXPECT_EQ(issue->number, 1);
  EXPECT_EQ(CountRequests("POST", "/repos/octo/hello/issues"), 1) << "not sent twice";
  EXPECT_EQ(CountRequests("GET", "/repos/octo/hello/issues"), 1) << "looked before re-creating";
  ASSERT_EQ(sandbox_->Issues(kFullName).size(), 1u);
}

TEST_F(GitHubResilienceTest, TimedOutCreateThatWasLostIsSentAgainOnce) {
  ASSERT_TRUE(api_->CreateIssue(kRepo, {"Parent", "", {}, {}, ""}).has_value());
  InjectPostFault(GitHubFault::Kind::kTimeout, "/repos/octo/hello/issues/1/comments",
                  /*applied=*/false);

  auto comment = api_->CreateComment(kRepo, 1, {"hello", "wf-4.step-1"});
  ASSERT_TRUE(comment.has_value()) << comment.error().Describe();
  EXPECT_EQ(CountRequests("POST", "/repos/octo/hello/issues/1/comments"), 2);
  EXPECT_EQ(CountRequests("GET", "/repos/octo/hello/issues/1/comments"), 1);
  ASSERT_EQ(sandbox_->Comments(kFullName, 1).size(), 1u) << "not lost, not doubled";
}

TEST_F(GitHubResilienceTest, ConnectionResetIsTransientForTheClient) {
  GitHubFault reset;
  reset.kind = GitHubFault::Kind::kReset;
  reset.apply_on_timeout = false;
  sandbox_->InjectFault(reset);
  auto issues = rest_->ListIssues(kRepo, IssueQuery{});
  ASSERT_FALSE(issues.has_value());
  EXPECT_EQ(issues.error().kind, core::ErrorKind::kTransient) << issues.error().Describe();
  EXPECT_TRUE(issues.error().retryable());
  EXPECT_EQ(sandbox_->faults_fired(), 1);
}

TEST_F(GitHubResilienceTest, ResetAfterTheCreateLandedIsFoundNotRecreated) {
  // Leaves a keep-alive connection, so the POST below goes out on a reused one (which the
  // HttpClient must not silently resend on).
  ASSERT_TRUE(api_->ListIssues(kRepo, IssueQuery{}).has_value());
  // The issue is created, then the connection is reset.
  InjectPostFault(GitHubFault::Kind::kReset, "/repos/octo/hello/issues", /*applied=*/true);

  auto issue = api_->CreateIssue(kRepo, {"Reset", "body", {}, {}, "wf-5.step-1"});
  ASSERT_TRUE(issue.has_value()) << issue.error().Describe();
  EXPECT_EQ(issue->number, 1);
  EXPECT_EQ(CountRequests("POST", "/repos/octo/hello/issues"), 1) << "not sent twice";
  EXPECT_EQ(CountRequests("GET", "/repos/octo/hello/issues"), 2) << "looked before re-creating";
  ASSERT_EQ(sandbox_->Issues(kFullName).size(), 1u);
}

TEST_F(GitHubResilienceTest, ResetBeforeTheCreateLandedIsSentAgainOnce) {
  ASSERT_TRUE(api_->CreateIssue(kRepo, {"Parent", "", {}, {}, ""}).has_value());
  InjectPostFault(GitHubFault::Kind::kReset, "/repos/octo/hello/issues/1/comments",
                  /*applied=*/false);

  auto comment = api_->CreateComment(kRepo, 1, {"hello", "wf-6.step-1"});
  ASSERT_TRUE(comment.has_value()) << comment.error().Describe();
  EXPECT_EQ(CountRequests("POST", "/repos/octo/hello/issues/1/comments"), 2);
  EXPECT_EQ(CountRequests("GET", "/repos/octo/hello/issues/1/comments"), 1);
  ASSERT_EQ(sandbox_->Comments(kFullName, 1).size(), 1u) << "not lost, not doubled";
}

TEST_F(GitHubResilienceTest, TimedOutReadIsRetriedAndSlowAnswersStillArrive) {
  sandbox::SandboxPullRequestSeed seed;
  seed.title = "slow";
  seed.head_ref = "slow";
  sandbox_->OpenPullRequest(kFullName, seed);
  GitHubFault timeout;
  timeout.kind = GitHubFault::Kind::kTimeout;
  timeout.path_prefix = "/repos/octo/hello/pulls/1";
  sandbox_->InjectFault(timeout);
  GitHubFault latency;
  latency.kind = GitHubFault::Kind::kLatency;
  latency.latency = std::chrono::milliseconds(50);
  latency.path_prefix = "/repos/octo/hello/pulls/1";
  sandbox_->InjectFault(latency);

  auto pr = api_->GetPullRequest(kRepo, 1);
  ASSERT_TRUE(pr.has_value()) << pr.error().Describe();
  EXPECT_EQ(pr->title, "slow");
  EXPECT_EQ(CountRequests("GET", "/repos/octo/hello/pulls/1"), 2);
  EXPECT_EQ(sandbox_->faults_fired(), 2);
}

TEST_F(GitHubResilienceTest, TimedOutDispatchIsNotResent) {
  sandbox_->AddWorkflow(kFullName, "deploy.yml", "Deploy");
  GitHubFault timeout;
  timeout.kind = GitHubFault::Kind::kTimeout;
  timeout.path_prefix = "/repos/octo/hello/actions/workflows";
  sandbox_->InjectFault(timeout);

  auto dispatched = api_->DispatchWorkflow(kRepo, {"deploy.yml", "main", {}});
  ASSERT_FALSE(dispatched.has_value());
  EXPECT_EQ(dispatched.error().kind, core::ErrorKind::kTimeout);
  EXPECT_NE(dispatched.error().message.find("outcome unknown"), std::string::npos);
  EXPECT_EQ(CountRequests("POST", "/repos/octo/hello/actions/workflows/deploy.yml/dispatches"), 1);
  EXPECT_EQ(sandbox_->WorkflowRuns(kFullName).size(), 1u);
}

TEST_F(GitHubResilienceTest, InvalidInputIsNeitherRetriedNorABreakerFailure) {
  auto bad = api_->CreateIssue(kRepo, {"", "", {}, {}, ""});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().kind, core::ErrorKind::kInvalidInput);
  EXPECT_EQ(CountRequests("POST", "/repos/octo/hello/issues"), 1);
  EXPECT_EQ(api_->breaker().metrics().failed_calls, 0);
}

}  // namespace
}  // namespace contexten::integrations::github
