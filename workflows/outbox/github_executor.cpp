#include "workflows/outbox/github_executor.hpp"

#include <limits>
#include <map>
#include <utility>

#include "integrations/github/github_app_auth.hpp"
#include "workflows/outbox/effect_kinds.hpp"
#include "workflows/outbox/executor_args.hpp"

namespace contexten::workflows::outbox {
namespace {

using nlohmann::json;
namespace github = integrations::github;

std::int64_t Int(const json& args, const char* name) {
  const auto it = args.find(name);
  return it != args.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

core::Result<github::RepoRef> RepoArg(const json& args, const store::EffectRecord& effect) {
  auto repo = RequiredString(args, "repo", effect);
  if (!repo) return core::Unexpected(repo.error());
  return ParseRepo(*repo);
}

// The run `run_id` as GitHub lists it now (its attempt and status), or nullopt.
core::Result<std::optional<github::WorkflowRun>> FindRun(github::GitHubApi& api,
                                                         const github::RepoRef& repo,
                                                         std::int64_t run_id) {
  github::WorkflowRunQuery query;
  query.per_page = 100;
  auto runs = api.ListWorkflowRuns(repo, query);
  if (!runs) return core::Unexpected(runs.error());
  for (const auto& run : runs->runs) {
    if (run.id == run_id) return std::optional<github::WorkflowRun>(run);
  }
  return std::optional<github::WorkflowRun>();
}

json RerunResult(std::int64_t run_id, std::int64_t attempt) {
  return json{{"run_id", run_id}, {"rerun_of_attempt", attempt}};
}

// Whether the attempt after `attempt` exists already (an earlier try of this effect, or someone
// in GitHub's UI, re-ran it).
core::Result<bool> AlreadyRerun(github::GitHubApi& api, const github::RepoRef& repo,
                                std::int64_t run_id, std::int64_t attempt) {
  auto run = FindRun(api, repo, run_id);
  if (!run) return core::Unexpected(run.error());
  return run->has_value() && (*run)->run_attempt > attempt;
}

core::Result<json> Rerun(github::GitHubApi& api, const store::EffectRecord& effect,
                         const json& args) {
  auto repo = RepoArg(args, effect);
  if (!repo) return core::Unexpected(repo.error());
  const std::int64_t run_id = Int(args, "run_id");
  const std::int64_t attempt = Int(args, "attempt");
  auto rerun = api.RerunFailedJobs(*repo, run_id);
  if (!rerun) {
    // 409 "cannot be rerun": GitHub refuses a run that is already running again.
    if (rerun.error().kind == core::ErrorKind::kConflict) {
      if (auto done = AlreadyRerun(api, *repo, run_id, attempt); done && *done) {
        return RerunResult(run_id, attempt);
      }
    }
    return core::Unexpected(rerun.error());
  }
  return RerunResult(run_id, attempt);
}

core::Result<json> Dispatch(github::GitHubApi& api, const store::EffectRecord& effect,
                            const json& args) {
  auto repo = RepoArg(args, effect);
  if (!repo) return core::Unexpected(repo.error());
  auto workflow = RequiredString(args, "workflow", effect);
  if (!workflow) return core::Unexpected(workflow.error());
  auto ref = RequiredString(args, "ref", effect);
  if (!ref) return core::Unexpected(ref.error());
  github::WorkflowDispatch dispatch;
  dispatch.workflow = *workflow;
  dispatch.ref = *ref;
  if (args.contains("inputs") && args["inputs"].is_object()) {
    for (const auto& [key, value] : args["inputs"].items()) {
      if (value.is_string()) dispatch.inputs[key] = value.get<std::string>();
    }
  }
  auto sent = api.DispatchWorkflow(*repo, dispatch);
  if (!sent) return core::Unexpected(sent.error());
  return json{{"dispatched", true}};
}

// A workflow_dispatch run of the workflow on the ref, created at or after the request.
core::Result<std::optional<json>> FindDispatched(github::GitHubApi& api,
                                                 const store::EffectRecord& effect,
                                                 const json& args) {
  auto repo = RepoArg(args, effect);
  if (!repo) return core::Unexpected(repo.error());
  github::WorkflowRunQuery query;
  query.workflow = OptionalString(args, "workflow");
  query.branch = OptionalString(args, "ref");
  query.event = "workflow_dispatch";
  auto runs = api.ListWorkflowRuns(*repo, query);
  if (!runs) return core::Unexpected(runs.error());
  const std::int64_t since_ms = Int(args, "requested_at_ms");
  for (const auto& run : runs->runs) {
    const auto created = github::ParseIso8601(run.created_at);
    if (!created) continue;
    const auto created_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(created->time_since_epoch()).count();
    // created_at has whole seconds.
    if (created_ms + 1000 > since_ms) {
      return std::optional<json>(json{{"dispatched", true}, {"run_id", run.id}});
    }
  }
  return std::optional<json>();
}

core::Result<json> CreateComment(github::GitHubApi& api, const store::EffectRecord& effect,
                                 const json& args) {
  auto repo = RepoArg(args, effect);
  if (!repo) return core::Unexpected(repo.error());
  auto body = RequiredString(args, "body", effect);
  if (!body) return core::Unexpected(body.error());
  github::NewComment comment;
  comment.body = *body;
  comment.idempotency_key = effect.idempotency_key();
  auto created = api.CreateComment(*repo, static_cast<int>(Int(args, "number")), comment);
  if (!created) return core::Unexpected(created.error());
  return json{{"id", created->id}, {"url", created->html_url}};
}

core::Result<std::optional<json>> FindComment(github::GitHubApi& api,
                                              const store::EffectRecord& effect, const json& args) {
  auto repo = RepoArg(args, effect);
  if (!repo) return core::Unexpected(repo.error());
  auto found = github::FindCommentContaining(api, *repo, static_cast<int>(Int(args, "number")),
                                             github::IdempotencyMarker(effect.idempotency_key()));
  if (!found) return core::Unexpected(found.error());
  if (!*found) return std::optional<json>();
  return std::optional<json>(json{{"id", (*found)->id}, {"url", (*found)->html_url}});
}

core::Result<json> ListCheckRuns(github::GitHubApi& api, const store::EffectRecord& effect,
                                 const json& args) {
  auto repo = RepoArg(args, effect);
  if (!repo) return core::Unexpected(repo.error());
  auto ref = RequiredString(args, "ref", effect);
  if (!ref) return core::Unexpected(ref.error());
  auto runs = api.ListCheckRuns(*repo, *ref);
  if (!runs) return core::Unexpected(runs.error());
  json out = json::array();
  for (const auto& run : *runs) {
    out.push_back({{"name", run.name},
                   {"status", run.status},
                   {"conclusion", run.conclusion},
                   {"url", run.html_url}});
  }
  return json{{"check_runs", std::move(out)}};
}

core::Result<json> GetRepository(github::GitHubApi& api, const store::EffectRecord& effect,
                                 const json& args) {
  auto repo = RepoArg(args, effect);
  if (!repo) return core::Unexpected(repo.error());
  auto found = api.GetRepository(*repo);
  if (!found) return core::Unexpected(found.error());
  return json{{"full_name", found->full_name},
              {"default_branch", found->default_branch},
              {"url", found->html_url}};
}

core::Result<json> GetPull(github::GitHubApi& api, const store::EffectRecord& effect,
                           const json& args) {
  auto repo = RepoArg(args, effect);
  if (!repo) return core::Unexpected(repo.error());
  const std::int64_t number = Int(args, "number");
  if (number <= 0 || number > std::numeric_limits<int>::max()) {
    return core::Unexpected(core::MakeError(
        core::ErrorKind::kInvalidInput, "effect " + effect.idempotency_key() + ": no PR number"));
  }
  auto pr = api.GetPullRequest(*repo, static_cast<int>(number));
  if (!pr) return core::Unexpected(pr.error());
  return json{{"repo", repo->FullName()}, {"number", pr->number}, {"title", pr->title},
              {"url", pr->html_url},      {"state", pr->state},   {"merged", pr->merged},
              {"draft", pr->draft},       {"author", pr->user},   {"branch", pr->head_ref}};
}

// Submitted reviews, and the reviewers whose latest approving-or-blocking review approves (a
// later COMMENTED review does not take an approval back; DISMISSED does), as GitHub's "N
// approvals" counts them.
std::pair<int, int> CountReviews(const std::vector<github::Review>& reviews) {
  std::map<std::string, std::string> latest;  // reviewer -> APPROVED | CHANGES_REQUESTED | ...
  int submitted = 0;
  for (const auto& review : reviews) {
    if (review.state == "PENDING") continue;
    ++submitted;
    if (review.state != "COMMENTED") latest[review.user] = review.state;
  }
  int approvals = 0;
  for (const auto& [user, state] : latest) approvals += state == "APPROVED";
  return {submitted, approvals};
}

// Open PRs, 100 a page to the end (GitHub serves at most kMaxPullPages pages here), each with its
// review counts when `reviews` is set. Review counts cost a request per PR; drafts are skipped
// unless `drafts` (the digest leaves them out by default).
constexpr int kMaxPullPages = 30;

core::Result<json> ListPulls(github::GitHubApi& api, const store::EffectRecord& effect,
                             const json& args) {
  auto repo = RepoArg(args, effect);
  if (!repo) return core::Unexpected(repo.error());
  const bool with_reviews = args.value("reviews", true);
  const bool drafts = args.value("drafts", false);
  github::PullRequestQuery query;
  query.state = "open";
  query.per_page = 100;
  query.max_pages = kMaxPullPages;
  auto pulls = api.ListPullRequests(*repo, query);
  if (!pulls) return core::Unexpected(pulls.error());
  json out = json::array();
  for (const auto& pr : *pulls) {
    json item = {{"repo", repo->FullName()},
                 {"number", pr.number},
                 {"title", pr.title},
                 {"url", pr.html_url},
                 {"author", pr.user},
                 {"draft", pr.draft},
                 {"created_at_ms", EpochMsFromIso8601(pr.created_at)},
                 {"updated_at_ms", EpochMsFromIso8601(pr.updated_at)},
                 {"labels", pr.labels},
                 {"reviews", 0},
                 {"approvals", 0}};
    if (with_reviews && (!pr.draft || drafts)) {
      auto reviews = api.ListReviews(*repo, pr.number);
      if (!reviews) return core::Unexpected(reviews.error());
      const auto [submitted, approvals] = CountReviews(*reviews);
      item["reviews"] = submitted;
      item["approvals"] = approvals;
    }
    out.push_back(std::move(item));
  }
  return json{{"pulls", std::move(out)}};
}

core::Result<json> ListRuns(github::GitHubApi& api, const store::EffectRecord& effect,
                            const json& args) {
  auto repo = RepoArg(args, effect);
  if (!repo) return core::Unexpected(repo.error());
  github::WorkflowRunQuery query;
  query.branch = OptionalString(args, "branch");
  query.per_page = 100;  // GitHub's maximum page; the newest runs are what a digest shows
  auto runs = api.ListWorkflowRuns(*repo, query);
  if (!runs) return core::Unexpected(runs.error());
  json out = json::array();
  for (const auto& run : runs->runs) {
    out.push_back({{"id", run.id},
                   {"name", run.name},
                   {"workflow_id", run.workflow_id},
                   {"branch", run.head_branch},
                   {"event", run.event},
                   {"status", run.status},
                   {"conclusion", run.conclusion},
                   {"url", run.html_url},
                   {"created_at_ms", EpochMsFromIso8601(run.created_at)}});
  }
  return json{{"runs", std::move(out)}};
}

}  // namespace

core::Result<github::RepoRef> ParseRepo(const std::string& full_name) {
  const auto slash = full_name.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == full_name.size() ||
      full_name.find('/', slash + 1) != std::string::npos) {
    return core::Unexpected(core::MakeError(core::ErrorKind::kInvalidInput,
                                            "not an owner/name repository: '" + full_name + "'"));
  }
  return github::RepoRef{full_name.substr(0, slash), full_name.substr(slash + 1)};
}

core::Result<json> GitHubExecutor::Execute(const store::EffectRecord& effect) {
  auto parsed = ParseArgs(effect);
  if (!parsed) return core::Unexpected(parsed.error());
  if (effect.kind == kGitHubRerunFailedJobs) return Rerun(github_, effect, *parsed);
  if (effect.kind == kGitHubDispatchWorkflow) return Dispatch(github_, effect, *parsed);
  if (effect.kind == kGitHubCreateComment) return CreateComment(github_, effect, *parsed);
  if (effect.kind == kGitHubListCheckRuns) return ListCheckRuns(github_, effect, *parsed);
  if (effect.kind == kGitHubGetRepository) return GetRepository(github_, effect, *parsed);
  if (effect.kind == kGitHubGetPullRequest) return GetPull(github_, effect, *parsed);
  if (effect.kind == kGitHubListPullRequests) return ListPulls(github_, effect, *parsed);
  if (effect.kind == kGitHubListWorkflowRuns) return ListRuns(github_, effect, *parsed);
  return core::Unexpected(UnknownKind(effect));
}

core::Result<std::optional<json>> GitHubExecutor::Lookup(const store::EffectRecord& effect) {
  auto parsed = ParseArgs(effect);
  if (!parsed) return core::Unexpected(parsed.error());
  if (effect.kind == kGitHubCreateComment) return FindComment(github_, effect, *parsed);
  if (effect.kind == kGitHubDispatchWorkflow) return FindDispatched(github_, effect, *parsed);
  if (effect.kind == kGitHubRerunFailedJobs) {
    auto repo = RepoArg(*parsed, effect);
    if (!repo) return core::Unexpected(repo.error());
    const std::int64_t run_id = Int(*parsed, "run_id");
    const std::int64_t attempt = Int(*parsed, "attempt");
    auto done = AlreadyRerun(github_, *repo, run_id, attempt);
    if (!done) return core::Unexpected(done.error());
    if (*done) return std::optional<json>(RerunResult(run_id, attempt));
  }
  return std::optional<json>();  // reads repeat safely
}

}  // namespace contexten::workflows::outbox
