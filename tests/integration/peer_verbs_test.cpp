// The sandbox console's "play the other side" verbs against the GitHub and Linear stand-ins, with
// a loopback HTTP server as the webhook receiver: each verb changes the stand-in, and Run returns
// only once the receiver has answered the stand-in's webhook, which verifies with our own
// verifiers and parses with our own typed parsers into the expected event.
#include "sandbox/script/peer_verbs.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

#include "core/clock.hpp"
#include "core/net/http_client.hpp"
#include "core/net/http_server.hpp"
#include "core/net/io_runtime.hpp"
#include "integrations/github/events.hpp"
#include "integrations/github/webhook_verify.hpp"
#include "integrations/linear/events.hpp"
#include "integrations/linear/webhook_verify.hpp"
#include "sandbox/github/github_sandbox.hpp"
#include "sandbox/linear/linear_sandbox.hpp"

namespace contexten::sandbox {
namespace {

namespace gh = integrations::github;
namespace lin = integrations::linear;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Json = nlohmann::json;

constexpr char kRepo[] = "contexten/sandbox";

struct Received {
  std::string path;
  core::net::HttpHeaders headers;
  std::string body;
  std::string Header(std::string_view name) const {
    return std::string(headers.Get(name).value_or(""));
  }
};

// The webhook receiver: records every POST and answers `status` (or holds the answer back).
class Receiver {
 public:
  explicit Receiver(core::net::IoRuntime& io) : server_(io, {}) {
    for (const char* path : {"/webhooks/github", "/webhooks/linear"}) {
      server_.Route(
          "POST", path, [this](core::net::HttpRequest&& request, core::net::HttpResponder respond) {
            std::lock_guard lock(mu_);
            received_.push_back({std::string(request.Path()), request.headers, request.body});
            if (hold_) {
              held_.push_back(std::move(respond));
              return;
            }
            respond(core::net::HttpResponse::Text(status_, "ok"));
          });
    }
  }
  core::Status Start() { return server_.Start(); }
  void Stop() {
    {
      std::lock_guard lock(mu_);
      held_.clear();
    }
    server_.Stop();
  }
  std::string Url(const std::string& platform) const {
    return server_.BaseUrl() + "/webhooks/" + platform;
  }
  void AnswerWith(int status) {
    std::lock_guard lock(mu_);
    status_ = status;
  }
  void Hold() {
    std::lock_guard lock(mu_);
    hold_ = true;
  }
  std::vector<Received> Of(const std::string& platform) const {
    std::lock_guard lock(mu_);
    std::vector<Received> out;
    for (const auto& r : received_) {
      if (r.path == "/webhooks/" + platform) out.push_back(r);
    }
    return out;
  }

 private:
  core::net::HttpServer server_;
  mutable std::mutex mu_;
  std::vector<Received> received_;
  std::vector<core::net::HttpResponder> held_;
  int status_ = 200;
  bool hold_ = false;
};

GitHubSandboxOptions GitHubOptions(core::Clock* clock) {
  GitHubSandboxOptions options;
  options.clock = clock;
  return options;
}

class PeerVerbsTest : public ::testing::Test {
 protected:
  PeerVerbsTest()
      : clock_(std::chrono::system_clock::now()),
        io_(2),
        receiver_(io_),
        github_(io_, GitHubOptions(&clock_)),
        linear_(io_, LinearSandboxOptions{}, clock_),
        http_(io_) {}

  void SetUp() override {
    ASSERT_TRUE(receiver_.Start().has_value());
    ASSERT_TRUE(github_.Start().has_value());
    ASSERT_TRUE(linear_.Start().has_value());
    github_.SeedDefaults();
    github_.SetWebhookUrl(receiver_.Url("github"));
    linear_.SetWebhookUrl(receiver_.Url("linear"));
  }
  void TearDown() override {
    github_.Stop();
    linear_.Stop();
    receiver_.Stop();
  }

  std::string RunOk(std::string_view line) {
    auto out = verbs_.Run(line);
    EXPECT_TRUE(out.has_value()) << line << ": " << out.error().Describe();
    return out ? *out : "";
  }

  // Verifies a received Linear webhook as the ingress would and parses it.
  lin::LinearEvent LinearEventOf(const Received& r) {
    EXPECT_TRUE(lin::VerifyLinearSignature(linear_.options().webhook_secret, r.body,
                                           r.Header("Linear-Signature"))
                    .has_value());
    EXPECT_TRUE(lin::CheckLinearTimestamp(r.body, clock_).has_value());
    EXPECT_FALSE(r.Header("Linear-Delivery").empty());
    auto event = lin::ParseLinearWebhook(r.body);
    EXPECT_TRUE(event.has_value()) << r.body;
    EXPECT_EQ(r.Header("Linear-Event"), event ? event->type : "");
    return event ? *event : lin::LinearEvent{};
  }

  gh::GitHubEvent GitHubEventOf(const Received& r) {
    EXPECT_TRUE(gh::VerifyGitHubSignature(github_.options().webhook_secret, r.body,
                                          r.Header("X-Hub-Signature-256"))
                    .has_value());
    EXPECT_FALSE(r.Header("X-GitHub-Delivery").empty());
    auto event = gh::ParseGitHubEvent(r.Header("X-GitHub-Event"), r.body);
    EXPECT_TRUE(event.has_value()) << r.body;
    return event ? *event : gh::GitHubEvent{};
  }

  template <typename T>
  static T As(const gh::GitHubEvent& event) {
    EXPECT_TRUE(std::holds_alternative<T>(event));
    return std::holds_alternative<T>(event) ? std::get<T>(event) : T{};
  }

  std::string StateId(const std::string& name) {
    for (const auto& s : linear_.States("ENG")) {
      if (s.name == name) return s.id;
    }
    return "";
  }

  core::FakeClock clock_;
  core::net::IoRuntime io_;
  Receiver receiver_;
  GitHubSandbox github_;
  LinearSandbox linear_;
  core::net::HttpClient http_;
  PeerVerbs verbs_{&github_, &linear_};
};

// --- Linear --------------------------------------------------------------------------------------

TEST_F(PeerVerbsTest, LinearStateMovesTheIssueByNameAndSendsTheIssueUpdate) {
  ASSERT_TRUE(linear_.CreateIssue("ENG", "Login crash").has_value());
  // The Issue create webhook is sent asynchronously; let it land first.
  ASSERT_EQ(linear_.AwaitDeliveries(0, std::chrono::seconds(10)).at(0).status, 200);
  const std::size_t before = receiver_.Of("linear").size();
  ASSERT_EQ(before, 1u);

  EXPECT_EQ(RunOk("linear state eng-1 in progress"), "linear: ENG-1 -> In Progress (webhook 200)");

  // Run returned after the receiver answered: the webhook is already there.
  const auto received = receiver_.Of("linear");
  ASSERT_EQ(received.size(), before + 1);
  const lin::LinearEvent event = LinearEventOf(received.back());
  EXPECT_EQ(event.type, "Issue");
  EXPECT_EQ(event.action, "update");
  ASSERT_TRUE(std::holds_alternative<lin::LinearIssueData>(event.data));
  const auto& issue = std::get<lin::LinearIssueData>(event.data);
  EXPECT_EQ(issue.identifier, "ENG-1");
  EXPECT_EQ(issue.state_name, "In Progress");
  EXPECT_EQ(issue.state_type, "started");
  EXPECT_EQ(issue.team_key, "ENG");
  EXPECT_EQ(event.updated_from.value("stateId", ""), StateId("Backlog"));
  EXPECT_EQ(event.webhook_id, linear_.options().webhook_id);
  EXPECT_EQ(event.organization_id, linear_.options().organization_id);
  EXPECT_FALSE(event.created_at.empty());
  EXPECT_THAT(event.url, HasSubstr("/issue/ENG-1"));
  ASSERT_TRUE(event.actor.has_value());
  EXPECT_EQ(event.actor->email, kLinearSandboxUserEmail);
  EXPECT_EQ(event.actor->name, "Sandbox User");
  EXPECT_EQ(linear_.GetIssue("ENG-1")->state.name, "In Progress");
}

TEST_F(PeerVerbsTest, LinearCommentIsByTheSandboxUser) {
  ASSERT_TRUE(linear_.CreateIssue("ENG", "Login crash").has_value());

  EXPECT_EQ(RunOk(R"(linear comment ENG-1 Looks "good to" me)"),
            "linear: Sandbox User commented on ENG-1 (webhook 200)");

  // The Issue create webhook may still be on its way; pick the comment's.
  std::optional<Received> hook;
  for (const auto& r : receiver_.Of("linear")) {
    if (r.Header("Linear-Event") == "Comment") hook = r;
  }
  ASSERT_TRUE(hook.has_value());
  const lin::LinearEvent event = LinearEventOf(*hook);
  EXPECT_EQ(event.type, "Comment");
  EXPECT_EQ(event.action, "create");
  ASSERT_TRUE(std::holds_alternative<lin::LinearCommentData>(event.data));
  const auto& comment = std::get<lin::LinearCommentData>(event.data);
  EXPECT_EQ(comment.body, "Looks good to me");
  EXPECT_EQ(comment.issue_identifier, "ENG-1");
  EXPECT_EQ(comment.issue_id, linear_.GetIssue("ENG-1")->id);
  ASSERT_TRUE(comment.user.has_value());
  EXPECT_EQ(comment.user->email, kLinearSandboxUserEmail);
  ASSERT_TRUE(event.actor.has_value());
  EXPECT_EQ(event.actor->id, comment.user->id);
  ASSERT_EQ(linear_.Comments("ENG-1").size(), 1u);
  EXPECT_EQ(linear_.Comments("ENG-1")[0].body, "Looks good to me");
}

TEST_F(PeerVerbsTest, LinearUnknownIssueOrStateIsAClearErrorAndSendsNothing) {
  ASSERT_TRUE(linear_.CreateIssue("ENG", "Login crash").has_value());
  const std::size_t before = linear_.DeliveryCount();

  auto no_issue = verbs_.Run("linear state ENG-9 Done");
  ASSERT_FALSE(no_issue.has_value());
  EXPECT_EQ(no_issue.error().kind, core::ErrorKind::kNotFound);
  EXPECT_EQ(no_issue.error().message, "linear: no issue ENG-9 (issues: ENG-1)");

  auto no_state = verbs_.Run("linear state ENG-1 Shipped");
  ASSERT_FALSE(no_state.has_value());
  EXPECT_EQ(no_state.error().kind, core::ErrorKind::kNotFound);
  EXPECT_THAT(no_state.error().message, StartsWith("linear: no state \"Shipped\" in team ENG"));
  EXPECT_THAT(no_state.error().message,
              HasSubstr("Backlog, Todo, In Progress, In Review, Done, Canceled"));

  auto no_comment_target = verbs_.Run("linear comment XYZ-1 hi");
  ASSERT_FALSE(no_comment_target.has_value());
  EXPECT_EQ(no_comment_target.error().kind, core::ErrorKind::kNotFound);

  EXPECT_EQ(linear_.DeliveryCount(), before);
  EXPECT_EQ(linear_.GetIssue("ENG-1")->state.name, "Backlog");
}

TEST_F(PeerVerbsTest, ReportsWhatTheReceiverAnsweredOrThatNothingWasSent) {
  ASSERT_TRUE(linear_.CreateIssue("ENG", "Login crash").has_value());
  receiver_.AnswerWith(500);
  EXPECT_EQ(RunOk("linear state ENG-1 Todo"), "linear: ENG-1 -> Todo (webhook 500)");

  linear_.SetWebhookUrl("");
  EXPECT_EQ(RunOk("linear state ENG-1 Done"),
            "linear: ENG-1 -> Done (webhook not sent: no webhook URL)");
}

TEST_F(PeerVerbsTest, AnUnansweredWebhookIsReportedAfterTheTimeout) {
  ASSERT_TRUE(linear_.CreateIssue("ENG", "Login crash").has_value());
  receiver_.Hold();
  PeerVerbs impatient(&github_, &linear_, std::chrono::milliseconds(300));
  auto out = impatient.Run("linear state ENG-1 Todo");
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, "linear: ENG-1 -> Todo (webhook unanswered after 300 ms)");
  EXPECT_EQ(linear_.GetIssue("ENG-1")->state.name, "Todo");
}

// --- GitHub --------------------------------------------------------------------------------------

TEST_F(PeerVerbsTest, GhPrOpenSendsPullRequestOpened) {
  const std::string out =
      RunOk(R"(gh pr open contexten/sandbox "ENG-1 Fix login crash" body="Fixes ENG-1")");
  EXPECT_EQ(out,
            "gh: opened contexten/sandbox#1 \"ENG-1 Fix login crash\" (eng-1-fix-login-crash -> "
            "main; webhook pull_request.opened 200)");

  const auto received = receiver_.Of("github");
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].Header("X-GitHub-Event"), "pull_request");
  const auto pr = As<gh::PullRequestEvent>(GitHubEventOf(received[0]));
  EXPECT_EQ(pr.action, "opened");
  EXPECT_EQ(pr.number, 1);
  EXPECT_EQ(pr.title, "ENG-1 Fix login crash");
  EXPECT_EQ(pr.body, "Fixes ENG-1");
  EXPECT_EQ(pr.head_ref, "eng-1-fix-login-crash");
  EXPECT_EQ(pr.base_ref, "main");
  EXPECT_EQ(pr.state, "open");
  EXPECT_FALSE(pr.merged);
  EXPECT_EQ(pr.head_sha.size(), 40u);
  EXPECT_EQ(pr.html_url, "https://github.com/contexten/sandbox/pull/1");
  EXPECT_EQ(pr.repository, kRepo);
  EXPECT_EQ(pr.sender, "octocat");
  EXPECT_EQ(pr.installation_id, github_.options().installation_id);

  EXPECT_THAT(RunOk("gh pr open contexten/sandbox Second one branch=feature/two"),
              HasSubstr("#2 \"Second one\" (feature/two -> main"));

  // One open pull request per branch, as on GitHub.
  auto twice = verbs_.Run("gh pr open contexten/sandbox Again branch=feature/two");
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().kind, core::ErrorKind::kConflict);
  EXPECT_EQ(twice.error().message,
            "gh: a pull request already exists for feature/two: contexten/sandbox#2");
  EXPECT_EQ(github_.PullRequests(kRepo).size(), 2u);
}

TEST_F(PeerVerbsTest, GhPrMergeSendsClosedMergedAndThePushToTheBase) {
  RunOk(R"(gh pr open contexten/sandbox "ENG-2 Add retries")");
  const std::size_t before = receiver_.Of("github").size();

  EXPECT_EQ(RunOk("gh pr merge contexten/sandbox#1"),
            "gh: merged contexten/sandbox#1 into main (webhooks pull_request.closed 200, push "
            "200)");

  const auto received = receiver_.Of("github");
  ASSERT_EQ(received.size(), before + 2);
  std::optional<gh::PullRequestEvent> closed;
  std::optional<gh::PushEvent> push;
  for (std::size_t i = before; i < received.size(); ++i) {
    const gh::GitHubEvent event = GitHubEventOf(received[i]);
    if (auto* p = std::get_if<gh::PullRequestEvent>(&event)) closed = *p;
    if (auto* p = std::get_if<gh::PushEvent>(&event)) push = *p;
  }
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->action, "closed");
  EXPECT_EQ(closed->state, "closed");
  EXPECT_TRUE(closed->merged);
  ASSERT_TRUE(push.has_value());
  EXPECT_EQ(push->ref, "refs/heads/main");
  const Json pr = github_.PullRequest(kRepo, 1).value();
  EXPECT_EQ(push->after, pr["merge_commit_sha"]);
  ASSERT_TRUE(push->head_commit.has_value());
  EXPECT_THAT(push->head_commit->message, HasSubstr("Merge pull request #1"));
  ASSERT_EQ(push->commits.size(), 1u);

  auto again = verbs_.Run("gh pr merge contexten/sandbox#1");
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().kind, core::ErrorKind::kConflict);
  EXPECT_EQ(again.error().message, "gh: contexten/sandbox#1 is already merged");
  auto missing = verbs_.Run("gh pr merge contexten/sandbox#7");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, core::ErrorKind::kNotFound);
  EXPECT_EQ(missing.error().message, "gh: no pull request contexten/sandbox#7");
}

TEST_F(PeerVerbsTest, GhCiFailOnAPullRequestBranchRunsTheCiWorkflowToFailure) {
  RunOk(R"(gh pr open contexten/sandbox "ENG-3 Flaky test")");
  const std::string head_sha = github_.PullRequest(kRepo, 1).value()["head"]["sha"];
  const std::size_t before = receiver_.Of("github").size();

  const std::string out = RunOk("gh ci fail contexten/sandbox branch=eng-3-flaky-test");
  EXPECT_THAT(out, StartsWith("gh: CI CI on contexten/sandbox@eng-3-flaky-test -> failure (run "));
  EXPECT_THAT(out, HasSubstr("webhooks workflow_run.requested 200, workflow_run.in_progress 200, "
                             "workflow_run.completed 200, check_suite.completed 200)"));

  const auto received = receiver_.Of("github");
  ASSERT_EQ(received.size(), before + 4);
  std::vector<gh::WorkflowRunEvent> runs;
  std::optional<gh::CheckSuiteEvent> suite;
  for (std::size_t i = before; i < received.size(); ++i) {
    const gh::GitHubEvent event = GitHubEventOf(received[i]);
    if (auto* r = std::get_if<gh::WorkflowRunEvent>(&event)) runs.push_back(*r);
    if (auto* s = std::get_if<gh::CheckSuiteEvent>(&event)) suite = *s;
  }
  ASSERT_EQ(runs.size(), 3u);
  std::map<std::string, gh::WorkflowRunEvent> by_action;
  for (const auto& r : runs) by_action[r.action] = r;
  ASSERT_EQ(by_action.size(), 3u);
  EXPECT_EQ(by_action["requested"].status, "queued");
  EXPECT_EQ(by_action["in_progress"].status, "in_progress");
  const gh::WorkflowRunEvent& done = by_action["completed"];
  EXPECT_EQ(done.status, "completed");
  EXPECT_EQ(done.conclusion, "failure");
  EXPECT_EQ(done.name, "CI");
  EXPECT_EQ(done.head_branch, "eng-3-flaky-test");
  EXPECT_EQ(done.head_sha, head_sha);  // the PR's head commit
  EXPECT_EQ(done.pull_requests, std::vector<int64_t>{1});
  EXPECT_EQ(done.repository, kRepo);
  for (const auto& r : runs) EXPECT_EQ(r.id, done.id);
  ASSERT_TRUE(suite.has_value());
  EXPECT_EQ(suite->action, "completed");
  EXPECT_EQ(suite->status, "completed");
  EXPECT_EQ(suite->conclusion, "failure");
  EXPECT_EQ(suite->head_sha, head_sha);
  EXPECT_EQ(suite->pull_requests, std::vector<int64_t>{1});
}

TEST_F(PeerVerbsTest, GhCiPassDefaultsToTheDefaultBranch) {
  const std::string out = RunOk("gh ci pass contexten/sandbox");
  EXPECT_THAT(out, StartsWith("gh: CI CI on contexten/sandbox@main -> success"));
  const auto runs = github_.WorkflowRuns(kRepo);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0]["conclusion"], "success");
  EXPECT_EQ(runs[0]["head_branch"], "main");
  // Deliveries go out concurrently, as GitHub's do: find the completed run among them.
  std::optional<gh::WorkflowRunEvent> completed;
  for (const auto& r : receiver_.Of("github")) {
    const gh::GitHubEvent event = GitHubEventOf(r);
    const auto* run = std::get_if<gh::WorkflowRunEvent>(&event);
    if (run != nullptr && run->action == "completed") completed = *run;
  }
  ASSERT_TRUE(completed.has_value());
  EXPECT_EQ(completed->conclusion, "success");
  EXPECT_TRUE(completed->pull_requests.empty());
}

TEST_F(PeerVerbsTest, GhUnknownRepositoryOrNoWorkflowIsAClearError) {
  auto unknown = verbs_.Run("gh ci fail octo/nope");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().kind, core::ErrorKind::kNotFound);
  EXPECT_EQ(unknown.error().message,
            "gh: no repository octo/nope (repositories: " + std::string(kRepo) + ")");
  auto open = verbs_.Run(R"(gh pr open octo/nope "Title")");
  ASSERT_FALSE(open.has_value());
  EXPECT_EQ(open.error().kind, core::ErrorKind::kNotFound);

  github_.AddRepository("octo", "bare");
  auto bare = verbs_.Run("gh ci pass octo/bare");
  ASSERT_FALSE(bare.has_value());
  EXPECT_EQ(bare.error().kind, core::ErrorKind::kNotFound);
  EXPECT_EQ(bare.error().message, "gh: octo/bare has no workflow to run as CI");
  EXPECT_TRUE(receiver_.Of("github").empty());
}

TEST_F(PeerVerbsTest, SeedDefaultsIsIdempotent) {
  github_.SeedDefaults();
  EXPECT_EQ(github_.Repositories(), std::vector<std::string>{kRepo});
  RunOk("gh ci pass contexten/sandbox");
  EXPECT_EQ(github_.WorkflowRuns(kRepo).size(), 1u);  // one CI workflow, not two
}

// --- timed outages -------------------------------------------------------------------------------

TEST_F(PeerVerbsTest, LinearFailForAnswersEveryRequestUntilTheClockPasses) {
  auto post = [&](const std::string& auth) {
    core::net::OutgoingRequest request;
    request.method = "POST";
    request.url = linear_.base_url() + "/graphql";
    request.headers.Set("Content-Type", "application/json");
    if (!auth.empty()) request.headers.Set("Authorization", auth);
    request.body = R"({"query":"query Teams { teams { nodes { id } } }","operationName":"Teams"})";
    auto response = http_.Send(std::move(request));
    EXPECT_TRUE(response.has_value());
    return response ? response->status : 0;
  };
  const std::string key = linear_.options().api_key;
  ASSERT_EQ(post(key), 200);

  linear_.FailFor(std::chrono::seconds(30));
  EXPECT_EQ(post(key), 503);
  EXPECT_EQ(post(""), 503);  // before authentication, as a real outage
  clock_.Advance(std::chrono::seconds(29));
  EXPECT_EQ(post(key), 503);
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(post(key), 200);
  EXPECT_EQ(linear_.Requests()[1].fault, "outage");

  linear_.FailFor(std::chrono::minutes(5), 502);
  EXPECT_EQ(post(key), 502);
  linear_.ClearFaults();
  EXPECT_EQ(post(key), 200);
}

TEST_F(PeerVerbsTest, GitHubFailForAnswersEveryRequestUntilTheClockPasses) {
  auto get = [&]() {
    core::net::OutgoingRequest request;
    request.url = github_.base_url() + "/repos/contexten/sandbox";
    request.headers.Set("Authorization", "Bearer " + github_.options().token);
    auto response = http_.Send(std::move(request));
    EXPECT_TRUE(response.has_value());
    return response ? response->status : 0;
  };
  ASSERT_EQ(get(), 200);
  github_.FailFor(std::chrono::seconds(10));
  EXPECT_EQ(get(), 503);
  clock_.Advance(std::chrono::seconds(10));
  EXPECT_EQ(get(), 200);
}

}  // namespace
}  // namespace contexten::sandbox
