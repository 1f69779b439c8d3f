// The GitHub stand-in's webhook payloads carry what GitHub's own do: for each event the console
// verbs cause, every top-level field of the matching @octokit/webhooks-examples payload and every
// field of its main object is present. Skipped when tests/contract/node_modules is not linked.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/clock.hpp"
#include "core/net/http_client.hpp"
#include "core/net/io_runtime.hpp"
#include "integrations/github/github_rest_client.hpp"
#include "sandbox/github/github_sandbox.hpp"
#include "tests/support/wait_for.hpp"

namespace contexten::sandbox {
namespace {

using Json = nlohmann::json;

const std::filesystem::path kExamples = std::filesystem::path(CONTEXTEN_SOURCE_DIR) /
                                        "tests/contract/node_modules/@octokit/webhooks-examples/"
                                        "api.github.com/index.json";

// Top-level fields only some deliveries carry (organization and enterprise accounts).
const std::set<std::string> kOptionalTopLevel = {"organization", "enterprise"};

// The example of `event` with `action`, else any example of `event` (the corpus has none of
// workflow_run.in_progress, whose shape is that of the other actions).
std::optional<Json> Example(const Json& index, const std::string& event,
                            const std::string& action) {
  for (const auto& e : index) {
    if (e.value("name", "") != event || e["examples"].empty()) continue;
    for (const auto& example : e["examples"]) {
      if (example.value("action", "") == action) return example;
    }
    return e["examples"][0];
  }
  return std::nullopt;
}

std::vector<std::string> Missing(const Json& theirs, const Json& ours,
                                 const std::set<std::string>& optional = {}) {
  std::vector<std::string> missing;
  for (const auto& [key, value] : theirs.items()) {
    if (!ours.contains(key) && !optional.count(key)) missing.push_back(key);
  }
  return missing;
}

std::string Joined(const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& k : keys) out += (out.empty() ? "" : ", ") + k;
  return out;
}

TEST(GitHubSandboxWebhookShapesTest, PayloadsHaveTheFieldsOfGitHubsExamples) {
  if (!std::filesystem::exists(kExamples)) {
    GTEST_SKIP() << "link tests/contract/node_modules to compare with @octokit/webhooks-examples";
  }
  std::ifstream in(kExamples);
  const Json index = Json::parse(in);

  core::net::IoRuntime io(1);
  GitHubSandbox github(io);
  ASSERT_TRUE(github.Start().has_value());
  github.SeedDefaults();
  SandboxPullRequestSeed seed;
  seed.title = "ENG-1 Fix login crash";
  seed.head_ref = "eng-1-fix-login-crash";
  const int number = github.OpenPullRequest(GitHubSandbox::kDefaultRepository, seed);
  ASSERT_TRUE(github.RunCi(GitHubSandbox::kDefaultRepository, seed.head_ref, "failure"));
  ASSERT_TRUE(github.MergePullRequest(GitHubSandbox::kDefaultRepository, number));

  std::set<std::string> checked;
  for (const auto& delivery : github.Deliveries()) {
    const Json ours = Json::parse(delivery.body);
    const auto theirs = Example(index, delivery.event, delivery.action);
    ASSERT_TRUE(theirs.has_value()) << delivery.event << "." << delivery.action;
    const std::string name = delivery.event + "." + delivery.action;
    checked.insert(name);
    EXPECT_EQ(Joined(Missing(*theirs, ours, kOptionalTopLevel)), "") << name << " top level";
    // The main object (pull_request, workflow_run, check_suite) and its satellites.
    for (const char* key : {"pull_request", "workflow_run", "workflow", "check_suite", "repository",
                            "sender", "head_commit"}) {
      if (!theirs->contains(key) || !(*theirs)[key].is_object()) continue;
      ASSERT_TRUE(ours.contains(key)) << name << " has no " << key;
      EXPECT_EQ(Joined(Missing((*theirs)[key], ours[key])), "") << name << "." << key;
    }
    if (theirs->contains("pull_request")) {
      for (const char* side : {"head", "base"}) {
        EXPECT_EQ(Joined(Missing((*theirs)["pull_request"][side], ours["pull_request"][side])), "")
            << name << ".pull_request." << side;
      }
    }
  }
  EXPECT_EQ(checked,
            (std::set<std::string>{"pull_request.opened", "pull_request.closed",
                                   "workflow_run.requested", "workflow_run.in_progress",
                                   "workflow_run.completed", "check_suite.completed", "push."}));
  github.Stop();
}

// The deliveries the workflows of issue 10 act on: a review, a re-run's new attempt, and a
// dispatched deploy run with its deployment and statuses (the run completes on a timer).
TEST(GitHubSandboxWebhookShapesTest, ReviewReRunAndDeployPayloadsHaveTheFieldsOfGitHubsExamples) {
  if (!std::filesystem::exists(kExamples)) {
    GTEST_SKIP() << "link tests/contract/node_modules to compare with @octokit/webhooks-examples";
  }
  std::ifstream in(kExamples);
  const Json index = Json::parse(in);

  core::net::IoRuntime io(1);
  GitHubSandboxOptions options;
  options.run_duration = std::chrono::milliseconds(10);
  GitHubSandbox github(io, options);
  ASSERT_TRUE(github.Start().has_value());
  github.SeedDefaults();
  github.AddWorkflow(GitHubSandbox::kDefaultRepository, "deploy.yml", "Deploy");
  SandboxPullRequestSeed seed;
  seed.title = "ENG-1 Fix login crash";
  seed.head_ref = "eng-1-fix-login-crash";
  const int number = github.OpenPullRequest(GitHubSandbox::kDefaultRepository, seed);
  ASSERT_TRUE(github.AddReview(GitHubSandbox::kDefaultRepository, number, "octocat", "approved"));
  auto failed = github.RunCi(GitHubSandbox::kDefaultRepository, "", "failure");
  ASSERT_TRUE(failed);

  core::net::HttpClient http(io);
  core::FakeClock clock{std::chrono::system_clock::now()};
  integrations::github::GitHubClientConfig config;
  config.base_url = github.base_url();
  config.token = github.options().token;
  integrations::github::GitHubRestClient client(http, config, clock);
  const integrations::github::RepoRef repo{"contexten", "sandbox"};
  ASSERT_TRUE(client.RerunFailedJobs(repo, *failed));
  ASSERT_TRUE(client.DispatchWorkflow(repo, {"deploy.yml", "main", {{"environment", "staging"}}}));
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        std::size_t completed = 0;
        for (const auto& d : github.Deliveries()) {
          if (d.event == "workflow_run" && d.action == "completed") ++completed;
        }
        return completed >= 3;  // the failed run, its re-run, the deploy
      },
      std::chrono::seconds(5)));

  std::set<std::string> checked;
  for (const auto& delivery : github.Deliveries()) {
    const Json ours = Json::parse(delivery.body);
    const auto theirs = Example(index, delivery.event, delivery.action);
    ASSERT_TRUE(theirs.has_value()) << delivery.event << "." << delivery.action;
    const std::string name = delivery.event + "." + delivery.action;
    checked.insert(name);
    EXPECT_EQ(Joined(Missing(*theirs, ours, kOptionalTopLevel)), "") << name << " top level";
    for (const char* key : {"review", "deployment", "deployment_status", "workflow_run"}) {
      if (!theirs->contains(key) || !(*theirs)[key].is_object()) continue;
      ASSERT_TRUE(ours.contains(key)) << name << " has no " << key;
      EXPECT_EQ(Joined(Missing((*theirs)[key], ours[key])), "") << name << "." << key;
    }
  }
  for (const char* name : {"pull_request_review.submitted", "deployment.created",
                           "deployment_status.created", "workflow_run.completed"}) {
    EXPECT_TRUE(checked.count(name)) << name;
  }
  ASSERT_EQ(github.Deployments(GitHubSandbox::kDefaultRepository).size(), 1u);
  github.Stop();
}

}  // namespace
}  // namespace contexten::sandbox
