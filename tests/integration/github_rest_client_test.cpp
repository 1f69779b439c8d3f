// Every GitHubApi operation round-trips through the real REST client to the sandbox GitHub,
// with personal-token and GitHub App auth, GitHub-shaped errors and signed webhooks.

#include "integrations/github/github_rest_client.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <mutex>

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/net/http_server.hpp"
#include "sandbox/github/github_sandbox.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten::integrations::github {
namespace {

using nlohmann::json;
using sandbox::GitHubSandbox;
using sandbox::GitHubSandboxOptions;

const RepoRef kRepo{"octo", "hello"};
const std::string kFullName = "octo/hello";

std::pair<std::string, std::string> RsaKeyPair() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  BIO* priv = BIO_new(BIO_s_mem());
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_bio_PUBKEY(pub, key);
  char* data = nullptr;
  long n = BIO_get_mem_data(priv, &data);
  std::string priv_pem(data, static_cast<std::size_t>(n));
  n = BIO_get_mem_data(pub, &data);
  std::string pub_pem(data, static_cast<std::size_t>(n));
  BIO_free(priv);
  BIO_free(pub);
  EVP_PKEY_free(key);
  return {priv_pem, pub_pem};
}

// Records webhook deliveries the sandbox POSTs.
class WebhookReceiver {
 public:
  explicit WebhookReceiver(core::net::IoRuntime& io) : server_(io, {}) {
    server_.Route("POST", "/webhooks/github",
                  [this](core::net::HttpRequest&& request, core::net::HttpResponder respond) {
                    std::lock_guard lock(mu_);
                    received_.push_back(std::move(request));
                    respond(core::net::HttpResponse::Text(202, "ok"));
                  });
    EXPECT_TRUE(server_.Start().has_value());
  }
  std::string url() const { return server_.BaseUrl() + "/webhooks/github"; }
  std::vector<core::net::HttpRequest> received() const {
    std::lock_guard lock(mu_);
    return received_;
  }

 private:
  core::net::HttpServer server_;
  mutable std::mutex mu_;
  std::vector<core::net::HttpRequest> received_;
};

class GitHubRestClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    GitHubSandboxOptions options;
    options.webhook_url = receiver_.url();
    options.clock = &clock_;
    sandbox_ = std::make_unique<GitHubSandbox>(io_, options);
    ASSERT_TRUE(sandbox_->Start().has_value());
    sandbox_->AddRepository("octo", "hello");
    GitHubClientConfig config;
    config.base_url = sandbox_->base_url();
    config.token = sandbox_->options().token;
    client_ = std::make_unique<GitHubRestClient>(http_, config, clock_);
  }

  core::FakeClock clock_{std::chrono::system_clock::now()};
  core::net::IoRuntime io_{1};
  core::net::HttpClient http_{io_};
  WebhookReceiver receiver_{io_};
  std::unique_ptr<GitHubSandbox> sandbox_;
  std::unique_ptr<GitHubRestClient> client_;
};

TEST_F(GitHubRestClientTest, IssuesAndCommentsRoundTrip) {
  auto issue = client_->CreateIssue(kRepo, {"Login crash", "Steps: open app", {"bug"}, {}, "k1"});
  ASSERT_TRUE(issue.has_value()) << issue.error().Describe();
  EXPECT_EQ(issue->number, 1);
  EXPECT_EQ(issue->title, "Login crash");
  EXPECT_EQ(issue->state, "open");
  EXPECT_EQ(issue->labels, std::vector<std::string>{"bug"});
  EXPECT_NE(issue->html_url.find("/octo/hello/issues/1"), std::string::npos);
  EXPECT_NE(issue->body.find(IdempotencyMarker("k1")), std::string::npos);

  auto comment = client_->CreateComment(kRepo, issue->number, {"Looking into it", ""});
  ASSERT_TRUE(comment.has_value()) << comment.error().Describe();
  EXPECT_EQ(comment->body, "Looking into it");
  auto comments = client_->ListComments(kRepo, issue->number);
  ASSERT_TRUE(comments.has_value());
  ASSERT_EQ(comments->size(), 1u);
  EXPECT_EQ((*comments)[0].id, comment->id);

  auto issues = client_->ListIssues(kRepo, {});
  ASSERT_TRUE(issues.has_value());
  ASSERT_EQ(issues->size(), 1u);
  EXPECT_EQ((*issues)[0].number, 1);
  EXPECT_EQ(sandbox_->Issues(kFullName).size(), 1u);
  EXPECT_EQ(sandbox_->Comments(kFullName, 1).size(), 1u);
}

TEST_F(GitHubRestClientTest, ARepositoryNamesItsDefaultBranch) {
  sandbox_->AddRepository("octo", "trunked", "trunk");
  auto repo = client_->GetRepository({"octo", "trunked"});
  ASSERT_TRUE(repo.has_value()) << repo.error().Describe();
  EXPECT_EQ(repo->full_name, "octo/trunked");
  EXPECT_EQ(repo->default_branch, "trunk");
  auto missing = client_->GetRepository({"octo", "nowhere"});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, core::ErrorKind::kNotFound);
}

TEST_F(GitHubRestClientTest, PullRequestsFilesReviewsAndReviewers) {
  sandbox::SandboxPullRequestSeed seed;
  seed.title = "ENG-123 fix login";
  seed.head_ref = "eng-123-fix-login";
  seed.files = {{{"filename", "src/login.cpp"}, {"additions", 10}, {"deletions", 2}}};
  const int number = sandbox_->OpenPullRequest(kFullName, seed);
  ASSERT_TRUE(sandbox_->AddReview(kFullName, number, "reviewer1", "APPROVED", "LGTM").has_value());

  auto pr = client_->GetPullRequest(kRepo, number);
  ASSERT_TRUE(pr.has_value()) << pr.error().Describe();
  EXPECT_EQ(pr->title, "ENG-123 fix login");
  EXPECT_EQ(pr->head_ref, "eng-123-fix-login");
  EXPECT_EQ(pr->base_ref, "main");
  EXPECT_EQ(pr->head_sha.size(), 40u);
  EXPECT_FALSE(pr->merged);

  auto files = client_->ListPullRequestFiles(kRepo, number);
  ASSERT_TRUE(files.has_value());
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].filename, "src/login.cpp");
  EXPECT_EQ((*files)[0].changes, 12);

  auto reviews = client_->ListReviews(kRepo, number);
  ASSERT_TRUE(reviews.has_value());
  ASSERT_EQ(reviews->size(), 1u);
  EXPECT_EQ((*reviews)[0].state, "APPROVED");
  EXPECT_EQ((*reviews)[0].user, "reviewer1");

  auto requested = client_->RequestReviewers(kRepo, number, {{"alice", "bob"}, {}});
  ASSERT_TRUE(requested.has_value()) << requested.error().Describe();
  EXPECT_EQ(requested->requested_reviewers, (std::vector<std::string>{"alice", "bob"}));

  ASSERT_TRUE(sandbox_->MergePullRequest(kFullName, number).has_value());
  auto merged = client_->GetPullRequest(kRepo, number);
  ASSERT_TRUE(merged.has_value());
  EXPECT_TRUE(merged->merged);
  EXPECT_EQ(merged->state, "closed");
}

TEST_F(GitHubRestClientTest, ListPullRequestsFollowsLinkPagination) {
  for (int i = 0; i < 7; ++i) {
    sandbox::SandboxPullRequestSeed seed;
    seed.title = "PR " + std::to_string(i);
    seed.head_ref = "branch-" + std::to_string(i);
    sandbox_->OpenPullRequest(kFullName, seed);
  }
  ASSERT_TRUE(sandbox_->ClosePullRequest(kFullName, 1).has_value());

  PullRequestQuery query;
  query.per_page = 2;
  auto open = client_->ListPullRequests(kRepo, query);
  ASSERT_TRUE(open.has_value()) << open.error().Describe();
  EXPECT_EQ(open->size(), 6u);
  query.state = "all";
  auto all = client_->ListPullRequests(kRepo, query);
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->size(), 7u);
  query.max_pages = 2;
  auto capped = client_->ListPullRequests(kRepo, query);
  ASSERT_TRUE(capped.has_value());
  EXPECT_EQ(capped->size(), 4u);

  int pull_pages = 0;
  for (const auto& r : sandbox_->Requests()) {
    if (r.path == "/repos/octo/hello/pulls") ++pull_pages;
  }
  EXPECT_EQ(pull_pages, 3 + 4 + 2);
}

TEST_F(GitHubRestClientTest, WorkflowsRunsAndRerun) {
  const std::int64_t workflow = sandbox_->AddWorkflow(kFullName, "ci.yml", "CI");
  ASSERT_TRUE(client_->DispatchWorkflow(kRepo, {"ci.yml", "main", {{"env", "staging"}}}));
  ASSERT_TRUE(client_->DispatchWorkflow(kRepo, {std::to_string(workflow), "dev", {}}));

  WorkflowRunQuery query;
  query.event = "workflow_dispatch";
  auto runs = client_->ListWorkflowRuns(kRepo, query);
  ASSERT_TRUE(runs.has_value()) << runs.error().Describe();
  ASSERT_EQ(runs->total_count, 2);
  query.branch = "main";
  runs = client_->ListWorkflowRuns(kRepo, query);
  ASSERT_TRUE(runs.has_value());
  ASSERT_EQ(runs->runs.size(), 1u);
  const WorkflowRun run = runs->runs[0];
  EXPECT_EQ(run.workflow_id, workflow);
  EXPECT_EQ(run.status, "queued");
  EXPECT_EQ(run.run_attempt, 1);

  // A queued run has nothing to re-run.
  auto early = client_->RerunFailedJobs(kRepo, run.id);
  ASSERT_FALSE(early.has_value());
  EXPECT_EQ(early.error().kind, core::ErrorKind::kConflict);

  ASSERT_TRUE(sandbox_->CompleteWorkflowRun(kFullName, run.id, "failure").has_value());
  WorkflowRunQuery failed;
  failed.workflow = "ci.yml";
  failed.status = "failure";
  runs = client_->ListWorkflowRuns(kRepo, failed);
  ASSERT_TRUE(runs.has_value());
  ASSERT_EQ(runs->runs.size(), 1u);
  EXPECT_EQ(runs->runs[0].conclusion, "failure");

  ASSERT_TRUE(client_->RerunFailedJobs(kRepo, run.id).has_value());
  query = {};
  query.branch = "main";
  runs = client_->ListWorkflowRuns(kRepo, query);
  ASSERT_TRUE(runs.has_value());
  ASSERT_EQ(runs->runs.size(), 1u);
  EXPECT_EQ(runs->runs[0].run_attempt, 2);
  EXPECT_EQ(runs->runs[0].status, "queued");

  auto missing = client_->DispatchWorkflow(kRepo, {"nope.yml", "main", {}});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, core::ErrorKind::kNotFound);
}

TEST_F(GitHubRestClientTest, ChecksStatusesAndRepositoryDispatch) {
  sandbox::SandboxPullRequestSeed seed;
  seed.title = "Feature";
  seed.head_ref = "feature/x";
  const int number = sandbox_->OpenPullRequest(kFullName, seed);
  const std::string sha = sandbox_->PullRequest(kFullName, number).value()["head"]["sha"];
  sandbox_->AddCheckRun(kFullName, sha, "build", "completed", "success");
  sandbox_->AddCheckRun(kFullName, sha, "lint", "in_progress");

  auto checks = client_->ListCheckRuns(kRepo, "feature/x");  // a ref with a slash
  ASSERT_TRUE(checks.has_value()) << checks.error().Describe();
  ASSERT_EQ(checks->size(), 2u);
  EXPECT_EQ((*checks)[0].conclusion, "success");
  EXPECT_EQ((*checks)[1].status, "in_progress");

  auto combined = client_->GetCombinedStatus(kRepo, sha);
  ASSERT_TRUE(combined.has_value());
  EXPECT_EQ(combined->state, "pending");
  EXPECT_EQ(combined->total_count, 0);

  auto s1 = client_->CreateCommitStatus(kRepo, {sha, "success", "https://ci/1", "ok", "ci/a"});
  ASSERT_TRUE(s1.has_value()) << s1.error().Describe();
  EXPECT_EQ(s1->state, "success");
  ASSERT_TRUE(client_->CreateCommitStatus(kRepo, {sha, "pending", "", "", "ci/b"}));
  combined = client_->GetCombinedStatus(kRepo, sha);
  ASSERT_TRUE(combined.has_value());
  EXPECT_EQ(combined->state, "pending");
  ASSERT_TRUE(client_->CreateCommitStatus(kRepo, {sha, "failure", "", "broke", "ci/b"}));
  combined = client_->GetCombinedStatus(kRepo, sha);
  ASSERT_TRUE(combined.has_value());
  EXPECT_EQ(combined->state, "failure");
  EXPECT_EQ(combined->total_count, 2) << "latest status per context";
  ASSERT_TRUE(client_->CreateCommitStatus(kRepo, {sha, "success", "", "fixed", "ci/b"}));
  combined = client_->GetCombinedStatus(kRepo, "feature/x");
  ASSERT_TRUE(combined.has_value());
  EXPECT_EQ(combined->state, "success");
  EXPECT_EQ(combined->sha, sha);

  auto bad = client_->CreateCommitStatus(kRepo, {sha, "great", "", "", "ci/c"});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().kind, core::ErrorKind::kInvalidInput);

  ASSERT_TRUE(client_->DispatchRepository(kRepo, {"deploy", {{"env", "prod"}}}));
  auto dispatches = sandbox_->RepositoryDispatches(kFullName);
  ASSERT_EQ(dispatches.size(), 1u);
  EXPECT_EQ(dispatches[0]["client_payload"]["env"], "prod");
}

TEST_F(GitHubRestClientTest, ErrorsAreMappedAndTokensNeverShown) {
  auto missing_repo = client_->GetPullRequest({"octo", "nope"}, 1);
  ASSERT_FALSE(missing_repo.has_value());
  EXPECT_EQ(missing_repo.error().kind, core::ErrorKind::kNotFound);

  auto no_title = client_->CreateIssue(kRepo, {"", "body", {}, {}, ""});
  ASSERT_FALSE(no_title.has_value());
  EXPECT_EQ(no_title.error().kind, core::ErrorKind::kInvalidInput);
  EXPECT_NE(no_title.error().message.find("title"), std::string::npos);

  GitHubClientConfig config;
  config.base_url = sandbox_->base_url();
  config.token = "ghp_wrongtokenwrongtoken";
  GitHubRestClient wrong(http_, config, clock_);
  auto denied = wrong.GetPullRequest(kRepo, 1);
  ASSERT_FALSE(denied.has_value());
  EXPECT_EQ(denied.error().kind, core::ErrorKind::kUnauthorized);
  EXPECT_EQ(denied.error().message.find("ghp_wrongtoken"), std::string::npos);
}

TEST_F(GitHubRestClientTest, ExposesTheLastRateLimitHeaders) {
  EXPECT_FALSE(client_->last_rate_limit().has_value());
  ASSERT_TRUE(client_->ListIssues(kRepo, {}).has_value());
  ASSERT_TRUE(client_->ListIssues(kRepo, {}).has_value());
  auto limits = client_->last_rate_limit();
  ASSERT_TRUE(limits.has_value());
  EXPECT_EQ(limits->limit, 5000);
  EXPECT_EQ(limits->remaining, sandbox_->rate_limit_remaining());
  EXPECT_EQ(limits->used, 2);
  EXPECT_EQ(limits->resource, "core");
  EXPECT_GT(limits->reset_epoch_seconds, 0);
}

TEST_F(GitHubRestClientTest, RequestsCarryGitHubHeaders) {
  // The sandbox would answer 401 without the bearer token; the log keeps what arrived.
  ASSERT_TRUE(client_->ListIssues(kRepo, {}).has_value());
  const auto requests = sandbox_->Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/repos/octo/hello/issues");
  EXPECT_NE(requests[0].query.find("state=all"), std::string::npos);
}

TEST_F(GitHubRestClientTest, WebhooksAreSignedAndDelivered) {
  sandbox::SandboxPullRequestSeed seed;
  seed.title = "Hook me";
  seed.head_ref = "hook";
  const int number = sandbox_->OpenPullRequest(kFullName, seed);
  ASSERT_TRUE(client_->CreateComment(kRepo, number, {"hi", ""}).has_value());
  ASSERT_TRUE(testing::WaitFor([&] { return receiver_.received().size() >= 2; }));

  const auto received = receiver_.received();
  std::vector<std::string> events;
  for (const auto& request : received) {
    const std::string signature(request.headers.Get("X-Hub-Signature-256").value_or(""));
    EXPECT_EQ(signature,
              "sha256=" + core::HmacSha256Hex(sandbox_->options().webhook_secret, request.body));
    EXPECT_EQ(request.headers.Get("X-GitHub-Delivery").value_or("").size(), 36u);
    events.emplace_back(request.headers.Get("X-GitHub-Event").value_or(""));
    const json payload = json::parse(request.body);
    EXPECT_EQ(payload["repository"]["full_name"], kFullName);
  }
  // Deliveries go out concurrently, as GitHub's do, so arrival order is not asserted.
  std::sort(events.begin(), events.end());
  EXPECT_EQ(events, (std::vector<std::string>{"issue_comment", "pull_request"}));
  ASSERT_TRUE(testing::WaitFor([&] {
    for (const auto& d : sandbox_->Deliveries()) {
      if (d.response_status != 202) return false;
    }
    return true;
  }));
}

TEST(GitHubAppAuthLoopbackTest, ExchangesJwtForInstallationTokenAndCachesIt) {
  const auto [private_pem, public_pem] = RsaKeyPair();
  core::FakeClock clock{std::chrono::system_clock::now()};
  core::net::IoRuntime io{1};
  core::net::HttpClient http{io};
  GitHubSandboxOptions options;
  options.app_public_key_pem = public_pem;
  options.clock = &clock;
  GitHubSandbox sandbox(io, options);
  ASSERT_TRUE(sandbox.Start().has_value());
  sandbox.AddRepository("octo", "hello");

  GitHubClientConfig config;
  config.base_url = sandbox.base_url();
  config.app = GitHubAppCredentials{options.app_id, private_pem, options.installation_id};
  GitHubRestClient client(http, config, clock);

  ASSERT_TRUE(client.ListIssues(kRepo, {}).has_value());
  ASSERT_TRUE(client.ListIssues(kRepo, {}).has_value());
  auto count_exchanges = [&] {
    int n = 0;
    for (const auto& r : sandbox.Requests()) n += r.path.rfind("/app/", 0) == 0 ? 1 : 0;
    return n;
  };
  EXPECT_EQ(count_exchanges(), 1) << "the installation token is cached";

  clock.Advance(std::chrono::minutes(54));  // still over 5 minutes before expiry
  ASSERT_TRUE(client.ListIssues(kRepo, {}).has_value());
  EXPECT_EQ(count_exchanges(), 1);
  clock.Advance(std::chrono::minutes(2));  // within 5 minutes of the hour: refresh
  ASSERT_TRUE(client.ListIssues(kRepo, {}).has_value());
  EXPECT_EQ(count_exchanges(), 2);

  // A revoked token is answered 401; the client mints a new one and tries once more.
  sandbox.RevokeInstallationTokens();
  ASSERT_TRUE(client.ListIssues(kRepo, {}).has_value());
  EXPECT_EQ(count_exchanges(), 3);

  // A JWT for another app is refused.
  GitHubClientConfig other = config;
  other.app->app_id = "999";
  GitHubRestClient impostor(http, other, clock);
  auto denied = impostor.ListIssues(kRepo, {});
  ASSERT_FALSE(denied.has_value());
  EXPECT_EQ(denied.error().kind, core::ErrorKind::kUnauthorized);
}

}  // namespace
}  // namespace contexten::integrations::github
