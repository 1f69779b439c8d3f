// Starts the sandbox GitHub, drives every GitHubApi operation once through the real REST
// client (GitHub App auth, so the token exchange is included) and prints the sandbox's request
// log as JSON lines {method, path, body} for github_openapi.test.mjs to check against
// @octokit/openapi.

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <iostream>

#include "core/net/http_client.hpp"
#include "core/net/io_runtime.hpp"
#include "integrations/github/github_rest_client.hpp"
#include "sandbox/github/github_sandbox.hpp"

namespace {

using namespace contexten;
using integrations::github::RepoRef;

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

int failures = 0;

template <class R>
void Check(const char* what, const R& result) {
  if (!result.has_value()) {
    std::cerr << what << " failed: " << result.error().Describe() << "\n";
    ++failures;
  }
}

}  // namespace

int main() {
  const auto [private_pem, public_pem] = RsaKeyPair();
  core::net::IoRuntime io(1);
  core::net::HttpClient http(io);
  sandbox::GitHubSandboxOptions options;
  options.app_public_key_pem = public_pem;
  sandbox::GitHubSandbox github(io, options);
  if (auto started = github.Start(); !started) {
    std::cerr << "sandbox: " << started.error().Describe() << "\n";
    return 2;
  }
  const std::string full_name = "octo/hello";
  github.AddRepository("octo", "hello");
  github.AddWorkflow(full_name, "ci.yml", "CI");
  sandbox::SandboxPullRequestSeed seed;
  seed.title = "ENG-1 change";
  seed.head_ref = "feature/eng-1";
  seed.files = {{{"filename", "a.cpp"}, {"additions", 1}}};
  const int pr = github.OpenPullRequest(full_name, seed);
  Check("AddReview", github.AddReview(full_name, pr, "reviewer", "APPROVED"));
  const std::string sha = github.PullRequest(full_name, pr).value()["head"]["sha"];
  github.AddCheckRun(full_name, sha, "build", "completed", "success");

  integrations::github::GitHubClientConfig config;
  config.base_url = github.base_url();
  config.app = integrations::github::GitHubAppCredentials{options.app_id, private_pem,
                                                          options.installation_id};
  integrations::github::GitHubRestClient client(http, config);
  const RepoRef repo{"octo", "hello"};

  auto issue = client.CreateIssue(repo, {"Bug", "It broke", {"bug"}, {"octocat"}, "key-1"});
  Check("CreateIssue", issue);
  Check("ListIssues", client.ListIssues(repo, {}));
  Check("CreateComment", client.CreateComment(repo, issue ? issue->number : 1, {"On it", "k"}));
  Check("ListComments", client.ListComments(repo, issue ? issue->number : 1));
  Check("GetPullRequest", client.GetPullRequest(repo, pr));
  integrations::github::PullRequestQuery pulls;
  pulls.head = "octo:feature/eng-1";
  pulls.base = "main";
  Check("ListPullRequests", client.ListPullRequests(repo, pulls));
  Check("ListPullRequestFiles", client.ListPullRequestFiles(repo, pr));
  Check("ListReviews", client.ListReviews(repo, pr));
  Check("RequestReviewers", client.RequestReviewers(repo, pr, {{"alice"}, {"core-team"}}));
  Check("DispatchWorkflow", client.DispatchWorkflow(repo, {"ci.yml", "main", {{"a", "b"}}}));
  integrations::github::WorkflowRunQuery runs;
  runs.branch = "main";
  runs.event = "workflow_dispatch";
  auto listed = client.ListWorkflowRuns(repo, runs);
  Check("ListWorkflowRuns", listed);
  runs.workflow = "ci.yml";
  Check("ListWorkflowRuns(workflow)", client.ListWorkflowRuns(repo, runs));
  if (listed && !listed->runs.empty()) {
    Check("CompleteWorkflowRun",
          github.CompleteWorkflowRun(full_name, listed->runs[0].id, "failure"));
    Check("RerunFailedJobs", client.RerunFailedJobs(repo, listed->runs[0].id));
  } else {
    ++failures;
  }
  Check("ListCheckRuns", client.ListCheckRuns(repo, "feature/eng-1"));
  Check("CreateCommitStatus",
        client.CreateCommitStatus(repo, {sha, "success", "https://ci.example/1", "ok", "ci"}));
  Check("GetCombinedStatus", client.GetCombinedStatus(repo, sha));
  Check("DispatchRepository", client.DispatchRepository(repo, {"deploy", {{"env", "prod"}}}));

  for (const auto& request : github.Requests()) {
    nlohmann::json line = {{"method", request.method},
                           {"path", request.path},
                           {"query", request.query},
                           {"body", request.body},
                           {"status", request.status}};
    std::cout << line.dump() << "\n";
  }
  github.Stop();
  return failures == 0 ? 0 : 1;
}
