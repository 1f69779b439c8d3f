#pragma once
// A GitHub stand-in on loopback: the REST operations GitHubRestClient uses, over a stateful
// model (repositories, issues, pull requests, comments, reviews, workflows and runs, check
// runs, commit statuses, dispatches), with GitHub-shaped JSON and errors. Every change, made
// through the API or the control interface, is sent as a signed webhook to the configured URL
// (or only recorded when none is set). Fault injection answers chosen requests with 5xx, 429,
// a primary rate limit, latency, silence or a connection reset, or a timed outage (FailFor).
// Every request is logged (method, path, body) so tests can prove that nothing was lost or sent
// twice. Webhook payloads carry the fields of GitHub's own examples (@octokit/webhooks-examples).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/net/io_runtime.hpp"
#include "core/result.hpp"

namespace contexten::sandbox {

struct GitHubSandboxOptions {
  std::string token = "ghp_sandboxtoken0000000000000000000000";  // accepted personal token
  // GitHub App: JWTs from `app_id` signed by the key whose public half is here are accepted on
  // /app/...; the installation tokens minted there are then accepted like `token`.
  std::string app_id = "424242";
  std::string app_public_key_pem;  // empty: App auth is refused
  std::int64_t installation_id = 4242;
  std::chrono::seconds installation_token_ttl{3600};
  std::string webhook_url;  // empty: deliveries are recorded, not sent
  std::string webhook_secret = "sandbox-github-webhook-secret";
  std::int64_t rate_limit = 5000;  // per hour, reported in x-ratelimit-* headers
  core::Clock* clock = nullptr;    // for timestamps and the rate-limit reset; default: system
  // Set: a re-run or a workflow_dispatch that is accepted goes in progress and completes this
  // long after (a timer on the I/O runtime, never a sleep), with the conclusion below; a
  // dispatch whose inputs name an `environment` also creates a deployment there (webhooks
  // deployment, deployment_status in_progress, then success or failure as the run ends), as a
  // deploy workflow would. Unset: such runs stay queued until CompleteWorkflowRun.
  std::optional<std::chrono::milliseconds> run_duration;
  std::string rerun_conclusion = "success";
  std::string dispatch_conclusion = "success";
};

struct GitHubRequestRecord {
  std::string method;
  std::string path;  // without the query
  std::string query;
  nlohmann::json body;  // parsed JSON, or null
  int status = 0;       // what was answered; 0 if nothing was (a timeout or reset fault)
  bool faulted = false;
};

struct GitHubWebhookDelivery {
  std::string event;  // X-GitHub-Event
  std::string action;
  std::string delivery_id;
  std::string signature;    // X-Hub-Signature-256
  std::string body;         // raw payload as signed
  bool sent = false;        // a webhook URL was set
  bool done = false;        // the POST finished (either way)
  int response_status = 0;  // 0 while pending or when not sent
  std::string error;        // transport failure, if any
};

struct GitHubFault {
  enum class Kind {
    kServerError,   // answer `status` (default 502) with a GitHub error body; nothing applied
    kRetryAfter,    // 429 (or `status`) with retry-after: `retry_after`; nothing applied
    kPrimaryLimit,  // 403 with x-ratelimit-remaining: 0 and reset = now + retry_after
    kLatency,       // apply and answer normally after `latency` (RunAfter, no thread sleeps)
    kTimeout,       // never answer (until Stop); applied first when `apply_on_timeout`
    kReset,         // close the connection without an answer (TCP reset); applied first when
                    // `apply_on_timeout`, as a server that crashed after committing would
  };
  Kind kind = Kind::kServerError;
  int count = 1;            // the next `count` matching requests
  std::string method;       // empty: any
  std::string path_prefix;  // empty: any
  int status = 0;           // 0: the kind's default
  std::chrono::seconds retry_after{1};
  std::chrono::milliseconds latency{0};
  bool apply_on_timeout = true;  // kTimeout, kReset: the change lands but the answer is lost
};

struct SandboxPullRequestSeed {
  std::string title;
  std::string body;
  std::string head_ref;
  std::string base_ref = "main";
  std::string user = "octocat";
  bool draft = false;
  std::vector<std::string> labels;    // label names
  std::vector<nlohmann::json> files;  // {"filename","status","additions","deletions"}
};

class GitHubSandbox {
 public:
  explicit GitHubSandbox(core::net::IoRuntime& io, GitHubSandboxOptions options = {});
  ~GitHubSandbox();
  GitHubSandbox(const GitHubSandbox&) = delete;
  GitHubSandbox& operator=(const GitHubSandbox&) = delete;

  core::Status Start();
  void Stop();
  std::string base_url() const;  // http://127.0.0.1:port, the client's base URL
  const GitHubSandboxOptions& options() const;
  // Sets (or clears) where webhooks go; deliveries already sent are unaffected.
  void SetWebhookUrl(std::string url);

  // --- control interface: seeding and driving ----------------------------------------------
  // What the sandbox console acts on: repository kDefaultRepository with a "CI" workflow
  // (ci.yml). Does nothing when that repository exists.
  static constexpr char kDefaultRepository[] = "contexten/sandbox";
  void SeedDefaults();
  void AddRepository(const std::string& owner, const std::string& name,
                     const std::string& default_branch = "main");
  // Returns the workflow id.
  std::int64_t AddWorkflow(const std::string& full_name, const std::string& file,
                           const std::string& name);
  // Opens a PR (webhook pull_request.opened); returns its number. head_sha is made up.
  int OpenPullRequest(const std::string& full_name, const SandboxPullRequestSeed& seed);
  core::Status MergePullRequest(const std::string& full_name, int number);
  core::Status ClosePullRequest(const std::string& full_name, int number);
  core::Status AddReview(const std::string& full_name, int number, const std::string& user,
                         const std::string& state, const std::string& body = "");
  // A check run on `sha` (webhook check_run); returns its id.
  std::int64_t AddCheckRun(const std::string& full_name, const std::string& sha,
                           const std::string& name, const std::string& status,
                           const std::string& conclusion = "");
  // Starts a run of a workflow as a push would (webhook workflow_run.requested); returns the id.
  std::int64_t StartWorkflowRun(const std::string& full_name, std::int64_t workflow_id,
                                const std::string& branch, const std::string& event = "push");
  // Completes a run with a conclusion (webhook workflow_run.completed).
  core::Status CompleteWorkflowRun(const std::string& full_name, std::int64_t run_id,
                                   const std::string& conclusion);
  // A whole CI run as a push to `branch` (empty: the default branch) would cause: the
  // repository's CI workflow (named "CI", else the first added) is requested, goes in progress
  // and completes with `conclusion` ("success", "failure", ...), then its check suite completes
  // (webhooks workflow_run requested / in_progress / completed, check_suite completed). The run
  // lists the open pull requests whose head is `branch`. Returns the run id; kNotFound for an
  // unknown repository or one without workflows.
  core::Result<std::int64_t> RunCi(const std::string& full_name, const std::string& branch,
                                   const std::string& conclusion);

  // What the next re-runs and dispatched runs conclude with (see GitHubSandboxOptions).
  void SetRerunConclusion(std::string conclusion);
  void SetDispatchConclusion(std::string conclusion);
  // The deployments created by dispatched runs, GitHub-shaped.
  std::vector<nlohmann::json> Deployments(const std::string& full_name) const;

  // Invalidates every installation token minted so far (as revoking the app's tokens would).
  void RevokeInstallationTokens();

  // --- control interface: reading state -----------------------------------------------------
  // GitHub-shaped JSON, as the API would return it.
  std::vector<nlohmann::json> Issues(const std::string& full_name) const;  // no PRs
  std::vector<nlohmann::json> Comments(const std::string& full_name, int number) const;
  std::optional<nlohmann::json> PullRequest(const std::string& full_name, int number) const;
  std::vector<nlohmann::json> PullRequests(const std::string& full_name) const;  // by number
  std::vector<nlohmann::json> WorkflowRuns(const std::string& full_name) const;
  std::vector<nlohmann::json> Statuses(const std::string& full_name, const std::string& sha) const;
  std::vector<nlohmann::json> RepositoryDispatches(const std::string& full_name) const;
  std::vector<GitHubRequestRecord> Requests() const;
  std::vector<std::string> Repositories() const;  // full names
  std::vector<GitHubWebhookDelivery> Deliveries() const;
  std::size_t DeliveryCount() const;
  // Waits until every delivery from index `from` on has been answered or has failed (deliveries
  // without a URL count as finished), at most `timeout` of real time; returns those deliveries,
  // finished or not. Never call it on a thread of the IoRuntime: the POSTs finish there.
  std::vector<GitHubWebhookDelivery> AwaitDeliveries(std::size_t from,
                                                     std::chrono::milliseconds timeout) const;
  std::int64_t rate_limit_remaining() const;

  // --- fault injection -------------------------------------------------------------------
  void InjectFault(GitHubFault fault);
  // An outage: every request is answered `status` until `duration` has passed on the options'
  // clock. A later call replaces the outage; ClearFaults ends it.
  void FailFor(std::chrono::milliseconds duration, int status = 503);
  void ClearFaults();
  // Requests answered so far with a fault (timeouts included).
  int faults_fired() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace contexten::sandbox
