// Looking before re-creating on GitHub: a create whose answer was lost (the sandbox's reset and
// timeout faults) is typed outcome-unknown by the client and the resilient decorator, and the
// comment's idempotency marker finds it again through the paged comment list.

#include <gtest/gtest.h>

#include "core/clock.hpp"
#include "core/net/http_client.hpp"
#include "core/net/io_runtime.hpp"
#include "integrations/github/github_rest_client.hpp"
#include "integrations/github/resilient_github_api.hpp"
#include "sandbox/github/github_sandbox.hpp"

namespace contexten::integrations::github {
namespace {

using core::ErrorKind;
using sandbox::GitHubFault;

const RepoRef kRepo{"octo", "hello"};

class GitHubLookBeforeCreateTest : public ::testing::Test {
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
    auto issue = rest_->CreateIssue(kRepo, {"Flaky login", "body", {}, {}, ""});
    ASSERT_TRUE(issue.has_value()) << issue.error().Describe();
    number_ = issue->number;
  }
  void TearDown() override { sandbox_->Stop(); }

  static core::net::HttpClientOptions ClientOptions() {
    core::net::HttpClientOptions options;
    options.request_timeout = std::chrono::milliseconds(300);
    return options;
  }

  void InjectPostFault(GitHubFault::Kind kind, const std::string& path, bool applied) {
    GitHubFault fault;
    fault.kind = kind;
    fault.method = "POST";
    fault.path_prefix = path;
    fault.apply_on_timeout = applied;
    sandbox_->InjectFault(fault);
  }

  std::string CommentsPath() const {
    return "/repos/octo/hello/issues/" + std::to_string(number_) + "/comments";
  }

  core::FakeClock clock_{std::chrono::system_clock::now()};
  core::net::IoRuntime io_{1};
  core::net::HttpClient http_{io_, ClientOptions()};
  std::unique_ptr<sandbox::GitHubSandbox> sandbox_;
  std::unique_ptr<GitHubRestClient> rest_;
  int number_ = 0;
};

TEST_F(GitHubLookBeforeCreateTest, ResetAfterTheCommentLandedIsOutcomeUnknownAndItsMarkerFindsIt) {
  InjectPostFault(GitHubFault::Kind::kReset, CommentsPath(), /*applied=*/true);
  auto created = rest_->CreateComment(kRepo, number_, {"Deploy started", "run-3/step-2"});
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().kind, ErrorKind::kTransient) << created.error().Describe();
  EXPECT_TRUE(created.error().outcome_unknown) << created.error().Describe();
  EXPECT_FALSE(SurelyNotApplied(created.error()));

  auto found = FindCommentContaining(*rest_, kRepo, number_, IdempotencyMarker("run-3/step-2"));
  ASSERT_TRUE(found.has_value()) << found.error().Describe();
  ASSERT_TRUE(found->has_value()) << "the comment landed before the reset";
  EXPECT_NE((*found)->body.find("Deploy started"), std::string::npos);
  EXPECT_EQ(sandbox_->Comments("octo/hello", number_).size(), 1u);
}

TEST_F(GitHubLookBeforeCreateTest, UnansweredCommentIsOutcomeUnknownAndLookingFindsNothing) {
  InjectPostFault(GitHubFault::Kind::kTimeout, CommentsPath(), /*applied=*/false);
  auto created = rest_->CreateComment(kRepo, number_, {"Never arrived", "run-4/step-1"});
  ASSERT_FALSE(created.has_value());
  EXPECT_EQ(created.error().kind, ErrorKind::kTimeout) << created.error().Describe();
  EXPECT_TRUE(created.error().outcome_unknown) << created.error().Describe();

  auto found = FindCommentContaining(*rest_, kRepo, number_, IdempotencyMarker("run-4/step-1"));
  ASSERT_TRUE(found.has_value()) << found.error().Describe();
  EXPECT_FALSE(found->has_value());
  EXPECT_FALSE(FindCommentContaining(*rest_, kRepo, number_, "").has_value())
      << "an empty marker would match anything";
}

TEST_F(GitHubLookBeforeCreateTest, RefusedConnectionIsAKnownFailure) {
  GitHubClientConfig config;
  config.base_url = sandbox_->base_url();
  config.token = sandbox_->options().token;
  sandbox_->Stop();
  // A fresh client: no kept-alive connection to the stopped sandbox, only a refused connect.
  core::net::HttpClient http(io_, ClientOptions());
  GitHubRestClient rest(http, config, clock_);
  auto created = rest.CreateComment(kRepo, number_, {"Nobody home", "run-5/step-1"});
  ASSERT_FALSE(created.has_value());
  EXPECT_FALSE(created.error().outcome_unknown) << created.error().Describe();
  EXPECT_TRUE(SurelyNotApplied(created.error())) << created.error().Describe();
}

TEST_F(GitHubLookBeforeCreateTest, ResilientDispatchKeepsTheOutcomeUnknownAndSendsOnce) {
  ResilientGitHubOptions resilient;
  resilient.retry.max_attempts = 4;
  ResilientGitHubApi api(*rest_, clock_, nullptr, resilient);
  InjectPostFault(GitHubFault::Kind::kReset, "/repos/octo/hello/dispatches", /*applied=*/true);
  auto dispatched = api.DispatchRepository(kRepo, {"deploy", {{"env", "prod"}}});
  ASSERT_FALSE(dispatched.has_value());
  EXPECT_TRUE(dispatched.error().outcome_unknown) << dispatched.error().Describe();
  int posts = 0;
  for (const auto& r : sandbox_->Requests()) {
    posts += r.method == "POST" && r.path == "/repos/octo/hello/dispatches";
  }
  EXPECT_EQ(posts, 1) << "nothing to look for, so it is not sent again";
}

TEST_F(GitHubLookBeforeCreateTest, MarkerIsFoundPastTheFirstPageOfComments) {
  for (int i = 0; i < 130; ++i) {
    ASSERT_TRUE(rest_->CreateComment(kRepo, number_,
                                     {"comment " + std::to_string(i), "key-" + std::to_string(i)}));
  }
  auto all = rest_->ListComments(kRepo, number_);
  ASSERT_TRUE(all.has_value()) << all.error().Describe();
  EXPECT_EQ(all->size(), 130u) << "two pages of 100";
  auto late = FindCommentContaining(*rest_, kRepo, number_, IdempotencyMarker("key-120"));
  ASSERT_TRUE(late.has_value() && late->has_value());
  EXPECT_NE((*late)->body.find("comment 120"), std::string::npos);
  auto early = FindCommentContaining(*rest_, kRepo, number_, IdempotencyMarker("key-3"));
  ASSERT_TRUE(early.has_value() && early->has_value());
  EXPECT_NE((*early)->body.find("comment 3"), std::string::npos);
  EXPECT_EQ((*early)->body.find("comment 30"), std::string::npos) << "key-3, not key-30";
}

}  // namespace
}  // namespace contexten::integrations::github
