#include "workflows/builtin/github_events.hpp"

#include <cctype>

#include "workflows/builtin/ci_alert.hpp"
#include "workflows/builtin/file_issue_events.hpp"
#include "workflows/correlation/entity.hpp"
#include "workflows/correlation/extract.hpp"

namespace contexten::workflows::builtin {
namespace {

using nlohmann::json;
namespace github = integrations::github;

std::string FileName(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// GitHub's default branch when the payload names it; "main" or "master" when it does not (some
// example payloads leave repository.default_branch out).
bool OnDefaultBranch(const github::GitHubEventCommon& common, const std::string& branch) {
  if (!common.default_branch.empty()) return branch == common.default_branch;
  return branch == "main" || branch == "master";
}

void RoutePullRequest(const github::PullRequestEvent& pr, const std::string& event_key,
                      const GitHubRouteSettings& settings, GitHubRoutes& routes) {
  correlation::PullRequestText text;
  text.repo = pr.repository;
  text.number = static_cast<int>(pr.number);
  text.branch = pr.head_ref;
  text.title = pr.title;
  text.body = pr.body;
  text.event = "github:pull_request." + pr.action + ":" + event_key;
  const json fields = {{"repo", pr.repository}, {"number", pr.number}, {"title", pr.title},
                       {"url", pr.html_url},    {"action", pr.action}, {"state", pr.state},
                       {"merged", pr.merged},   {"draft", pr.draft},   {"author", pr.author},
                       {"branch", pr.head_ref}};
  for (const auto& link : correlation::ExtractPullRequestLinks(text, settings.team_keys)) {
    json data = fields;
    data["identifier"] = link.to.id;
    data["relation"] = std::string(correlation::ToString(link.kind));
    data["evidence"] = {{"event", link.evidence.event},
                        {"field", link.evidence.field},
                        {"excerpt", link.evidence.excerpt}};
    routes.deliveries.push_back(
        {LinearIssueKey(link.to.id), {kGitHubPrEvent, std::move(data), event_key}});
  }
  // And to the runs following the PR itself: one linked by hand (`/ctx issue link`) never names
  // its issue. A run that took the event by its issue's key drops this copy (same event key).
  routes.deliveries.push_back(
      {GitHubPrKey(pr.repository, pr.number), {kGitHubPrEvent, fields, event_key}});
}

void RouteWorkflowRun(const github::WorkflowRunEvent& run, const std::string& event_key,
                      const GitHubRouteSettings& settings, GitHubRoutes& routes) {
  const json data = {{"repo", run.repository},
                     {"run_id", run.id},
                     {"attempt", run.run_attempt},
                     {"workflow", run.name},
                     {"workflow_id", run.workflow_id},
                     {"path", run.path},
                     {"branch", run.head_branch},
                     {"sha", run.head_sha},
                     {"event", run.event},
                     {"status", run.status},
                     {"conclusion", run.conclusion},
                     {"url", run.html_url},
                     {"action", run.action}};
  routes.deliveries.push_back(
      {GitHubRunKey(run.repository, run.id), {kGitHubWorkflowRunEvent, data, event_key}});
  if (run.event == "workflow_dispatch") {
    routes.deliveries.push_back(
        {GitHubDispatchKey(run.repository, FileName(run.path), run.head_branch),
         {kGitHubWorkflowRunEvent, data, event_key}});
    return;  // a dispatched run (a deploy) is followed by its requester, not alerted on
  }
  if (run.status != "completed") return;
  for (const auto number : run.pull_requests) {
    routes.deliveries.push_back({GitHubPrKey(run.repository, number),
                                 {kGitHubChecksEvent,
                                  {{"repo", run.repository},
                                   {"number", number},
                                   {"name", run.name},
                                   {"status", run.status},
                                   {"conclusion", run.conclusion},
                                   {"url", run.html_url}},
                                  event_key}});
  }
  if (!OnDefaultBranch(run, run.head_branch)) return;
  const std::string alert_key = CiAlertKey(run.repository, run.name, run.head_branch);
  const bool failed = run.conclusion == "failure" || run.conclusion == "timed_out";
  if (failed && !settings.alerts_channel.empty()) {
    json start = data;
    start["channel"] = settings.alerts_channel;
    start["linear_team"] = settings.linear_team;
    routes.start =
        StartUnlessWaiting{alert_key,
                           kGitHubWorkflowRunEvent,
                           kCiAlertType,
                           std::string(kCiAlertType) + ":" + run.repository + "/" +
                               std::to_string(run.id) + "/" + std::to_string(run.run_attempt),
                           {"start", std::move(start), event_key}};
  } else {
    routes.deliveries.push_back({alert_key, {kGitHubWorkflowRunEvent, data, event_key}});
  }
}

}  // namespace

std::string GitHubPrKey(const std::string& repo, std::int64_t number) {
  return correlation::PullRequest(repo, static_cast<int>(number)).Key();
}

std::string GitHubRunKey(const std::string& repo, std::int64_t run_id) {
  return correlation::WorkflowRun(repo, run_id).Key();
}

std::string CiAlertKey(const std::string& repo, const std::string& workflow,
                       const std::string& branch) {
  return "ci:" + repo + "/" + workflow + "@" + branch;
}

std::string CiRepoKey(const std::string& repo) { return "ci_repo:" + repo; }

std::string GitHubDispatchKey(const std::string& repo, const std::string& workflow_file,
                              const std::string& ref) {
  return "github_dispatch:" + repo + "/" + workflow_file + "@" + ref;
}

std::string GitHubDeployKey(const std::string& repo, const std::string& environment) {
  return "github_deploy:" + repo + "/" + environment;
}

GitHubRoutes RouteGitHubEvent(const github::GitHubEvent& event, const std::string& event_key,
                              const GitHubRouteSettings& settings) {
  GitHubRoutes routes;
  if (const auto* pr = std::get_if<github::PullRequestEvent>(&event)) {
    RoutePullRequest(*pr, event_key, settings, routes);
  } else if (const auto* review = std::get_if<github::PullRequestReviewEvent>(&event)) {
    std::string state = review->state;  // webhooks say "approved"; the REST API "APPROVED"
    for (auto& c : state) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (review->action != "submitted" || state == "commented") return routes;
    routes.deliveries.push_back({GitHubPrKey(review->repository, review->pr_number),
                                 {kGitHubReviewEvent,
                                  {{"repo", review->repository},
                                   {"number", review->pr_number},
                                   {"state", state},
                                   {"reviewer", review->reviewer},
                                   {"url", review->html_url}},
                                  event_key}});
  } else if (const auto* run = std::get_if<github::WorkflowRunEvent>(&event)) {
    RouteWorkflowRun(*run, event_key, settings, routes);
  } else if (const auto* check = std::get_if<github::CheckRunEvent>(&event)) {
    if (check->status != "completed") return routes;
    for (const auto number : check->pull_requests) {
      routes.deliveries.push_back({GitHubPrKey(check->repository, number),
                                   {kGitHubChecksEvent,
                                    {{"repo", check->repository},
                                     {"number", number},
                                     {"name", check->name},
                                     {"status", check->status},
                                     {"conclusion", check->conclusion},
                                     {"url", check->html_url}},
                                    event_key}});
    }
  } else if (const auto* status = std::get_if<github::DeploymentStatusEvent>(&event)) {
    routes.deliveries.push_back({GitHubDeployKey(status->repository, status->environment),
                                 {kGitHubDeploymentStatusEvent,
                                  {{"repo", status->repository},
                                   {"environment", status->environment},
                                   {"state", status->state},
                                   {"ref", status->ref},
                                   {"url", status->target_url},
                                   {"description", status->description}},
                                  event_key}});
  }
  return routes;
}

}  // namespace contexten::workflows::builtin
